"""RunWidget: a live, per-node view of one LangGraph run (traits and transport; no HTTP)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import _answers, _diagram, _model, _protocol, _runfile, _stats, _trace
from ._decode import dumps
from ._errors import LGWidgetError
from ._parts import StreamPart
from ._request import RunRequest
from ._sources import GraphSource, ServerSource, Source, StreamSource
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
    thread
        ``True``: run on a new thread (``POST /threads``), so that an interrupt can be answered
        (:meth:`resume`, or the form in the view) and the thread's checkpoints read
        (:meth:`history`) and run again from (:meth:`rerun`); a thread id: run on that thread.
        Default: a stateless run, which cannot be resumed.
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
    thread_id
        The thread the run is on (None for a stateless run).
    sections
        One entry per run streamed into this view: the first run, then each resume and
        re-run, ``{"kind": "run"|"resume"|"rerun", "start": index of its first chunk, ...}``.
    run_id, started_at, ended_at, elapsed
        The server's run id; start and end as Unix times; seconds run.
    updates, by_node(), interrupts, final_state
        What the chunks mean: node updates, grouped by node, the interrupts waiting for an
        answer (of the last section), the last state.
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
    thread_id = t.Unicode(None, allow_none=True).tag(sync=True)
    sections = t.List(t.Dict()).tag(sync=True)
    #: Ids of the interrupts waiting for an answer, and of those answered in the view so far
    #: (several pending interrupts are resumed together, once all are answered).
    pending = t.List(t.Unicode()).tag(sync=True)
    answered = t.List(t.Unicode()).tag(sync=True)
    #: Why the kernel refused an answer from the view: ``{"id": ..., "message": ...}``.
    answer_error = t.Dict(default_value=None, allow_none=True).tag(sync=True)
    #: The thread's checkpoints, newest first, as the view lists them (see :meth:`history`).
    checkpoints = t.List(t.Dict()).tag(sync=True)
    #: Lines the view shows under its header: what lgwidget did that the user did not ask for.
    notes = t.List(t.Unicode()).tag(sync=True)
    #: The LangSmith project page this run is traced to (see ``_trace``); default
    #: ``$LGWIDGET_LANGSMITH_PROJECT``. With it, ``trace_url`` links to the run's trace.
    trace_project = t.Unicode(None, allow_none=True)
    trace_url = t.Unicode(None, allow_none=True, read_only=True).tag(sync=True)

    def __init__(
        self,
        assistant_id: str,
        input: Any = None,
        *,
        url: str | None = None,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        thread: bool | str | None = None,
        **params: Any,
    ) -> None:
        request = RunRequest.make(assistant_id, input, **params)
        self._init(ServerSource(url, api_key=api_key, headers=headers), request, thread)

    def _init(self, source: Source, request: RunRequest, thread: bool | str | None = None) -> None:
        thread = thread or request.thread_id
        if thread is not None and not isinstance(thread, (bool, str)):
            raise TypeError(f"thread must be True or a thread id, not {thread!r}")
        super().__init__(assistant_id=request.assistant_id, url=source.url,
                         stream_mode=request.stream_modes, _store_key=uuid.uuid4().hex,
                         thread_id=thread if isinstance(thread, str) else None,
                         notes=[n for n in [getattr(source, "note", "")] if n])
        self._source = source
        self._thread = thread or None
        self._answers: dict[str, Any] = {}
        #: The run's parameters (``RunRequest``: assistant_id, input, stream_mode, config, ...).
        self.request = request
        self.chunks: list[StreamPart] = []
        self._times: list[int] = []  # arrival of each chunk, ms since the start (the transport's)
        self.exception: BaseException | None = None
        self._transport: Transport | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop_requested = False
        self._displays: list[Any] = []
        self._displayed_in: object = None
        self.on_msg(self._on_front_end_msg)

    @classmethod
    def _with_source(cls, source: Source, request: RunRequest,
                     thread: bool | str | None = None) -> RunWidget:
        widget = cls.__new__(cls)
        widget._init(source, request, thread)
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
        thread: bool | str | None = None,
        **params: Any,
    ) -> RunWidget:
        """A widget for a graph in this process (no server): ``graph.astream(...)`` with the
        same event names and data shapes as the Agent Server's run, so the view and
        ``w.chunks`` read the same. Needs ``langgraph``. ``subgraphs`` is
        ``stream_subgraphs``; ``thread`` as for a server run (the graph's checkpointer, or an
        in-memory one added, which the view says); ``params`` are stream_mode, config,
        context, interrupt_before and interrupt_after (the others only mean something to a
        server: ``TypeError``).
        """
        if subgraphs:
            params["stream_subgraphs"] = True
        request = RunRequest.make(name or getattr(graph, "name", None) or "graph", input,
                                  **params)
        thread = thread or request.thread_id
        widget = cls._with_source(GraphSource(graph, request, thread), request, thread)
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
            widget._times = times
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
        """The interrupts waiting for an answer, ``{"value": ..., "id": ...}`` each, whichever
        stream modes carried them: those the last run (or resume) stopped on."""
        return _model.interrupts(self._section_chunks())

    def _section_chunks(self) -> list[StreamPart]:
        start = self.sections[-1]["start"] if self.sections else 0
        return self.chunks[start:]

    @property
    def final_state(self) -> Any:
        """The last state streamed with ``stream_mode="values"`` (None without that mode)."""
        return _model.final_state(self.chunks)

    def stats(self) -> _stats.Stats:
        """Where the time and tokens went: one row per node, ``{"node", "runs", "total_s",
        "max_s", "input_tokens", "output_tokens"}``, in the order nodes first ran;
        ``.exact`` is False when durations come from arrival times (no ``tasks`` or ``debug``
        in ``stream_mode``); ``.to_pandas()`` with pandas installed."""
        return _stats.stats(self.chunks, self._times)

    @t.validate("trace_project")
    def _check_trace_project(self, proposal: Any) -> str | None:
        return _trace.project_url(proposal["value"])

    @t.default("trace_project")
    def _default_trace_project(self) -> str | None:
        return _trace.default_project()

    @t.observe("run_id", "trace_project")
    def _link_trace(self, _change: Any) -> None:
        self.set_trait("trace_url", _trace.trace_url(self.trace_project, self.run_id))

    @property
    def elapsed(self) -> float | None:
        """Seconds from the start of the run to its end (or to now, while it runs)."""
        if self.started_at is None:
            return None
        return (self.ended_at or time.time()) - self.started_at

    def summary(self) -> str:
        return _model.summary(assistant_id=self.assistant_id, status=self.status,
                              chunks=self.chunks, run_id=self.run_id, error=self.error,
                              elapsed=self.elapsed, thread_id=self.thread_id,
                              pending=self.interrupts if self.status == "interrupted" else [])

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
        ends it with status ``"cancelled"``. Running again starts the view afresh (on the same
        thread, for a thread run).
        """
        return await self._stream({"kind": "run"}, self.request, fresh=True)

    async def resume(self, value: Any = None) -> RunWidget:
        """Answer the interrupt the run stopped on, and stream the rest of the run into the
        same view, after a "resumed with ..." marker; returns when it ends (or stops again).

        ``value`` is what ``interrupt()`` returns in the graph, in the shape it asks for (an
        Agent Inbox request: a list of responses; a LangChain human-in-the-loop request:
        ``{"decisions": [...]}``; a ``response_schema``: a value valid against it). With
        several interrupts pending, ``{interrupt_id: value, ...}`` for all of them (ids in
        :attr:`interrupts`). Sent as the SDK's ``command={"resume": ...}``. Stopped at an
        ``interrupt_before``/``interrupt_after`` breakpoint, ``resume()`` goes on from it.
        Needs a thread run (``thread=True``): a stateless run cannot be resumed.
        """
        request = dataclasses.replace(self.request, input=None, checkpoint_id=None,
                                      command=self._resume_command(value))
        section = {"kind": "resume", "label": f"resumed with {_answers.summary(value)}"}
        return await self._stream(section, request)

    def resume_sync(self, value: Any = None) -> RunWidget:
        """:meth:`resume` from synchronous code (a script)."""
        from ._runner import run_blocking

        run_blocking(lambda: self.resume(value), self.cancel)
        return self

    async def rerun(self, checkpoint_id: str, input: Any = None) -> RunWidget:
        """Run the thread again from one of its checkpoints (``checkpoint_id``, from
        :meth:`history`), with ``input`` or none, into a new section of the same view:
        LangGraph Studio's time travel."""
        self._need_thread("re-run from a checkpoint")
        request = dataclasses.replace(self.request, input=input, command=None,
                                      checkpoint_id=checkpoint_id)
        section = {"kind": "rerun", "checkpoint_id": checkpoint_id,
                   "label": f"re-run from checkpoint {checkpoint_id}"
                   + (f" with input {_answers.summary(input)}" if input is not None else "")}
        return await self._stream(section, request)

    def rerun_sync(self, checkpoint_id: str, input: Any = None) -> RunWidget:
        """:meth:`rerun` from synchronous code (a script)."""
        from ._runner import run_blocking

        run_blocking(lambda: self.rerun(checkpoint_id, input), self.cancel)
        return self

    async def history(self, limit: int = 10) -> list[dict[str, Any]]:
        """The thread's checkpoints, newest first, as the SDK's ``threads.get_history``
        (``POST /threads/{id}/history``; a graph in this process: ``aget_state_history``):
        each ``{"values", "next", "tasks", "metadata": {"step", ...}, "created_at",
        "checkpoint": {"checkpoint_id", ...}, ...}``. The view lists them too."""
        thread_id = self._need_thread("read the history")
        found = await self._source.history(thread_id, limit)
        self.checkpoints = [_checkpoint_row(c) for c in found]
        return found

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

    def _need_thread(self, what: str) -> str:
        if not self._thread or not self._source.threads:
            raise ValueError(
                f"cannot {what}: this run has no thread. A stateless run cannot be resumed (the "
                "server answers 400 \"You must provide a thread_id when resuming\"); run on a "
                "thread: RunWidget(..., thread=True), or %%lgrun --thread")
        if self.thread_id is None:
            raise ValueError(f"cannot {what} yet: the run has not started (await w.run())")
        return self.thread_id

    def _resume_command(self, value: Any) -> dict[str, Any] | None:
        """``{"resume": value}``, checked against the pending interrupts; None to go on from a
        breakpoint (no interrupt waits, the thread's next step does)."""
        self._need_thread("resume")
        if self.status == "running":
            raise RuntimeError("the run is still running; resume it once it stops at an interrupt")
        pending = self.interrupts
        if self.status != "interrupted":
            raise ValueError(f"nothing to resume: the run is {self.status}, not interrupted")
        if not pending:
            return None
        problems = _answers.check_resume(pending, value)
        if problems:
            raise ValueError("; ".join(problems))
        return {"resume": value}

    async def _stream(self, section: dict[str, Any], request: RunRequest,
                      fresh: bool = False) -> RunWidget:
        if self.status == "running":
            raise RuntimeError("this run is already running; make a new RunWidget to run again")
        self._stop_requested = False
        self._task = asyncio.ensure_future(self._consume(section, request, fresh))
        try:
            await self._task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._stop_requested or (current is not None and _cancelling(current)):
                raise
        return self

    async def _consume(self, section: dict[str, Any], request: RunRequest, fresh: bool) -> None:
        previous = None if fresh else self._transport
        if fresh:
            self.chunks = []
        self.exception = None
        self._answers = {}
        transport = self._transport = Transport(self._send_batch, self._publish_snapshot,
                                                after=previous)
        self._times = transport.times
        transport.start()
        chunks = self.chunks
        section = {**section, "start": len(chunks)}
        with self.hold_sync():
            if fresh:
                self.started_at = time.time()
                self.chunk_count = self.byte_count = 0
                self.snapshot = []
                self.sections = []
                self.checkpoints = []
            self.ended_at = None
            self.run_id = None
            self.error = None  # type: ignore[assignment]  # traitlets types Dict as never None
            self.pending = self.answered = []
            self.answer_error = None  # type: ignore[assignment]
            self.sections = [*self.sections, section]
            self.status = "running"
        fetching: asyncio.Task[None] | None = None  # the graph's diagram, once the run started
        status = "done"
        start = section["start"]
        try:
            if self._thread:
                if self.thread_id is None:
                    self.thread_id = await self._source.start_thread(self._thread)
                request = dataclasses.replace(request, thread_id=self.thread_id)
            async with self._source.open(request, transport.add) as parts:
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
            mine = chunks[start:]
            if self.error is not None and "node" not in self.error:
                node = _model.failed_node(mine)  # the stream says which, with tasks or debug
                if node is not None:
                    self.error = {**self.error, "node": node}
            if status != "cancelled":
                status = ("error" if self.error else
                          "interrupted" if _model.interrupted(mine) else "done")
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
                self.sections = [*self.sections[:-1], {**self.sections[-1], "status": status,
                                                       "run_id": self.run_id}]
                if status == "interrupted":
                    self.pending = [i["id"] for i in _model.interrupts(mine)
                                    if isinstance(i, dict) and isinstance(i.get("id"), str)]
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
        elif kind == _protocol.ANSWER:
            self._answer_from_view(content.get("id"), content.get("value"))
        elif kind == _protocol.HISTORY:
            self._in_background(self.history(int(content.get("limit") or 20)))
        elif kind == _protocol.RERUN and isinstance(content.get("checkpoint_id"), str):
            self._in_background(self.rerun(content["checkpoint_id"], content.get("input")))

    def _answer_from_view(self, interrupt_id: Any, value: Any) -> None:
        """An answer typed in the view: kept until every pending interrupt has one, then the
        run resumes with all of them. Checked here again; a refusal is shown under the form."""
        pending = list(self.pending)
        if self.status != "interrupted":
            return  # an old form (the run went on meanwhile): nothing to answer
        if not pending and not interrupt_id:
            self._in_background(self.resume())  # the Continue button of a breakpoint
            return
        if interrupt_id not in pending:
            return
        entry = next(i for i in self.interrupts if i.get("id") == interrupt_id)
        problems = _answers.check(entry, value)
        if problems:
            self.answer_error = {"id": interrupt_id, "message": "; ".join(problems)}
            return
        self.answer_error = None  # type: ignore[assignment]
        self._answers[interrupt_id] = value
        self.answered = [i for i in pending if i in self._answers]
        if len(self._answers) == len(pending):
            answers = self._answers
            resume = answers[pending[0]] if len(pending) == 1 else dict(answers)
            self._in_background(self.resume(resume))

    def _in_background(self, coroutine: Any) -> None:
        """A call from the view, run without holding up the kernel; a failure is shown."""
        from ._runner import spawn

        def failed(exc: BaseException) -> None:
            self.answer_error = {"id": "", "message": f"{type(exc).__name__}: {exc}"}

        spawn(coroutine, failed)


def _checkpoint_row(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """What the view lists of a checkpoint: its id, step, source, next nodes and time."""
    metadata = checkpoint.get("metadata") or {}
    return {"checkpoint_id": (checkpoint.get("checkpoint") or {}).get("checkpoint_id"),
            "step": metadata.get("step"), "source": metadata.get("source"),
            "next": list(checkpoint.get("next") or []), "created_at": checkpoint.get("created_at"),
            "interrupts": sum(len(t.get("interrupts") or [])
                              for t in checkpoint.get("tasks") or [])}


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
