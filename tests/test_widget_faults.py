"""RunWidget against faults on the wire, on a real loopback HTTP server (tests/support/loopback.py).

Each test serves the bytes of one fault and runs ``RunWidget(...).run()`` against it, then checks
what the user sees: a clear ``w.error`` (the exception's type, and a message naming what failed
and the URL), the right ``w.status`` ("error" for a failure, "done" for a clean close), the
partial output kept (``w.chunks`` holds what came before the fault, and the ``snapshot`` trait,
what a browser or a saved notebook renders, decodes to the same chunks), and no hung run (every
run is bounded by a timeout). After every test, nothing is left behind: no thread (such as
``lgwidget-transport``), no asyncio task, no TCP socket of this process, and the loopback server
saw the client close every connection (``serve`` checks that).

No lgwidget code is mocked; the read-timeout tests only shorten ``DEFAULT_TIMEOUT``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import socket
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import httpx
import pytest

import lgwidget
import lgwidget._client
from lgwidget import StreamPart
from lgwidget._transport import MAX_VIEW_CHARS, decode_batch
from tests.support.leaks import no_new_threads_or_sockets
from tests.support.loopback import (
    HEARTBEAT,
    LAST_CHUNK,
    chunk,
    http_response,
    serve,
    sse_event,
    sse_response_head,
)
from tests.support.replay_server import replay_server

ROOT = Path(__file__).resolve().parent.parent

STREAM_PATH = "/runs/stream"
KEY_ENV_VARS = ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")
#: Every run of these tests ends well within this; a run still going then is a hung run.
RUN_TIMEOUT = 20.0

METADATA = {"run_id": "1f0c0de0-0000-6000-8000-00000000f417", "attempt": 1}
UPDATES = [{f"node_{i}": {"step": i, "text": f"update number {i}"}} for i in range(1, 11)]


# --------------------------------------------------------------------------- leak checks


@pytest.fixture(autouse=True)
def no_leaks():
    """After each test: no new thread alive, no new TCP socket held by this process."""
    with no_new_threads_or_sockets(grace=3):
        yield


@pytest.fixture
def no_key_env(monkeypatch):
    for var in (*KEY_ENV_VARS, "LANGGRAPH_API_URL"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


# --------------------------------------------------------------------------- helpers


async def suspended_async_generators(grace: float = 1.0) -> list[str]:
    """The async generators of the running loop that have started and not finished: a stream
    left open. (``_asyncgens`` is asyncio's own weak set of them, for shutdown_asyncgens.)
    ``grace``: httpcore's byte-stream generators of a response not read to its end are closed
    by the collector's finalizer in a task of their own, a few loop turns later."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + grace
    while True:
        gc.collect()
        left = [g.ag_code.co_qualname for g in list(loop._asyncgens) if g.ag_frame is not None]
        if not left or time.monotonic() > deadline:
            return left
        await asyncio.sleep(0.01)


async def run_bounded(w: lgwidget.RunWidget, timeout: float = RUN_TIMEOUT, *,
                      check_generators: bool = True) -> float:
    """``await w.run()``, failing (not hanging) if it takes longer than ``timeout``; then check
    the run left no asyncio task, no open async generator and no transport thread behind.
    Returns the seconds taken."""
    start = time.perf_counter()
    try:
        assert await asyncio.wait_for(w.run(), timeout) is w
    except asyncio.TimeoutError:
        pytest.fail(f"the run did not end within {timeout} s (status {w.status!r})")
    elapsed = time.perf_counter() - start
    # A task still pending a moment after the run is a leak. "A moment": httpx 0.28 leaves the
    # byte-stream generators of a response that was not read to its end (an error body read
    # only up to its limit) to the garbage collector, whose finalizer closes them in a task of
    # its own that ends within a few loop turns; that is not the run's task.
    current = asyncio.current_task()
    deadline = time.monotonic() + 1.0
    while True:
        await asyncio.sleep(0)
        tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if not tasks or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.01)
    assert not tasks, f"asyncio tasks left after the run: {tasks}"
    if check_generators:
        assert not await suspended_async_generators(), "a stream was left open"
    transports = [t for t in threading.enumerate() if t.name.startswith("lgwidget")]
    assert not transports, f"lgwidget threads left after the run: {transports}"
    assert w.status != "running" and w.ended_at is not None and w.ended_at >= w.started_at
    return elapsed


