"""RunWidget in Python against the real server: state, statuses, snapshot, and secrets."""

from __future__ import annotations

import asyncio
import json
import zlib

import pytest

import lgwidget
from lgwidget._transport import MAX_VIEW_CHARS, decode_batch
from tests.support.server import QUESTION, busy_runs, mask, sdks

pytestmark = pytest.mark.server


def snapshot_chunks(widget: lgwidget.RunWidget) -> list[tuple[str, object]]:
    """What a browser opening the saved notebook would read from the snapshot trait."""
    chunks: list[tuple[str, object]] = []
    for blob in widget.snapshot:
        seq, events, _times, lines = decode_batch(blob)
        assert seq == len(chunks)
        chunks.extend((e, json.loads(line) if line else None)
                      for e, line in zip(events, lines, strict=True))
    return chunks


async def test_a_run_fills_the_widget(server_url: str) -> None:
    w = lgwidget.RunWidget("agent", QUESTION, url=server_url, stream_subgraphs=True)
    seen: list[str] = []
    w.observe(lambda change: seen.append(change["new"]), "status")
    assert await w.run() is w
    assert seen == ["running", "done"]
    assert w.status == "done" and w.error is None
    assert w.run_id and w.run_id == w.chunks[0].data["run_id"]
    assert w.chunk_count == len(w.chunks) > 3
    assert w.byte_count == sum(len(json.dumps(c.data, separators=(",", ":"))) for c in w.chunks)
    assert 0 < w.elapsed < 30 and w.ended_at >= w.started_at
    assert [u.node for u in w.updates] == ["plan", "lookup", "check", "tools", "respond"]
    assert [u.namespace[0].split(":")[0] for u in w.updates if u.namespace] == ["tools", "tools"]
    assert list(w.by_node()) == ["plan", "lookup", "check", "tools", "respond"]
    assert snapshot_chunks(w) == [(c.event, c.data) for c in w.chunks]
    assert "done" in repr(w) and "plan → lookup (in tools)" in repr(w)


async def test_an_error_event_keeps_what_came_before(server_url: str) -> None:
    w = await lgwidget.RunWidget("failing", {"value": "x"}, url=server_url).run()
    assert w.status == "error"
    assert w.error == {"error": "ValueError", "message": w.chunks[-1].data["message"]}
    assert w.by_node() == {"first": [{"value": "first ran"}]}
    assert [e for e, _ in snapshot_chunks(w)] == ["metadata", "updates", "error"]
    assert "error: ValueError: boom: second node failed" in repr(w)


async def test_an_interrupt_ends_as_interrupted(server_url: str) -> None:
    w = await lgwidget.RunWidget("interrupting", {"request": "x"}, url=server_url).run()
    assert w.status == "interrupted"
    assert w.interrupts[0]["value"] == {"question": "Approve?"}


async def test_an_http_error_is_shown_not_raised(server_url: str) -> None:
    w = await lgwidget.RunWidget("no-such-graph", {}, url=server_url).run()
    assert w.status == "error"
    assert w.error["error"] == "APIStatusError"
    assert "Invalid assistant" in w.error["message"]
    assert isinstance(w.exception, lgwidget.APIStatusError) and w.exception.status_code == 422


async def test_a_server_that_is_down_is_an_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    w = await lgwidget.RunWidget("agent", {}, url=f"http://127.0.0.1:{port}").run()
    assert w.status == "error" and w.error["error"] == "ConnectError"
    assert f"127.0.0.1:{port}" in w.error["message"]


async def test_cancel_keeps_the_chunks_and_cancels_the_server_run(server_url: str) -> None:
    # A run of a minute: only a cancel on the server frees it within the wait below.
    w = lgwidget.RunWidget("slow", {"steps": 600}, url=server_url)
    task = asyncio.ensure_future(w.run())
    while len(w.chunks) < 4:
        await asyncio.sleep(0.02)
    w.cancel()
    assert await task is w  # cancel() ends run() normally
    assert w.status == "cancelled"
    received = len(w.chunks)
    assert 4 <= received < 602
    assert len(snapshot_chunks(w)) == received  # nothing received is lost
    for _ in range(300):
        if await asyncio.to_thread(busy_runs, server_url) == 0:
            break
        await asyncio.sleep(0.1)
    assert await asyncio.to_thread(busy_runs, server_url) == 0


async def test_cancelling_the_caller_cancels_the_run(server_url: str) -> None:
    """A kernel interrupt cancels the cell's task: the run stops and says so."""
    w = lgwidget.RunWidget("bulk", {"n": 5000, "size": 50}, url=server_url)
    task = asyncio.ensure_future(w.run())
    while len(w.chunks) < 5:
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert w.status == "cancelled" and len(snapshot_chunks(w)) == len(w.chunks) >= 5


