"""Emits ``n`` updates of ``size`` payload bytes each, for volume tests.

One node loops back to itself, so each update is its own superstep: ``updates``
mode yields exactly ``n`` events ``{"emit": {"count": k, "payload": "xx..."}}``
with k = 1..n.

Input: ``{"n": 100, "size": 1000}``.
"""

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict

# Each update is one superstep and counts against the recursion limit.
# LangGraph's own default is 25; langgraph-api 0.16.7 defaults to about 10,000
# (LANGGRAPH_DEFAULT_RECURSION_LIMIT). Measured on that server: a limit bound
# with with_config() is respected and wins over the server default, and a
# request's {"config": {"recursion_limit": k}} wins over both. Binding it here
# makes large n work in-process and on any server version, with no request config.
RECURSION_LIMIT = 100_000


class State(TypedDict, total=False):
    n: int
    size: int
    count: int
    payload: str


def emit(state: State) -> State:
    return {"count": state.get("count", 0) + 1, "payload": "x" * state.get("size", 0)}


def more(state: State) -> str:
    return "emit" if state.get("count", 0) < state.get("n", 0) else END


builder = StateGraph(State)
builder.add_node("emit", emit)
builder.add_conditional_edges(START, more, ["emit", END])
builder.add_conditional_edges("emit", more, ["emit", END])
graph = builder.compile().with_config(recursion_limit=RECURSION_LIMIT)
