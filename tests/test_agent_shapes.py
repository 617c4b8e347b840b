"""Agents shaped like real ones (tests/graphs/shapes.py), through the server and in-process:
what Python says of them (the view is checked in tests/browser)."""

from __future__ import annotations

from typing import Any

import pytest

import lgwidget
from lgwidget._graph import graph_parts
from tests.support.graphs import test_graph_module
from tests.support.server import mask


def shapes() -> Any:
    return test_graph_module("shapes")


CASES = {  # graph: (input, stream modes, extra parameters)
    "fanout": ({"topics": list("abcdefghijkl")}, ["updates", "messages-tuple"], {}),
    "react": ({"messages": [{"role": "user", "content": "Weather?"}]},
              ["updates", "messages-tuple"], {}),
    "supervisor": ({"messages": []}, ["updates"], {"stream_subgraphs": True}),
    "growing": ({"messages": []}, ["values"], {}),
    "inbox": ({"request": "x"}, ["updates"], {}),
    "hitl": ({"request": "x"}, ["values"], {}),
    "schema": ({"request": "x"}, ["tasks"], {}),
    "loop": ({"n": 300}, ["updates"], {"config": {"recursion_limit": 1000}}),
    "odd": ({}, ["updates"], {}),
}


@pytest.mark.server
@pytest.mark.parametrize("name", list(CASES))
async def test_server_and_in_process_runs_agree(server_url: str, name: str) -> None:
    input, modes, params = CASES[name]
    remote = await lgwidget.RunWidget(name, input, url=server_url, stream_mode=modes,
                                      **params).run()
    local = await lgwidget.RunWidget.from_graph(getattr(shapes(), name), input,
                                                stream_mode=modes, **params).run()
    assert remote.status == local.status
    assert [u.node for u in remote.updates] == [u.node for u in local.updates]
    assert mask(remote.interrupts) == mask(local.interrupts)
    assert "__interrupt__" not in remote.by_node()


async def test_fan_out_runs_every_branch() -> None:
    w = await lgwidget.RunWidget.from_graph(shapes().fanout, CASES["fanout"][0],
                                            stream_mode=["updates", "messages-tuple"]).run()
    assert len(w.by_node()["summarize"]) == 12
    assert w.by_node()["combine"][0]["report"].count("Summary of") == 12


@pytest.mark.parametrize("name, modes", [("inbox", "updates"), ("hitl", "values"),
                                         ("schema", "tasks"), ("schema", "debug")])
async def test_interrupts_in_every_mode(name: str, modes: str) -> None:
    w = await lgwidget.RunWidget.from_graph(getattr(shapes(), name), {"request": "x"},
                                            stream_mode=modes).run()
    assert w.status == "interrupted"
    (interrupt,) = w.interrupts
    assert interrupt["id"] and interrupt["value"]
    if name == "schema" and modes == "tasks":
        assert interrupt["value"] == {"question": "Ship it?"}
    assert "interrupted:" in w.summary() and "__interrupt__" not in w.summary()


async def test_an_in_process_failure_names_the_node_and_keeps_the_exception() -> None:
    w = await lgwidget.RunWidget.from_graph(shapes().broken, {}).run()
    assert w.status == "error"
    assert w.error == {"error": "KeyError", "message": "'missing_key'", "node": "lookup"}
    assert isinstance(w.exception, KeyError)
    traceback = w.chunks[-1].data["traceback"]
    assert "Traceback" in traceback and "missing_key" in traceback and "_missing" in traceback
    assert "error: KeyError in lookup: 'missing_key'" in w.summary()


async def test_an_in_process_custom_exception_says_its_message() -> None:
    class Refused(Exception):
        pass

    def refuse(state: dict) -> dict:
        raise Refused("the tool refused: quota")

    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    class State(TypedDict, total=False):
        x: int

    builder = StateGraph(State)
    builder.add_node("refuse", refuse)
    builder.add_edge(START, "refuse")
    builder.add_edge("refuse", END)
    w = await lgwidget.RunWidget.from_graph(builder.compile(), {"x": 1}).run()
    assert w.error == {"error": "Refused", "message": "the tool refused: quota", "node": "refuse"}
    # The server-shaped source keeps the server's words (tests/test_graph_source.py).
    parts = [p async for p in graph_parts(builder.compile(), {"x": 1})]
    assert parts[-1].data == {"error": "Refused", "message": "An internal error occurred"}


@pytest.mark.server
async def test_a_server_error_names_the_node_when_tasks_say_which(server_url: str) -> None:
    w = await lgwidget.RunWidget("broken", {}, url=server_url,
                                 stream_mode=["updates", "tasks"]).run()
    assert w.status == "error" and w.error["node"] == "lookup"
    plain = await lgwidget.RunWidget("broken", {}, url=server_url).run()
    assert plain.status == "error" and "node" not in plain.error
