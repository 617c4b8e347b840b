"""The client against a real ``langgraph dev`` server, and against the SDK on the same requests."""

from __future__ import annotations

import asyncio
import re
from contextlib import aclosing
from typing import Any

import pytest

import lgwidget
from tests.support.server import QUESTION, busy_runs, cancel_busy_runs, mask, ours, sdks

pytestmark = pytest.mark.server

@pytest.mark.parametrize(
    "kwargs",
    [
        {"stream_mode": "updates"},
        {"stream_mode": "values"},
        {"stream_mode": "messages-tuple"},
        {"stream_mode": "custom"},
        {"stream_mode": ["updates", "messages-tuple", "custom"]},
        {"stream_mode": "updates", "stream_subgraphs": True},
        {"stream_mode": ["updates", "custom"], "stream_subgraphs": True},
    ],
    ids=["updates", "values", "messages-tuple", "custom", "list", "subgraphs", "list-subgraphs"],
)
async def test_parts_equal_the_sdks(server_url: str, kwargs: dict[str, Any]) -> None:
    mine = await ours(server_url, "agent", input=QUESTION, **kwargs)
    theirs = await sdks(server_url, "agent", input=QUESTION, **kwargs)
    assert mask(mine) == mask(theirs)
    # Not vacuous: a run gives its metadata and more.
    assert mine[0][0] == "metadata" and len(mine) > 2
    assert all(isinstance(p, lgwidget.StreamPart) for p in await _parts(server_url, kwargs))


async def _parts(url: str, kwargs: dict[str, Any]) -> list[Any]:
    async with lgwidget.Client(url) as client:
        return [p async for p in client.stream("agent", input=QUESTION, **kwargs)]


async def test_subgraph_events_carry_the_namespace(server_url: str) -> None:
    parts = await ours(server_url, "agent", input=QUESTION, stream_subgraphs=True)
    names = [event for event, _, _ in parts]
    assert any(re.fullmatch(r"updates\|tools:[0-9a-f-]{36}", n) for n in names), names


async def test_error_event_is_yielded_not_raised(server_url: str) -> None:
    parts = [p async for p in lgwidget.stream("failing", input={"value": "x"}, url=server_url)]
    assert [p.event for p in parts] == ["metadata", "updates", "error"]
    assert parts[1].data == {"first": {"value": "first ran"}}
    assert parts[2].data["error"] == "ValueError"
    assert "boom: second node failed" in parts[2].data["message"]
    assert mask(parts) == mask(await sdks(server_url, "failing", input={"value": "x"},
                                          stream_mode="updates"))


async def test_interrupt_arrives_as_an_update(server_url: str) -> None:
    parts = [p async for p in lgwidget.stream("interrupting", input={"request": "x"},
                                              url=server_url)]
    interrupt = parts[-1].data["__interrupt__"][0]
    assert interrupt["value"] == {"question": "Approve?"}


async def test_bulk_updates_arrive_complete_and_in_order(server_url: str) -> None:
    parts = [p async for p in lgwidget.stream("bulk", input={"n": 300, "size": 2000},
                                              url=server_url)]
    counts = [p.data["emit"]["count"] for p in parts if p.event == "updates"]
    assert counts == list(range(1, 301))
    assert all(len(p.data["emit"]["payload"]) == 2000 for p in parts if p.event == "updates")


async def test_unknown_assistant_is_a_422_with_the_servers_detail(server_url: str) -> None:
    with pytest.raises(lgwidget.APIStatusError) as caught:
        await ours(server_url, "no-such-graph", input={})
    assert caught.value.status_code == 422
    assert "Invalid assistant: 'no-such-graph'" in caught.value.detail
    assert "Invalid assistant" in str(caught.value) and server_url in str(caught.value)


async def test_unknown_assistant_uuid_is_a_404(server_url: str) -> None:
    with pytest.raises(lgwidget.APIStatusError) as caught:
        await ours(server_url, "00000000-0000-0000-0000-000000000000", input={})
    assert caught.value.status_code == 404


async def test_bad_stream_mode_is_a_422(server_url: str) -> None:
    with pytest.raises(lgwidget.APIStatusError) as caught:
        await ours(server_url, "agent", input=QUESTION, stream_mode="no-such-mode")
    assert caught.value.status_code == 422


async def _leave_after_the_first_update(url: str, **params: Any) -> None:
    """Start a run of ``slow`` (a minute long by itself) and stop reading at its first update."""
    async with lgwidget.Client(url) as client:
        stream = client.stream("slow", input={"steps": 600}, **params)
        async with aclosing(stream) as parts:
            async for part in parts:
                if part.event == "updates":
                    break


async def test_leaving_the_stream_cancels_the_run_on_the_server(server_url: str) -> None:
    """on_disconnect defaults to "cancel": a user who stops watching leaves no orphan run."""
    await _leave_after_the_first_update(server_url)
    assert await _eventually_idle(server_url, timeout=30)  # the run alone would take a minute


async def test_with_the_servers_default_the_run_outlives_the_stream(server_url: str) -> None:
    """What the test above guards against: with on_disconnect="continue" the run goes on."""
    try:
        await _leave_after_the_first_update(server_url, on_disconnect="continue")
        assert not await _eventually_idle(server_url, timeout=3)
    finally:
        await asyncio.to_thread(cancel_busy_runs, server_url)
    assert await _eventually_idle(server_url, timeout=30)


async def _eventually_idle(url: str, timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await asyncio.to_thread(busy_runs, url) == 0:
            return True
        await asyncio.sleep(0.1)
    return False
