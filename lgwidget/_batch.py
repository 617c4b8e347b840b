"""Batch: one run per input, a bounded number at once, shown as a table with one row per input.

Each input is a :class:`~lgwidget.RunWidget` (``b.runs``), which keeps its chunks as any run
does; the table is the ``rows`` trait, a short summary per input (previews of at most
:data:`PREVIEW_CHARS` characters), set at most every :data:`ROW_INTERVAL` seconds however many
runs change, so a batch of hundreds of runs sends the browser a few messages a second for its
table. The runs' own chunks go out through the kernel-wide budget of ``_transport``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import _protocol
from ._diff import output, preview
from ._errors import LGWidgetError, RunError
from ._sources import ServerSource
from ._widget import RunWidget

_STATIC = Path(__file__).parent / "static"

#: Seconds between two updates of the table (the ``rows`` trait) while runs go on.
ROW_INTERVAL = 0.25
#: Characters of an input's or an output's preview in a row.
PREVIEW_CHARS = 80
#: Runs at once when the server does not say what it takes, and for a graph in this process.
DEFAULT_CONCURRENCY = 4
#: The most runs at once by default, whatever the server says it takes.
MAX_DEFAULT_CONCURRENCY = 16
#: A row's run is over with one of these; ``queued`` rows wait for their turn.
FINISHED = ("done", "error", "interrupted", "cancelled")
STATUSES = ("idle", "running", "done", "cancelled")

SERIAL_NOTE = ("This server runs one run at a time (GET /metrics: workers.max = 1), so the batch "
               "runs one input after another. Start it with more, e.g. "
               "`langgraph dev --n-jobs-per-worker 8`, to run 8 at once.")


class Batch(anywidget.AnyWidget):
    """Many runs of one assistant (or graph), one per input, shown as a live table.

    >>> b = lgwidget.batch("agent", [{"messages": [...]}, ...])
    >>> b                      # display it, then
    >>> await b.run()          # (or b.start()); b.cancel() or "Stop all" ends it
    >>> b.results              # each input's final output, or a RunError, in input order

    ``b.runs`` are the :class:`~lgwidget.RunWidget` s, in input order (``b.runs[3].chunks``,
    ``.updates``, ``.stats()``, ...); a row of the table opens its run's full view.
    Kernel memory: each run keeps its chunks (as a RunWidget does); the table keeps a short
    summary per row.
    """

    _esm = _STATIC / "batch.js"
    _css = _STATIC / "widget.css"

    assistant_id = t.Unicode("").tag(sync=True)
    url = t.Unicode("").tag(sync=True)
    status = t.Enum(STATUSES, "idle").tag(sync=True)
    #: Runs at once (known once the batch starts, when it comes from the server's capacity).
    concurrency = t.Int(0).tag(sync=True)
    #: One summary per input: ``{"index", "input", "status", "elapsed", "chunks", "tokens",
    #: "output", "error", "ref"}`` (``ref`` finds the run's widget in the browser).
    rows = t.List(t.Dict()).tag(sync=True)
    #: Lines shown above the table: what the batch decided that the user did not ask for.
    notes = t.List(t.Unicode()).tag(sync=True)
    started_at = t.Float(None, allow_none=True).tag(sync=True)
    ended_at = t.Float(None, allow_none=True).tag(sync=True)

    def __init__(self, runs: Sequence[RunWidget], *, concurrency: int | None = None,
                 server: ServerSource | None = None) -> None:
        if concurrency is not None and (not isinstance(concurrency, int) or concurrency < 1):
            raise ValueError(f"concurrency must be a whole number of runs, 1 or more, "
                             f"not {concurrency!r}")
        first = runs[0] if runs else None
        super().__init__(assistant_id=first.assistant_id if first else "",
                         url=first.url if first else "")
        #: The runs, one per input, in input order.
        self.runs = list(runs)
        self._given_concurrency = concurrency
        self._server = server
        self._stop_requested = False
        self._queued: set[int] = set()
        self._finished_rows: dict[int, dict[str, Any]] = {}
        #: The most runs that were in flight at once (for checking the limit).
        self.peak_in_flight = 0
        self._in_flight = 0
        self.rows = [self._row(i) for i in range(len(self.runs))]
        self.on_msg(self._on_front_end_msg)

    # -- what the runs produced ----------------------------------------------------------------

    @property
    def results(self) -> list[Any]:
        """Each input's final output (the last ``values`` state, else the node updates merged),
        or a :class:`~lgwidget.RunError` for a run that failed; None for one that did not run
        to its end (cancelled, not started). In input order, as ``asyncio.gather(...,
        return_exceptions=True)`` gives them."""
        return [_result(w) for w in self.runs]

    def to_pandas(self) -> Any:
        """One row per input (index, input, status, elapsed_s, chunks, tokens, output, error)
        as a ``pandas.DataFrame``; pandas is not a dependency of lgwidget."""
        try:
            import pandas  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise ImportError("Batch.to_pandas() needs pandas, which lgwidget does not install: "
                              "pip install pandas (or use b.results and b.runs)") from None
        table = []
        for row, w, result in zip(self.rows, self.runs, self.results, strict=True):
            table.append({"input": w.request.input, "status": w.status, "elapsed_s": w.elapsed,
                          "chunks": len(w.chunks), "tokens": row["tokens"],
                          "output": None if isinstance(result, RunError) else result,
                          "error": str(result) if isinstance(result, RunError) else None})
        return pandas.DataFrame(table)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for w in self.runs:
            counts[w.status] = counts.get(w.status, 0) + 1
        said = ", ".join(f"{n} {status}" for status, n in counts.items())
        return f"LangGraph batch of {self.assistant_id!r}, {len(self.runs)} runs: {said}"

    # -- running -------------------------------------------------------------------------------

    async def run(self) -> Batch:
        """Run every input, at most ``concurrency`` at once, and return when all have ended.
        A failed run does not stop the others; :meth:`cancel` (or "Stop all") stops them all."""
        return await self._run(range(len(self.runs)))

    async def rerun_failed(self) -> Batch:
        """Run again the inputs whose run failed or did not finish (error, cancelled, never
        started), each into its own row; the others keep what they have."""
        return await self._run([i for i, w in enumerate(self.runs)
                                if w.status in ("error", "cancelled", "idle")])

    def run_sync(self) -> Batch:
        """:meth:`run` from synchronous code: a script, or a cell without ``await``."""
        from ._runner import run_blocking

        run_blocking(self.run, self.cancel)
        return self

    def start(self) -> asyncio.Task[Batch]:
        """Run in the background of the kernel's loop: the cell returns at once."""
        from ._runner import start

        return start(self.run)

    def cancel(self) -> None:
        """Stop every run (from any thread): those going on are cancelled on the server, those
        waiting never start. What came so far stays."""
        self._stop_requested = True
        for w in self.runs:
            w.cancel()

    async def _run(self, indices: Iterable[int]) -> Batch:
        if self.status == "running":
            raise RuntimeError("this batch is already running")
        indices = list(indices)
        self._stop_requested = False
        self._queued = set(indices)
        for i in indices:
            self._finished_rows.pop(i, None)
        gate = asyncio.Semaphore(await self._limit())
        with self.hold_sync():
            self.started_at, self.ended_at = time.time(), None
            self.status = "running"
        self._publish_rows()

        async def one(i: int) -> None:
            async with gate:
                if self._stop_requested:
                    return
                self._in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
                try:
                    await self.runs[i].run()
                finally:
                    self._in_flight -= 1
                    self._queued.discard(i)

        ticker = asyncio.ensure_future(self._tick())
        tasks = [asyncio.ensure_future(one(i)) for i in indices]
        status = "done"
        try:
            # A run that raised (a bug) keeps its exception on its widget; the others go on.
            await asyncio.gather(*tasks, return_exceptions=True)
        except asyncio.CancelledError:  # the kernel was interrupted: stop every run
            status = "cancelled"
            self.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            ticker.cancel()
            self._queued.clear()
            if self._stop_requested:
                status = "cancelled"
            self._publish_rows()
            with self.hold_sync():
                self.ended_at = time.time()
                self.status = status
        return self

    async def _limit(self) -> int:
        """Runs at once: as given, else what the server takes (``/metrics``), which the notes
        explain when it limits the batch."""
        given = self._given_concurrency
        capacity = None
        notes = []
        if self._server is not None:
            try:
                capacity = await self._server.capacity()
            except (LGWidgetError, KeyError, TypeError, ValueError):
                if given is None:
                    notes.append(f"The server did not say how many runs it takes at once "
                                 f"(GET /metrics); running {DEFAULT_CONCURRENCY} at a time.")
        if capacity == 1 and given in (None, 1):
            notes.append(SERIAL_NOTE)
        elif capacity is not None and given is not None and given > capacity:
            notes.append(f"The server runs {capacity} at once: the other runs wait in its queue.")
        limit = given or min(capacity or DEFAULT_CONCURRENCY, MAX_DEFAULT_CONCURRENCY)
        with self.hold_sync():
            self.notes = notes
            self.concurrency = limit
        return limit

    # -- the table ------------------------------------------------------------------------------

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(ROW_INTERVAL)
            self._publish_rows()

    def _publish_rows(self) -> None:
        rows = [self._row(i) for i in range(len(self.runs))]
        if rows != self.rows:
            self.rows = rows

    def _row(self, i: int) -> dict[str, Any]:
        """Row ``i``'s summary; a finished run's is made once."""
        if i in self._finished_rows:
            return self._finished_rows[i]
        w = self.runs[i]
        status = w.status
        if i in self._queued and status != "running":
            status = "queued"
        elapsed = w.elapsed
        row = {"index": i, "input": preview(w.request.input, PREVIEW_CHARS), "status": status,
               "elapsed": None if elapsed is None else round(elapsed, 2),
               "chunks": len(w.chunks), "tokens": None, "output": "", "error": "",
               "ref": f"anywidget:{w.model_id}"}
        if status in FINISHED:
            row["output"] = preview(output(w.chunks), PREVIEW_CHARS)
            row["tokens"] = sum(r["input_tokens"] + r["output_tokens"] for r in w.stats()) or None
            row["error"] = _error_text(w.error)
            self._finished_rows[i] = row
        return row

    def _on_front_end_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == _protocol.STOP:
            self.cancel()
        elif kind == _protocol.RERUN_FAILED and self.status != "running":
            from ._runner import spawn

            def failed(exc: BaseException) -> None:
                self.notes = [*self.notes, f"re-run failed: {type(exc).__name__}: {exc}"]

            spawn(self.rerun_failed(), failed)


