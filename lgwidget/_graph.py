"""An in-process source: a compiled LangGraph graph streamed as the Agent Server would stream it.

:func:`graph_parts` runs ``graph.astream(...)`` in this process (no server, no HTTP) and yields
the :class:`~lgwidget.StreamPart` s that ``POST /runs/stream`` (a stateless run) sends for the
same request: the same event names, and data shaped as the server's JSON. Mirrored from
langgraph-api 0.16.7 (``langgraph_api/stream.py`` ``astream_state``, ``langgraph_api/serde.py``
``json_dumpb``/``default``, ``langgraph_api/worker.py`` for the ``error`` event); nothing is
imported from ``langgraph_api`` (it is only in the ``server`` extra). ``langgraph`` itself is
imported when a run is made, not when this module is.

What an in-process run cannot reproduce (run-specific values, compared modulo ids in
``tests/test_graph_source.py``): the metadata the server adds to every node's config
(``created_by``, ``assistant_id``, ``graph_id``, ``thread_id``, ``langgraph_api_version``,
``langgraph_plan``, ``langgraph_host``, ``langgraph_api_url``) and so to ``messages``, ``tasks``
and ``debug`` metadata; ``run_attempt``, ``langgraph_version`` and ``run_id`` are set as the
server sets them.
"""

from __future__ import annotations

import builtins
import dataclasses
import datetime
import enum
import json
import logging
import os
import re
import time
import traceback
import uuid
from base64 import b64encode
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing
from decimal import Decimal
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from pathlib import Path
from re import Pattern
from typing import Any
from zoneinfo import ZoneInfo

from ._parts import StreamPart

__all__ = ["SERVER_STREAM_MODES", "graph_parts", "to_server_json"]

logger = logging.getLogger("lgwidget.graph")

#: The ``stream_mode`` values ``graph_parts`` takes: the server's names.
SERVER_STREAM_MODES = (
    "values",
    "updates",
    "messages-tuple",
    "messages",
    "custom",
    "debug",
    "tasks",
    "checkpoints",
)
# Modes the server takes that only a server can serve.
_SERVER_ONLY = {
    "events": "it is the server's astream_events() feed; use it against a server, or call "
    "graph.astream_events() yourself",
    "tools": "it is only served on the server's v2 event-streaming endpoints",
    "lifecycle": "it is only served on the server's v2 event-streaming endpoints",
}
_LANGGRAPH_MISSING = (
    "graph_parts() runs a LangGraph graph in this process and needs the langgraph package: "
    "pip install langgraph"
)


