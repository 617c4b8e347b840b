"""``show_graph``: a graph's diagram alone, drawn in the browser with no network.

A drop-in for ``display(Image(graph.get_graph().draw_mermaid_png()))``, which sends the graph
to the mermaid.ink web service and so fails offline and behind firewalls
(langchain-ai/langgraph#4660, #4272).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import _diagram

_STATIC = Path(__file__).parent / "static"


class GraphWidget(anywidget.AnyWidget):
    """The diagram of one graph: its nodes, edges and subgraphs (``graph``, see ``_diagram``)."""

    _esm = _STATIC / "graphwidget.js"
    _css = _STATIC / "widget.css"

    graph = t.Dict().tag(sync=True)


def show_graph(
    graph_or_assistant_id: Any,
    *,
    url: str | None = None,
    xray: bool | int = False,
    api_key: str | None = None,
) -> GraphWidget:
    """A widget showing a graph's diagram, laid out and drawn in the browser (no network).

    ``graph_or_assistant_id`` is a compiled graph of this process, or the assistant id (or
    graph name) of a graph on an Agent Server at ``url`` (default ``$LANGGRAPH_API_URL``, else
    ``http://127.0.0.1:2024``; ``api_key`` as for ``RunWidget``). ``xray`` (True, or a depth)
    draws subgraphs' nodes inside their parent. A server that cannot draw the graph raises
    :class:`~lgwidget.APIStatusError` (status 422)."""
    if isinstance(graph_or_assistant_id, str):
        diagram = _fetched(graph_or_assistant_id, url=url, xray=xray, api_key=api_key)
    elif hasattr(graph_or_assistant_id, "get_graph"):
        diagram = _diagram.of_graph(graph_or_assistant_id, xray=xray)
    else:
        raise TypeError("show_graph takes a compiled graph or an assistant id, not "
                        f"{type(graph_or_assistant_id).__name__}")
    return GraphWidget(graph=diagram)


def _fetched(assistant_id: str, *, url: str | None, xray: bool | int,
             api_key: str | None) -> dict[str, Any]:
    from ._client import Client
    from ._runner import run_blocking

    async def fetch() -> dict[str, Any]:
        async with Client(url, api_key=api_key) as client:
            return await _diagram.fetch(client, assistant_id, xray=xray)

    # One short request; nothing to cancel but the wait (run_blocking runs it on a thread of
    # its own when a notebook's loop is running).
    diagram = run_blocking(fetch, lambda: None)
    assert diagram is not None  # only a cancelled run gives None
    return diagram
