"""How a run's chunks reach the browser without O(n²) traffic or lost messages.

Chunks are coalesced into batches (at most ``MAX_BATCH`` chunks or ``MAX_DELAY`` seconds), because
the Jupyter server drops iopub messages above about 1,000 per second. A batch is one
zlib-compressed blob::

    {"seq": <index of its first chunk>, "events": [...], "t": [ms since start, ...]}\\n
    <data of chunk seq, JSON text as the server sent it>\\n
    <data of chunk seq+1>\\n ...

sent as the binary buffer of one custom message. The same blobs, kept in order, are the widget's
``snapshot`` trait, set at the end of the run (and mid-run at a rate that keeps the total
bytes bounded), so a saved notebook and a view opened late show the whole run. Compression
and sending happen on a thread of their own: zlib releases the GIL, so the loop reading the
stream is not held up.

Every transport in the kernel shares one :data:`BUDGET` of batch messages per second: with many
runs live at once (a batch), a transport waits for its turn and meanwhile merges what queued
up into one bigger batch, so the total stays far under the Jupyter server's limit and nothing
is dropped.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

from ._protocol import BATCH

MAX_BATCH = 256
MAX_DELAY = 0.05
#: The browser gets at most this many characters of one chunk; Python keeps all of it.
MAX_VIEW_CHARS = 256 * 1024
_PREVIEW_CHARS = 16 * 1024
#: A mid-run snapshot is sent when the blobs have doubled since the last one and this long
#: has passed, so all snapshots together stay under twice the final one.
SNAPSHOT_INTERVAL = 5.0

#: Batch messages per second, all widgets of the kernel together, and the burst allowed.
MESSAGES_PER_SECOND = 200.0
BURST = 50.0

Send = Callable[[dict[str, Any], list[bytes]], None]
Publish = Callable[[list[bytes]], None]


def view_line(raw: str) -> str:
    """The chunk's JSON text as the browser gets it: on one line, and capped in size."""
    if "\n" in raw:
        # Outside strings a newline is whitespace; inside one it would not be valid JSON.
        raw = raw.replace("\r\n", " ").replace("\n", " ")
    if len(raw) > MAX_VIEW_CHARS:
        raw = json.dumps({"__lgwidget_truncated__": len(raw), "preview": raw[:_PREVIEW_CHARS]})
    return raw


class Budget:
    """A token bucket, thread-safe: :meth:`take` waits until a message may be sent."""

    def __init__(self, rate: float = MESSAGES_PER_SECOND, burst: float = BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._tokens, self._last = burst, clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Take one message's turn, waiting for it if need be; whether it waited."""
        waited = False
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)
            waited = True


#: The one budget of the kernel (every Transport's).
BUDGET = Budget()