def graph_parts(
    graph: Any,
    input: Any,
    *,
    stream_mode: str | Sequence[str] | None = "updates",
    subgraphs: bool = False,
    config: Mapping[str, Any] | None = None,
    context: Any = None,
    interrupt_before: str | Sequence[str] | None = None,
    interrupt_after: str | Sequence[str] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> AsyncIterator[StreamPart]:
    """Stream ``graph`` in this process as the Agent Server streams a stateless run of it.

    >>> async for part in graph_parts(graph, {"messages": [...]}, stream_mode="updates"):
    ...     print(part.event, part.data)

    The arguments are those of ``client.runs.stream(None, ...)`` with the graph itself in place
    of the assistant: ``stream_mode`` takes the server's names (``"messages-tuple"`` is
    LangGraph's ``"messages"`` mode; ``"messages"`` is the server's ``messages/partial`` feed;
    ``None`` or ``[]`` means ``"values"``, the server's default), ``subgraphs`` is the server's
    ``stream_subgraphs``. ``graph`` is a compiled graph (a ``StateGraph`` is compiled, as the
    server does).

    The parts, as the server sends them: first ``metadata`` ``{"run_id": ..., "attempt": 1}``
    (a fresh UUIDv7, or ``config["run_id"]``), then one part per chunk, named by mode
    (``updates|tools:<task-id>`` inside a subgraph) with its data as the server's JSON. A
    failure in the run ends the stream with an ``error`` part ``{"error": "ValueError",
    "message": "..."}`` (yielded, not raised; the message is the server's ``"An internal error
    occurred"`` for exception types the server does not reveal, and the traceback is logged to
    the ``lgwidget.graph`` logger, as the server logs it). ``interrupt()`` ends it after an
    ``updates`` chunk ``{"__interrupt__": [...]}``. With ``on_error``, a failure is handed to it
    and the ``error`` part says what the exception says (:func:`error_details`), as a graph
    run in the user's own process may.

    Stateless like the server's run: the graph's own checkpointer is not used unless ``config``
    names a ``thread_id``. A bad ``stream_mode`` (which the server answers with 422) raises
    ``ValueError`` here, at the call, as does a graph that cannot be streamed; a missing
    langgraph raises ``ImportError``.
    """
    try:
        import langgraph.version as lg_version
        from langgraph.graph import StateGraph
    except ImportError as exc:  # pragma: no cover - langgraph is installed in the tests
        raise ImportError(_LANGGRAPH_MISSING) from exc

    modes = _modes(stream_mode)
    if isinstance(graph, StateGraph):
        graph = graph.compile()
    if not callable(getattr(graph, "astream", None)):
        raise TypeError(
            f"graph_parts() needs a compiled LangGraph graph (with .astream()), not "
            f"{type(graph).__name__}"
        )
    run_config, run_id = _run_config(config, lg_version.__version__)
    if not (run_config.get("configurable") or {}).get("thread_id"):
        # The server runs a stateless request without a checkpointer (a temporary thread).
        if getattr(graph, "checkpointer", None) not in (None, False) and callable(
            getattr(graph, "copy", None)
        ):
            graph = graph.copy(update={"checkpointer": None})
    kwargs: dict[str, Any] = {
        "stream_mode": _langgraph_modes(modes),
        "subgraphs": bool(subgraphs),
        "interrupt_before": interrupt_before,
        "interrupt_after": interrupt_after,
    }
    if context is not None:
        kwargs["context"] = context
    return _stream(graph, input, run_config, run_id, modes, bool(subgraphs), kwargs, on_error)


async def _stream(
    graph: Any,
    input: Any,
    config: dict[str, Any],
    run_id: str,
    modes: list[str],
    subgraphs: bool,
    kwargs: dict[str, Any],
    on_error: Callable[[BaseException], None] | None,
) -> AsyncIterator[StreamPart]:
    yield StreamPart("metadata", {"run_id": run_id, "attempt": 1})
    try:
        async with aclosing(graph.astream(input, config, **kwargs)) as stream:
            messages: dict[Any, Any] = {}
            async for item in stream:
                if subgraphs:
                    ns, mode, chunk = item
                else:
                    (mode, chunk), ns = item, ()
                for event, data in _server_events(mode, chunk, ns, modes, messages):
                    yield StreamPart(event, to_server_json(data))
    except Exception as exc:  # the server's worker: the error event ends the stream
        if _ExceptionGroup is not None and isinstance(exc, _ExceptionGroup):
            exc = exc.exceptions[0]  # as langgraph_api.stream.consume unwraps it
        if on_error is not None:
            on_error(exc)
            logger.debug("In-process run %s failed", run_id, exc_info=exc)
            yield StreamPart("error", error_details(exc))
            return
        part = StreamPart("error", to_server_json(exc))
        # The error event says what a server would reveal. Where it hides the exception (as
        # "An internal error occurred"), the traceback is logged: in-process, the log is where
        # the graph's author finds it. Otherwise it is there at debug level.
        hidden = part.data.get("message") != str(exc)
        logger.log(logging.ERROR if hidden else logging.DEBUG, "In-process run %s failed: %s: %s",
                   run_id, type(exc).__name__, exc, exc_info=exc)
        yield part


# LangGraph notes the task on an exception raised in a node.
_TASK_NOTE = re.compile(r"During task with name '(.*)' and id '")


def error_details(exc: BaseException) -> dict[str, Any]:
    """What an error in this process says, unlike a server's (which hides most messages): the
    type, the message, the node that raised it when LangGraph noted it, and the traceback."""
    details: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc)}
    for note in getattr(exc, "__notes__", None) or ():
        if match := _TASK_NOTE.match(str(note)):
            details["node"] = match.group(1)
    details["traceback"] = "".join(traceback.format_exception(exc))
    return dict(to_server_json(details))


_ExceptionGroup = getattr(builtins, "ExceptionGroup", None)


# -- stream modes ----------------------------------------------------------------------------


