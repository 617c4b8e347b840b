"""The in-process source: ``graph_parts`` gives what the real server sends for the same run.

Differential: each case runs the SAME graph module (tests/graphs/*.py, imported here by path
and served by the ``server_url`` fixture's ``langgraph dev``) in this process and on the server,
and compares the (event, data) sequences modulo run-specific ids (``mask``).

What an in-process run cannot match, and so is left out of the comparison, is only the
metadata the server adds to every run's config: the keys in ``SERVER_ONLY_METADATA`` (they
appear in ``messages``/``messages-tuple``/``tasks``/``debug`` metadata); and ``debug``
timestamps, which differ between any two runs.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from types import ModuleType
from typing import Any

import pytest

import lgwidget
from lgwidget._graph import graph_parts, to_server_json
from tests.support.graphs import test_graph_module
from tests.support.server import QUESTION, mask, sdks

#: Metadata keys the server puts in every run's config (so in every ``messages``, ``tasks``
#: and ``debug`` metadata) that an in-process run has no value for: the assistant, the
#: temporary thread and the server itself. (``thread_id`` is only in token metadata.)
SERVER_ONLY_METADATA = {
    "created_by",  # the assistant's metadata: "system"
    "assistant_id",
    "graph_id",
    "thread_id",  # the temporary thread of a stateless run
    "langgraph_api_version",
    "langgraph_plan",
    "langgraph_host",
    "langgraph_api_url",
}


def _load(name: str) -> ModuleType:
    """tests/graphs/<name>.py as a module: the code the server serves, run in this process."""
    return test_graph_module(name)


def graph(name: str) -> Any:
    return _load(name).graph


async def local(name: str, input: Any, **kwargs: Any) -> list[tuple[str, Any]]:
    """The in-process run; server-style keyword names are translated (stream_subgraphs)."""
    subgraphs = kwargs.pop("stream_subgraphs", False)
    return [(p.event, p.data) async for p in graph_parts(graph(name), input,
                                                         subgraphs=subgraphs, **kwargs)]


async def server(url: str, name: str, input: Any, **kwargs: Any) -> list[tuple[str, Any]]:
    """The same run on the real server, through the SDK (the anchor for names and shapes)."""
    return [(p[0], p[1]) for p in await sdks(url, name, input=input, **kwargs)]


def without_server_metadata(value: Any) -> Any:
    """Drop the SERVER_ONLY_METADATA keys and debug timestamps wherever they are."""
    if isinstance(value, (list, tuple)):
        return [without_server_metadata(v) for v in value]
    if isinstance(value, dict):
        return {k: without_server_metadata(v) for k, v in value.items()
                if k not in SERVER_ONLY_METADATA and k != "timestamp"}
    return value


# -- differential: the same sequence as the server -------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize(
    "name, input, kwargs",
    [
        ("agent", QUESTION, {"stream_mode": "updates"}),
        ("agent", QUESTION, {"stream_mode": "values"}),
        ("agent", QUESTION, {"stream_mode": "custom"}),
        ("agent", QUESTION, {"stream_mode": "updates", "stream_subgraphs": True}),
        ("agent", QUESTION, {"stream_mode": ["updates", "custom"]}),
        ("agent", QUESTION, {"stream_mode": ["updates", "custom", "values"],
                             "stream_subgraphs": True}),
        ("agent", QUESTION, {"stream_mode": "checkpoints"}),  # nothing: no checkpointer
        ("agent", QUESTION, {"stream_mode": "updates", "interrupt_before": ["tools"]}),
        ("agent", QUESTION, {"stream_mode": "values", "interrupt_after": ["plan"]}),
        ("agent", QUESTION, {"stream_mode": "updates", "config": {"recursion_limit": 2}}),
        ("bulk", {"n": 5, "size": 3}, {"stream_mode": "updates"}),
        ("interrupting", {"request": "x"}, {"stream_mode": "values"}),
    ],
    ids=["updates", "values", "custom", "subgraphs", "list", "list-subgraphs", "checkpoints",
         "interrupt-before", "interrupt-after", "recursion-limit", "bulk", "interrupt-values"],
)
async def test_same_parts_as_the_server(server_url: str, name: str, input: Any,
                                        kwargs: dict[str, Any]) -> None:
    mine = await local(name, input, **kwargs)
    theirs = await server(server_url, name, input, **kwargs)
    assert mask(mine) == mask(theirs)
    assert mine[0][0] == "metadata"


@pytest.mark.server
async def test_subgraph_events_are_named_as_the_server_names_them(server_url: str) -> None:
    mine = await local("agent", QUESTION, stream_mode=["updates", "custom"],
                       stream_subgraphs=True)
    names = [event for event, _ in mine]
    assert "updates|tools:<id>" in mask(names) and "custom|tools:<id>" in mask(names)
    assert any(re.fullmatch(r"updates\|tools:[0-9a-f-]{36}", n) for n in names), names


@pytest.mark.server
@pytest.mark.parametrize("mode", ["messages-tuple", ["updates", "messages-tuple", "custom"]],
                         ids=["messages-tuple", "with-updates"])
async def test_messages_tuple_matches_but_for_server_metadata(server_url: str, mode: Any) -> None:
    mine = await local("agent", QUESTION, stream_mode=mode)
    theirs = await server(server_url, "agent", QUESTION, stream_mode=mode)
    assert [e for e, _ in mine] == [e for e, _ in theirs]
    tokens = [(m, t) for m, t in zip(mine, theirs, strict=True) if m[0] == "messages"]
    assert len(tokens) > 5
    for (_, (chunk, meta)), (_, (their_chunk, their_meta)) in tokens:
        assert mask(chunk) == mask(their_chunk)  # the AIMessageChunk, chunk_position included
        shared = meta.keys() & their_meta.keys()
        assert {"langgraph_node", "langgraph_step", "langgraph_path", "langgraph_triggers",
                "langgraph_checkpoint_ns", "run_id", "run_attempt",
                "langgraph_version"} <= shared
        assert mask({k: meta[k] for k in shared}) == mask({k: their_meta[k] for k in shared})
        # Exactly the documented difference: server-only keys, nothing in-process-only.
        assert their_meta.keys() - meta.keys() == SERVER_ONLY_METADATA
        assert meta.keys() - their_meta.keys() == set()
    assert tokens[-1][0][1][0]["chunk_position"] == "last"
    # The run_id in token metadata is the run's, as on the server.
    assert {m[1][1]["run_id"] for m, _ in tokens} == {mine[0][1]["run_id"]}
    # Everything but the messages is identical.
    rest = [(m, t) for m, t in zip(mine, theirs, strict=True) if m[0] != "messages"]
    assert mask([m for m, _ in rest]) == mask([t for _, t in rest])


@pytest.mark.server
@pytest.mark.parametrize(
    "kwargs",
    [
        {"stream_mode": "messages"},
        {"stream_mode": ["messages", "messages-tuple"]},  # the tuple wins, as on the server
        {"stream_mode": "tasks"},
        {"stream_mode": "tasks", "stream_subgraphs": True},
        {"stream_mode": "debug"},
    ],
    ids=["messages", "messages-and-tuple", "tasks", "tasks-subgraphs", "debug"],
)
async def test_metadata_modes_match_but_for_server_metadata(server_url: str,
                                                            kwargs: dict[str, Any]) -> None:
    mine = await local("agent", QUESTION, **kwargs)
    theirs = await server(server_url, "agent", QUESTION, **kwargs)
    assert mask(without_server_metadata(mine)) == mask(without_server_metadata(theirs))
    assert len(mine) > 3


@pytest.mark.server
async def test_a_failing_node_ends_with_the_servers_error_event(server_url: str) -> None:
    for mode in ("updates", "values"):
        mine = await local("failing", {"value": "x"}, stream_mode=mode)
        theirs = await server(server_url, "failing", {"value": "x"}, stream_mode=mode)
        assert mask(mine) == mask(theirs)
        assert mine[-1] == ("error", {"error": "ValueError",
                                      "message": "boom: second node failed"})


@pytest.mark.server
async def test_an_interrupt_arrives_as_the_servers_update(server_url: str) -> None:
    mine = await local("interrupting", {"request": "x"}, stream_mode="updates")
    theirs = await server(server_url, "interrupting", {"request": "x"}, stream_mode="updates")
    assert mask(mine) == mask(theirs)
    (interrupt,) = mine[-1][1]["__interrupt__"]
    assert interrupt["value"] == {"question": "Approve?"} and set(interrupt) >= {"value", "id"}


@pytest.mark.server
@pytest.mark.parametrize("input", ["hello", None, [1, 2], 5, {"messages": [{"role": "bogus"}]}],
                         ids=["string", "null", "list", "number", "bad-message"])
async def test_bad_input_gives_the_servers_error_event(server_url: str, input: Any) -> None:
    name = "agent" if isinstance(input, dict) else "interrupting"
    mine = await local(name, input, stream_mode="updates")
    theirs = await server(server_url, name, input, stream_mode="updates")
    assert mask(mine) == mask(theirs)
    assert [e for e, _ in mine] == ["metadata", "error"]


# -- in process only ------------------------------------------------------------------------


async def test_metadata_comes_first_with_a_fresh_uuid7_run_id() -> None:
    first, second = [await local("agent", QUESTION) for _ in range(2)]
    for parts in (first, second):
        event, data = parts[0]
        assert event == "metadata" and set(data) == {"run_id", "attempt"} and data["attempt"] == 1
        assert uuid.UUID(data["run_id"]).version == 7
    assert first[0][1]["run_id"] != second[0][1]["run_id"]


async def test_a_run_id_in_config_is_the_runs() -> None:
    run_id = str(uuid.uuid4())
    parts = await local("agent", QUESTION, stream_mode="messages-tuple",
                        config={"run_id": run_id, "metadata": {"mine": 1}})
    assert parts[0][1]["run_id"] == run_id
    meta = parts[1][1][1]
    assert meta["run_id"] == run_id and meta["mine"] == 1 and meta["run_attempt"] == 1


async def test_default_and_empty_stream_mode_is_values_as_on_the_server() -> None:
    for mode in (None, []):
        events = {e for e, _ in await local("agent", QUESTION, stream_mode=mode)}
        assert events == {"metadata", "values"}


@pytest.mark.parametrize("mode", ["events", "tools", "lifecycle"])
def test_server_only_modes_are_a_clear_error(mode: str) -> None:
    with pytest.raises(ValueError, match=f"'{mode}' is server-only"):
        graph_parts(graph("agent"), QUESTION, stream_mode=["updates", mode])


def test_an_unknown_mode_is_an_error_at_the_call() -> None:
    with pytest.raises(ValueError, match=r"unknown stream_mode 'update'.*messages-tuple"):
        graph_parts(graph("agent"), QUESTION, stream_mode="update")


def test_a_non_graph_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="compiled LangGraph graph"):
        graph_parts(object(), {})


async def test_an_uncompiled_state_graph_is_compiled() -> None:
    parts = [p async for p in graph_parts(_load("failing").builder, {"value": "x"})]
    assert [p.event for p in parts] == ["metadata", "updates", "error"]
    assert all(isinstance(p, lgwidget.StreamPart) for p in parts)


async def test_a_graph_with_a_checkpointer_runs_stateless_like_the_server() -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    saved = _load("interrupting").builder.compile(checkpointer=InMemorySaver())
    parts = [(p.event, p.data) async for p in graph_parts(saved, {"request": "x"})]
    reference = await local("interrupting", {"request": "x"})
    assert mask(parts) == mask(reference)
    # With a thread the caller asked for state: the checkpointer is used.
    config = {"configurable": {"thread_id": "t1"}}
    _ = [p async for p in graph_parts(saved, {"request": "x"}, config=config)]
    assert saved.get_state(config).next == ("ask",)


async def test_an_unrevealed_exception_is_masked_as_on_the_server_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    class State(TypedDict, total=False):
        x: int

    def divide(state: State) -> State:
        return {"x": 1 // 0}

    builder = StateGraph(State)
    builder.add_node("divide", divide)
    builder.add_edge(START, "divide")
    builder.add_edge("divide", END)
    with caplog.at_level("ERROR", logger="lgwidget.graph"):
        parts = [p async for p in graph_parts(builder.compile(), {"x": 1})]
    assert parts[-1][:2] == ("error", {"error": "ZeroDivisionError",
                                   "message": "An internal error occurred"})
    assert "ZeroDivisionError" in caplog.text and "1 // 0" in caplog.text  # the traceback


async def test_closing_early_stops_the_graph() -> None:
    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    class State(TypedDict, total=False):
        n: int

    ran: list[int] = []

    async def tick(state: State) -> State:
        ran.append(state.get("n", 0))
        await asyncio.sleep(0.01)
        return {"n": state.get("n", 0) + 1}

    builder = StateGraph(State)
    builder.add_node("tick", tick)
    builder.add_edge(START, "tick")
    builder.add_conditional_edges("tick", lambda s: "tick" if s["n"] < 1000 else END)
    stream = graph_parts(builder.compile(), {"n": 0})
    events = [(await anext(stream)).event for _ in range(4)]
    await stream.aclose()  # type: ignore[attr-defined]
    count = len(ran)
    await asyncio.sleep(0.1)
    assert events == ["metadata", "updates", "updates", "updates"]
    assert len(ran) == count < 10  # the graph's astream was closed with ours


def test_data_is_shaped_as_the_servers_json() -> None:
    """Against the server's own serializer (langgraph_api is installed for the tests), then
    the shapes a client sees spelled out."""
    import datetime
    from collections import namedtuple

    from langchain_core.messages import AIMessage
    from langgraph.types import Interrupt, Send
    from langgraph_api.serde import json_dumpb

    point = namedtuple("point", "x y")
    values = {
        "message": AIMessage(content="hi", id="m1"),
        "interrupt": Interrupt(value={"q": 1}, id="i1"),
        "send": Send("node", {"a": 1}),
        "point": point(1, 2),
        "when": datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc),
        "set": {3},
        "keys": {1: "int key"},
        "bytes": b"ab",
        "unknown": object(),
        "nul": "a\x00b",
    }
    shaped = to_server_json(values)
    assert shaped == json.loads(json_dumpb(values))
    for error in (KeyError("k"), ValueError("v"), ZeroDivisionError("z"), RuntimeError("r")):
        assert to_server_json(error) == json.loads(json_dumpb(error)), error
    assert shaped["message"]["type"] == "ai" and shaped["message"]["content"] == "hi"
    assert shaped["interrupt"] == {"value": {"q": 1}, "id": "i1", "response_schema": None}
    assert shaped["send"] == {"node": "node", "args": {"a": 1}}
    assert shaped["point"] == {"x": 1, "y": 2}
    assert shaped["when"] == "2024-01-02T00:00:00+00:00"
    assert shaped["set"] == [3] and shaped["keys"] == {"1": "int key"}
    assert shaped["bytes"] == "YWI=" and shaped["unknown"] is None
    assert shaped["nul"] == "a\ufffdb"
    assert to_server_json(KeyError("k")) == {"error": "KeyError", "message": "'k'"}


async def test_the_widget_renders_an_in_process_run() -> None:
    """The wiring for ``RunWidget.from_graph``: ``from_stream(graph_parts(...))``."""
    done = await lgwidget.RunWidget.from_stream(graph_parts(graph("agent"), QUESTION),
                                                assistant_id="agent").run()
    assert done.status == "done" and [u.node for u in done.updates] == ["plan", "tools", "respond"]
    assert done.run_id == done.chunks[0].data["run_id"]
    failed = await lgwidget.RunWidget.from_stream(
        graph_parts(graph("failing"), {"value": "x"})).run()
    assert failed.status == "error"
    assert failed.error == {"error": "ValueError", "message": "boom: second node failed"}
    stopped = await lgwidget.RunWidget.from_stream(
        graph_parts(graph("interrupting"), {"request": "x"})).run()
    assert stopped.status == "interrupted"
    assert stopped.interrupts[0]["value"] == {"question": "Approve?"}


async def test_from_graph_runs_again_and_names_itself() -> None:
    import lgwidget

    graph = _load("agent").graph
    w = lgwidget.RunWidget.from_graph(graph, {"messages": [{"role": "user", "content": "hi"}]},
                                      stream_mode=["updates", "custom"], name="mine")
    assert w.assistant_id == "mine" and w.stream_mode == ["updates", "custom"]
    first = len((await w.run()).chunks)
    second = len((await w.run()).chunks)
    assert w.status == "done" and first == second > 3
