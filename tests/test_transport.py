"""The transport on its own: batching, the mid-run snapshot schedule, resending to a late view."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import string
import threading
import time
import zlib
from typing import Any

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
    assert all(b >= 2 * a for a, b in itertools.pairwise(sizes))  # each at least doubles
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


def test_a_crlf_counts_as_one_space_and_a_chunk_of_exactly_the_cap_stays_whole() -> None:
    assert _transport.view_line('{"a":\r\n 1,\n"b": 2}') == '{"a":  1, "b": 2}'
    assert _transport.view_line('{"a": 1}') == '{"a": 1}'
    exact = json.dumps("z" * (_transport.MAX_VIEW_CHARS - 2))
    assert len(exact) == _transport.MAX_VIEW_CHARS
    assert _transport.view_line(exact) == exact


async def test_each_chunk_is_timed_in_ms_since_start_by_the_transports_clock() -> None:
    ticks = iter([100.0, 100.0, 100.007, 101.5])  # start(), then one tick per add()
    transport = Transport(lambda c, b: None, lambda b: None, clock=lambda: next(ticks, 101.5))
    transport.start()
    for i in range(3):
        transport.add("updates", f'{{"n": {i}}}')
    (blob,) = await transport.close()
    assert decode_batch(blob) == (0, ["updates"] * 3, [0, 7, 1500],
                                  ['{"n": 0}', '{"n": 1}', '{"n": 2}'])


async def test_the_browser_gets_each_chunk_on_one_line_and_capped() -> None:
    big = json.dumps({"x": "y" * (_transport.MAX_VIEW_CHARS + 10)})
    raws = ['{"a":\n 1}', '{"b":\r\n 2}', '{"c": 3}', big, ""]
    transport = Transport(lambda c, b: None, lambda b: None)
    transport.start()
    for raw in raws:
        transport.add("values", raw)
    (blob,) = await transport.close()
    seq, events, _, lines = decode_batch(blob)
    assert (seq, events) == (0, ["values"] * 5)
    assert lines[:3] == ['{"a":  1}', '{"b":  2}', '{"c": 3}'] and lines[4] == ""
    assert json.loads(lines[3])["__lgwidget_truncated__"] == len(big)


async def test_the_counts_of_messages_and_bytes_sent_and_added() -> None:
    sent: list[bytes] = []
    transport = Transport(lambda content, buffers: sent.extend(buffers), lambda b: None)
    raws = [json.dumps({f"n{i}": "text " * (i % 7)}) for i in range(2 * MAX_BATCH + 3)]
    transport.start()
    for raw in raws:
        transport.add("updates", raw)
    blobs = await transport.close()
    assert len(blobs) == 3
    assert transport.messages_sent == 3
    assert transport.bytes_sent == sum(map(len, blobs))
    assert transport.bytes_added == sum(map(len, raws))
    transport.resend(MAX_BATCH)  # resends count too
    assert sent == [*blobs, *blobs[1:]]
    assert transport.messages_sent == 5
    assert transport.bytes_sent == sum(map(len, blobs)) + sum(map(len, blobs[1:]))


async def test_a_run_without_chunks_sends_nothing_and_closing_again_is_harmless() -> None:
    sent: list[dict] = []
    published: list[list[bytes]] = []
    transport = Transport(lambda content, buffers: sent.append(content), published.append)
    transport.start()
    assert await transport.close() == []
    assert await transport.close() == []
    assert (sent, published, transport.messages_sent, transport.bytes_added) == ([], [], 0, 0)
    never_started = Transport(lambda content, buffers: sent.append(content), published.append)
    assert await never_started.close() == []
    assert sent == []


async def test_a_second_close_returns_the_same_snapshot() -> None:
    transport = Transport(lambda c, b: None, lambda b: None)
    await feed(transport, MAX_BATCH + 1)
    blobs = await transport.close()
    assert len(blobs) == 2
    assert await transport.close() == blobs


async def test_the_transports_thread_is_named_and_does_not_keep_the_kernel_alive() -> None:
    transport = Transport(lambda c, b: None, lambda b: None)
    before = set(threading.enumerate())
    transport.start()
    (thread,) = [t for t in threading.enumerate() if t not in before]
    assert thread.name == "lgwidget-transport"  # what leak checks and py-spy show
    assert thread.daemon  # a run never closed (a killed cell) does not block the exit
    await transport.close()
    assert not thread.is_alive()


def letters(count: int, rnd: random.Random) -> str:
    """JSON text that compresses to a predictable size (random letters: ~0.6 byte each)."""
    return json.dumps("".join(rnd.choice(string.ascii_lowercase) for _ in range(count)))


async def test_mid_run_snapshots_wait_for_the_interval_and_for_the_blobs_to_double() -> None:
    """The first batch is in the snapshot at once; after it, the real rule (SNAPSHOT_INTERVAL =
    5 s, and the blobs doubled), on a fake clock that the thread reads after each batch it
    sends: batch k is sent at ``at[k]`` s (the thread starts at 1000 s)."""
    interval = _transport.SNAPSHOT_INTERVAL
    assert interval == 5.0
    # (characters, time) of each batch; each is one flush of one chunk.
    plan = [(2000, 1000.1),  # the first: published at once
            (2000, 1000.1 + interval - 0.1),  # doubled, too early
            (2000, 1000.1 + interval),  # 3x, and the interval has passed: published
            (3000, 1010.0),  # too early
            (100, 1005.1 + interval),  # time enough, but about 1.5x the last snapshot: not yet
            (5000, 1011.0)]  # doubled: published
    at = [1000.0] + [t for _, t in plan]
    sent: list[bytes] = []
    published: list[int] = []  # how many blobs each snapshot held
    # The thread reads the clock after each batch it sends: then it is that batch's time.
    transport = Transport(lambda content, buffers: sent.extend(buffers),
                          lambda blobs: published.append(len(blobs)),
                          clock=lambda: at[len(sent)])
    transport.start()
    rnd = random.Random(7)
    for count, _ in plan:
        transport.add("updates", letters(count, rnd))
        transport.flush()
    blobs = await transport.close()
    totals = list(itertools.accumulate(map(len, blobs)))
    # The sizes the plan relies on, with a margin.
    assert 2.7 < totals[2] / totals[0] < 3.3 and 1.3 < totals[4] / totals[2] < 1.8
    assert totals[5] > 2.1 * totals[2]
    assert published == [1, 3, 6]


def test_a_whole_run_is_encoded_in_batches_as_the_transport_sends_them() -> None:
    raws = [json.dumps({f"n{i}": i}) for i in range(MAX_BATCH + 2)] + ['{"a":\n 1}']
    events = ["updates"] * len(raws)
    times = list(range(0, 10 * len(raws), 10))
    blobs = _transport.encode_run(events, times, raws)
    assert [decode_batch(b)[0] for b in blobs] == [0, MAX_BATCH]
    decoded = [decode_batch(b) for b in blobs]
    assert [e for d in decoded for e in d[1]] == events
    assert [t for d in decoded for t in d[2]] == times
    assert [line for d in decoded for line in d[3]] == [*raws[:-1], '{"a":  1}']
    header = zlib.decompress(blobs[1]).split(b"\n", 1)[0]
    assert header == b'{"seq":256,"events":["updates","updates","updates"],"t":[2560,2570,2580]}'
    assert zlib.decompress(blobs[0]) and blobs[0][:2] == b"\x78\x01"  # zlib, level 1 (fastest)
    assert _transport.encode_run([], [], []) == []


async def test_many_live_transports_share_one_budget_and_lose_nothing() -> None:
    """30 runs streaming at once would send about 600 batches a second (one per MAX_DELAY
    each); the kernel-wide budget holds them to its rate, and every chunk still arrives, in
    order, in bigger batches."""
    sent: list[tuple[float, int, int]] = []  # (time, transport, chunks in the batch)
    lock = threading.Lock()

    def sender(k: int) -> Any:
        def send(content: dict, buffers: list[bytes]) -> None:
            with lock:
                sent.append((time.monotonic(), k, len(decode_batch(buffers[0])[1])))
        return send

    transports = [Transport(sender(k), lambda b: None) for k in range(30)]
    for transport in transports:
        transport.start()
    end = time.monotonic() + 1.5
    count = 0
    while time.monotonic() < end:
        for transport in transports:
            transport.add("updates", json.dumps({"n": count}))
        count += 1
        await asyncio.sleep(0.005)
    blobs = [await transport.close() for transport in transports]
    for k, transport_blobs in enumerate(blobs):
        texts = [text for b in transport_blobs for text in decode_batch(b)[3]]
        assert texts == [json.dumps({"n": i}) for i in range(count)], k
        assert sum(n for _, who, n in sent if who == k) == count
    times = sorted(t for t, _, _ in sent)
    busiest = max(sum(1 for u in times if t <= u < t + 1.0) for t in times)
    budget = _transport.BUDGET
    assert busiest <= budget.rate + budget.burst + 1