async def test_from_stream_takes_the_sdks_parts(server_url: str) -> None:
    from langgraph_sdk import get_client

    client = get_client(url=server_url, api_key=None)
    parts = client.runs.stream(None, "agent", input=QUESTION, stream_mode="updates")
    w = await lgwidget.RunWidget.from_stream(parts, assistant_id="agent").run()
    await client.http.client.aclose()
    assert w.status == "done"
    assert [u.node for u in w.updates] == ["plan", "tools", "respond"]
    assert mask(snapshot_chunks(w)) == mask([(c.event, c.data) for c in w.chunks])
    reference = await sdks(server_url, "agent", input=QUESTION, stream_mode="updates")
    assert mask([tuple(c) for c in w.chunks]) == mask(reference)


async def test_a_huge_chunk_reaches_the_view_as_a_preview() -> None:
    big = {"blob": "x" * (MAX_VIEW_CHARS * 2)}

    async def parts():
        yield lgwidget.StreamPart("updates", {"node": big})

    w = await lgwidget.RunWidget.from_stream(parts()).run()
    assert w.chunks[0].data == {"node": big}  # Python keeps it whole
    (_, data), = snapshot_chunks(w)
    assert data["__lgwidget_truncated__"] > MAX_VIEW_CHARS
    assert len(zlib.decompress(w.snapshot[0])) < MAX_VIEW_CHARS


def test_the_api_key_is_never_widget_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGGRAPH_API_KEY", "env-secret-456")
    w = lgwidget.RunWidget("agent", {}, url="https://user:pw@example.test/x?token=abc",
                           api_key="sk-secret-123", headers={"Authorization": "Bearer tok-789"})
    state = json.dumps(w.get_state(), default=repr)
    for secret in ("sk-secret-123", "env-secret-456", "tok-789", "pw@", "token=abc"):
        assert secret not in state and secret not in repr(w)
    assert w.url == "https://example.test/x"


def test_unknown_parameters_fail_at_construction() -> None:
    with pytest.raises(TypeError, match="stream_modes"):
        lgwidget.RunWidget("agent", {}, stream_modes="updates")


@pytest.mark.parametrize(
    ("stream_mode", "expected"),
    [
        ("values", {"values"}),
        ("messages-tuple", {"messages"}),
        ("messages", {"messages/metadata", "messages/partial"}),
        ("custom", {"custom"}),
        ("debug", {"debug"}),
        ("tasks", {"tasks"}),
        ("events", {"events"}),
        (["updates", "values", "messages-tuple", "custom"],
         {"updates", "values", "messages", "custom"}),
    ],
    ids=str,
)
async def test_every_stream_mode_reaches_python_and_the_snapshot(
    server_url: str, stream_mode: object, expected: set[str]
) -> None:
    w = await lgwidget.RunWidget("agent", QUESTION, url=server_url, stream_mode=stream_mode).run()
    assert w.status == "done", w.error
    events = {c.event for c in w.chunks} - {"metadata"}
    assert expected <= events
    assert snapshot_chunks(w) == [(c.event, c.data) for c in w.chunks]
    if "values" in expected:
        answer = w.final_state["messages"][-1]["content"]
        assert answer == "The answer is 42, found by the lookup tool."
    else:
        assert w.final_state is None


async def test_run_while_running_is_refused_and_the_run_goes_on(server_url: str) -> None:
    w = lgwidget.RunWidget("slow", {"steps": 20}, url=server_url)
    task = asyncio.ensure_future(w.run())
    while w.status != "running":
        await asyncio.sleep(0.01)
    with pytest.raises(RuntimeError, match="already running"):
        await w.run()
    assert await task is w and w.status == "done" and len(w.chunks) == 21


async def test_from_stream_takes_dicts_and_tuples_as_parts() -> None:
    async def parts():
        yield {"event": "metadata", "data": {"run_id": "r1"}}
        yield ("updates", {"plan": {"n": 1}})
        yield ("updates", {"act": {"n": 2}}, "7")  # with an id
        yield lgwidget.StreamPart("updates", {"end": {}})

    w = await lgwidget.RunWidget.from_stream(parts()).run()
    assert w.status == "done" and w.run_id == "r1"
    assert w.chunks == [lgwidget.StreamPart("metadata", {"run_id": "r1"}),
                        lgwidget.StreamPart("updates", {"plan": {"n": 1}}),
                        lgwidget.StreamPart("updates", {"act": {"n": 2}}, "7"),
                        lgwidget.StreamPart("updates", {"end": {}})]
    assert snapshot_chunks(w) == [(c.event, c.data) for c in w.chunks]


def test_the_default_timeouts_are_the_sdks() -> None:
    import httpx

    client = lgwidget.Client("http://127.0.0.1:1")
    assert client._http.timeout == httpx.Timeout(connect=5, read=300, write=300, pool=5)
