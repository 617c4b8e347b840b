"""A weather assistant that needs no API key and no network, for the demo and the notebooks.

plan → research (a subgraph: call_tool → read_result) → answer, and the variant ``approval``
that stops with ``interrupt()`` for a human to approve the draft before answering.

Deterministic but for ids: the "model" is langchain's fake chat model, streaming its answer token
by token with a short pause, so the view fills in as a real agent's would. Every node reports
progress with the custom stream writer.

Input: ``{"messages": [{"role": "user", "content": "What's the weather in Paris?"}]}``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage, ToolMessage
from langchain_core.outputs import ChatGenerationChunk
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt
from typing_extensions import TypedDict  # not typing's: the server needs it for /schemas on 3.11

TOKEN_PAUSE = 0.03
FORECASTS = {"paris": "18 °C and sunny", "london": "12 °C with light rain",
             "tokyo": "22 °C and clear"}


class State(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    city: str
    plan: list[str]
    forecast: str
    approved: bool


class PacedFakeChatModel(GenericFakeChatModel):
    """The fake model, with a pause between tokens so the stream looks like a real model's."""

    async def _astream(self, *args: Any, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        async for chunk in super()._astream(*args, **kwargs):
            await asyncio.sleep(TOKEN_PAUSE)
            yield chunk


def _city(state: State) -> str:
    text = " ".join(str(m.content) for m in state.get("messages", []) if m.type == "human")
    found = next((c for c in FORECASTS if c in text.lower()), None)
    if found is None:
        words = re.findall(r"\b[A-Z][a-z]+\b", text)
        found = words[-1].lower() if words else "paris"
    return found


async def plan(state: State) -> State:
    write = get_stream_writer()
    city = _city(state)
    write({"progress": 0.1, "step": "plan", "detail": f"looking up {city.title()}"})
    await asyncio.sleep(0.2)
    call = {"name": "get_weather", "args": {"city": city.title()}, "id": "call_weather_1",
            "type": "tool_call"}
    return {"city": city, "plan": ["call get_weather", "read the result", "answer"],
            "messages": [AIMessage(content="", tool_calls=[call])]}


async def call_tool(state: State) -> State:
    get_stream_writer()({"progress": 0.4, "step": "call_tool", "detail": "get_weather"})
    await asyncio.sleep(0.3)
    forecast = FORECASTS.get(state["city"], "20 °C and cloudy")
    result = ToolMessage(content=f"{state['city'].title()}: {forecast}", name="get_weather",
                         tool_call_id="call_weather_1")
    return {"forecast": forecast, "messages": [result]}


async def read_result(state: State) -> State:
    get_stream_writer()({"progress": 0.6, "step": "read_result"})
    await asyncio.sleep(0.1)
    return {"forecast": state["forecast"]}


async def review(state: State) -> State:
    decision = interrupt({"question": "Send this forecast?", "forecast": state["forecast"]})
    return {"approved": bool(decision)}


async def answer(state: State) -> State:
    get_stream_writer()({"progress": 0.8, "step": "answer"})
    text = (f"It is {state['forecast']} in {state['city'].title()} today. "
            "A good day for a walk along the river.")
    model = PacedFakeChatModel(messages=iter([AIMessage(content=text)]))  # one per run
    reply = await model.ainvoke(state["messages"])
    get_stream_writer()({"progress": 1.0, "step": "done"})
    return {"messages": [reply]}


def _research() -> Any:
    sub = StateGraph(State)
    sub.add_node("call_tool", call_tool)
    sub.add_node("read_result", read_result)
    sub.add_edge(START, "call_tool")
    sub.add_edge("call_tool", "read_result")
    sub.add_edge("read_result", END)
    return sub.compile()


def _build(with_review: bool) -> Any:
    builder = StateGraph(State)
    builder.add_node("plan", plan)
    builder.add_node("research", _research())  # a compiled graph as a node: a subgraph
    builder.add_node("answer", answer)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "research")
    if with_review:
        builder.add_node("review", review)
        builder.add_edge("research", "review")
        builder.add_edge("review", "answer")
    else:
        builder.add_edge("research", "answer")
    builder.add_edge("answer", END)
    return builder.compile()


graph = _build(with_review=False)
approval = _build(with_review=True)
