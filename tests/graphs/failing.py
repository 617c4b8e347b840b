"""Two nodes; the second raises, so the stream ends with an ``error`` event.

Input: ``{"value": "anything"}``.
"""

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict

ERROR_MESSAGE = "boom: second node failed"


class State(TypedDict, total=False):
    value: str


def first(state: State) -> State:
    return {"value": "first ran"}


def second(state: State) -> State:
    raise ValueError(ERROR_MESSAGE)


builder = StateGraph(State)
builder.add_node("first", first)
builder.add_node("second", second)
builder.add_edge(START, "first")
builder.add_edge("first", "second")
builder.add_edge("second", END)
graph = builder.compile()
