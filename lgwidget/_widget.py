"""RunWidget: a live, per-node view of one LangGraph run (traits and transport; no HTTP)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t
from httpx_sse import ServerSentEvent

from . import _model
from ._client import Client, build_payload, decode_error, public_url, redact, resolve_url
from ._errors import LGWidgetError
from ._parts import StreamPart
from ._transport import Transport

_STATIC = Path(__file__).parent / "static"

#: What ``status`` can be.
STATUSES = ("idle", "running", "done", "error", "interrupted", "cancelled")


class RunWidget(anywidget.AnyWidget):
    """A LangGraph stateless run, streamed live into a collapsible per-node view.

    >>> w = RunWidget("agent", {"messages": [{"role": "user", "content": "hi"}]})
    >>> w                    # display it, then
    >>> await w.run()        # stream the run; the view fills in as chunks arrive
    >>> w.status, w.updates, w.by_node()

    The arguments are those of ``client.runs.stream(None, assistant_id, ...)`` in the SDK;
    ``url`` and ``api_key`` default as for :class:`lgwidget.Client`. The API key stays in
    Python: it is never a synced trait, a message, or part of the saved notebook.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    assistant_id = t.Unicode("").tag(sync=True)
    url = t.Unicode("").tag(sync=True)
    stream_mode = t.List(t.Unicode()).tag(sync=True)
    status = t.Enum(STATUSES, "idle").tag(sync=True)
    run_id = t.Unicode(None, allow_none=True).tag(sync=True)
    #: The run's error as ``{"error": type, "message": text}``: an ``error`` event from the
    #: server, or a failure to reach it or to read its stream.
    error = t.Dict(None, allow_none=True).tag(sync=True)
    started_at = t.Float(None, allow_none=True).tag(sync=True)
    ended_at = t.Float(None, allow_none=True).tag(sync=True)
    chunk_count = t.Int(0).tag(sync=True)
    byte_count = t.Int(0).tag(sync=True)
    #: Every batch sent so far, compressed (see ``_transport``): what a late view or a
    #: saved notebook renders from.
    snapshot = t.List(t.Bytes()).tag(sync=True)
    #: Finds the front end's store of this widget's chunks again from any view of it.
    _store_key = t.Unicode().tag(sync=True)

    def __init__(
        self,
        assistant_id: str,
        input: Any = None,
        *,
        url: str | None = None,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        stream_mode: str | list[str] = "updates",
        **params: Any,
    ) -> None:
        payload = build_payload(assistant_id, input, stream_mode, params)
        modes = [stream_mode] if isinstance(stream_mode, str) else list(stream_mode)
        super().__init__(assistant_id=assistant_id, url=public_url(resolve_url(url)),
                         stream_mode=modes, _store_key=uuid.uuid4().hex)
        self._payload = payload
        self._client_args = {"url": url, "api_key": api_key, "headers": headers}
        self._source: Callable[[], AsyncIterable[Any]] | None = None
        self.chunks: list[StreamPart] = []
        self.exception: BaseException | None = None
        self._transport: Transport | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop_requested = False
        self._displays: list[Any] = []
        self.on_msg(self._on_front_end_msg)

    @classmethod
    def from_stream(cls, parts: AsyncIterable[Any], *, assistant_id: str = "") -> RunWidget:
        """A widget for any async iterable of SDK stream parts, for example
        ``RunWidget.from_stream(client.runs.stream(None, "agent", input=...))``;
        ``await w.run()`` consumes it."""
        widget = cls(assistant_id or "stream", url="")
        widget.url = ""
        widget._source = lambda: parts  # one stream: a second run() has nothing left to read
        return widget

    @classmethod
    def from_graph(
        cls,
        graph: Any,
        input: Any = None,
        *,
        stream_mode: str | list[str] = "updates",
        subgraphs: bool = False,
        config: Mapping[str, Any] | None = None,
        context: Any = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        name: str | None = None,
    ) -> RunWidget:
        """A widget for a graph in this process (no server): ``graph.astream(...)`` with the
        same event names and data shapes as the Agent Server's stateless run, so the view and
        ``w.chunks`` read the same. Needs ``langgraph``; ``subgraphs`` is ``stream_subgraphs``.
        """
        from ._graph import graph_parts

        options = {"stream_mode": stream_mode, "subgraphs": subgraphs, "config": config,
                   "context": context, "interrupt_before": interrupt_before,
                   "interrupt_after": interrupt_after}
        first = graph_parts(graph, input, **options)  # bad arguments fail here
        widget = cls.from_stream(first, assistant_id=name or getattr(graph, "name", None) or "graph")
        widget.stream_mode = [stream_mode] if isinstance(stream_mode, str) else list(stream_mode)
        pending = [first]
        widget._source = lambda: pending.pop() if pending else graph_parts(graph, input, **options)
        return widget

    # -- what the run produced ---------------------------------------------------------------

    @property
    def updates(self) -> list[_model.Update]:
        """Every node update, in order: ``Update(node, data, namespace)``."""
        return _model.updates(self.chunks)

    def by_node(self) -> dict[str, list[Any]]:
        """The updates of each node, in order, keyed by node name."""
        return _model.by_node(self.chunks)

    @property
    def interrupts(self) -> list[Any]:
        """The ``__interrupt__`` values the run stopped on."""
        return _model.interrupts(self.chunks)

    @property
    def final_state(self) -> Any:
        """The last state streamed with ``stream_mode="values"`` (None without that mode)."""
        return _model.final_state(self.chunks)

    @property
    def elapsed(self) -> float | None:
        """Seconds from the start of the run to its end (or to now, while it runs)."""
        if self.started_at is None:
            return None
        return (self.ended_at or time.time()) - self.started_at

    def summary(self) -> str:
        return _model.summary(assistant_id=self.assistant_id, status=self.status,
                              chunks=self.chunks, run_id=self.run_id, error=self.error,
                              elapsed=self.elapsed)

    def __repr__(self) -> str:
        return self.summary()

    def _ipython_display_(self, **kwargs: Any) -> None:
        """Display with a display id, so the end of the run can refresh the output's text/plain
        summary: what a notebook viewer or an export without widgets shows of the run."""
        from IPython.display import display

        data, metadata = self._repr_mimebundle_()
        self._displays.append(display(data, metadata=metadata, raw=True, display_id=True))

    def _refresh_displays(self) -> None:
        if not self._displays:
            return
        data, metadata = self._repr_mimebundle_()
        for handle in self._displays:
            handle.update(data, metadata=metadata, raw=True)

    # -- running ---------------------------------------------------------------------------

    async def run(self) -> RunWidget:
        """Stream the run into the widget and return the widget when it ends.

        A failure does not raise: ``status`` becomes ``"error"``, ``error`` says why, and all
        chunks received stay in ``chunks`` and in the view. :meth:`cancel` (or the Stop button)
        ends it with status ``"cancelled"``.
        """
        if self.status == "running":
            raise RuntimeError("this run is already running; make a new RunWidget to run again")
        self._stop_requested = False
        self._task = asyncio.ensure_future(self._consume())
        try:
            await self._task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._stop_requested or (current is not None and current.cancelling()):
                raise
        return self

    def run_sync(self) -> RunWidget:
        """Run to the end from synchronous code: a script, or a cell without ``await``."""
        from ._runner import run_blocking

        return run_blocking(self)

    def start(self) -> asyncio.Task[RunWidget]:
        """Run in the background of the kernel's event loop: the cell returns at once, the view
        keeps updating, and :meth:`cancel` or the Stop button ends it."""
        from ._runner import start

        return start(self)

    def cancel(self) -> None:
        """Stop the run (from any thread); what was received stays."""
        self._stop_requested = True
        task = self._task
        if task is not None and not task.done():
            task.get_loop().call_soon_threadsafe(task.cancel)

    async def _consume(self) -> None:
        self.chunks = []
        self.exception = None
        transport = self._transport = Transport(self._send_batch, self._publish_snapshot)
        transport.start()
        start = time.monotonic()
        with self.hold_sync():
            self.started_at, self.ended_at = time.time(), None
            self.chunk_count = self.byte_count = 0
            self.snapshot = []
            self.run_id = self.error = None
            self.status = "running"
        status, nbytes, interrupted = "done", 0, False
        chunks = self.chunks
        # The per-chunk path is flat and local-bound: bench/bench_widget.py holds it to the
        # speed of a bare httpx-sse loop.
        loads, make, add, monotonic = json.loads, tuple.__new__, transport.add, time.monotonic
        try:
            async with contextlib.AsyncExitStack() as stack:
                secrets: tuple[str, ...] = ()
                if self._source is not None:
                    url, events = "the stream", _as_events(self._source())
                else:
                    client = await stack.enter_async_context(Client(**self._client_args))
                    url, events = f"{client.url}/runs/stream", client.events(self._payload)
                    secrets = client.secrets
                # Closed here whatever ends the loop (a bad event included), not left to the GC.
                events = await stack.enter_async_context(contextlib.aclosing(events))
                async for sse in events:
                    raw, event = sse.data, sse.event
                    if secrets:  # a server that echoes a credential must not put it on screen
                        raw = redact(raw, secrets)
                    try:
                        data = loads(raw) if raw else None
                    except ValueError:
                        raise decode_error(raw, event, url) from None
                    chunks.append(make(StreamPart, (event, data, sse.id or None)))
                    nbytes += len(raw)
                    add(event, raw, int((monotonic() - start) * 1000))
                    if event == "metadata" and self.run_id is None and isinstance(data, dict):
                        self.run_id = data.get("run_id")
                    elif event == "error":
                        self.error = _error_event(data)
                    elif isinstance(data, dict) and "__interrupt__" in data:
                        interrupted = True  # in updates and values modes alike
        except asyncio.CancelledError:
            status = "cancelled"
            raise
        except LGWidgetError as exc:
            self.exception = exc
            self.error = {"error": type(exc).__name__, "message": str(exc)}
        except Exception as exc:
            # A bug or an unexpected failure: shown in the widget, and raised for the traceback.
            self.exception = exc
            self.error = {"error": type(exc).__name__, "message": str(exc)}
            raise
        finally:
            if status != "cancelled":
                status = "error" if self.error else "interrupted" if interrupted else "done"
            blobs = await _shielded(transport.close())
            with self.hold_sync():
                self.snapshot = blobs
                self.chunk_count = len(chunks)
                self.byte_count = nbytes
                self.ended_at = time.time()
                self.status = status
            self._refresh_displays()

    # -- the front end -----------------------------------------------------------------------

    def _send_batch(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        self.send(content, buffers)

    def _publish_snapshot(self, blobs: list[bytes]) -> None:
        self.snapshot = blobs

    def _on_front_end_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "stop":
            self.cancel()
        elif kind == "sync" and self._transport is not None:
            self._transport.resend(int(content.get("have", 0)))


def _error_event(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        return {"error": str(data.get("error", "Error")), "message": str(data.get("message", ""))}
    return {"error": "Error", "message": str(data)}


async def _as_events(parts: AsyncIterable[Any]) -> AsyncIterator[ServerSentEvent]:
    """SDK stream parts as the events the server sent: the widget reads both alike."""
    async for part in parts:
        event, data, id_ = _unpack(part)
        yield ServerSentEvent(event=event, data=_dumps(data), id=id_ or "")


def _unpack(part: Any) -> tuple[str, Any, str | None]:
    """An SDK StreamPart, a dict with event/data, or any (event, data[, id]) tuple."""
    if isinstance(part, Mapping):
        return str(part.get("event")), part.get("data"), part.get("id")
    event, data, *rest = part
    return str(event), data, (rest[0] if rest else None)


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


async def _shielded(awaitable: Any) -> Any:
    """Finish the transport even when the run was cancelled, so nothing received is lost."""
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        return await task
