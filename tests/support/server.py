"""The real Agent Server for tests and benchmarks: the graphs in tests/graphs, served by
``lgwidget._server``."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
from langgraph_sdk import get_client

import lgwidget
from lgwidget._server import free_port, run_langgraph_dev

__all__ = [
    "QUESTION",
    "TEST_GRAPHS",
    "busy_runs",
    "free_port",
    "mask",
    "ours",
    "run_langgraph_dev",
    "sdks",
]

# The graphs the test suite runs against (agent, failing, interrupting, bulk).
TEST_GRAPHS = Path(__file__).parent.parent / "graphs" / "langgraph.json"


def busy_runs(url: str) -> int:
    """How many threads are busy: a live stateless run keeps its temporary thread busy."""
    resp = httpx.post(f"{url}/threads/search", json={"status": "busy", "limit": 1000}, timeout=10.0)
    resp.raise_for_status()
    return len(resp.json())


def eventually_idle(url: str, timeout: float = 30.0) -> bool:
    """Wait until the server is busy with no run: a cancel lands a moment after the client
    (or the widget) says cancelled."""
    deadline = time.monotonic() + timeout
    while busy_runs(url) and time.monotonic() < deadline:
        time.sleep(0.1)
    return busy_runs(url) == 0


def cancel_busy_runs(url: str) -> None:
    """Cancel every run the server is busy with (a test that left one going on purpose)."""
    for thread in httpx.post(f"{url}/threads/search", json={"status": "busy", "limit": 1000},
                             timeout=10.0).json():
        base = f"{url}/threads/{thread['thread_id']}/runs"
        for run in httpx.get(base, timeout=10.0).json():
            if run["status"] in ("pending", "running"):
                httpx.post(f"{base}/{run['run_id']}/cancel", timeout=10.0)


# The input of the agent graph used by the differential tests (ours against the SDK).
QUESTION = {"messages": [{"role": "user", "content": "What is the answer?"}]}

_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b"
)


def mask(value: Any) -> Any:
    """Replace run-specific ids (run, thread, task, message, interrupt) with a placeholder."""
    if isinstance(value, str):
        return _ID.sub("<id>", value)
    if isinstance(value, (list, tuple)):
        return [mask(v) for v in value]
    if isinstance(value, dict):
        return {mask(k): mask(v) for k, v in value.items()}
    return value


async def ours(url: str, assistant_id: str, **kwargs: Any) -> list[tuple[str, Any, Any]]:
    async with lgwidget.Client(url) as client:
        return [tuple(p) async for p in client.stream(assistant_id, **kwargs)]


async def sdks(url: str, assistant_id: str, **kwargs: Any) -> list[tuple[str, Any, Any]]:
    client = get_client(url=url, api_key=None)
    try:
        return [tuple(p) async for p in client.runs.stream(None, assistant_id, **kwargs)]
    finally:
        await client.http.client.aclose()
