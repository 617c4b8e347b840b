"""A graph that runs but cannot be drawn: its ``get_graph`` raises ``NotImplementedError``, as a
graph whose structure is known only while it runs may. The server answers
``GET /assistants/undrawable/graph`` with 422 "The graph does not support visualization".

Input: anything; one node, ``work``.
"""

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    done: bool


class Undrawable(CompiledStateGraph):
    def get_graph(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("drawn only at run time")

    async def aget_graph(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("drawn only at run time")


builder = StateGraph(State)
builder.add_node("work", lambda s: {"done": True})
builder.add_edge(START, "work")
builder.add_edge("work", END)
graph = builder.compile()
graph.__class__ = Undrawable
