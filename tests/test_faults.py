"""Faults on the wire, against a real loopback HTTP server (tests/support/loopback.py).

Each test serves exactly the bytes of one fault and checks what ``lgwidget.Client.stream`` /
``lgwidget.stream`` make of it. No lgwidget code is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import random
import socket
import time
import traceback
import tracemalloc

import httpx
import pytest

import lgwidget
from lgwidget import StreamPart
from tests.support.leaks import no_new_threads_or_sockets
from tests.support.loopback import (
    HEARTBEAT,
    LAST_CHUNK,
    Connection,
    Request,
    chunk,
    http_response,
    serve,
    sse_event,
    sse_response_head,
)

STREAM_PATH = "/runs/stream"
KEY_ENV_VARS = ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")

METADATA = {"run_id": "1f0c0de0-0000-6000-8000-000000000001", "attempt": 1}
UPDATE_1 = {"plan": {"steps": ["look", "think"]}}
UPDATE_2 = {"act": {"messages": [{"type": "ai", "content": "done"}]}}


# --------------------------------------------------------------------------- leak checks


@pytest.fixture(autouse=True)
def no_leaks():
    """After each test: no new thread alive, no new TCP socket held by this process."""
    with no_new_threads_or_sockets(grace=2):
        yield


# --------------------------------------------------------------------------- helpers


async def collect(stream):
    """(parts, the LGWidgetError that ended the stream or None)."""
    parts = []
    try:
        async for part in stream:
            parts.append(part)
    except lgwidget.LGWidgetError as exc:
        return parts, exc
    return parts, None


async def ok_handler(request: Request, conn: Connection) -> None:
    """A well-behaved run: metadata, one update, clean end."""
    await conn.send(sse_response_head())
    await conn.send(chunk(sse_event("metadata", METADATA)))
    await conn.send(chunk(sse_event("updates", UPDATE_1)))
    await conn.send(LAST_CHUNK)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- 1. reset mid-stream


@pytest.mark.parametrize("how", ["rst_mid_chunk", "fin_mid_chunk", "fin_between_events"])
async def test_connection_lost_after_two_events(how):
    """RST (or a FIN without the terminating chunk) after 2 events: the 2 parts, then
    DisconnectedError naming the URL and the count. A FIN between events is not a clean end
    either: only the last chunk is."""

    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        await conn.send(chunk(sse_event("updates", UPDATE_1)))
        third = sse_event("updates", UPDATE_2)
        if how != "fin_between_events":  # a chunk header promising more than we send
            await conn.send(b"%x\r\n" % len(third) + third[:20])
        await asyncio.sleep(0.05)
        if how.startswith("rst"):
            await conn.reset()
        else:
            await conn.close()

    async with serve(handler) as srv:
        async with lgwidget.Client(srv.url) as client:
            parts, exc = await collect(client.stream("agent", input={}))

    assert parts == [StreamPart("metadata", METADATA), StreamPart("updates", UPDATE_1)]
    assert isinstance(exc, lgwidget.DisconnectedError)
    assert isinstance(exc, lgwidget.LGWidgetError)
    url = srv.url + STREAM_PATH
    assert url in str(exc)
    assert exc.url == url
    assert "after 2 events" in str(exc)
    cause = httpx.ReadError if how.startswith("rst") else httpx.RemoteProtocolError
    assert isinstance(exc.__cause__, cause)


async def test_connection_reset_through_module_stream():
    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        await conn.send(chunk(sse_event("updates", UPDATE_1)))
        await conn.reset()

    async with serve(handler) as srv:
        parts, exc = await collect(lgwidget.stream("agent", input={}, url=srv.url))
    assert [p.event for p in parts] == ["metadata", "updates"]
    assert isinstance(exc, lgwidget.DisconnectedError)
    assert srv.url in str(exc) and "after 2 events" in str(exc)


# --------------------------------------------------------------------------- 2. split frames

SPLIT_EVENTS = [
    ("metadata", METADATA),
    ("updates", {"n": {"text": "héllo wörld ✓ 🦜", "sep": "a\u2028b\u0085c\x1cd"}}),
    ("messages", [{"type": "AIMessageChunk", "content": "tok"}, {"langgraph_node": "n"}]),
    ("custom", {"progress": 0.5, "list": [1, 2, 3], "nested": {"deep": [None, True]}}),
    ("updates", UPDATE_2),
]


def _split_points(body: bytes, rng: random.Random) -> list[int]:
    """Cut points: random 1-7 byte pieces, plus cuts inside every `event:`, inside JSON,
    between every CR and LF, and inside every multi-byte UTF-8 character."""
    cuts = set()
    for i in range(len(body)):
        if body[i : i + 6] == b"event:":
            cuts.add(i + 3)  # "eve|nt:"
        if body[i : i + 2] == b"\r\n":
            cuts.add(i + 1)  # CR | LF
        if body[i : i + 6] == b"data: ":
            cuts.add(i + 9)  # inside the JSON
        if body[i] >= 0xC0:  # the lead byte of a multi-byte character
            cuts.add(i + 1)
    pos = 0
    while pos < len(body):
        pos += rng.randint(1, 7)
        cuts.add(pos)
    return sorted(c for c in cuts if 0 < c < len(body))


async def test_frames_split_mid_line_give_the_same_parts():
    body = b"".join([sse_event(e, d) for e, d in SPLIT_EVENTS[:2]] + [HEARTBEAT])
    body += b"".join(sse_event(e, d) for e, d in SPLIT_EVENTS[2:])
    cuts = _split_points(body, random.Random(20240601))
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    assert b"".join(pieces) == body and max(map(len, pieces)) <= 7
    assert any(p.endswith(b"\r") for p in pieces) and any(p.startswith(b"\n") for p in pieces)

    async def whole(request, conn):
        await conn.send(sse_response_head() + chunk(body) + LAST_CHUNK)

    async def split(request, conn):
        await conn.send(sse_response_head())
        for i, piece in enumerate(pieces):
            await conn.send(chunk(piece))  # each piece its own chunk: the client sees it alone
            if i % 3 == 0:
                await asyncio.sleep(0.001)
        await conn.send(LAST_CHUNK)

    results = []
    for handler in (whole, split):
        async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
            parts, exc = await collect(client.stream("agent"))
        assert exc is None
        results.append(parts)
    expected = [StreamPart(e, d) for e, d in SPLIT_EVENTS]
    assert results[0] == expected
    assert results[1] == expected


# --------------------------------------------------------------------------- 3. not JSON


async def test_data_that_is_not_json_raises_protocol_error_naming_the_event():
    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        await conn.send(chunk(sse_event("updates", UPDATE_1)))
        await conn.send(chunk(b"event: tool_output\r\ndata: {'not': json\r\n\r\n"))
        await conn.send(chunk(sse_event("updates", UPDATE_2)))
        await conn.send(LAST_CHUNK)

    async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
        parts, exc = await collect(client.stream("agent"))
    assert parts == [StreamPart("metadata", METADATA), StreamPart("updates", UPDATE_1)]
    assert isinstance(exc, lgwidget.ProtocolError)
    assert "'tool_output'" in str(exc)
    assert "{'not': json" in str(exc)  # an excerpt of the bad data
    assert srv.url + STREAM_PATH in str(exc)


# --------------------------------------------------------------------------- 4. 50 MB event


async def test_a_50_mb_event_arrives_whole():
    big = "".join(random.Random(4).choices("abcdefghij <>/", k=1000)) * 50_000  # 50 MB ASCII
    frame = chunk(sse_event("values", {"blob": big}))
    size_mb = len(frame) / 1e6

    async def handler(request, conn):
        await conn.send(sse_response_head())
        view = memoryview(frame)
        for i in range(0, len(frame), 1 << 20):  # 1 MiB writes: the server holds no copy
            await conn.send(view[i : i + (1 << 20)])
        await conn.send(LAST_CHUNK)

    gc.collect()
    tracemalloc.start()
    try:
        async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
            start = time.perf_counter()
            parts, exc = await collect(client.stream("agent", stream_mode="values"))
            elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc is None
    assert len(parts) == 1 and parts[0].event == "values"
    assert parts[0].data["blob"] == big
    print(
        f"\n50 MB event: {size_mb:.1f} MB frame in {elapsed:.2f} s "
        f"(under tracemalloc), peak traced Python memory {peak / 1e6:.0f} MB "
        f"({peak / len(frame):.1f}x the event)"
    )


# --------------------------------------------------------------------------- 5. HTTP errors

NGINX_502 = """<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<p>The upstream agent server closed the connection unexpectedly.</p>
<hr><center>nginx/1.25.3</center>
</body>
</html>
"""


async def test_html_502_page_is_an_api_status_error_with_an_excerpt():
    async def handler(request, conn):
        await conn.send(http_response(502, NGINX_502, "text/html"))

    async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
        parts, exc = await collect(client.stream("agent"))
    assert parts == []
    assert isinstance(exc, lgwidget.APIStatusError)
    assert exc.status_code == 502
    assert exc.detail is None
    message = str(exc)
    assert "502" in message and srv.url + STREAM_PATH in message
    assert "closed the connection unexpectedly" in message  # from the page's text


async def test_json_422_detail_is_exposed():
    detail = "Invalid assistant: 'x'. Must be either: - A valid assistant UUID, or - ..."

    async def handler(request, conn):
        await conn.send(http_response(422, json.dumps({"detail": detail})))

    async with serve(handler) as srv:
        parts, exc = await collect(lgwidget.stream("x", url=srv.url))
    assert parts == []
    assert isinstance(exc, lgwidget.APIStatusError)
    assert exc.status_code == 422
    assert exc.detail == detail
    assert detail in str(exc) and "422" in str(exc)


async def test_a_huge_error_page_is_not_read_whole():
    page = ("<html><body>" + "<p>proxy says no</p>\n" * 1_000_000 + "</body></html>").encode()
    response = memoryview(http_response(503, page, "text/html"))

    async def handler(request, conn):
        for i in range(0, len(response), 1 << 20):  # 1 MiB writes: the server holds no copy
            await conn.send(response[i : i + (1 << 20)])

    tracemalloc.start()
    try:
        async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
            tracemalloc.reset_peak()
            parts, exc = await collect(client.stream("agent"))
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parts == []
    assert isinstance(exc, lgwidget.APIStatusError) and exc.status_code == 503
    assert "proxy says no" in str(exc)
    assert len(str(exc)) < 1000
    assert peak < len(page) / 4, f"peak {peak / 1e6:.1f} MB for a {len(page) / 1e6:.0f} MB page"


# --------------------------------------------------------------------------- 6. not SSE


async def test_200_json_instead_of_an_event_stream_is_a_protocol_error():
    body = json.dumps({"run_id": "abc", "status": "pending", "note": "this is not a stream"})

    async def handler(request, conn):
        await conn.send(http_response(200, body, "application/json"))

    async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
        parts, exc = await collect(client.stream("agent"))
    assert parts == []
    assert isinstance(exc, lgwidget.ProtocolError)
    assert srv.url + STREAM_PATH in str(exc)
    assert exc.status_code == 200
    assert "200" in str(exc) and "application/json" in str(exc)
    assert "this is not a stream" in str(exc)


# --------------------------------------------------------------------------- 7. refused


@pytest.mark.parametrize("via", ["client", "module"])
async def test_connection_refused_is_a_quick_connect_error(via):
    url = f"http://127.0.0.1:{free_port()}"
    start = time.perf_counter()
    if via == "client":
        async with lgwidget.Client(url) as client:
            parts, exc = await collect(client.stream("agent"))
    else:
        parts, exc = await collect(lgwidget.stream("agent", url=url))
    elapsed = time.perf_counter() - start
    print(f"\nrefused connect ({via}): ConnectError after {elapsed * 1000:.1f} ms")
    assert parts == []
    assert isinstance(exc, lgwidget.ConnectError)
    assert url + STREAM_PATH in str(exc)
    # A refusal, not the 5 s connect timeout running out (which a loaded machine could not be
    # told from by the clock): httpx says which.
    assert type(exc.__cause__) is httpx.ConnectError


# --------------------------------------------------------------------------- 8. silent close


@pytest.mark.parametrize("how", ["fin", "rst"])
async def test_server_that_closes_without_answering(how):
    async def handler(request, conn):
        if how == "fin":
            await conn.close()
        else:
            await conn.reset()

    async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
        parts, exc = await collect(client.stream("agent"))
    assert parts == []
    assert isinstance(exc, lgwidget.DisconnectedError)
    assert "before any event" in str(exc) and srv.url + STREAM_PATH in str(exc)
    # What httpx raises, mapped: "Server disconnected without sending a response." / ECONNRESET
    cause = httpx.RemoteProtocolError if how == "fin" else httpx.ReadError
    assert isinstance(exc.__cause__, cause)


# --------------------------------------------------------------------------- 9. heartbeats


async def test_only_heartbeats_then_a_clean_end_is_an_empty_run():
    sent = []

    async def handler(request, conn):
        await conn.send(sse_response_head())
        for _ in range(5):
            await conn.send(chunk(HEARTBEAT))
            sent.append(HEARTBEAT)
            await asyncio.sleep(0.05)
        await conn.send(LAST_CHUNK)

    async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
        parts, exc = await collect(client.stream("agent"))
    assert len(sent) == 5
    assert parts == [] and exc is None


async def test_a_stall_longer_than_the_read_timeout_is_a_disconnect():
    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        await conn.wait_peer_closed(60)  # then silence for up to a minute

    async with serve(handler) as srv:
        async with lgwidget.Client(srv.url, timeout=httpx.Timeout(5, read=0.5)) as client:
            start = time.perf_counter()
            parts, exc = await collect(client.stream("agent"))
            elapsed = time.perf_counter() - start
    assert parts == [StreamPart("metadata", METADATA)]
    assert isinstance(exc, lgwidget.DisconnectedError)
    assert "no data" in str(exc) and srv.url + STREAM_PATH in str(exc)
    assert isinstance(exc.__cause__, httpx.ReadTimeout)
    assert 0.4 < elapsed < 30  # the 0.5 s read timeout, not the server's minute
    assert srv.connections[0].peer_gone  # and the client hung up


async def test_heartbeats_keep_a_quiet_stream_alive():
    async def handler(request, conn):
        await conn.send(sse_response_head())
        for _ in range(8):  # 1.6 s of heartbeats, every 0.2 s: each gap < the 0.5 s timeout
            await asyncio.sleep(0.2)
            await conn.send(chunk(HEARTBEAT))
        await conn.send(chunk(sse_event("updates", UPDATE_1)))
        await conn.send(LAST_CHUNK)

    async with serve(handler) as srv:
        async with lgwidget.Client(srv.url, timeout=httpx.Timeout(5, read=0.5)) as client:
            start = time.perf_counter()
            parts, exc = await collect(client.stream("agent"))
            elapsed = time.perf_counter() - start
    assert exc is None
    assert parts == [StreamPart("updates", UPDATE_1)]
    assert elapsed > 1.5  # the stream really was quiet for longer than the read timeout


# --------------------------------------------------------------------------- 10. the request


@pytest.fixture
def no_key_env(monkeypatch):
    for var in (*KEY_ENV_VARS, "LANGGRAPH_API_URL"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


async def test_request_body_defaults(no_key_env):
    messages = {"messages": [{"role": "user", "content": "hi"}]}
    async with serve(ok_handler) as srv, lgwidget.Client(srv.url) as client:
        parts, exc = await collect(client.stream("agent", input=messages))
    assert exc is None and [p.event for p in parts] == ["metadata", "updates"]
    [req] = srv.requests
    assert (req.method, req.path) == ("POST", STREAM_PATH)
    assert req.headers["content-type"] == "application/json"
    assert req.headers["accept"] == "text/event-stream"
    assert req.json() == {
        "assistant_id": "agent",
        "input": messages,
        "stream_mode": "updates",
        "on_disconnect": "cancel",
    }
    assert "x-api-key" not in req.headers


async def test_request_params_use_the_sdk_names_and_drop_none(no_key_env):
    async with serve(ok_handler) as srv:
        parts, exc = await collect(
            lgwidget.stream(
                "agent",
                url=srv.url,
                input=None,
                stream_mode=("updates", "messages-tuple"),
                config={"configurable": {"model": "fake"}},
                metadata=None,
                langsmith_tracing=False,
                stream_subgraphs=True,
                on_disconnect="continue",
            )
        )
    assert exc is None and len(parts) == 2
    body = srv.requests[0].json()
    assert body == {
        "assistant_id": "agent",
        "stream_mode": ["updates", "messages-tuple"],
        "config": {"configurable": {"model": "fake"}},
        "langsmith_tracer": False,
        "stream_subgraphs": True,
        "on_disconnect": "continue",
    }
    assert None not in body.values()


async def test_api_key_argument_is_sent_and_wins_over_env(no_key_env):
    no_key_env.setenv("LANGGRAPH_API_KEY", "sk-from-env")
    async with serve(ok_handler) as srv:
        async with lgwidget.Client(srv.url, api_key="sk-argument") as client:
            await collect(client.stream("agent"))
        await collect(lgwidget.stream("agent", url=srv.url, api_key="sk-argument-2"))
    assert [r.headers.get("x-api-key") for r in srv.requests] == ["sk-argument", "sk-argument-2"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANGGRAPH_API_KEY": "k1", "LANGSMITH_API_KEY": "k2", "LANGCHAIN_API_KEY": "k3"}, "k1"),
        ({"LANGSMITH_API_KEY": "k2", "LANGCHAIN_API_KEY": "k3"}, "k2"),
        ({"LANGGRAPH_API_KEY": "", "LANGSMITH_API_KEY": "k2", "LANGCHAIN_API_KEY": "k3"}, "k2"),
        ({"LANGCHAIN_API_KEY": "k3"}, "k3"),
        ({}, None),
    ],
    ids=["all", "smith+chain", "empty-graph", "chain", "none"],
)
async def test_api_key_from_env_in_sdk_order(no_key_env, env, expected):
    for var, value in env.items():
        no_key_env.setenv(var, value)
    async with serve(ok_handler) as srv:
        await collect(lgwidget.stream("agent", url=srv.url))
        async with lgwidget.Client(srv.url) as client:
            await collect(client.stream("agent"))
    assert [r.headers.get("x-api-key") for r in srv.requests] == [expected, expected]


async def test_url_from_env_when_none_is_given(no_key_env):
    async with serve(ok_handler) as srv:
        no_key_env.setenv("LANGGRAPH_API_URL", srv.url + "/")
        parts, exc = await collect(lgwidget.stream("agent"))
        async with lgwidget.Client() as client:
            assert client.url == srv.url
            parts2, exc2 = await collect(client.stream("agent"))
    assert exc is None and exc2 is None
    assert parts == parts2 and len(parts) == 2
    assert [r.path for r in srv.requests] == [STREAM_PATH, STREAM_PATH]


async def test_unknown_keyword_raises_type_error_at_call_time(no_key_env):
    async with serve(ok_handler) as srv:
        with pytest.raises(TypeError, match="'stream_modes'"):
            lgwidget.stream("agent", url=srv.url, stream_modes="values")  # not iterated
        with pytest.raises(TypeError, match="'langsmith_tracer'"):  # the wire name is not a param
            lgwidget.stream("agent", url=srv.url, langsmith_tracer=True)
        async with lgwidget.Client(srv.url) as client:
            with pytest.raises(TypeError, match="'thread'"):  # the SDK's name is thread_id
                client.stream("agent", thread="t1")
    assert srv.requests == []  # nothing went out


SECRET = "sk-lgw-SECRET-0123456789"


def _all_text_of(exc: BaseException) -> str:
    """Message, repr, traceback text of an exception and of everything it chains to."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + repr(exc.__cause__)