def snapshot_parts(w: lgwidget.RunWidget) -> list[tuple[str, object]]:
    """What a browser (or a saved notebook) reads from the snapshot trait."""
    parts: list[tuple[str, object]] = []
    for blob in w.snapshot:
        seq, events, _times, lines = decode_batch(blob)
        assert seq == len(parts), "the snapshot's batches are not contiguous"
        parts.extend((e, json.loads(line) if line else None)
                     for e, line in zip(events, lines, strict=True))
    return parts


def assert_kept(w: lgwidget.RunWidget, expected: list[StreamPart]) -> None:
    """The partial output: in Python, in the synced counters and in the snapshot."""
    assert w.chunks == expected
    assert w.chunk_count == len(expected)
    assert snapshot_parts(w) == [(p.event, p.data) for p in expected]


def assert_error(w: lgwidget.RunWidget, kind: type[Exception], *needles: str) -> str:
    """status "error", ``w.error`` of exception type ``kind`` whose message holds every needle."""
    assert w.status == "error", (w.status, w.error)
    assert isinstance(w.exception, kind), repr(w.exception)
    assert w.error == {"error": kind.__name__, "message": str(w.exception)}
    message = w.error["message"]
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert "Traceback" not in message and len(message) < 600, message
    return message


def parts_of(*events: tuple[str, object]) -> list[StreamPart]:
    return [StreamPart(e, d) for e, d in events]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stream_handler(events: list[tuple[str, object]]):
    """A well-behaved run: the events, one HTTP chunk each, then a clean end."""

    async def handler(request, conn):
        await conn.send(sse_response_head())
        for event, data in events:
            await conn.send(chunk(sse_event(event, data)))
        await conn.send(LAST_CHUNK)

    return handler


GOOD_RUN = [("metadata", METADATA), ("updates", UPDATES[0]), ("updates", UPDATES[1])]


# --------------------------------------------------------------------------- cannot connect


async def test_server_down_is_a_quick_connect_error():
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    w = lgwidget.RunWidget("agent", {}, url=url)
    elapsed = await run_bounded(w)
    print(f"\nserver down: status {w.status} after {elapsed * 1000:.1f} ms: {w.error['message']}")
    assert_error(w, lgwidget.ConnectError, f"cannot connect to {url}{STREAM_PATH}")
    assert_kept(w, [])
    # A refusal, not the 5 s connect timeout running out: httpx says which.
    assert type(w.exception.__cause__) is httpx.ConnectError


async def test_a_name_that_does_not_resolve_fails_fast():
    # .invalid never resolves (RFC 6761), with or without a network.
    url = "http://no-such-host.invalid:1234"
    w = lgwidget.RunWidget("agent", {}, url=url)
    elapsed = await run_bounded(w)
    print(f"\nunresolvable: status {w.status} after {elapsed * 1000:.1f} ms: {w.error['message']}")
    assert_error(w, lgwidget.ConnectError, f"cannot connect to {url}{STREAM_PATH}")
    assert_kept(w, [])
    # The resolver's answer, not the 5 s connect timeout running out: httpx says which.
    assert type(w.exception.__cause__) is httpx.ConnectError


# --------------------------------------------------------------------------- a proxy with a key

RIGHT_KEY = "sk-proxy-RIGHT-0123456789"
WRONG_KEY = "sk-proxy-WRONG-9876543210"


async def key_proxy(request, conn):
    """A small auth proxy in front of a server: 401 without x-api-key, 403 with a wrong one,
    the run when the key is right."""
    key = request.headers.get("x-api-key")
    if key is None:
        await conn.send(http_response(401, json.dumps({"detail": "Missing API key"})))
    elif key != RIGHT_KEY:
        await conn.send(http_response(403, json.dumps({"detail": "Invalid API key"})))
    else:
        await stream_handler(GOOD_RUN)(request, conn)


@pytest.mark.parametrize(
    ("key", "status_code", "detail"),
    [(None, 401, "Missing API key"), (WRONG_KEY, 403, "Invalid API key")],
    ids=["no-key", "wrong-key"],
)
async def test_a_proxy_that_refuses_the_key(no_key_env, key, status_code, detail):
    async with serve(key_proxy) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url, api_key=key)
        await run_bounded(w)
    url = srv.url + STREAM_PATH
    message = assert_error(w, lgwidget.APIStatusError, str(status_code), detail, url)
    print(f"\n{status_code}: {message}")
    assert w.exception.status_code == status_code and w.exception.detail == detail
    assert_kept(w, [])
    assert srv.requests[0].headers.get("x-api-key") == key
    for text in (json.dumps(w.error), repr(w), repr(w.exception)):
        assert WRONG_KEY not in text  # a refused key is not echoed back to the user


