"""A graph's diagram, as data: the nodes and edges the browser lays out and draws.

Two sources, one shape. The server's ``GET /assistants/{assistant_id}/graph`` (the SDK's
``assistants.get_graph``) and, in this process, ``graph.get_graph(xray=...).to_json()``, whose
node data may hold Python objects. Both become::

    {"nodes": [{"id": "research:search", "name": "research:search", "type": "runnable",
                "metadata": {...}}, ...],
     "edges": [{"source": "__start__", "target": "plan", "conditional": false}, ...]}

With ``xray`` a subgraph's nodes are prefixed with their parent's name, ``parent:child``; the
browser draws them as a cluster under the parent.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._errors import ProtocolError

if TYPE_CHECKING:
    from ._client import Client


def shape(graph: Any) -> dict[str, Any]:
    """The diagram of a graph's JSON (either form): ids, names, types, JSON metadata and
    edges. ``ValueError`` if it has no list of nodes."""
    nodes, edges = (graph.get(key) if isinstance(graph, dict) else None
                    for key in ("nodes", "edges"))
    if not isinstance(nodes, list):
        raise ValueError("a graph needs a list of nodes")
    out_nodes = []
    for node in nodes:
        if not isinstance(node, dict) or node.get("id") is None:
            continue
        data = node.get("data")
        name = data.get("name") if isinstance(data, dict) else None
        entry: dict[str, Any] = {"id": str(node["id"]),
                                 "name": str(name if name is not None else node["id"])}
        if isinstance(node.get("type"), str):
            entry["type"] = node["type"]
        if isinstance(node.get("metadata"), dict):
            # Metadata may hold any Python object in this process: kept as JSON text can say it.
            entry["metadata"] = json.loads(json.dumps(node["metadata"], default=str))
        out_nodes.append(entry)
    out_edges = []
    for edge in edges if isinstance(edges, list) else []:
        if not isinstance(edge, dict) or edge.get("source") is None or edge.get("target") is None:
            continue
        link: dict[str, Any] = {"source": str(edge["source"]), "target": str(edge["target"]),
                                "conditional": bool(edge.get("conditional"))}
        if isinstance(edge.get("data"), str) and edge["data"]:
            link["label"] = edge["data"]  # a conditional edge's branch name, in this process
        out_edges.append(link)
    return {"nodes": out_nodes, "edges": out_edges}


def of_graph(graph: Any, *, xray: bool | int = False) -> dict[str, Any]:
    """The diagram of a compiled graph in this process."""
    return shape(graph.get_graph(xray=xray).to_json())


async def fetch(client: Client, assistant_id: str, *, xray: bool | int = False) -> dict[str, Any]:
    """The diagram of an assistant's graph on a server (one request)."""
    try:
        return shape(await client.get_graph(assistant_id, xray=xray))
    except ValueError as exc:  # a JSON object, but not a graph
        raise ProtocolError(f"the graph of {assistant_id!r} could not be read: {exc}",
                            url=client.url) from exc


def note(exc: BaseException) -> str:
    """One line that says why there is no diagram."""
    status = getattr(exc, "status_code", None)
    if status == 422:
        detail = getattr(exc, "detail", None) or "422"
        return f"No graph diagram: the server cannot draw this graph ({detail})."
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"No graph diagram: {text}"


#: What a run without a graph to draw says (an SDK stream names no graph).
NO_GRAPH = "No graph diagram: an SDK stream does not say which graph it runs."