async def test_the_api_key_never_shows_in_repr_or_error_messages(no_key_env):
    client = lgwidget.Client("http://127.0.0.1:1", api_key=SECRET)
    assert SECRET not in repr(client) and SECRET not in str(client)
    await client.aclose()

    async def unauthorized(request, conn):
        assert request.headers["x-api-key"] == SECRET  # it did go out
        await conn.send(http_response(401, json.dumps({"detail": "Invalid API key"})))

    async def not_sse(request, conn):
        await conn.send(http_response(200, '{"hello": "json"}'))

    async def reset(request, conn):
        await conn.send(sse_response_head() + chunk(sse_event("metadata", METADATA)))
        await conn.reset()

    async def bad_json(request, conn):
        await conn.send(sse_response_head() + chunk(b"event: x\r\ndata: nope\r\n\r\n"))

    errors = []
    for handler in (unauthorized, not_sse, reset, bad_json):
        async with serve(handler) as srv:
            errors.append((await collect(lgwidget.stream("a", url=srv.url, api_key=SECRET)))[1])
    no_key_env.setenv("LANGGRAPH_API_KEY", SECRET)  # a key from the environment, refused
    errors.append((await collect(lgwidget.stream("a", url=f"http://127.0.0.1:{free_port()}")))[1])
    kinds = [type(e).__name__ for e in errors]
    assert kinds == [
        "APIStatusError",
        "ProtocolError",
        "DisconnectedError",
        "ProtocolError",
        "ConnectError",
    ]
    for exc in errors:
        assert SECRET not in _all_text_of(exc), type(exc).__name__


