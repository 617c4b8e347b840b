"""The transport on its own: batching, the mid-run snapshot schedule, resending to a late view."""

from __future__ import annotations

import asyncio
import json

import pytest

from lgwidget import _transport
from lgwidget._transport import MAX_BATCH, Transport, decode_batch


async def feed(transport: Transport, count: int, pause_every: int = 0) -> None:
    transport.start()
    for i in range(count):
        transport.add("updates", json.dumps({f"n{i}": {"text": f"chunk {i} " * 20}}))
        if pause_every and i % pause_every == pause_every - 1:
            await asyncio.sleep(0.01)  # let the thread work, as a real stream would


async def sent_count(sent: list, count: int) -> None:
    """Wait until ``count`` messages were sent, or fail after a wait that is generous on a busy
    machine: what is checked is that they are sent at all, not how fast."""
    for _ in range(1000):
        if len(sent) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{len(sent)} messages sent, expected {count}")


async def test_batches_are_coalesced_by_count_and_by_time() -> None:
    sent: list[tuple[dict, list[bytes]]] = []
    transport = Transport(lambda content, buffers: sent.append((content, buffers)), lambda b: None)
    await feed(transport, 3 * MAX_BATCH + 10)
    # The last 10 go out by time, not count: before close(), which would flush them too.
    await sent_count(sent, 4)
    assert [c for c, _ in sent] == [{"type": "batch", "seq": s}
                                    for s in (0, MAX_BATCH, 2 * MAX_BATCH, 3 * MAX_BATCH)]
    blobs = await transport.close()
    assert [b for _, (b,) in sent] == blobs
    seqs_and_counts = [(decode_batch(b)[0], len(decode_batch(b)[1])) for b in blobs]
    assert seqs_and_counts == [(0, 256), (256, 256), (512, 256), (768, 10)]
    texts = [text for b in blobs for text in decode_batch(b)[3]]
    assert texts == [json.dumps({f"n{i}": {"text": f"chunk {i} " * 20}})
                     for i in range(3 * MAX_BATCH + 10)]


async def test_a_lone_chunk_is_sent_by_time_before_the_run_ends() -> None:
    sent: list[int] = []
    transport = Transport(lambda content, buffers: sent.append(content["seq"]), lambda b: None)
    transport.start()
    transport.add("updates", '{"only": 1}')
    await sent_count(sent, 1)  # no more chunks and no close(): the timer alone sends it
    transport.add("updates", '{"next": 2}')
    await sent_count(sent, 2)
    assert sent == [0, 1]
    assert [decode_batch(b)[3] for b in await transport.close()] == [['{"only": 1}'],
                                                                      ['{"next": 2}']]


async def test_mid_run_snapshots_are_spaced_so_all_of_them_stay_under_twice_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_transport, "SNAPSHOT_INTERVAL", 0.0)  # no wait: only the size rule
    published: list[list[bytes]] = []
    transport = Transport(lambda c, b: None, published.append)
    await feed(transport, 40 * MAX_BATCH, pause_every=MAX_BATCH)
    final = await transport.close()
    assert len(published) >= 3  # the view opened late, or a save mid-run, gets most of the run
    sizes = [sum(map(len, blobs)) for blobs in published]
    assert all(b >= 2 * a for a, b in zip(sizes, sizes[1:]))  # each at least doubles
    assert sum(sizes) <= 2 * sum(map(len, final))
    assert all(blobs == final[: len(blobs)] for blobs in published)  # prefixes of the run


async def test_a_late_view_gets_what_it_missed() -> None:
    sent: list[int] = []
    transport = Transport(lambda content, buffers: sent.append(content["seq"]), lambda b: None)
    await feed(transport, 3 * MAX_BATCH)
    await transport.close()
    sent.clear()
    transport.resend(MAX_BATCH)
    assert sent == [MAX_BATCH, 2 * MAX_BATCH]


def test_a_chunk_reaches_the_view_on_one_line_and_capped() -> None:
    assert _transport.view_line('{"a":\n 1}') == '{"a":  1}'
    big = json.dumps({"x": "y" * (_transport.MAX_VIEW_CHARS + 10)})
    marker = json.loads(_transport.view_line(big))
    assert marker["__lgwidget_truncated__"] == len(big)
    assert big.startswith(marker["preview"])
