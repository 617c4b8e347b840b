"""Where the time and tokens went: ``w.stats()`` on runs of tests/graphs/timing.py (nodes that
sleep known times, a fake model that reports known usage, a fan-out and a subgraph), through
the real server and in the kernel; and the trace link."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

import lgwidget
from lgwidget import _stats, _trace
from tests.support.graphs import test_graph_module

SEP = _stats.SEPARATOR
INPUT = {"topics": ["a", "b", "c"], "messages": [{"role": "user", "content": "Write a report."}]}
NODES = ["plan", "research", "review", f"review{SEP}check", f"review{SEP}polish", "write"]
# The tokens tests/graphs/timing.py reports per node (research: three branches of 20 + 7).
TOKENS = {"plan": (10, 5), "research": (60, 21), "review": (0, 0),
          f"review{SEP}check": (30, 11), f"review{SEP}polish": (0, 0), "write": (100, 40)}
# A loaded machine only makes a task look longer; a tasks-mode start and result are sent as
# the task starts and ends, so shorter than its sleep it cannot be by more than a few ms.
SLACK_BELOW, SLACK_ABOVE = 0.02, 0.5


def timing() -> Any:
    return test_graph_module("timing")


def by_node(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["node"]: row for row in rows}


def check_exact(stats: _stats.Stats) -> None:
    rows = by_node(stats)
    assert stats.exact
    assert sorted(rows) == sorted(NODES)
    assert rows["research"]["runs"] == 3
    for node, sleep in {"plan": 0.1, "research": 0.3, f"review{SEP}check": 0.1,
                        f"review{SEP}polish": 0.05, "write": 0.2}.items():
        took = rows[node]["max_s"]
        assert sleep - SLACK_BELOW <= took <= sleep + SLACK_ABOVE, (node, took)
    assert rows["review"]["max_s"] >= 0.15 - SLACK_BELOW  # its subgraph's two nodes
    slowest = max(stats, key=lambda row: row["total_s"])
    assert slowest["node"] == "research"  # three 0.3 s branches


def check_tokens(stats: _stats.Stats) -> None:
    rows = by_node(stats)
    for node, (given, said) in TOKENS.items():
        assert (rows[node]["input_tokens"], rows[node]["output_tokens"]) == (given, said), node
    assert sum(row["input_tokens"] for row in stats) == 200
    assert sum(row["output_tokens"] for row in stats) == 77


@pytest.mark.server
@pytest.mark.parametrize("modes", [["updates", "tasks", "messages-tuple"], ["debug"],
                                   ["tasks", "values"]])
async def test_with_tasks_or_debug_durations_are_the_tasks_own(server_url: str,
                                                               modes: list[str]) -> None:
    w = await lgwidget.RunWidget("timed", INPUT, url=server_url, stream_mode=modes,
                                 stream_subgraphs=True).run()
    assert w.status == "done"
    stats = w.stats()
    assert list(stats[0]) == list(_stats.COLUMNS)
    check_exact(stats)
    check_tokens(stats)


@pytest.mark.server
async def test_each_message_counts_once_whichever_modes_carry_it(server_url: str) -> None:
    # The same AI message comes as tokens, in its node's update, in every later state, and
    # again in the subgraph's own update to its parent.
    w = await lgwidget.RunWidget("timed", INPUT, url=server_url, stream_subgraphs=True,
                                 stream_mode=["updates", "values", "messages-tuple"]).run()
    stats = w.stats()
    assert not stats.exact  # no tasks, no debug: from arrival times
    check_tokens(stats)
    rows = by_node(stats)
    assert rows["research"]["runs"] == 3 and rows["write"]["runs"] == 1
    assert rows["write"]["max_s"] >= 0.2 - SLACK_BELOW


@pytest.mark.server
async def test_without_subgraphs_the_subgraph_is_one_node_with_its_tokens(server_url: str) -> None:
    w = await lgwidget.RunWidget("timed", INPUT, url=server_url, stream_mode=["updates"]).run()
    rows = by_node(w.stats())
    assert list(rows) == ["plan", "research", "review", "write"]
    assert (rows["review"]["input_tokens"], rows["review"]["output_tokens"]) == (30, 11)


@pytest.mark.server
async def test_in_the_kernel_the_same_rows_as_on_the_server(server_url: str) -> None:
    modes = ["updates", "tasks", "messages-tuple"]
    server = await lgwidget.RunWidget("timed", INPUT, url=server_url, stream_mode=modes,
                                      stream_subgraphs=True).run()
    kernel = await lgwidget.RunWidget.from_graph(timing().timed, INPUT, stream_mode=modes,
                                                 subgraphs=True).run()
    check_exact(kernel.stats())
    check_tokens(kernel.stats())
    def shape(stats: _stats.Stats) -> list[tuple[Any, ...]]:
        return [(r["node"], r["runs"], r["input_tokens"], r["output_tokens"]) for r in stats]
    assert shape(kernel.stats()) == shape(server.stats())


async def test_a_saved_run_keeps_its_times(tmp_path: Path) -> None:
    w = await lgwidget.RunWidget.from_graph(timing().timed, INPUT, stream_mode=["tasks"],
                                            subgraphs=True).run()
    loaded = lgwidget.RunWidget.load(w.save(tmp_path / "run.jsonl"))
    assert loaded.stats() == w.stats() and loaded.stats().exact


def test_stats_from_parts_and_times() -> None:
    part = lgwidget.StreamPart
    chunks = [part("metadata", {"run_id": "r"}), part("values", {"messages": []}),
              part("updates", {"a": {"x": 1}}), part("updates", {"b": {"x": 2}}),
              part("updates", {"a": {"x": 3}}), part("updates", {"__interrupt__": []})]
    rows = _stats.stats(chunks, [0, 100, 400, 500, None])  # the last time not known yet
    assert rows == [
        {"node": "a", "runs": 2, "total_s": 0.3, "max_s": 0.3, "input_tokens": 0,
         "output_tokens": 0},
        {"node": "b", "runs": 1, "total_s": 0.1, "max_s": 0.1, "input_tokens": 0,
         "output_tokens": 0},
    ]
    assert not rows.exact


def test_to_pandas_makes_a_frame_and_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _stats.Stats([{"node": "a", "runs": 1, "total_s": 0.1, "max_s": 0.1,
                          "input_tokens": 3, "output_tokens": 4}])
    monkeypatch.setitem(sys.modules, "pandas", None)  # not installed
    with pytest.raises(ImportError, match="pip install pandas"):
        rows.to_pandas()
    made: list[Any] = []

    class Frame:  # what to_pandas asks of pandas.DataFrame
        def __init__(self, data: list[dict[str, Any]], columns: list[str]) -> None:
            made.append((data, columns))

        def set_index(self, name: str) -> str:
            return f"indexed by {name}"

    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=Frame))
    assert rows.to_pandas() == "indexed by node"
    assert made == [(list(rows), list(_stats.COLUMNS))]


# -- the trace link ---------------------------------------------------------------------------

PROJECT = "https://smith.langchain.com/o/0f7c-org/projects/p/9a1e-project"


async def test_the_trace_link_is_built_from_the_run_id(monkeypatch: pytest.MonkeyPatch) -> None:
    async def parts():
        yield lgwidget.StreamPart("metadata", {"run_id": "1f0-run", "attempt": 1})

    w = lgwidget.RunWidget.from_stream(parts())
    w.trace_project = PROJECT + "/?timeModel=x"  # as copied from the browser
    assert w.trace_url is None
    await w.run()
    assert w.trace_url == f"{PROJECT}/r/1f0-run?poll=true"
    assert w.get_state()["trace_url"] == w.trace_url  # synced to the view
    w.trace_project = None
    assert w.trace_url is None

    monkeypatch.setenv(_trace.ENV, PROJECT)
    async def more():
        yield lgwidget.StreamPart("metadata", {"run_id": "2", "attempt": 1})
    w2 = lgwidget.RunWidget.from_stream(more())
    await w2.run()
    assert w2.trace_url == f"{PROJECT}/r/2?poll=true"


@pytest.mark.parametrize("bad", ["javascript:alert(1)//projects/p/x", "ftp://h/projects/p/x",
                                 "https://smith.langchain.com/o/x", "https://u:pw@h/projects/p/x"])
def test_only_an_http_project_page_is_taken(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    w = lgwidget.RunWidget.from_stream(_nothing())
    with pytest.raises(Exception, match="not a LangSmith project page"):
        w.trace_project = bad
    monkeypatch.setenv(_trace.ENV, bad)
    with pytest.warns(UserWarning, match=_trace.ENV):
        assert _trace.default_project() is None


async def _nothing():
    return
    yield