async def test_a_key_read_from_a_file_is_stripped_and_a_broken_one_is_not_printed(no_key_env):
    async with serve(ok_handler) as srv:
        _, exc = await collect(lgwidget.stream("a", url=srv.url, api_key=SECRET + "\n"))
    assert exc is None
    assert srv.requests[0].headers["x-api-key"] == SECRET
    with pytest.raises(ValueError) as caught:
        lgwidget.Client("http://127.0.0.1:1", api_key=SECRET + "\nX-Evil: 1")
    assert SECRET not in _all_text_of(caught.value)


# --------------------------------------------------------------------------- 11. error event


async def test_an_error_event_is_yielded_not_raised():
    error = {"error": "ValueError", "message": "boom"}

    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        await conn.send(chunk(sse_event("error", error)))
        await conn.send(LAST_CHUNK)

    async with serve(handler) as srv:
        parts, exc = await collect(lgwidget.stream("agent", url=srv.url))
    assert exc is None
    assert parts == [StreamPart("metadata", METADATA), StreamPart("error", error)]


# --------------------------------------------------------------------------- 12. early break


def _endless_handler(started: list[float]):
    async def handler(request, conn):
        await conn.send(sse_response_head())
        await conn.send(chunk(sse_event("metadata", METADATA)))
        await conn.send(chunk(sse_event("updates", UPDATE_1)))
        started.append(time.monotonic())
        await conn.wait_peer_closed(60)  # a long run: the server keeps the stream open

    return handler


