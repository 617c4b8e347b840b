"""Asks for approval with ``interrupt()``.

In a stateless run the stream carries ``{"__interrupt__": [...]}`` and ends. On a
thread, resuming with ``Command(resume=<answer>)`` finishes the run and stores
the answer in ``approved``.

Input: ``{"request": "anything"}``.
"""

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict

QUESTION = {"question": "Approve?"}


class State(TypedDict, total=False):
    request: str
    approved: bool


def prepare(state: State) -> State:
    return {"request": f"prepared: {state.get('request', '')}"}


def ask(state: State) -> State:
    answer = interrupt(QUESTION)
    return {"approved": bool(answer)}


builder = StateGraph(State)
builder.add_node("prepare", prepare)
builder.add_node("ask", ask)
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "ask")
builder.add_edge("ask", END)
graph = builder.compile()
