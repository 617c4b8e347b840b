"""One small job per input, for batches: ``double`` doubles ``n`` (after ``delay`` seconds),
``label`` says whether the result is even, and raises when the input asks it to (``fail``), so
one input of a batch can fail while the others finish.

Input: ``{"n": 3, "delay": 0.0, "fail": false}``.
"""

import time

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    n: int
    delay: float
    fail: bool
    result: int
    label: str


def double(state: State) -> State:
    time.sleep(state.get("delay", 0.0))
    return {"result": state.get("n", 0) * 2}


def label(state: State) -> State:
    if state.get("fail"):
        raise ValueError(f"cannot label {state.get('n')}")
    return {"label": "even" if state["result"] % 4 == 0 else "odd"}


builder = StateGraph(State)
builder.add_node("double", double)
builder.add_node("label", label)
builder.add_edge(START, "double")
builder.add_edge("double", "label")
builder.add_edge("label", END)
graph = builder.compile()
