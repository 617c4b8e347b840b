"""``lgwidget.compare``: two runs of the items graph that differ in one node's output, as run
widgets on the real server, as saved run files, as two rows of a batch; and the pure diff."""

from __future__ import annotations

from pathlib import Path

import pytest

import lgwidget
from lgwidget._diff import compare_nodes, compare_values, output
from lgwidget._model import Update

pytestmark = pytest.mark.server


async def two_runs(url: str, **params: object) -> tuple[lgwidget.RunWidget, lgwidget.RunWidget]:
    # n=2 and n=6: "double" differs (4 vs 12), "label" is "even" for both.
    a = await lgwidget.RunWidget("items", {"n": 2}, url=url, **params).run()
    b = await lgwidget.RunWidget("items", {"n": 6}, url=url, **params).run()
    return a, b


async def test_two_runs_that_differ_in_one_node(server_url: str) -> None:
    a, b = await two_runs(server_url)
    c = lgwidget.compare(a, b)
    assert [(r["change"], r["node"]) for r in c.nodes] == [("changed", "double"), ("same", "label")]
    assert c.nodes[0]["changes"] == [{"path": "result", "change": "changed", "a": 4, "b": 12}]
    assert c.state == [{"path": "result", "change": "changed", "a": 4, "b": 12}]
    assert not c.same and lgwidget.compare(a, a).same
    # The view gets text.
    assert c.node_rows[0] == {"change": "changed", "node": "double", "a": '{"result": 4}',
                              "b": '{"result": 12}', "changes": [
                                  {"path": "result", "change": "changed", "a": "4", "b": "12"}]}


async def test_the_final_state_from_values(server_url: str) -> None:
    a, b = await two_runs(server_url, stream_mode=["updates", "values"])
    c = lgwidget.compare(a, b)
    assert [r["path"] for r in c.state] == ["n", "result"]


async def test_run_files_and_batch_rows(server_url: str, tmp_path: Path) -> None:
    a, b = await two_runs(server_url)
    from_files = lgwidget.compare(a.save(tmp_path / "a.jsonl"), str(b.save(tmp_path / "b.jsonl")))
    assert from_files.nodes == lgwidget.compare(a, b).nodes
    assert from_files.labels == ["a.jsonl", "b.jsonl"]
    batch = await lgwidget.batch("items", [{"n": 2}, {"n": 6}, {"n": 2, "fail": True}],
                                 url=server_url).run()
    c = lgwidget.compare(batch.runs[0], batch.runs[2])
    assert [(r["change"], r["node"]) for r in c.nodes] == [("same", "double"), ("removed", "label")]
    with pytest.raises(TypeError, match="RunWidgets or run files"):
        lgwidget.compare(batch, a)  # type: ignore[arg-type]


def test_node_sequences_are_aligned() -> None:
    a = [Update("plan", 1), Update("tool", 2), Update("answer", 3)]
    b = [Update("plan", 1), Update("answer", 4), Update("review", 5)]
    assert [(r["change"], r["node"]) for r in compare_nodes(a, b)] == [
        ("same", "plan"), ("removed", "tool"), ("changed", "answer"), ("added", "review")]


def test_values_are_compared_path_by_path() -> None:
    assert compare_values({"a": [1, 2], "b": {"c": 1}}, {"a": [1], "b": {"c": 2}, "d": 0}) == [
        {"path": "a[1]", "change": "removed", "a": 2, "b": None},
        {"path": "b.c", "change": "changed", "a": 1, "b": 2},
        {"path": "d", "change": "added", "a": None, "b": 0}]


def test_output_merges_updates_when_values_were_not_streamed() -> None:
    parts = [lgwidget.StreamPart("updates", {"x": {"a": 1, "b": 1}}, None),
             lgwidget.StreamPart("updates", {"y": {"b": 2}}, None)]
    assert output(parts) == {"a": 1, "b": 2}