def _modes(stream_mode: str | Sequence[str] | None) -> list[str]:
    """The server's ``assign_defaults``: a name or a list; empty means ``["values"]``."""
    if not stream_mode:
        return ["values"]
    modes = [stream_mode] if isinstance(stream_mode, str) else list(stream_mode)
    for mode in modes:
        if not isinstance(mode, str):
            raise ValueError(f"stream_mode entries are strings, not {mode!r}")
        if mode in _SERVER_ONLY:
            raise ValueError(
                f"stream_mode {mode!r} is server-only: {_SERVER_ONLY[mode]}. In process, "
                f"graph_parts() streams {', '.join(SERVER_STREAM_MODES)}"
            )
        if mode not in SERVER_STREAM_MODES:
            raise ValueError(
                f"unknown stream_mode {mode!r}; graph_parts() takes the server's names: "
                f"{', '.join(SERVER_STREAM_MODES)}"
            )
    return modes


def _langgraph_modes(modes: list[str]) -> list[str]:
    """What the server asks ``astream`` for: its ``messages-tuple`` and ``messages`` are both
    LangGraph's ``messages`` (the server also always adds ``debug``, to track checkpoints; its
    chunks are dropped unless asked for, so it is left out here)."""
    wanted = {"messages" if m == "messages-tuple" else m for m in modes}
    return [m for m in SERVER_STREAM_MODES if m in wanted]


def _server_events(
    mode: str,
    chunk: Any,
    ns: tuple[str, ...],
    modes: list[str],
    messages: dict[Any, Any],
) -> list[tuple[str, Any]]:
    """The (event, data) pairs the server makes of one ``astream`` item (``astream_state``)."""
    suffix = "|" + "|".join(ns) if ns else ""
    if mode == "debug" and isinstance(chunk, dict) and chunk.get("type") == "checkpoint":
        chunk["payload"] = _debug_checkpoint(chunk.get("payload"))
    if mode == "messages":
        if "messages-tuple" in modes:
            return [(f"messages{suffix}", chunk)]
        return _messages_v1(chunk, messages)  # the server sends these without the namespace
    if mode in modes:
        return [(f"{mode}{suffix}", chunk)]
    return []


def _messages_v1(chunk: Any, messages: dict[Any, Any]) -> list[tuple[str, Any]]:
    """The server's ``messages`` mode: ``messages/metadata`` once per message id, then
    ``messages/partial`` (the message so far) per chunk, or ``messages/complete`` for a whole
    message."""
    from langchain_core.messages import (
        AIMessageChunk,
        BaseMessageChunk,
        ToolMessageChunk,
        convert_to_messages,
        message_chunk_to_message,
    )

    msg_, meta = chunk
    msg: Any
    is_chunk = False
    if isinstance(msg_, dict):
        if "chunk" in msg_.get("type", "").lower() or "chunk" in msg_.get("role", "").lower():
            if "ai" in msg_.get("role", "").lower():
                msg = AIMessageChunk(**msg_)
            elif "tool" in msg_.get("role", "").lower():
                msg = ToolMessageChunk(**msg_)
            else:
                msg = BaseMessageChunk(**msg_)
            is_chunk = True
        else:
            msg = convert_to_messages([msg_])[0]
    else:
        msg = msg_
    out: list[tuple[str, Any]] = []
    if msg.id in messages:
        messages[msg.id] += msg
    else:
        messages[msg.id] = msg
        out.append(("messages/metadata", {msg.id: {"metadata": meta}}))
    so_far = messages[msg.id] if is_chunk else message_chunk_to_message(messages[msg.id])
    event = "messages/partial" if isinstance(msg, BaseMessageChunk) else "messages/complete"
    out.append((event, [so_far]))
    return out


def _debug_checkpoint(payload: Any) -> Any:
    """``_preprocess_debug_checkpoint``: only reached with a checkpointer (a ``thread_id``)."""
    if not payload:
        return None
    tasks = []
    for task in payload.get("tasks", []):
        state = task.get("state") if isinstance(task, dict) else None
        if isinstance(state, dict) and state.get("configurable"):
            task = {k: v for k, v in task.items() if k != "state"}
            task["checkpoint"] = state["configurable"]
        tasks.append(task)
    return {
        **payload,
        "checkpoint": _config_to_checkpoint(payload.get("config")),
        "parent_checkpoint": _config_to_checkpoint(payload.get("parent_config")),
        "tasks": tasks,
    }


