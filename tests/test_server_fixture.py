"""The server fixture and the test graphs, checked with plain httpx on the wire."""

import json
import socket

import httpx
import pytest

from tests.support.server import TEST_GRAPHS, busy_runs, run_langgraph_dev

pytestmark = pytest.mark.server

AGENT_INPUT = {"messages": [{"role": "user", "content": "What is the answer?"}]}


def stream_run(url: str, body: dict) -> list[tuple[str, object]]:
    """POST /runs/stream and return (event, data) pairs, the metadata event first."""
    events: list[tuple[str, object]] = []
    with httpx.stream("POST", f"{url}/runs/stream", json=body, timeout=60.0) as resp:
        assert resp.status_code == 200, resp.read()
        assert resp.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in resp.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((event, json.loads(line.removeprefix("data: "))))
    assert events[0][0] == "metadata"
    return events


def test_server_is_up_and_lists_the_graphs(server_url):
    assert httpx.get(f"{server_url}/ok").status_code == 200
    found = httpx.post(f"{server_url}/assistants/search", json={"limit": 100}).json()
    assert {a["graph_id"] for a in found} == set(json.loads(TEST_GRAPHS.read_text())["graphs"])


def test_agent_updates_custom_and_tokens(server_url):
    events = stream_run(
        server_url,
        {
            "assistant_id": "agent",
            "input": AGENT_INPUT,
            "stream_mode": ["updates", "custom", "messages-tuple"],
        },
    )
    updates = [next(iter(d)) for e, d in events if e == "updates"]
    assert updates == ["plan", "tools", "respond"]
    # The subgraph's progress is only reported with stream_subgraphs.
    assert [d["step"] for e, d in events if e == "custom"] == ["plan", "respond"]
    tokens = [d[0]["content"] for e, d in events if e == "messages"]
    assert len(tokens) > 5
    assert "".join(tokens) == "The answer is 42, found by the lookup tool."
    assert busy_runs(server_url) == 0


def test_agent_subgraph_events(server_url):
    events = stream_run(
        server_url,
        {
            "assistant_id": "agent",
            "input": AGENT_INPUT,
            "stream_mode": ["updates", "custom"],
            "stream_subgraphs": True,
        },
    )
    names = [e for e, _ in events]
    sub_updates = [e for e in names if e.startswith("updates|tools:")]
    assert len(sub_updates) == 2
    assert any(e.startswith("custom|tools:") for e in names)
    assert "updates" in names  # the parent's own updates keep the plain name


def test_failing_ends_with_error_event(server_url):
    events = stream_run(
        server_url,
        {
            "assistant_id": "failing",
            "input": {"value": "x"},
            "stream_mode": "updates",
        },
    )
    assert events[1] == ("updates", {"first": {"value": "first ran"}})
    assert events[-1] == ("error", {"error": "ValueError", "message": "boom: second node failed"})


def test_interrupting_yields_interrupt(server_url):
    events = stream_run(
        server_url,
        {
            "assistant_id": "interrupting",
            "input": {"request": "deploy"},
            "stream_mode": "updates",
        },
    )
    interrupt = events[-1][1]["__interrupt__"]
    assert interrupt[0]["value"] == {"question": "Approve?"}


@pytest.mark.parametrize(("n", "size"), [(50, 1000), (500, 10)])
def test_bulk_emits_n_updates_of_size_bytes(server_url, n, size):
    # n=500 is far past LangGraph's default recursion limit of 25: the graph binds its own.
    events = stream_run(
        server_url,
        {
            "assistant_id": "bulk",
            "input": {"n": n, "size": size},
            "stream_mode": "updates",
        },
    )
    updates = [d["emit"] for e, d in events if e == "updates"]
    assert [u["count"] for u in updates] == list(range(1, n + 1))
    assert all(len(u["payload"]) == size for u in updates)
    assert busy_runs(server_url) == 0


def test_taken_port_fails_fast_with_the_log():
    # The server would silently move to another port; the helper must not hand out a dead URL.
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        with (
            pytest.raises(RuntimeError, match="already in use"),
            run_langgraph_dev(TEST_GRAPHS, port=port, timeout=30),
        ):
            pass