@pytest.mark.parametrize("via", ["argument", "env"])
async def test_a_proxy_streams_with_the_right_key(no_key_env, via):
    if via == "env":
        no_key_env.setenv("LANGGRAPH_API_KEY", RIGHT_KEY)
    async with serve(key_proxy) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url,
                               api_key=RIGHT_KEY if via == "argument" else None)
        await run_bounded(w)
    assert w.status == "done" and w.error is None and w.exception is None
    assert_kept(w, parts_of(*GOOD_RUN))
    assert w.run_id == METADATA["run_id"]
    assert srv.requests[0].headers["x-api-key"] == RIGHT_KEY
    assert RIGHT_KEY not in json.dumps(w.get_state(), default=repr)  # never in widget state


# --------------------------------------------------------------------------- HTTP errors

VALIDATION = [{"type": "missing", "loc": ["body", "assistant_id"], "msg": "Field required"}]
NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n"
    + "<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n" * 6
    + "</body>\r\n</html>\r\n"
)
# A CDN's error page: large, and mostly inline style. Only its start is read and shown.
BIG_502 = "<!DOCTYPE html><html><head><title>502: Bad gateway</title><style>" + (
    ".cf-error-details{margin:0 auto;padding:1em}" * 20_000) + "</style></head></html>"


@pytest.mark.parametrize(
    ("status_code", "body", "content_type", "needles", "detail"),
    [
        (404, json.dumps({"detail": "Not Found"}), "application/json",
         ["404 Not Found", "Not Found"], "Not Found"),
        (422, json.dumps({"detail": VALIDATION}), "application/json",
         ["422", "Field required", "assistant_id"], json.dumps(VALIDATION)),
        (500, "Internal Server Error", "text/plain; charset=utf-8",
         ["500 Internal Server Error", "Internal Server Error"], None),
        (502, NGINX_502, "text/html", ["502 Bad Gateway", "nginx"], None),
        (502, BIG_502, "text/html", ["502 Bad Gateway", "502: Bad gateway"], None),
    ],
    ids=["404-json", "422-json", "500-text", "502-html", "502-big-html"],
)
async def test_an_http_error_is_shown_with_its_detail(status_code, body, content_type, needles,
                                                      detail):
    async def handler(request, conn):
        await conn.send(http_response(status_code, body, content_type))

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        elapsed = await run_bounded(w)
    url = srv.url + STREAM_PATH
    message = assert_error(w, lgwidget.APIStatusError, *needles, f"from POST {url}")
    print(f"\n{status_code} ({len(body):,} bytes of body, {elapsed * 1000:.0f} ms): {message}")
    assert w.exception.status_code == status_code
    assert w.exception.detail == detail
    assert_kept(w, [])


# --------------------------------------------------------------------------- broken streams


@pytest.mark.parametrize("how", ["rst", "fin_mid_chunk"])
async def test_connection_lost_mid_stream_keeps_the_events_before(how):
    sent = [("metadata", METADATA)] + [("updates", u) for u in UPDATES[:4]]

    async def handler(request, conn):
        await conn.send(sse_response_head())
        for event, data in sent:
            await conn.send(chunk(sse_event(event, data)))
        more = sse_event("updates", UPDATES[4])
        await conn.send(b"%x\r\n" % len(more) + more[:25])  # half an event
        await asyncio.sleep(0.05)
        if how == "rst":
            await conn.reset()
        else:
            await conn.close()

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        await run_bounded(w)
    message = assert_error(w, lgwidget.DisconnectedError, srv.url + STREAM_PATH,
                           "after 5 events", "lost")
    print(f"\n{how}: {message}")
    assert_kept(w, parts_of(*sent))
    assert w.run_id == METADATA["run_id"]


