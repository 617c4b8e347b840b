"""RunWidget: a live, per-node view of one LangGraph run (traits and transport; no HTTP)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import _diagram, _model, _protocol, _runfile
from ._decode import dumps
from ._errors import LGWidgetError
from ._parts import StreamPart
from ._request import RunRequest
from ._sources import ServerSource, Source, StreamSource, graph_source
from ._transport import Transport, decode_batch, encode_run

_STATIC = Path(__file__).parent / "static"

#: Seconds a run that ended well waits for its graph's diagram before it gives it up (the
#: request went out when the run started: it has almost always come by then).
GRAPH_GRACE = 5.0
#: What ``status`` can be.
STATUSES = ("idle", "running", "done", "error", "interrupted", "cancelled")


class RunWidget(anywidget.AnyWidget):
    """A LangGraph run, streamed live into a collapsible per-node view.

    >>> w = RunWidget("agent", {"messages": [{"role": "user", "content": "hi"}]})
    >>> w                    # display it, then
    >>> await w.run()        # stream the run; the view fills in as chunks arrive
    >>> w.status, w.updates, w.by_node()

    Arguments, those of the SDK's ``client.runs.stream(None, assistant_id, ...)``:

    assistant_id
        A graph name (``"agent"``) or an assistant id.
    input
        The run's input, e.g. ``{"messages": [...]}``.
    url
        The Agent Server; default ``$LANGGRAPH_API_URL``, else ``http://127.0.0.1:2024``.
    api_key
        Sent as ``x-api-key``; default ``$LANGGRAPH_API_KEY``, ``$LANGSMITH_API_KEY``,
        ``$LANGCHAIN_API_KEY``. It stays in Python: never a synced trait, a message to the
        browser, or part of the saved notebook.
    headers
        More HTTP headers (credential-like ones are redacted wherever they would show).
    **params
        ``stream_mode``: ``"updates"`` (default), ``"values"``, ``"messages-tuple"``,
        ``"messages"``, ``"custom"``, ``"debug"``, ``"tasks"``, ``"events"``, or a list of
        them; and any other parameter of the SDK's run (config, context, metadata, command,
        stream_subgraphs, interrupt_before, interrupt_after, ...); ``on_disconnect`` defaults
        to ``"cancel"``. An unknown name raises ``TypeError``.

    Other sources: :meth:`from_graph` (a graph in this process) and :meth:`from_stream` (an SDK
    stream handed over).

    What the run produced (filled in live):

    chunks
        Every :class:`~lgwidget.StreamPart` received, in order.
    status
        ``"idle"``, ``"running"``, ``"done"``, ``"error"``, ``"interrupted"``, ``"cancelled"``.
    error
        ``{"error": type, "message": text}`` of an ``error`` event or a failure, with
        ``"node"`` when the stream says which node raised (an in-process run, or ``tasks`` /
        ``debug`` modes on a server), else None.
    exception
        The exception that ended the run (a failure to connect or to read, or the exception a
        graph run in this process raised), else None.
    request
        The run's parameters, with the SDK's names (``w.request.input``, ``.config``, ...).
    run_id, started_at, ended_at, elapsed
        The server's run id; start and end as Unix times; seconds run.
    updates, by_node(), interrupts, final_state
        What the chunks mean: node updates, grouped by node, interrupts, the last state.
    chunk_count, byte_count
        Chunks and bytes of JSON received (synced to the view).
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
    error = t.Dict(default_value=None, allow_none=True).tag(sync=True)
    started_at = t.Float(None, allow_none=True).tag(sync=True)
    ended_at = t.Float(None, allow_none=True).tag(sync=True)
    chunk_count = t.Int(0).tag(sync=True)
    byte_count = t.Int(0).tag(sync=True)
    #: Every batch sent so far, compressed (see ``_transport``): what a late view or a
    #: saved notebook renders from.
    snapshot = t.List(t.Bytes()).tag(sync=True)
    #: The graph's diagram, ``{"nodes": [...], "edges": [...]}`` (see ``_diagram``): fetched
    #: from the server at the start of a run, drawn in this process for ``from_graph``.
    graph = t.Dict(default_value=None, allow_none=True).tag(sync=True)
    #: Why there is no diagram, in one line ("" when there is one, or it is still coming).
    graph_note = t.Unicode("").tag(sync=True)
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
        **params: Any,
    ) -> None:
        request = RunRequest.make(assistant_id, input, **params)
        self._init(ServerSource(request, url, api_key=api_key, headers=headers), request)

    def _init(self, source: Source, request: RunRequest) -> None:
        super().__init__(assistant_id=request.assistant_id, url=source.url,
                         stream_mode=request.stream_modes, _store_key=uuid.uuid4().hex)
        self._source = source
        #: The run's parameters (``RunRequest``: assistant_id, input, stream_mode, config, ...).
        self.request = request
        self.chunks: list[StreamPart] = []
        self.exception: BaseException | None = None
        self._transport: Transport | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop_requested = False
        self._displays: list[Any] = []
        self._displayed_in: object = None
        self.on_msg(self._on_front_end_msg)

    @classmethod
    def _with_source(cls, source: Source, request: RunRequest) -> RunWidget:
        widget = cls.__new__(cls)
        widget._init(source, request)
        return widget

    @classmethod
    def from_stream(cls, parts: AsyncIterable[Any], *, assistant_id: str = "") -> RunWidget:
        """A widget for any async iterable of SDK stream parts, for example
        ``RunWidget.from_stream(client.runs.stream(None, "agent", input=...))``;
        ``await w.run()`` consumes it (once: a second run has nothing left to read)."""
        request = RunRequest.make(assistant_id or "stream", stream_mode=[])
        widget = cls._with_source(StreamSource(lambda: parts), request)
        widget.graph_note = _diagram.NO_GRAPH
        return widget

    @classmethod
    def from_graph(
        cls,
        graph: Any,
        input: Any = None,
        *,
        subgraphs: bool = False,
        name: str | None = None,
        **params: Any,
    ) -> RunWidget:
        """A widget for a graph in this process (no server): ``graph.astream(...)`` with the
        same event names and data shapes as the Agent Server's stateless run, so the view and
        ``w.chunks`` read the same. Needs ``langgraph``. ``subgraphs`` is
        ``stream_subgraphs``; ``params`` are stream_mode, config, context, interrupt_before
        and interrupt_after (the others only mean something to a server: ``TypeError``).
        """
        if subgraphs:
            params["stream_subgraphs"] = True
        request = RunRequest.make(name or getattr(graph, "name", None) or "graph", input,
                                  **params)
        widget = cls._with_source(graph_source(graph, request), request)
        try:
            widget.graph = _diagram.of_graph(graph, xray=subgraphs)
        except Exception as exc:  # a graph that cannot draw itself still runs
            widget.graph_note = _diagram.note(exc)
        return widget

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RunWidget:
        """A run saved with :meth:`save`, shown again with no server: the same view and the
        same Python API (``chunks``, ``status``, ``updates``, ...). ``run()`` replays it."""
        header, parts, times = _runfile.read(path)
        request = RunRequest.make(header.get("assistant_id") or "run",
                                  stream_mode=header.get("stream_mode") or [])
        widget = cls._with_source(StreamSource(lambda: _replay(parts)), request)
        raws = [dumps(data) for _, data, _ in parts]
        with widget.hold_sync():
            widget.chunks = parts
            widget.snapshot = encode_run([p.event for p in parts], times, raws)
            widget.chunk_count = len(parts)
            for name in _runfile.HEADER_FIELDS:
                if header.get(name) is not None:
                    setattr(widget, name, header[name])
        return widget

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the run to ``path`` as JSON Lines: a header (assistant, public URL, stream
        modes, run id, status, times), then one ``StreamPart`` per line with its time.
        :meth:`load` shows it again. Credentials are not in it."""
        times = [t for blob in self.snapshot for t in decode_batch(blob)[2]][: len(self.chunks)]
        times += [times[-1] if times else 0] * (len(self.chunks) - len(times))
        header = {name: getattr(self, name) for name in _runfile.HEADER_FIELDS}
        return _runfile.write(path, header, self.chunks, times)

    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write one self-contained HTML file that shows the run in any browser, with no
        network, no kernel and no Jupyter: for sharing a run with someone who has no notebook."""
        state = {name: getattr(self, name) for name in (*_runfile.HEADER_FIELDS, "chunk_count",
                                                        "_store_key")}
        title = f"{self.assistant_id} run {self.run_id or ''}".strip()
        target = Path(path)
        target.write_text(_runfile.page(state, list(self.snapshot), title), encoding="utf-8")
        return target

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
        """The interrupts the run stopped on, ``{"value": ..., "id": ...}`` each, whichever
        stream modes carried them."""
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
        summary: what a notebook viewer or an export without widgets shows of the run.

        Once per cell: ``display(w); await w.run()`` shows one view, although ``run()``
        returns the widget and a cell displays its value."""
        from IPython.display import display

        cell = _current_cell()
        if cell is not None and cell == self._displayed_in:
            return
        self._displayed_in = cell
        data, metadata = self._mimebundle()
        self._displays.append(display(data, metadata=metadata, raw=True, display_id=True))

    def _mimebundle(self) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = self._repr_mimebundle_()
        assert bundle is not None  # anywidget always has a view to offer
        return bundle

    def _refresh_displays(self) -> None:
        if not self._displays:
            return
        data, metadata = self._mimebundle()
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
            if not self._stop_requested or (current is not None and _cancelling(current)):
                raise
        return self

    def run_sync(self) -> RunWidget:
        """Run to the end from synchronous code: a script, or a cell without ``await``."""
        from ._runner import run_blocking

        run_blocking(self.run, self.cancel)
        return self

    def start(self) -> asyncio.Task[RunWidget]:
        """Run in the background of the kernel's event loop: the cell returns at once, the view
        keeps updating, and :meth:`cancel` or the Stop button ends it."""
        from ._runner import start

        return start(self.run)

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
        with self.hold_sync():
            self.started_at, self.ended_at = time.time(), None
            self.chunk_count = self.byte_count = 0
            self.snapshot = []
            self.run_id = None
            self.error = None  # type: ignore[assignment]  # traitlets types Dict as never None
            self.status = "running"
        fetching: asyncio.Task[None] | None = None  # the graph's diagram, once the run started
        status = "done"
        chunks = self.chunks
        try:
            async with self._source.open(transport.add) as parts:
                # The per-chunk path is flat: bench/ holds it to the speed of a bare loop.
                async for part in parts:
                    chunks.append(part)
                    event, data = part[0], part[1]
                    if event == "metadata" and self.run_id is None and isinstance(data, dict):
                        self.run_id = data.get("run_id")
                        fetching = fetching or self._fetch_graph()
                    elif event == "error":
                        self.error = _error_event(data)
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
            if self.exception is None:
                self.exception = self._source.exception  # a graph in this process that raised
            if self.error is not None and "node" not in self.error:
                node = _model.failed_node(chunks)  # the stream says which, with tasks or debug
                if node is not None:
                    self.error = {**self.error, "node": node}
            if status != "cancelled":
                status = ("error" if self.error else
                          "interrupted" if _model.interrupted(chunks) else "done")
            if fetching is not None:
                # A run that was stopped, or that the server failed, does not wait for it.
                healthy = status != "cancelled" and self.exception is None
                await _shielded(_settle(fetching, GRAPH_GRACE if healthy else 0))
            blobs = await _shielded(transport.close())
            with self.hold_sync():
                self.snapshot = blobs
                self.chunk_count = len(chunks)
                self.byte_count = transport.bytes_added
                self.ended_at = time.time()
                self.status = status
            self._refresh_displays()

    def _fetch_graph(self) -> asyncio.Task[None] | None:
        """A server run's diagram, fetched once, beside the run (with xray when subgraphs
        stream: their nodes light up) when the server has accepted it. A failure is a
        one-line note, never a failed run."""
        source = self._source
        if self.graph is not None or self.graph_note or not isinstance(source, ServerSource):
            return None
        xray = bool(self.request.stream_subgraphs)

        async def fetch() -> None:
            try:
                async with source.client() as client:
                    self.graph = await _diagram.fetch(client, self.assistant_id, xray=xray)
            except Exception as exc:
                self.graph_note = _diagram.note(exc)

        return asyncio.ensure_future(fetch())

    # -- the front end -----------------------------------------------------------------------

    def _send_batch(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        self.send(content, buffers)

    def _publish_snapshot(self, blobs: list[bytes]) -> None:
        self.snapshot = blobs

    def _on_front_end_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == _protocol.STOP:
            self.cancel()
        elif kind == _protocol.SYNC and self._transport is not None:
            self._transport.resend(int(content.get("have", 0)))


def _error_event(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        error = {"error": str(data.get("error", "Error")), "message": str(data.get("message", ""))}
        if isinstance(data.get("node"), str):
            error["node"] = data["node"]
        return error
    return {"error": "Error", "message": str(data)}


async def _settle(task: asyncio.Task[None], wait: float) -> None:
    """Give a task ``wait`` seconds more to finish, then cancel it; never raises."""
    if wait:
        await asyncio.wait([task], timeout=wait)
    if not task.done():
        task.cancel()
        await asyncio.wait([task])


async def _shielded(awaitable: Any) -> Any:
    """Finish the transport even when the run was cancelled, so nothing received is lost."""
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        return await task


def _current_cell() -> object:
    """Something that tells the cell being run from any other: the id of the kernel's execute
    request, else IPython's execution count; None outside IPython."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return None
    kernel = getattr(shell, "kernel", None)
    parent = kernel.get_parent() if kernel is not None and hasattr(kernel, "get_parent") else {}
    msg_id = (parent or {}).get("header", {}).get("msg_id")
    return msg_id or ("count", shell.execution_count)


def _cancelling(task: asyncio.Task[Any]) -> int:
    """Cancellation requests pending on ``task`` (``Task.cancelling``, Python 3.11+; before it,
    a cancel of the caller cannot be told from the Stop button's, and counts as the caller's)."""
    cancelling = getattr(task, "cancelling", None)
    return cancelling() if cancelling is not None else 1


async def _replay(parts: list[StreamPart]) -> AsyncIterator[StreamPart]:
    for part in parts:
        yield part
