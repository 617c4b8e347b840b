"""Where a run's chunks come from: an Agent Server, an SDK stream handed over, or a graph run in
this process. Each source opens as an async iterator of :class:`StreamPart` s and hands the
widget each one's JSON text (``tap``) for the browser: a server's events through the one decode
loop (``_decode.decode``, the text as it came), parts that come decoded with their text made
once (``_decode.dumps``).

    async with source.open(request, tap) as parts:
        async for part in parts: ...
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Mapping
from typing import Any, Protocol

from ._client import Client, public_url, resolve_url
from ._decode import Tap, decode, dumps
from ._parts import StreamPart
from ._request import RunRequest

Parts = contextlib.AbstractAsyncContextManager[AsyncIterator[StreamPart]]


class Source(Protocol):
    """What a widget runs: ``url`` is shown in the view ("" when there is no server);
    ``exception`` is what ended the last run in this process, if anything did; ``threads``
    says whether it can run on a thread (and so be resumed)."""

    url: str
    exception: BaseException | None
    threads: bool

    def open(self, request: RunRequest, tap: Tap | None = None) -> Parts: ...

    async def start_thread(self, thread: str | bool) -> str: ...

    async def history(self, thread_id: str, limit: int) -> list[dict[str, Any]]: ...


class ServerSource:
    """Runs on an Agent Server, one client (one connection pool) per call. Failures on the
    server are ``error`` events, not exceptions."""

    exception: BaseException | None = None
    threads = True

    def __init__(self, url: str | None = None, *, api_key: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        self.url = public_url(resolve_url(url))  # a bad URL fails here, not at run()
        self._client_args: dict[str, Any] = {"url": url, "api_key": api_key, "headers": headers}

    def client(self) -> Client:
        """A client of this server, for one run or one request; the caller closes it."""
        return Client(**self._client_args)

    @contextlib.asynccontextmanager
    async def open(self, request: RunRequest,
                   tap: Tap | None = None) -> AsyncIterator[AsyncIterator[StreamPart]]:
        async with self.client() as client, contextlib.aclosing(
            decode(client.events(request), client.endpoint(request), client.secrets, tap)
        ) as parts:
            yield parts

    async def start_thread(self, thread: str | bool) -> str:
        """``thread`` itself when it is an id, else a new thread's (``POST /threads``)."""
        if isinstance(thread, str):
            return thread
        async with self.client() as client:
            return str((await client.create_thread())["thread_id"])

    async def history(self, thread_id: str, limit: int) -> list[dict[str, Any]]:
        async with self.client() as client:
            return await client.get_history(thread_id, limit=limit)

    async def capacity(self) -> int:
        """How many runs the server runs at once (``workers.max`` of ``/metrics``)."""
        async with self.client() as client:
            return int((await client.metrics())["workers"]["max"])


class StreamSource:
    """Parts from elsewhere: an SDK ``client.runs.stream(...)``, or any async iterable of
    ``StreamPart`` s, dicts with event/data, or (event, data[, id]) tuples. ``factory`` makes
    the iterable for each run. No thread: what comes is what there is."""

    url = ""
    threads = False

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self.exception: BaseException | None = None

    @contextlib.asynccontextmanager
    async def open(self, request: RunRequest,
                   tap: Tap | None = None) -> AsyncIterator[AsyncIterator[StreamPart]]:
        self.exception = None
        async with contextlib.aclosing(_decoded(self._factory(), tap)) as parts:
            yield parts

    async def start_thread(self, thread: str | bool) -> str:
        raise ValueError("a stream handed over has no thread to run on")

    async def history(self, thread_id: str, limit: int) -> list[dict[str, Any]]:
        raise ValueError("a stream handed over has no thread history")


#: The parameters a graph run in this process can honour; ``on_disconnect`` has no meaning
#: there (closing the stream stops the graph) and is ignored.
GRAPH_PARAMS = ("config", "context", "interrupt_before", "interrupt_after", "stream_subgraphs",
                "thread_id", "command", "checkpoint_id")


class GraphSource:
    """``graph.astream`` in this process, shaped as the server's stream for a request, except
    that a failure says all it can (the message, the node, the traceback) and is kept as
    ``exception``. On a thread it runs with the graph's checkpointer, or with an in-memory one
    added (``note`` says so) when the graph has none. Bad arguments raise here
    (``TypeError``, ``ValueError``), not when the run starts."""

    url = ""
    threads = True

    def __init__(self, graph: Any, request: RunRequest, thread: str | bool | None = None) -> None:
        server_only = sorted(set(request.params()) - {*GRAPH_PARAMS, "on_disconnect"})
        if server_only:
            raise TypeError(f"{server_only[0]!r} is for a server run; a graph run in this "
                            f"process takes {', '.join(GRAPH_PARAMS)}")
        self.exception: BaseException | None = None
        #: Said in the view: what this source did that the user did not ask for.
        self.note = ""
        if thread:
            graph, self.note = _with_checkpointer(graph)
        self.graph = graph
        # Made now, so that bad arguments fail at once; used if the first run is this request.
        self._pending: tuple[RunRequest, AsyncIterator[StreamPart]] | None = (
            request, self._parts(request))

    def _parts(self, request: RunRequest) -> AsyncIterator[StreamPart]:
        from ._graph import graph_parts

        config = dict(request.config or {})
        if request.thread_id is not None:
            config["configurable"] = {**(config.get("configurable") or {}),
                                      "thread_id": request.thread_id}
            if request.checkpoint_id is not None:
                config["configurable"]["checkpoint_id"] = request.checkpoint_id
        run_input = request.input
        if request.command is not None:
            from langgraph.types import Command

            run_input = Command(**request.command)
        return graph_parts(self.graph, run_input, stream_mode=request.stream_mode,
                           subgraphs=bool(request.stream_subgraphs), config=config,
                           context=request.context, interrupt_before=request.interrupt_before,
                           interrupt_after=request.interrupt_after, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.exception = exc

    @contextlib.asynccontextmanager
    async def open(self, request: RunRequest,
                   tap: Tap | None = None) -> AsyncIterator[AsyncIterator[StreamPart]]:
        self.exception = None
        pending, self._pending = self._pending, None
        parts = pending[1] if pending and pending[0] == request else self._parts(request)
        async with contextlib.aclosing(_decoded(parts, tap)) as decoded:
            yield decoded

    async def start_thread(self, thread: str | bool) -> str:
        return thread if isinstance(thread, str) else str(uuid.uuid4())

    async def history(self, thread_id: str, limit: int) -> list[dict[str, Any]]:
        from ._graph import snapshot_json

        config = {"configurable": {"thread_id": thread_id}}
        return [snapshot_json(s) async for s in self.graph.aget_state_history(config, limit=limit)]


def _with_checkpointer(graph: Any) -> tuple[Any, str]:
    """The graph with a checkpointer, so that its runs can be resumed: its own, else an
    in-memory one (what ``langgraph dev`` gives every graph), and a note saying so."""
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import StateGraph

    if isinstance(graph, StateGraph):
        return graph.compile(checkpointer=InMemorySaver()), _IN_MEMORY
    if getattr(graph, "checkpointer", None) not in (None, False):
        return graph, ""
    return graph.copy(update={"checkpointer": InMemorySaver()}), _IN_MEMORY


_IN_MEMORY = ("the graph has no checkpointer: an in-memory one was added for this run "
              "(its threads last as long as this widget)")


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