def batch(assistant_id: Any, inputs: Iterable[Any], *, url: str | None = None,
          api_key: str | None = None, headers: Mapping[str, str] | None = None,
          concurrency: int | None = None, **params: Any) -> Batch:
    """A :class:`Batch`: one run of ``assistant_id`` (a graph name or an assistant id on the
    server, or a compiled graph to run in this process) per input, with the same run
    parameters (``stream_mode``, ``config``, ... as :class:`~lgwidget.RunWidget` takes them).

    ``concurrency``: runs at once; default, what the server takes (``GET /metrics``, at most
    :data:`MAX_DEFAULT_CONCURRENCY`), or :data:`DEFAULT_CONCURRENCY` for a graph. The batch
    does not start until ``await b.run()`` or ``b.start()``.
    """
    if isinstance(inputs, (str, bytes, Mapping)):
        raise TypeError(f"inputs must be a list of inputs, one per run, not a "
                        f"{type(inputs).__name__}")
    inputs = list(inputs)
    if isinstance(assistant_id, str):
        runs = [RunWidget(assistant_id, value, url=url, api_key=api_key, headers=headers,
                          **params) for value in inputs]
        server = ServerSource(url, api_key=api_key, headers=headers)
        return Batch(runs, concurrency=concurrency, server=server)
    if url is not None or api_key is not None or headers is not None:
        raise TypeError("url, api_key and headers are for a server; a graph runs in this process")
    runs = [RunWidget.from_graph(assistant_id, value, **params) for value in inputs]
    return Batch(runs, concurrency=concurrency)


def _result(w: RunWidget) -> Any:
    if w.status == "error":
        return RunError(_error_text(w.error) or "the run failed", error=w.error, url=w.url or None)
    if w.status in ("done", "interrupted"):
        return output(w.chunks)
    return None


def _error_text(error: dict[str, Any] | None) -> str:
    if not error:
        return ""
    where = f" in {error['node']}" if error.get("node") else ""
    return f"{error.get('error', 'Error')}{where}: {error.get('message', '')}"
