"""The one decode loop: a source's raw events to :class:`StreamPart` s, credentials redacted.

A server's events are ``(event, data, id)`` with ``data`` the JSON text as it came.
``lgwidget.stream`` and the widget read them through :func:`decode`, so both redact and fail
alike. Parts that come already decoded (an SDK stream, a graph in this process) only need
their text for the browser: :func:`dumps`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any

from ._errors import ProtocolError
from ._parts import StreamPart

_fast_loads: Callable[[str], Any]
_fast_dumps: Callable[[Any], str] | None
try:  # orjson comes with langgraph-sdk and langsmith; it parses 1 KB events about 2x faster.
    import orjson

    _fast_loads = orjson.loads

    def _fast_dumps(data: Any) -> str:
        return orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
except ImportError:  # pragma: no cover - PyPy, or a stripped environment
    _fast_loads, _fast_dumps = json.loads, None

#: One raw event: its name, its data as JSON text, its id (None when absent).
RawEvent = tuple[str, str, "str | None"]
#: Called with each event's name and (redacted) JSON text, before its part is yielded.
Tap = Callable[[str, str], None]


async def decode(
    events: AsyncGenerator[RawEvent, None],
    where: str,
    secrets: tuple[str, ...] = (),
    tap: Tap | None = None,
) -> AsyncGenerator[StreamPart, None]:
    """Each event as a :class:`StreamPart`; data that is not JSON raises :class:`ProtocolError`
    naming the event and ``where`` it came from."""
    # The per-event path is kept flat and local-bound: bench/ holds it to the speed of a bare
    # httpx-sse + json.loads loop. tuple.__new__ skips StreamPart's Python-level __new__.
    fast, make = _fast_loads, tuple.__new__
    # The source is closed here whatever ends the loop (a bad event, a consumer that stops),
    # not left to the garbage collector: closing it is what ends the HTTP request.
    async with aclosing(events):
        async for event, raw, id_ in events:
            if secrets:  # a server that echoes a credential must not put it on screen
                raw = redact(raw, secrets)
            try:
                data = fast(raw) if raw else None
            except ValueError:
                try:
                    data = json.loads(raw)
                except ValueError as exc:
                    raise decode_error(raw, event, where, exc) from None
            if tap is not None:
                tap(event, raw)
            yield make(StreamPart, (event, data, id_))


def dumps(data: Any) -> str:
    """Data as compact JSON text, as a server sends it (an object JSON has no word for, as its
    ``str``): the text the browser gets of a part that came already decoded."""
    if _fast_dumps is not None:
        try:
            return _fast_dumps(data)
        except TypeError:  # e.g. an integer past 64 bits, which json writes
            pass
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every credential replaced by ``***``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def decode_error(data: str, event: str, where: str, reason: Exception) -> ProtocolError:
    """The error for an event whose data is not JSON, naming the event and the reason."""
    return ProtocolError(
        f"event {event!r} from {where} has data that is not JSON ({reason}): {excerpt(data)}",
        url=where if "://" in where else None,
    )


def excerpt(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut at ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