class Transport:
    """Batches chunks on the event loop; compresses and sends them on its own thread."""

    def __init__(self, send: Send, publish_snapshot: Publish,
                 clock: Callable[[], float] = time.monotonic, *,
                 after: Transport | None = None) -> None:
        """``after``: a closed transport whose run this one continues (a resumed run streams
        into the same view): its batches stay in the snapshot, chunk numbers and times go on."""
        self._send = send
        self._clock = clock  # chunk times and the spacing of mid-run snapshots
        self._publish = publish_snapshot
        self._blobs: list[tuple[int, bytes]] = []  # (seq of first chunk, blob), in order
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._seq = 0
        self._pending: list[tuple[str, str, float]] = []  # (event, JSON text, monotonic time)
        self._start: float | None = None
        #: Batch messages sent and the bytes of their blobs (resends included).
        self.messages_sent = self.bytes_sent = 0
        #: Characters of JSON text added, as the source sent them (complete after close()).
        self.bytes_added = 0
        #: Each chunk's arrival in ms since the start, as the browser gets it (made on the
        #: transport's thread, so a chunk still pending has none yet; complete after close()).
        self.times: list[int] = []
        if after is not None:
            self._blobs, self.times = list(after._blobs), list(after.times)
            self._seq, self._start, self.bytes_added = after._seq, after._start, after.bytes_added

    def start(self) -> None:
        if self._start is None:
            self._start = self._clock()
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._work, name="lgwidget-transport", daemon=True)
        self._thread.start()

    def add(self, event: str, raw: str) -> None:
        """One chunk, at the time it arrives. The least possible work here, on the loop that
        reads the stream: lines, times and sizes are made on the transport's thread."""
        pending = self._pending
        pending.append((event, raw, self._clock()))
        if len(pending) >= MAX_BATCH:
            self.flush()
        elif len(pending) == 1 and self._loop is not None:
            self._timer = self._loop.call_later(MAX_DELAY, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        self._queue.put((self._seq, self._pending))
        self._seq += len(self._pending)
        self._pending = []

    async def close(self) -> list[bytes]:
        """Send what is pending, stop the thread, and return every blob (the snapshot)."""
        self.flush()
        if self._thread is not None:
            self._queue.put(None)
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
            self._thread = None
        return self.blobs()

    def blobs(self) -> list[bytes]:
        with self._lock:
            return [blob for _, blob in self._blobs]

    def resend(self, have: int) -> None:
        """Send again every batch from chunk ``have`` on, for a view that missed them."""
        with self._lock:
            missing = [(seq, blob) for seq, blob in self._blobs if seq >= have]
        for seq, blob in missing:
            self._send_blob(seq, blob)

    def _work(self) -> None:
        start = self._start
        assert start is not None  # set by start()
        last_snapshot_size, last_snapshot_time = 0, start
        size = 0
        closing = False
        while not closing and (item := self._queue.get()) is not None:
            seq, chunks = item
            if BUDGET.take():  # it had to wait its turn: what queued up meanwhile goes too
                chunks, closing = self._queued_after(chunks)
            times = [round((t - start) * 1000) for _, _, t in chunks]
            self.times.extend(times)
            self.bytes_added += sum(len(raw) for _, raw, _ in chunks)
            blob = encode_batch(seq, [e for e, _, _ in chunks], times, [r for _, r, _ in chunks])
            with self._lock:
                self._blobs.append((seq, blob))
            self._send_blob(seq, blob)
            size += len(blob)
            now = self._clock()
            # The first batch is in the snapshot at once: a view that missed its message (sent
            # before the view listened, anywidget issue #436) shows the run from the start.
            first = last_snapshot_size == 0
            if first or (size >= 2 * last_snapshot_size
                         and now - last_snapshot_time >= SNAPSHOT_INTERVAL):
                self._publish(self.blobs())
                last_snapshot_size, last_snapshot_time = size, now

    def _queued_after(self, chunks: list[Any]) -> tuple[list[Any], bool]:
        """``chunks`` and every batch queued behind them, as one; whether close() came too."""
        merged = list(chunks)
        while True:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                return merged, False
            if more is None:
                return merged, True
            merged += more[1]

    def _send_blob(self, seq: int, blob: bytes) -> None:
        self._send({"type": BATCH, "seq": seq}, [blob])
        self.messages_sent += 1
        self.bytes_sent += len(blob)


def encode_batch(seq: int, events: list[str], times: list[int], raws: list[str]) -> bytes:
    """One batch: chunks ``seq``, ``seq + 1``, ... as the browser reads them (see above)."""
    header = json.dumps({"seq": seq, "events": events, "t": times}, separators=(",", ":"))
    lines = [view_line(raw) if "\n" in raw or len(raw) > MAX_VIEW_CHARS else raw for raw in raws]
    return zlib.compress("\n".join([header, *lines]).encode(), 1)


def encode_run(events: list[str], times: list[int], raws: list[str]) -> list[bytes]:
    """A whole run's snapshot at once (a run read from a file), in batches of MAX_BATCH."""
    return [encode_batch(seq, events[seq:seq + MAX_BATCH], times[seq:seq + MAX_BATCH],
                         raws[seq:seq + MAX_BATCH]) for seq in range(0, len(raws), MAX_BATCH)]


def decode_batch(blob: bytes) -> tuple[int, list[str], list[int], list[str]]:
    """A blob back into (seq, events, times, JSON texts): the browser's reading, in Python."""
    header, *lines = zlib.decompress(blob).decode().split("\n")
    meta = json.loads(header)
    return meta["seq"], meta["events"], meta["t"], lines[: len(meta["events"])]