async def _wait_peer_gone(conn: Connection, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not conn.peer_gone and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


async def test_breaking_out_early_closes_the_connection():
    started: list[float] = []
    async with serve(_endless_handler(started)) as srv, lgwidget.Client(srv.url) as client:
        async with contextlib.aclosing(client.stream("agent")) as parts:
            async for part in parts:
                assert part.event == "metadata"
                break
        broke_at = time.monotonic()
        # The client (and its pool) is still open: only closing the stream can hang up.
        conn = srv.connections[0]
        await _wait_peer_gone(conn, 30)
        assert conn.peer_gone, "the server still sees the connection open"
        assert conn.peer_gone_at - broke_at < 30  # the break hung up, not the server's minute
    assert len(srv.connections) == 1


async def test_breaking_out_of_module_stream_closes_the_connection():
    started: list[float] = []
    async with serve(_endless_handler(started)) as srv:
        async with contextlib.aclosing(lgwidget.stream("agent", url=srv.url)) as parts:
            async for part in parts:
                assert part.event == "metadata"
                break
        broke_at = time.monotonic()
        conn = srv.connections[0]
        await _wait_peer_gone(conn, 30)
        assert conn.peer_gone and conn.peer_gone_at - broke_at < 30


async def test_control_an_unclosed_stream_keeps_the_connection_open():
    """Shows the early-break tests can fail: without aclose the server still sees it open."""
    started: list[float] = []
    async with serve(_endless_handler(started)) as srv, lgwidget.Client(srv.url) as client:
        parts = client.stream("agent")
        assert (await anext(parts)).event == "metadata"
        await asyncio.sleep(0.3)
        assert not srv.connections[0].peer_gone
        await parts.aclose()
        await _wait_peer_gone(srv.connections[0], 2)
        assert srv.connections[0].peer_gone


# --------------------------------------------------------------------------- beyond the list


async def test_an_undecodable_content_encoding_is_an_lgwidget_error():
    async def handler(request, conn):
        await conn.send(sse_response_head(extra_headers={"content-encoding": "gzip"}))
        await conn.send(chunk(b"this is not gzip data at all" * 4) + LAST_CHUNK)

    async with serve(handler) as srv, lgwidget.Client(srv.url) as client:
        try:
            parts, exc = await collect(client.stream("agent"))
        except httpx.HTTPError as raw:
            pytest.fail(f"raw httpx error escaped: {raw!r}")
    assert parts == []
    assert isinstance(exc, lgwidget.ProtocolError)
    assert srv.url + STREAM_PATH in str(exc)
