"""A deterministic multi-node agent that needs no API key.

plan -> tools (a compiled subgraph: lookup -> check) -> respond

It exercises every stream mode the widget renders: plain updates, custom
progress events (from the parent and from inside the subgraph), events named
``updates|tools:<task-id>`` under ``stream_subgraphs``, and token-by-token
``messages`` from a fake streaming chat model. Everything is deterministic
except ids.

Input: ``{"messages": [{"role": "user", "content": "..."}]}``.
"""

from typing import Annotated

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # not typing's: the server needs it for /schemas on 3.11

ANSWER = "The answer is 42, found by the lookup tool."


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    plan: list[str]
    tool_result: str


class ToolState(TypedDict, total=False):
    # Shares ``tool_result`` with AgentState: the subgraph's update to the
    # parent is that key alone.
    tool_result: str


def plan(state: AgentState) -> AgentState:
    get_stream_writer()({"progress": 0.25, "step": "plan"})
    return {"plan": ["lookup", "check", "respond"]}


def lookup(state: ToolState) -> ToolState:
    get_stream_writer()({"progress": 0.5, "step": "lookup"})
    return {"tool_result": "42"}


def check(state: ToolState) -> ToolState:
    get_stream_writer()({"progress": 0.75, "step": "check"})
    return {"tool_result": f"{state['tool_result']} (checked)"}


def respond(state: AgentState) -> AgentState:
    # GenericFakeChatModel consumes its iterator, so build a fresh model per call:
    # every run then streams the same tokens.
    model = GenericFakeChatModel(messages=iter([AIMessage(content=ANSWER)]))
    reply = model.invoke(state.get("messages", []))
    get_stream_writer()({"progress": 1.0, "step": "respond"})
    return {"messages": [reply]}


tools_builder = StateGraph(ToolState)
tools_builder.add_node("lookup", lookup)
tools_builder.add_node("check", check)
tools_builder.add_edge(START, "lookup")
tools_builder.add_edge("lookup", "check")
tools_builder.add_edge("check", END)
tools = tools_builder.compile()

builder = StateGraph(AgentState)
builder.add_node("plan", plan)
builder.add_node("tools", tools)  # a compiled graph as a node: a subgraph
builder.add_node("respond", respond)
builder.add_edge(START, "plan")
builder.add_edge("plan", "tools")
builder.add_edge("tools", "respond")
builder.add_edge("respond", END)
graph = builder.compile()
