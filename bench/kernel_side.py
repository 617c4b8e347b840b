"""What ``widget.py`` and ``load.py`` run inside the kernel: ``from bench.kernel_side import *``
(``bench.kit`` puts the repository root on the kernel's PYTHONPATH).

The baseline of both is a bare httpx-sse loop, as a user writes it: its own
``httpx.AsyncClient`` per run (``RunWidget.run`` makes one per run too), ``aconnect_sse`` and
``aiter_sse``, and ``json.loads`` of each event's data.
"""

import ctypes
import gc
import json
import os

import httpx
from httpx_sse import aconnect_sse

from lgwidget._transport import decode_batch

__all__ = [
    "TIMEOUT",
    "NoTransport",
    "bare_loop",
    "complete",
    "cpu",
    "keep_loop",
    "release",
    "snapshot_count",
    "widget_facts",
]

#: The SDK's and lgwidget's timeouts.
TIMEOUT = httpx.Timeout(connect=5, read=300, write=300, pool=5)


async def bare_loop(url, body):
    """The baseline: decode every event, keep nothing; returns how many there were."""
    n = 0
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        async with aconnect_sse(client, "POST", url + "/runs/stream", json=body) as source:
            async for sse in source.aiter_sse():
                json.loads(sse.data)
                n += 1
    return n


async def keep_loop(url, body):
    """The baseline that also keeps every event as ``(event, data)``, as a widget keeps
    ``w.chunks``."""
    kept = []
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        async with aconnect_sse(client, "POST", url + "/runs/stream", json=body) as source:
            async for sse in source.aiter_sse():
                kept.append((sse.event, json.loads(sse.data)))
    return kept


def complete(events, n):
    """Every event of a replayed stream, in order: metadata, then node_1 .. node_n."""
    if len(events) != n + 1 or events[0][0] != "metadata":
        return False
    return all(
        ev[0] == "updates" and next(iter(ev[1])) == f"node_{i}"
        for i, ev in enumerate(events[1:], 1)
    )


def snapshot_count(w):
    """Chunks in a widget's snapshot, or -1 if its batches are not in sequence."""
    count = 0
    for blob in w.snapshot:
        seq, events, _t, _lines = decode_batch(blob)
        if seq != count:
            return -1
        count += len(events)
    return count


class NoTransport:
    """Stands in for lgwidget._transport.Transport in the loop-only diagnostic variant."""

    messages_sent = 0

    def __init__(self, send, publish):
        self.bytes_added = 0

    def start(self):
        pass

    def add(self, event, raw):
        self.bytes_added += len(raw)

    def resend(self, have):
        pass

    async def close(self):
        return []


def widget_facts(w):
    t = w._transport
    return {
        "comm_id": getattr(w.comm, "comm_id", None),
        "chunks": len(w.chunks),
        "status": w.status,
        "payload_bytes": w.byte_count,
        "payload_bytes_check": sum(
            len(json.dumps(c.data, separators=(",", ":"), ensure_ascii=False)) for c in w.chunks
        ),
        "transport_messages": t.messages_sent if t else None,
        "snapshot_blobs": len(w.snapshot),
        "snapshot_bytes": sum(map(len, w.snapshot)),
    }


def cpu():
    """This process's CPU time, every thread."""
    t = os.times()
    return t.user + t.system


def release():
    """Collect garbage and hand freed heap memory back to the OS (glibc), so the RSS measured
    before a phase is what is alive, not what an earlier phase left in the allocator."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