def _config_to_checkpoint(config: Any) -> dict[str, Any] | None:
    configurable = (config or {}).get("configurable") or {}
    if not configurable.get("thread_id") or not configurable.get("checkpoint_id"):
        return None
    checkpoint = {
        "checkpoint_id": configurable["checkpoint_id"],
        "thread_id": configurable["thread_id"],
    }
    if "checkpoint_ns" in configurable:
        checkpoint["checkpoint_ns"] = configurable["checkpoint_ns"] or ""
    if "checkpoint_map" in configurable:
        checkpoint["checkpoint_map"] = configurable["checkpoint_map"]
    return checkpoint


def snapshot_json(snapshot: Any) -> dict[str, Any]:
    """A ``StateSnapshot`` (``graph.aget_state_history``) as the server's
    ``POST /threads/{id}/history`` answers each checkpoint."""
    tasks = [{"id": t.id, "name": t.name, "path": list(t.path), "error": t.error and str(t.error),
              "interrupts": [{"value": i.value, "id": i.id} for i in t.interrupts],
              "checkpoint": None, "state": None, "result": t.result}
             for t in snapshot.tasks]
    return to_server_json({
        "values": snapshot.values,
        "next": list(snapshot.next),
        "tasks": tasks,
        "metadata": snapshot.metadata,
        "created_at": snapshot.created_at,
        "checkpoint": _config_to_checkpoint(snapshot.config),
        "parent_checkpoint": _config_to_checkpoint(snapshot.parent_config),
        "interrupts": [{"value": i.value, "id": i.id} for i in snapshot.interrupts],
    })


# -- the run's config ------------------------------------------------------------------------


def _run_config(
    config: Mapping[str, Any] | None, langgraph_version: str
) -> tuple[dict[str, Any], str]:
    """The user's config plus what the server puts in every run's: ``run_id`` (the root run
    id, which tracing uses), and metadata ``run_attempt``, ``langgraph_version`` and
    ``run_id`` (on the server it comes from ``configurable``; nodes see it in their metadata).
    """
    out = dict(config or {})
    given = out.get("run_id")
    run_uuid = uuid.UUID(str(given)) if given is not None else _uuid7()
    out["run_id"] = run_uuid
    out["metadata"] = {
        **dict(out.get("metadata") or {}),
        "run_attempt": 1,
        "langgraph_version": langgraph_version,
        "run_id": str(run_uuid),
    }
    return out, str(run_uuid)