@pytest.mark.parametrize("how", ["fin", "rst", "head_then_fin"])
async def test_a_server_that_closes_with_no_data_is_an_error(how):
    async def handler(request, conn):
        if how == "head_then_fin":
            await conn.send(sse_response_head())
            await conn.close()
        elif how == "fin":
            await conn.close()
        else:
            await conn.reset()

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        await run_bounded(w)
    message = assert_error(w, lgwidget.DisconnectedError, srv.url + STREAM_PATH,
                           "before any event")
    print(f"\n{how}: {message}")
    assert_kept(w, [])


async def test_a_clean_close_with_no_events_is_done():
    async with serve(stream_handler([])) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        await run_bounded(w)
    assert w.status == "done" and w.error is None and w.exception is None
    assert_kept(w, [])
    assert w.run_id is None


async def test_a_malformed_stream_is_a_protocol_error_after_what_came_before():
    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        # Lines a server should not send, but SSE says to ignore: unknown fields, a line with
        # no colon, a bad retry, a comment.
        await conn.send(chunk(b"garbage line without a colon\r\nfoo: bar\r\nretry: soon\r\n"
                              b": just a comment\r\n\r\n"))
        await conn.send(chunk(sse_event("updates", UPDATES[0])))
        await conn.send(chunk(b"event: ping\r\n\r\n"))  # an event with no data
        await conn.send(chunk(sse_event("updates", UPDATES[1])))
        await conn.send(chunk(b'event: updates\r\ndata: {"node_3": {"text": "cut off\r\n\r\n'))
        await conn.send(chunk(sse_event("updates", UPDATES[3])))  # never read
        await conn.wait_peer_closed(5)  # the client must hang up by itself

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        # The stream left open is checked in the test below.
        await run_bounded(w, check_generators=False)
    url = srv.url + STREAM_PATH
    message = assert_error(w, lgwidget.ProtocolError, "event 'updates'", url, "not JSON",
                           "cut off")
    print(f"\nmalformed: {message}")
    assert_kept(w, parts_of(("metadata", METADATA), ("updates", UPDATES[0]), ("ping", None),
                            ("updates", UPDATES[1])))
    assert srv.connections[0].peer_gone


async def bad_json_handler(request, conn):
    await conn.send(sse_response_head())
    await conn.send(chunk(sse_event("metadata", METADATA)))
    await conn.send(chunk(b'event: updates\r\ndata: {"node_1": nope}\r\n\r\n'))
    await conn.wait_peer_closed(5)


def with_repo_root_on_path() -> dict[str, str]:
    """This process's environment, with the repository root first on PYTHONPATH."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


SCRIPT = """
from tests.support.loopback import serve
from tests.test_widget_faults import bad_json_handler
import lgwidget

with serve(bad_json_handler) as srv:
    w = lgwidget.RunWidget("agent", {}, url=srv.url).run_sync()
