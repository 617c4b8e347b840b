"""The graph's diagram: fetched from the real server (``Client.get_graph``, a run's ``graph``
trait), drawn in this process (``from_graph``, ``show_graph``), the same either way, kept by a
run file and an offline page; and a graph the server cannot draw (a real 422)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

import lgwidget
from lgwidget import _diagram
from lgwidget._graph_widget import GraphWidget
from tests.support.graphs import test_graph_module
from tests.support.loopback import http_response, serve, sse_event, sse_response_head
from tests.support.server import QUESTION, free_port


def module(name: str) -> Any:
    """tests/graphs/<name>.py, the code the server serves, loaded in this process."""
    return test_graph_module(name)


def ids(graph: dict[str, Any]) -> list[str]:
    return sorted(node["id"] for node in graph["nodes"])


SUPERVISOR_XRAY = ["__end__", "__start__", "finish", "research:search:fetch",
                   "research:search:rank", "research:write", "supervisor"]


# -- the server ---------------------------------------------------------------------------------


@pytest.mark.server
async def test_get_graph_is_the_sdks_with_and_without_xray(server_url: str) -> None:
    from langgraph_sdk import get_client

    sdk = get_client(url=server_url, api_key=None)
    async with lgwidget.Client(server_url) as client:
        for xray in (False, True, 1):
            ours = await client.get_graph("supervisor", xray=xray)
            assert ours == await sdk.assistants.get_graph("supervisor", xray=xray)
        assert ids(await client.get_graph("supervisor", xray=True)) == SUPERVISOR_XRAY
        assert "research" in ids(await client.get_graph("supervisor"))
        assert "research:search" in ids(await client.get_graph("supervisor", xray=1))
    await sdk.http.client.aclose()


@pytest.mark.server
async def test_a_graph_the_server_cannot_draw_is_a_422(server_url: str) -> None:
    async with lgwidget.Client(server_url) as client:
        with pytest.raises(lgwidget.APIStatusError) as caught:
            await client.get_graph("undrawable")
    assert caught.value.status_code == 422
    assert caught.value.detail == "The graph does not support visualization"
    assert f"from GET {server_url}/assistants/undrawable/graph" in str(caught.value)


@pytest.mark.server
async def test_a_run_brings_its_graph_with_xray_when_subgraphs_stream(server_url: str) -> None:
    w = await lgwidget.RunWidget("supervisor", QUESTION, url=server_url,
                                 stream_subgraphs=True).run()
    assert w.status == "done" and w.graph_note == ""
    assert w.graph is not None and ids(w.graph) == SUPERVISOR_XRAY
    plain = await lgwidget.RunWidget("supervisor", QUESTION, url=server_url).run()
    assert plain.graph is not None and "research" in ids(plain.graph)
    edges = {(e["source"], e["target"]): e["conditional"] for e in plain.graph["edges"]}
    assert edges[("supervisor", "research")] is False


@pytest.mark.server
async def test_a_run_whose_graph_cannot_be_drawn_runs_with_a_note(server_url: str) -> None:
    w = await lgwidget.RunWidget("undrawable", {}, url=server_url).run()
    assert w.status == "done" and w.error is None
    assert [u.node for u in w.updates] == ["work"]
    assert w.graph is None
    assert w.graph_note == ("No graph diagram: the server cannot draw this graph "
                            "(The graph does not support visualization).")


async def test_a_server_that_is_down_says_so_once() -> None:
    w = await lgwidget.RunWidget("agent", {}, url=f"http://127.0.0.1:{free_port()}").run()
    assert w.status == "error" and w.error["error"] == "ConnectError"
    assert w.graph is None and w.graph_note == ""  # the run never started: no second error


async def test_a_credential_echoed_by_the_graph_request_is_not_in_the_note() -> None:
    key = "sk-graph-secret-0123456789"

    def handler(request: Any, conn: Any) -> None:
        if request.method == "GET":  # the graph: an error page that echoes the request
            conn.write(http_response(500, json.dumps({"detail": f"bad key {key}"})))
            return
        conn.write(sse_response_head(chunked=False) + sse_event("metadata", {"run_id": "r1"}))

    async with serve(handler) as srv:
        w = await lgwidget.RunWidget("agent", {}, url=srv.url, api_key=key).run()
    assert [r.method for r in srv.requests] == ["POST", "GET"]
    assert srv.requests[1].headers["x-api-key"] == key
    assert srv.requests[1].path == "/assistants/agent/graph?xray=false"
    assert w.status == "done" and w.graph is None
    assert w.graph_note.startswith("No graph diagram: 500 Internal Server Error from GET")
    assert key not in w.graph_note and "bad key ***" in w.graph_note


@pytest.mark.parametrize("ending", ["done", "cancelled"])
async def test_a_graph_that_never_comes_is_given_up(
    ending: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that never answers the graph's request: the run ends anyway (after a short
    grace when it ends by itself, at once when cancelled), without a diagram."""
    monkeypatch.setattr("lgwidget._widget.GRAPH_GRACE", 0.3)
    asked = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def handler(request: Any, conn: Any) -> None:
        if request.method == "GET":
            loop.call_soon_threadsafe(asked.set)
            await asyncio.sleep(60)
        await conn.send(sse_response_head(chunked=False) + sse_event("metadata", {"run_id": "r"}))
        if ending == "cancelled":
            await asyncio.sleep(60)

    async with serve(handler, check_closed=False) as srv:
        w = lgwidget.RunWidget("agent", {}, url=srv.url)
        task = asyncio.ensure_future(w.run())
        await asyncio.wait_for(asked.wait(), 30)
        if ending == "cancelled":
            w.cancel()
        await asyncio.wait_for(task, 30)
    assert w.status == ending and w.graph is None and w.graph_note == ""