def _uuid7() -> uuid.UUID:
    """A UUIDv7 like the server's run ids (``uuid.uuid7`` is Python 3.14+)."""
    ms = time.time_ns() // 1_000_000
    value = (ms & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


# -- JSON as the server writes it ------------------------------------------------------------


def to_server_json(obj: Any) -> Any:
    """``obj`` as a client decodes it from the server: what ``json.loads`` gives for
    ``langgraph_api.serde.json_dumpb(obj)`` (orjson with the server's ``default``: pydantic
    models by ``model_dump()``, dataclasses and NamedTuples as dicts, exceptions as
    ``{"error", "message"}``, unknown objects as ``null``, non-string keys as strings)."""
    try:
        import orjson
    except ImportError:  # orjson comes with langsmith, a langgraph dependency; not on PyPy
        return _loads(json.dumps(_plain(obj), ensure_ascii=False))
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    try:
        dumped = orjson.dumps(obj, default=_default, option=option)
    except TypeError as exc:
        if "surrogates not allowed" not in str(exc):
            raise
        dumped = orjson.dumps(_sanitise(obj), default=_default, option=option)
    if rb"\u0000" in dumped:
        dumped = dumped.replace(rb"\\u0000", rb"\\ufffd").replace(rb"\u0000", rb"\ufffd")
    return orjson.loads(dumped)


def _loads(text: str) -> Any:
    if "\\u0000" in text:
        text = text.replace("\\\\u0000", "\\\\ufffd").replace("\\u0000", "\\ufffd")
    return json.loads(text)


_REVEALED: tuple[type[BaseException], ...] | None = None
_SEND: tuple[type, ...] | None = None


def _send_type() -> Any:
    global _SEND
    if _SEND is None:
        try:
            from langgraph.types import Send
        except ImportError:  # pragma: no cover
            _SEND = ()
        else:
            _SEND = (Send,)
    return _SEND


def _revealed_errors() -> tuple[type[BaseException], ...]:
    """The exception types whose message the server sends; others are "An internal error
    occurred" (``langgraph_api.serde.default``)."""
    global _REVEALED
    if _REVEALED is None:
        found: list[type[BaseException]] = [
            ValueError, TypeError, KeyError, AttributeError, RuntimeError, RecursionError,
            TimeoutError,
        ]
        try:
            from langgraph.errors import (
                EmptyInputError,
                GraphBubbleUp,
                InvalidUpdateError,
                TaskNotFound,
            )

            found += [InvalidUpdateError, GraphBubbleUp, EmptyInputError, TaskNotFound]
        except ImportError:  # pragma: no cover
            pass
        try:
            from starlette.exceptions import HTTPException

            found.append(HTTPException)
        except ImportError:
            pass
        _REVEALED = tuple(found)
    return _REVEALED


def _default(obj: Any) -> Any:
    """``langgraph_api.serde.default``: what orjson does not serialize by itself."""
    if isinstance(obj, _send_type()):
        return {"node": obj.node, "args": obj.arg}
    if hasattr(obj, "model_dump") and callable(obj.model_dump) and not isinstance(obj, type):
        return obj.model_dump()
    if hasattr(obj, "dict") and callable(obj.dict) and not isinstance(obj, type):
        return obj.dict()
    if hasattr(obj, "_asdict") and callable(obj._asdict) and not isinstance(obj, type):
        return obj._asdict()
    if isinstance(obj, BaseException):
        if isinstance(obj, _revealed_errors()):
            return {"error": type(obj).__name__, "message": str(obj)}
        return {"error": type(obj).__name__, "message": "An internal error occurred"}
    if isinstance(obj, (set, frozenset, deque)):
        return list(obj)
    if isinstance(obj, (datetime.timezone, ZoneInfo)):
        return obj.tzname(None)
    if isinstance(obj, datetime.timedelta):
        return obj.total_seconds()
    if isinstance(obj, Decimal):
        if not obj.is_finite() or int(obj.as_tuple().exponent) < 0:
            return float(obj)
        return int(obj)
    if isinstance(obj, (uuid.UUID, IPv4Address, IPv4Interface, IPv4Network, IPv6Address,
                        IPv6Interface, IPv6Network, Path)):
        return str(obj)
    if isinstance(obj, Pattern):
        return obj.pattern
    if isinstance(obj, (bytes, bytearray)):
        return b64encode(obj).decode()
    return None


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _sanitise(o: Any) -> Any:
    """``langgraph_api.serde._sanitise``: lone surrogates become ``?``."""
    if isinstance(o, str):
        return _SURROGATE.sub("?", o)
    if isinstance(o, Mapping):
        return {_sanitise(k): _sanitise(v) for k, v in o.items()}
    if isinstance(o, (list, tuple, set)):
        fields = getattr(o, "_fields", None)
        if isinstance(o, tuple) and hasattr(o, "_asdict") and isinstance(fields, tuple):
            return {f: _sanitise(v) for f, v in zip(fields, o, strict=True)}
        ctor = list if isinstance(o, list) else type(o)
        return ctor(_sanitise(x) for x in o)
    return o


def _plain(obj: Any, depth: int = 0) -> Any:
    """Without orjson: the same JSON shapes by hand (orjson's native types, then ``_default``)."""
    if depth > 254:
        raise TypeError("Recursion limit reached")
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    if isinstance(obj, str):
        return _SURROGATE.sub("?", obj)
    if isinstance(obj, dict):
        return {_key(k): _plain(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list) or type(obj) is tuple:
        return [_plain(v, depth + 1) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return _plain(obj.value, depth + 1)
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, uuid.UUID):
        return str(obj)
    return _plain(_default(obj), depth + 1)


def _key(key: Any) -> str:
    """orjson's ``OPT_NON_STR_KEYS``."""
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, enum.Enum):
        return _key(key.value)
    if isinstance(key, (datetime.datetime, datetime.date, datetime.time)):
        return key.isoformat()
    return str(key)