print(w.status, w.error["error"])
"""


async def test_a_protocol_error_closes_the_stream_it_read_from():
    async with serve(bad_json_handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        await run_bounded(w, check_generators=False)
        assert w.status == "error" and isinstance(w.exception, lgwidget.ProtocolError)
        left_open = await suspended_async_generators()
    # What a user sees from a script: run_sync() in a process of its own.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SCRIPT, env=with_repo_root_on_path(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert out.decode().split() == ["error", "ProtocolError"]
    assert not left_open, f"left open: {left_open}"
    assert err.decode() == "", err.decode()


async def test_an_answer_that_is_not_an_event_stream_is_a_protocol_error():
    async def handler(request, conn):
        await conn.send(http_response(200, json.dumps({"run_id": "x", "status": "pending"})))

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        await run_bounded(w)
    assert_error(w, lgwidget.ProtocolError, "expected an event stream", srv.url + STREAM_PATH,
                 "application/json", "pending")
    assert_kept(w, [])


# --------------------------------------------------------------------------- a 50 MB event

BIG = 50 * 1024 * 1024


async def test_a_50_mb_event_is_kept_whole_in_python_and_previewed_in_the_view():
    payload = "0123456789abcdef" * (BIG // 16)
    big_update = {"tool": {"result": payload}}
    big_event = sse_event("updates", big_update)
    events = [("metadata", METADATA), ("updates", UPDATES[0])]

    async def handler(request, conn):
        await conn.send(sse_response_head())
        for event, data in events:
            await conn.send(chunk(sse_event(event, data)))
        await conn.send(chunk(big_event))
        await conn.send(chunk(sse_event("updates", UPDATES[1])))
        await conn.send(LAST_CHUNK)

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        elapsed = await run_bounded(w, timeout=60)
    print(f"\n50 MB event: {elapsed:.2f} s for {len(big_event) / 1e6:.1f} MB "
          f"({len(big_event) / 1e6 / elapsed:.0f} MB/s); snapshot "
          f"{sum(map(len, w.snapshot)):,} bytes")
    assert w.status == "done" and w.error is None
    assert [c.event for c in w.chunks] == ["metadata", "updates", "updates", "updates"]
    assert w.chunks[2].data == big_update  # Python keeps all of it
    assert w.chunks[2].data["tool"]["result"] is not payload and len(
        w.chunks[2].data["tool"]["result"]) == BIG
    assert w.chunk_count == 4
    raw_len = len(json.dumps(big_update, separators=(",", ":")))
    assert w.byte_count >= raw_len
    view = snapshot_parts(w)
    assert view[:2] == [(e, d) for e, d in events] and view[3] == ("updates", UPDATES[1])
    event, preview = view[2]
    assert event == "updates"
    assert preview["__lgwidget_truncated__"] == raw_len  # the browser learns the full size
    assert raw_len > MAX_VIEW_CHARS and len(preview["preview"]) < MAX_VIEW_CHARS
    assert preview["preview"].startswith('{"tool":{"result":"0123456789abcdef')
    assert sum(map(len, w.snapshot)) < 1024 * 1024  # the view gets a preview, not 50 MB
    assert elapsed < 30


# --------------------------------------------------------------------------- quiet runs

# The timeout policy is the SDK's (lgwidget._client.DEFAULT_TIMEOUT): 5 s to connect, 300 s per
# read. The server sends a ": heartbeat" comment every 5 s while a run is quiet, so a long run
# that streams nothing for minutes stays alive, and only a server silent for 300 s is given up
# on. RunWidget takes no timeout argument; the tests below that need a short read timeout
# shorten DEFAULT_TIMEOUT (read at each run), which is the same policy on a smaller scale.


async def test_heartbeats_only_then_a_clean_close_is_done():
    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        for _ in range(6):
            await asyncio.sleep(0.1)
            await conn.send(chunk(HEARTBEAT))
        await conn.send(LAST_CHUNK)

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)  # the default timeouts
        await run_bounded(w)
    assert w.status == "done" and w.error is None
    assert_kept(w, parts_of(("metadata", METADATA)))  # heartbeats are not chunks


@pytest.fixture
def short_read_timeout(monkeypatch):
    monkeypatch.setattr(lgwidget._client, "DEFAULT_TIMEOUT", httpx.Timeout(5, read=0.5))


async def test_heartbeats_keep_a_run_alive_past_the_read_timeout(short_read_timeout):
    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        for _ in range(8):  # 1.6 s with only heartbeats, each gap under the 0.5 s timeout
            await asyncio.sleep(0.2)
            await conn.send(chunk(HEARTBEAT))
        await conn.send(chunk(sse_event("updates", UPDATES[0])))
        await conn.send(LAST_CHUNK)

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        elapsed = await run_bounded(w)
    assert elapsed > 1.5
    assert w.status == "done" and w.error is None
    assert_kept(w, parts_of(("metadata", METADATA), ("updates", UPDATES[0])))


async def test_a_silent_stall_past_the_read_timeout_is_an_error(short_read_timeout):
    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        await conn.send(chunk(HEARTBEAT))
        await conn.wait_peer_closed(5)  # then nothing, not even heartbeats

    async with serve(handler) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        elapsed = await run_bounded(w)
    message = assert_error(w, lgwidget.DisconnectedError, "no data from", srv.url + STREAM_PATH,
                           "0.5 s", "after 1 events")
    print(f"\nstall: {message} ({elapsed:.2f} s)")
    assert 0.4 < elapsed < 2.0
    assert_kept(w, parts_of(("metadata", METADATA)))
    assert srv.connections[0].peer_gone  # the widget hung up


# --------------------------------------------------------------------------- a slow client

SLOW_N = 10_000
SLOW_SIZE = 1_000


async def test_a_slow_client_loses_nothing_and_its_memory_stays_bounded():
    """The replay server (its own process) writes 10,000 events as fast as the socket takes
    them, while this test's event loop is also kept busy, so the widget reads slower than the
    server writes: TCP back-pressure must hold the server back, nothing may be lost, and the
    widget must not buffer a backlog beyond what it keeps (``w.chunks``)."""
    busy = {"slices": 0, "run": True}

    async def hog():  # blocks the loop 3 ms at a time, as heavy notebook code would
        while busy["run"]:
            time.sleep(0.003)
            busy["slices"] += 1
            await asyncio.sleep(0)

    with replay_server(n=SLOW_N, size=SLOW_SIZE) as server:
        w = lgwidget.RunWidget("bulk", {"n": SLOW_N, "size": SLOW_SIZE}, url=server.url)
        gc.collect()
        tracemalloc.start()
        try:
            hogging = asyncio.ensure_future(hog())
            start = time.perf_counter()
            assert await asyncio.wait_for(w.run(), RUN_TIMEOUT * 3) is w
            elapsed = time.perf_counter() - start
            busy["run"] = False
            await hogging
            kept, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        await run_bounded(lgwidget.RunWidget("bulk", {"n": 1}, url=server.url))  # leak checks
    payload = w.byte_count
    print(f"\nslow client: {len(w.chunks):,} chunks in {elapsed:.2f} s, "
          f"{busy['slices']} busy slices of 3 ms; "
          f"payload {payload / 1e6:.1f} MB, kept {kept / 1e6:.1f} MB, peak {peak / 1e6:.1f} MB")
    assert busy["slices"] > 20  # the loop really was busy while the stream came
    assert w.status == "done" and w.error is None
    assert len(w.chunks) == SLOW_N + 1
    assert w.chunks[0].event == "metadata"
    assert [next(iter(c.data)) for c in w.chunks[1:]] == [f"node_{i}" for i in range(1, SLOW_N + 1)]
    view = snapshot_parts(w)
    assert view == [(c.event, c.data) for c in w.chunks]
    # Memory: what the widget keeps is about the payload (the decoded chunks, and the compressed
    # snapshot); the transient peak above that stays small: no backlog of unread events.
    assert kept < 3 * payload
    assert peak - kept < 32 * 1024 * 1024


# --------------------------------------------------------------------------- %%lgrun in a kernel


def test_lgrun_in_a_kernel_shows_a_401_in_the_widget_without_a_traceback(no_key_env):
    from tests.support.kernel import running_kernel

    with serve(key_proxy) as srv, running_kernel() as kernel:
        setup = kernel.execute("%load_ext lgwidget")
        assert setup.status == "ok", setup.error
        result = kernel.execute(f"%%lgrun agent --url {srv.url} -o w\n{{}}", timeout=60)
        assert result.status == "ok", result.error
        assert result.error is None and not result.of_type("error")
        streams = "".join(m["content"]["text"] for m in result.of_type("stream"))
        assert "Traceback" not in streams and "Error" not in streams, streams
        # The widget's state, as the front end got it: status and error in one update.
        states = [m["content"]["data"]["state"] for m in result.of_type("comm_msg")
                  if m["content"]["data"].get("method") == "update"]
        final = next(s for s in reversed(states) if "status" in s)
        assert final["status"] == "error"
        shown = [s["error"] for s in states if s.get("error")]
        assert shown and shown[-1]["error"] == "APIStatusError"
        assert "401" in shown[-1]["message"] and "Missing API key" in shown[-1]["message"]
        assert srv.url + STREAM_PATH in shown[-1]["message"]
        # The display's text/plain (what a viewer without widgets shows) says so too.
        updates = result.of_type("update_display_data")
        assert updates and "error" in updates[-1]["content"]["data"]["text/plain"]

        # With the key in the kernel's environment, the same cell streams the run.
        check = kernel.execute(
            f"import os; os.environ['LANGGRAPH_API_KEY'] = {RIGHT_KEY!r}\n"
            f"%lgrun --url {srv.url} -o w2 agent {{}}\n"
            "print(w.status, w2.status, len(w2.chunks))")
        assert check.status == "ok", check.error
        assert check.stdout.split() == ["error", "done", str(len(GOOD_RUN))]
    runs = [r for r in srv.requests if r.method == "POST"]
    assert [r.headers.get("x-api-key") for r in runs] == [None, RIGHT_KEY]
    # The run that started asked for its graph too, with the same key.
    assert [r.headers.get("x-api-key") for r in srv.requests if r.method == "GET"] == [RIGHT_KEY]
