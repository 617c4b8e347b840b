"""The test suite's server: the graphs in tests/graphs, served by ``lgwidget._server``."""

from __future__ import annotations

from pathlib import Path

import httpx

from lgwidget._server import free_port, run_langgraph_dev

__all__ = ["TEST_GRAPHS", "busy_runs", "free_port", "run_langgraph_dev"]

# The graphs the test suite runs against (agent, failing, interrupting, bulk).
TEST_GRAPHS = Path(__file__).parent / "graphs" / "langgraph.json"


def busy_runs(url: str) -> int:
    """How many threads are busy: a live stateless run keeps its temporary thread busy."""
    resp = httpx.post(f"{url}/threads/search", json={"status": "busy", "limit": 1000}, timeout=10.0)
    resp.raise_for_status()
    return len(resp.json())
