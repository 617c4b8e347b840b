"""Agents shaped like the ones people build, deterministic and with no API key.

- ``fanout``: map-reduce with ``Send``: ``plan`` sends one ``summarize`` branch per topic, each
  streaming its own tokens; ``combine`` joins them. Input ``{"topics": ["a", "b", ...]}``.
- ``react``: a prebuilt ReAct agent (``create_react_agent``) whose model asks for two tools in
  one step, then answers. Input ``{"messages": [{"role": "user", "content": "..."}]}``.
- ``supervisor``: a supervisor with agents as subgraphs three levels deep
  (``supervisor`` → ``research`` → ``search`` → ``fetch``).
- ``growing``: a message state that grows by 10 messages per step, 3 steps (for ``values``).
- ``inbox``: an Agent Inbox ``HumanInterrupt`` (a list of one request).
- ``hitl``: a LangChain v1 human-in-the-loop request (``action_requests`` + ``review_configs``).
- ``schema``: ``interrupt(value, response_schema=...)``.
- ``pair``: two parallel branches that each ask (two interrupts pending at once).
- ``twice``: asks, then asks again (a resumed run that stops at the next question).
- ``broken``: a node that raises ``KeyError('missing_key')``.
- ``loop``: ``{"n": 300}`` steps of one node (give ``recursion_limit`` above n).
- ``odd``: a 200-character node name, zero-width characters in a name, a multi-line string,
  a 30 KB document and a value 30 levels deep.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Iterator
from typing import Annotated, Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, AnyMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.tools import tool
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import create_react_agent
from langgraph.types import Send, interrupt
from typing_extensions import TypedDict


def _say(text: str, history: list[Any]) -> AIMessage:
    """A reply streamed token by token (a fresh fake model each call: it consumes its list)."""
    return GenericFakeChatModel(messages=iter([AIMessage(content=text)])).invoke(history)


# -- fanout ------------------------------------------------------------------------------------


class FanState(TypedDict, total=False):
    topics: list[str]
    summaries: Annotated[list[str], operator.add]
    report: str


class Branch(TypedDict):
    topic: str


def fan_plan(state: FanState) -> FanState:
    return {}


def fan_out(state: FanState) -> list[Send]:
    return [Send("summarize", {"topic": topic}) for topic in state.get("topics", [])]


def summarize(branch: Branch) -> FanState:
    reply = _say(f"Summary of {branch['topic']}: all about {branch['topic']}.", [])
    return {"summaries": [str(reply.content)]}


def combine(state: FanState) -> FanState:
    return {"report": " | ".join(state.get("summaries", []))}


_fan = StateGraph(FanState)
_fan.add_node("plan", fan_plan)
_fan.add_node("summarize", summarize)
_fan.add_node("combine", combine)
_fan.add_edge(START, "plan")
_fan.add_conditional_edges("plan", fan_out, ["summarize"])
_fan.add_edge("summarize", "combine")
_fan.add_edge("combine", END)
fanout = _fan.compile()


# -- react -------------------------------------------------------------------------------------


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"18 °C and sunny in {city}"


@tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return f"12:00 in {city}"


class ToolCallingFake(BaseChatModel):
    """Asks for both tools at once, then answers from their results; streams tool calls."""

    @property
    def _llm_type(self) -> str:
        return "tool-calling-fake"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ToolCallingFake:
        return self

    def _reply(self, messages: list[Any]) -> AIMessage:
        if any(getattr(m, "type", "") == "tool" for m in messages):
            return AIMessage(content="In Paris it is 18 °C and sunny, and it is noon.")
        return AIMessage(content="", tool_calls=[
            {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_weather"},
            {"name": "get_time", "args": {"city": "Paris"}, "id": "call_time"},
        ])

    def _generate(self, messages: list[Any], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages))])

    def _stream(self, messages: list[Any], stop: Any = None, run_manager: Any = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        reply = self._reply(messages)
        if reply.tool_calls:
            chunks = [AIMessageChunk(content="", tool_call_chunks=[
                {"name": c["name"], "args": str(c["args"]).replace("'", '"'), "id": c["id"],
                 "index": i}]) for i, c in enumerate(reply.tool_calls)]
        else:
            chunks = [AIMessageChunk(content=word + " ") for word in str(reply.content).split()]
        chunks[-1].chunk_position = "last"
        for chunk in chunks:
            if run_manager:
                run_manager.on_llm_new_token(str(chunk.content), chunk=chunk)
            yield ChatGenerationChunk(message=chunk)


# LangGraph 1.x deprecates it for langchain's create_agent (not a dependency here); it is still
# the prebuilt ReAct agent most code in the wild uses.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    react = create_react_agent(ToolCallingFake(), [get_weather, get_time])


# -- supervisor --------------------------------------------------------------------------------


class TeamState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    notes: Annotated[list[str], operator.add]


def fetch(state: TeamState) -> TeamState:
    return {"notes": ["fetched"], "messages": [_say("Fetched two pages.", [])]}


def rank(state: TeamState) -> TeamState:
    return {"notes": ["ranked"]}


_search = StateGraph(TeamState)
_search.add_node("fetch", fetch)
_search.add_node("rank", rank)
_search.add_edge(START, "fetch")
_search.add_edge("fetch", "rank")
_search.add_edge("rank", END)

_research = StateGraph(TeamState)
_research.add_node("search", _search.compile())
_research.add_node("write", lambda s: {"messages": [_say("Wrote the findings.", [])]})
_research.add_edge(START, "search")
_research.add_edge("search", "write")
_research.add_edge("write", END)

_team = StateGraph(TeamState)
_team.add_node("supervisor", lambda s: {"notes": ["route: research"]})
_team.add_node("research", _research.compile())
_team.add_node("finish", lambda s: {"messages": [_say("Done: research is in.", [])]})
_team.add_edge(START, "supervisor")
_team.add_edge("supervisor", "research")
_team.add_edge("research", "finish")
_team.add_edge("finish", END)
supervisor = _team.compile()


# -- growing -----------------------------------------------------------------------------------


class ChatState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]


def _grow(step: int):
    def node(state: ChatState) -> ChatState:
        return {"messages": [HumanMessage(content=f"step {step} message {i}", id=f"s{step}-{i}")
                             for i in range(10)]}
    return node


_growing = StateGraph(ChatState)
for _step in range(3):
    _growing.add_node(f"step_{_step}", _grow(_step))
_growing.add_edge(START, "step_0")
_growing.add_edge("step_0", "step_1")
_growing.add_edge("step_1", "step_2")
_growing.add_edge("step_2", END)
growing = _growing.compile()


# -- interrupts --------------------------------------------------------------------------------


class AskState(TypedDict, total=False):
    request: str
    answer: Any


INBOX_REQUEST = {
    "action_request": {"action": "send_email",
                       "args": {"to": "ada@example.com", "subject": "Plans", "body": "Hi Ada"}},
    "config": {"allow_accept": True, "allow_edit": True, "allow_respond": True,
               "allow_ignore": False},
    "description": "Please review this email.\n\nIt goes to **Ada**.",
}
HITL_REQUEST = {
    "action_requests": [{"name": "delete_file", "args": {"path": "/tmp/report.txt"},
                         "description": "Tool execution requires approval"}],
    "review_configs": [{"action_name": "delete_file",
                        "allowed_decisions": ["approve", "edit", "reject"]}],
}
SCHEMA = {"type": "object", "properties": {"approved": {"type": "boolean"},
                                           "reason": {"type": "string"}},
          "required": ["approved"]}


def _asking(ask: Any) -> Any:
    builder = StateGraph(AskState)
    builder.add_node("prepare", lambda s: {"request": f"prepared: {s.get('request', '')}"})
    builder.add_node("ask", lambda s: {"answer": ask()})
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "ask")
    builder.add_edge("ask", END)
    return builder.compile()


inbox = _asking(lambda: interrupt([INBOX_REQUEST]))
hitl = _asking(lambda: interrupt(HITL_REQUEST))
schema = _asking(lambda: interrupt({"question": "Ship it?"}, response_schema=SCHEMA))




class PairState(TypedDict, total=False):
    answers: Annotated[list[Any], operator.add]


def _ask_in(branch: str) -> Any:
    return lambda s: {"answers": [{branch: interrupt(f"{branch}: go ahead?")}]}


# Two branches that ask at once: two interrupts pending, answered by id.
_pair = StateGraph(PairState)
_pair.add_node("left", _ask_in("left"))
_pair.add_node("right", _ask_in("right"))
_pair.add_edge(START, "left")
_pair.add_edge(START, "right")
_pair.add_edge("left", END)
_pair.add_edge("right", END)
pair = _pair.compile()

# Asks, then asks again: answered, it stops at the second question.
_twice = StateGraph(PairState)
_twice.add_node("first", _ask_in("first"))
_twice.add_node("second", _ask_in("second"))
_twice.add_edge(START, "first")
_twice.add_edge("first", "second")
_twice.add_edge("second", END)
twice = _twice.compile()


# -- failures, long runs, odd values -----------------------------------------------------------


def _missing(state: AskState) -> AskState:
    return {"answer": {}["missing_key"]}


_broken = StateGraph(AskState)
_broken.add_node("prepare", lambda s: {"request": "ok"})
_broken.add_node("lookup", _missing)
_broken.add_edge(START, "prepare")
_broken.add_edge("prepare", "lookup")
_broken.add_edge("lookup", END)
broken = _broken.compile()


class LoopState(TypedDict, total=False):
    n: int
    i: int


_loop = StateGraph(LoopState)
_loop.add_node("step", lambda s: {"i": s.get("i", 0) + 1})
_loop.add_edge(START, "step")
_loop.add_conditional_edges("step", lambda s: "step" if s["i"] < s.get("n", 300) else END,
                            ["step", END])
loop = _loop.compile()

LONG_NAME = "a_node_with_a_name_that_goes_on_" * 6 + "and_on"  # 198 characters
ZERO_WIDTH_NAME = "re\u200bview"  # a zero-width space inside


def _deep(depth: int) -> Any:
    value: Any = "the leaf"
    for level in range(depth):
        value = {f"level_{depth - level}": value}
    return value


class OddState(TypedDict, total=False):
    text: str
    document: str
    deep: Any


_odd = StateGraph(OddState)
_odd.add_node(LONG_NAME, lambda s: {"text": "line one\nline two\n\n  indented line four"})
_odd.add_node(ZERO_WIDTH_NAME, lambda s: {
    "document": "\n".join(f"Paragraph {i}: " + "words " * 50 for i in range(100)),
    "deep": _deep(30)})
_odd.add_edge(START, LONG_NAME)
_odd.add_edge(LONG_NAME, ZERO_WIDTH_NAME)
_odd.add_edge(ZERO_WIDTH_NAME, END)
odd = _odd.compile()
