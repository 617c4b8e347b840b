"""A run whose time and tokens are known in advance, for the "Time & tokens" pane and ``w.stats()``.

``timed``: ``plan`` (0.1 s) sends one ``research`` branch per topic (0.3 s each, in parallel),
then ``review``, a subgraph (``check`` 0.1 s, ``polish`` 0.05 s), then ``write`` (0.2 s). Every
node but ``polish`` asks a fake chat model that reports ``usage_metadata`` (see ``USAGE``):
input ``{"topics": ["a", "b", "c"], "messages": [{"role": "user", "content": "..."}]}``.
So ``research`` is the slowest node (3 x 0.3 s) and ``write`` the costliest (140 tokens).
"""

from __future__ import annotations

import asyncio
import operator
from collections.abc import Iterator
from typing import Annotated, Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, AnyMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Send
from typing_extensions import TypedDict

#: Seconds each node sleeps.
SLEEP = {"plan": 0.1, "research": 0.3, "check": 0.1, "polish": 0.05, "write": 0.2}
#: (input_tokens, output_tokens) each model call reports, by the node that makes it.
USAGE = {"plan": (10, 5), "research": (20, 7), "check": (30, 11), "write": (100, 40)}


class UsageFake(BaseChatModel):
    """Answers ``reply`` word by word; the last chunk carries the usage, as real providers do."""

    reply: str
    input_tokens: int
    output_tokens: int

    @property
    def _llm_type(self) -> str:
        return "usage-fake"

    def _message(self) -> AIMessage:
        return AIMessage(content=self.reply, usage_metadata=self._usage())

    def _usage(self) -> Any:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "total_tokens": self.input_tokens + self.output_tokens}

    def _generate(self, messages: list[Any], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._message())])

    def _stream(self, messages: list[Any], stop: Any = None, run_manager: Any = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        words = self.reply.split()
        for i, word in enumerate(words):
            last = i == len(words) - 1
            chunk = AIMessageChunk(content=word + ("" if last else " "))
            if last:
                chunk.usage_metadata = self._usage()
                chunk.chunk_position = "last"
            if run_manager:
                run_manager.on_llm_new_token(str(chunk.content), chunk=chunk)
            yield ChatGenerationChunk(message=chunk)


async def _work(node: str, text: str, history: list[Any]) -> AIMessage:
    await asyncio.sleep(SLEEP[node])
    given, said = USAGE[node]
    model = UsageFake(reply=text, input_tokens=given, output_tokens=said)
    return AIMessage(**(await model.ainvoke(history)).model_dump())


class State(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    topics: list[str]
    notes: Annotated[list[str], operator.add]


class Branch(TypedDict):
    topic: str


async def plan(state: State) -> State:
    return {"messages": [await _work("plan", "Plan: research each topic.", state["messages"])]}


def fan_out(state: State) -> list[Send]:
    return [Send("research", {"topic": topic}) for topic in state.get("topics", [])]


async def research(branch: Branch) -> State:
    reply = await _work("research", f"Notes on {branch['topic']}.", [])
    return {"messages": [reply], "notes": [branch["topic"]]}


async def check(state: State) -> State:
    return {"messages": [await _work("check", "Checked.", state["messages"][-1:])]}


async def polish(state: State) -> State:
    await asyncio.sleep(SLEEP["polish"])
    return {"notes": ["polished"]}


async def write(state: State) -> State:
    return {"messages": [await _work("write", "The report, written.", state["messages"][-1:])]}


_review = StateGraph(State)
_review.add_node("check", check)
_review.add_node("polish", polish)
_review.add_edge(START, "check")
_review.add_edge("check", "polish")
_review.add_edge("polish", END)

_timed = StateGraph(State)
_timed.add_node("plan", plan)
_timed.add_node("research", research)
_timed.add_node("review", _review.compile())
_timed.add_node("write", write)
_timed.add_edge(START, "plan")
_timed.add_conditional_edges("plan", fan_out, ["research"])
_timed.add_edge("research", "review")
_timed.add_edge("review", "write")
_timed.add_edge("write", END)
timed = _timed.compile()