# -- in this process ------------------------------------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("name", ["supervisor", "react", "fanout", "loop", "odd"])
async def test_in_process_and_server_diagrams_are_the_same(server_url: str, name: str) -> None:
    graph = getattr(module("shapes"), name)
    async with lgwidget.Client(server_url) as client:
        for xray in (False, True):
            served = await _diagram.fetch(client, name, xray=xray)
            assert _diagram.of_graph(graph, xray=xray) == served


def test_from_graph_draws_its_graph_and_from_stream_says_it_cannot() -> None:
    shapes = module("shapes")
    w = lgwidget.RunWidget.from_graph(shapes.supervisor, {}, subgraphs=True)
    assert w.graph is not None and ids(w.graph) == SUPERVISOR_XRAY
    assert "research" in ids(lgwidget.RunWidget.from_graph(shapes.supervisor, {}).graph)
    react = lgwidget.RunWidget.from_graph(shapes.react, {}).graph
    tools = next(n for n in react["nodes"] if n["id"] == "tools")
    assert tools == {"id": "tools", "name": "tools", "type": "runnable",
                     "metadata": {"__tools": ["get_weather", "get_time"]}}
    json.dumps(react)  # all of it is JSON: no class paths, no objects

    async def nothing() -> Any:
        yield ("metadata", {"run_id": "r"})

    stream = lgwidget.RunWidget.from_stream(nothing())
    assert stream.graph is None and stream.graph_note == _diagram.NO_GRAPH


def test_a_graph_that_cannot_draw_itself_still_runs_in_process() -> None:
    w = lgwidget.RunWidget.from_graph(module("undrawable").graph, {})
    assert w.graph is None and w.graph_note == "No graph diagram: drawn only at run time"
    w.run_sync()
    assert w.status == "done" and [u.node for u in w.updates] == ["work"]


def test_shape_keeps_json_only() -> None:
    class Thing:
        def __repr__(self) -> str:
            return "Thing()"

    shaped = _diagram.shape({
        "nodes": [{"id": "a", "type": "runnable", "data": {"id": ["x"], "name": "a", "o": Thing()},
                   "metadata": {"t": Thing(), "n": 1}},
                  {"id": "b", "type": "schema", "data": Thing()}, {"no": "id"}, "junk"],
        "edges": [{"source": "a", "target": "b", "data": "yes", "conditional": True},
                  {"source": "a"}, None],
    })
    assert shaped == {
        "nodes": [{"id": "a", "name": "a", "type": "runnable",
                   "metadata": {"t": "Thing()", "n": 1}},
                  {"id": "b", "name": "b", "type": "schema"}],
        "edges": [{"source": "a", "target": "b", "conditional": True, "label": "yes"}],
    }
    with pytest.raises(ValueError):
        _diagram.shape({"edges": []})


# -- kept -----------------------------------------------------------------------------------------


def test_the_run_file_and_the_offline_page_keep_the_graph(tmp_path: Path) -> None:
    w = lgwidget.RunWidget.from_graph(module("shapes").supervisor, {"messages": []},
                                      subgraphs=True)
    w.run_sync()
    w2 = lgwidget.RunWidget.load(w.save(tmp_path / "run.jsonl"))
    assert w2.graph == w.graph and w2.graph_note == ""
    page = w.to_html(tmp_path / "run.html").read_text()
    state = json.loads(page.split('id="lgwidget-state">')[1].split("</script>")[0])
    assert state["graph"] == w.graph
    stream = lgwidget.RunWidget.from_stream(iter([]))  # type: ignore[arg-type]
    reloaded = lgwidget.RunWidget.load(stream.save(tmp_path / "s.jsonl"))
    assert reloaded.graph_note == _diagram.NO_GRAPH


# -- show_graph -----------------------------------------------------------------------------------


@pytest.mark.server
def test_show_graph_of_a_graph_or_an_assistant(server_url: str) -> None:
    shapes = module("shapes")
    local = lgwidget.show_graph(shapes.supervisor, xray=True)
    assert isinstance(local, GraphWidget) and ids(local.graph) == SUPERVISOR_XRAY
    served = lgwidget.show_graph("supervisor", url=server_url, xray=True)
    assert served.graph == local.graph
    with pytest.raises(lgwidget.APIStatusError, match="does not support visualization"):
        lgwidget.show_graph("undrawable", url=server_url)
    with pytest.raises(TypeError, match="compiled graph or an assistant id"):
        lgwidget.show_graph(42)
    assert "graph" in local.keys and "api_key" not in str(local.get_state())
