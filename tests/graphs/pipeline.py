"""A slow graph with a subgraph, for watching the diagram light up: ``prepare``, then the
subgraph ``team`` (``search`` runs ``{"steps": n}`` times, 0.3 s each, then ``write``), then
``finish``. Input: ``{"steps": 10}`` (default 5).
"""

import time

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    steps: int
    done: int


def search(state: State) -> State:
    time.sleep(0.3)
    return {"done": state.get("done", 0) + 1}


_team = StateGraph(State)
_team.add_node("search", search)
_team.add_node("write", lambda s: {})
_team.add_edge(START, "search")
_team.add_conditional_edges(
    "search", lambda s: "search" if s["done"] < s.get("steps", 5) else "write", ["search", "write"])
_team.add_edge("write", END)

builder = StateGraph(State)
builder.add_node("prepare", lambda s: {"done": 0})
builder.add_node("team", _team.compile())
builder.add_node("finish", lambda s: {})
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "team")
builder.add_edge("team", "finish")
builder.add_edge("finish", END)
graph = builder.compile()
