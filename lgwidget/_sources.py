"""Where a run's chunks come from: an Agent Server, an SDK stream handed over, or a graph run in
this process. Each source opens as an async iterator of :class:`StreamPart` s and hands the
widget each one's JSON text (``tap``) for the browser: a server's events through the one decode
loop (``_decode.decode``, the text as it came), parts that come decoded with their text made
once (``_decode.dumps``).

    async with source.open(tap) as parts:
        async for part in parts: ...
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Mapping
from typing import Any, Protocol

from ._client import Client, public_url, resolve_url
from ._decode import Tap, decode, dumps
from ._parts import StreamPart
from ._request import RunRequest

Parts = contextlib.AbstractAsyncContextManager[AsyncIterator[StreamPart]]


class Source(Protocol):
    """What a widget runs: ``url`` is shown in the view ("" when there is no server);
    ``exception`` is what ended the last run in this process, if anything did."""

    url: str
    exception: BaseException | None

    def open(self, tap: Tap | None = None) -> Parts: ...


class ServerSource:
    """A run on an Agent Server, one client (one connection pool) per run. Failures on the
    server are ``error`` events, not exceptions."""

    exception: BaseException | None = None

    def __init__(self, request: RunRequest, url: str | None = None, *, api_key: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        self.request = request
        self.url = public_url(resolve_url(url))  # a bad URL fails here, not at run()
        self._client_args: dict[str, Any] = {"url": url, "api_key": api_key, "headers": headers}

    def client(self) -> Client:
        """A client of this server, for one run or one request; the caller closes it."""
        return Client(**self._client_args)

    @contextlib.asynccontextmanager
    async def open(self, tap: Tap | None = None) -> AsyncIterator[AsyncIterator[StreamPart]]:
        request = self.request
        async with self.client() as client, contextlib.aclosing(
            decode(client.events(request), client.endpoint(request), client.secrets, tap)
        ) as parts:
            yield parts


class StreamSource:
    """Parts from elsewhere: an SDK ``client.runs.stream(...)``, or any async iterable of
    ``StreamPart`` s, dicts with event/data, or (event, data[, id]) tuples. ``factory`` makes
    the iterable for each run."""

    url = ""

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self.exception: BaseException | None = None

    @contextlib.asynccontextmanager
    async def open(self, tap: Tap | None = None) -> AsyncIterator[AsyncIterator[StreamPart]]:
        self.exception = None
        async with contextlib.aclosing(_decoded(self._factory(), tap)) as parts:
            yield parts


#: The parameters a graph run in this process can honour; ``on_disconnect`` has no meaning
#: there (closing the stream stops the graph) and is ignored.
GRAPH_PARAMS = ("config", "context", "interrupt_before", "interrupt_after", "stream_subgraphs")


def graph_source(graph: Any, request: RunRequest) -> StreamSource:
    """``graph.astream`` in this process, shaped as the server's stream for ``request``, except
    that a failure says all it can (the message, the node, the traceback) and is kept as the
    source's ``exception``. Bad arguments raise here (``TypeError``, ``ValueError``), not when
    the run starts."""
    from ._graph import graph_parts

    server_only = sorted(set(request.params()) - {*GRAPH_PARAMS, "on_disconnect"})
    if server_only:
        raise TypeError(f"{server_only[0]!r} is for a server run; a graph run in this process "
                        f"takes {', '.join(GRAPH_PARAMS)}")
    options = {name: getattr(request, name) for name in GRAPH_PARAMS}
    options["subgraphs"] = bool(options.pop("stream_subgraphs"))

    def parts() -> AsyncIterator[StreamPart]:
        return graph_parts(graph, request.input, stream_mode=request.stream_mode,
                           on_error=failed, **options)

    def failed(exc: BaseException) -> None:
        source.exception = exc

    pending = [parts()]  # made now, so that bad arguments fail at once
    source = StreamSource(lambda: pending.pop() if pending else parts())
    return source


async def _decoded(parts: AsyncIterable[Any], tap: Tap | None) -> AsyncGenerator[StreamPart, None]:
    """Parts that came decoded, as StreamParts; the browser gets each one's JSON text (tap),
    made once. No credential was sent, so there is nothing to redact."""
    make = tuple.__new__
    async for part in parts:
        event, data, id_ = _unpack(part)
        if tap is not None:
            tap(event, dumps(data))
        yield make(StreamPart, (event, data, id_))


def _unpack(part: Any) -> tuple[str, Any, str | None]:
    """An SDK StreamPart, a dict with event/data, or any (event, data[, id]) tuple."""
    if isinstance(part, Mapping):
        return str(part.get("event")), part.get("data"), part.get("id")
    event, data, *rest = part
    return str(event), data, (rest[0] if rest else None)
