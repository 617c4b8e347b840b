"""Takes ``steps`` x 0.1 s (default 600: a minute), one update per step: a run that cannot end
by itself within a test's waiting window, so only a cancel frees the server.

Input: ``{"steps": 600}``.
"""

import time

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    steps: int
    done: int


def tick(state: State) -> State:
    time.sleep(0.1)
    return {"done": state.get("done", 0) + 1}


def more(state: State) -> str:
    return "tick" if state["done"] < state.get("steps", 600) else END


builder = StateGraph(State)
builder.add_node("tick", tick)
builder.add_edge(START, "tick")
builder.add_conditional_edges("tick", more, ["tick", END])
graph = builder.compile().with_config(recursion_limit=100_000)
