"""What does a displayed ``RunWidget`` cost the kernel, compared with a bare httpx-sse loop?

    python bench/bench_widget.py [--n 10000] [--size 1000] [--repeat 5] [--json PATH]

Everything timed runs IN A REAL KERNEL (``tests/kernel.py``: a python3 kernel started by
jupyter_client, its iopub messages collected per cell), fed by one replay server process
(``bench/replay_server.py``, N ``updates`` events of SIZE bytes, as fast as the socket takes
them). No browser is attached: comm messages still go out over iopub, which is the cost we want.

Part 1, the replayed stream. Four approaches, one cell per run, all in the same kernel, rounds
interleaved with the order rotated every round (A B C D, B C D A, ...), one untimed warm-up run
of each first, ``gc.collect()`` before each timed region:

* ``bare``: the baseline, a bare httpx-sse loop that only ``json.loads`` each event
  (``httpx.AsyncClient`` + ``aconnect_sse`` + ``aiter_sse``); the client is created inside the
  timed region, as ``RunWidget.run`` creates its own client on every run;
* ``displayed``: ``w = RunWidget("bulk", {"n": N, "size": SIZE}, url=URL); display(w)``, then
  only ``await w.run()`` is timed (it includes closing the transport and the end-of-run
  ``snapshot`` trait update);
* ``undisplayed``: the same widget, never displayed. NOTE: an ipywidgets comm is opened when
  the widget is created, not when it is displayed, so this sends exactly the same comm
  messages as ``displayed`` (the table shows it): it only saves the display_data messages;
* ``no-comm``: the same widget with its comm closed (``w.close()``) before the run: batching
  and compression still happen, but nothing is sent over iopub. ``displayed`` minus
  ``no-comm`` is the cost of sending; ``no-comm`` minus ``bare`` the cost of the widget's own
  work (chunk list, batching, compression thread, trait updates).

Three diagnostic variants (left out with ``--no-breakdown``) say where the time goes; two of
them take one part of the widget's work out by monkeypatching inside the kernel (lgwidget
itself is not edited):

* ``displayed-no-refresh``: displayed, but ``w._refresh_displays`` is a no-op, so the end-of-run
  refresh of the output's text/plain summary (``RunWidget.summary()``) is skipped;
* ``bare+keep``: the bare loop, also appending each decoded event to a list: the cost of
  keeping the data alive, which the widget does (``w.chunks``) and ``bare`` does not;
* ``loop-only``: no comm, and ``lgwidget._widget.Transport`` replaced by a no-op stand-in: no
  batching, no compression thread; what is left is the consume loop itself.

Times: wall (``time.perf_counter``) and the kernel process's CPU time (``time.process_time``:
every thread of the kernel, so the compression thread and ipykernel's iopub thread count too),
both measured inside the cell. Ratios are approach / ``bare``: median/median, best/best, and
the median of the per-round paired ratios.

From the iopub messages of each widget cell (only those of the widget's own comm): the
``comm_msg`` count, split into ``custom`` (batch messages) and ``update`` (trait state
updates, the snapshot among them), and the bytes sent to the front end: for each comm_msg the
length of its JSON content plus the lengths of its binary buffers (message headers not
counted). Payload bytes are the total size of the SSE ``data:`` JSON texts (``w.byte_count``,
the sum of ``len(json.dumps(chunk.data, separators=(",", ":")))``, about N x SIZE).

Part 2, realistic payloads. The replay server's payload is one English sentence repeated to
pad each event (``replay_server._FILLER``, 88 characters), which zlib compresses about 100x: it
flatters the bytes ratio. So bytes and messages are also measured with
``RunWidget.from_stream(parts)`` fed by an in-kernel async generator of pre-built, seeded
realistic chunks of about SIZE bytes of JSON each:

* ``chat``: LangGraph ``updates`` of LangChain-like messages (AI messages with usage and
  response metadata, tool calls, tool results), with text drawn from a Zipf-distributed
  vocabulary of 4,000 English-like words (real English prose compresses about 2.5-3x with
  zlib; this text is in that range, printed below);
* ``random``: the same structure with base64 of random bytes as the text: the worst case.

The generator yields to the loop every 64 parts (``asyncio.sleep(0)``), as a socket read does.
Approaches: ``bare`` (iterate the generator and ``json.dumps`` each part: the work any consumer
of dicts that forwards JSON must do), ``displayed`` and ``no-comm`` as above.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.support.replay_server import _FILLER, replay_server, updates_event  # noqa: E402

from tests.support.kernel import Execution, running_kernel  # noqa: E402

GOAL_TIME_RATIO = 1.15
GOAL_BYTES_RATIO = 1.2
GOAL_MESSAGES_PER_10K = 100
CELL_TIMEOUT = 300.0

# ---------------------------------------------------------------------------------- kernel code

SETUP = r'''
import asyncio, base64, gc, json, random, time, uuid
import httpx
from httpx_sse import aconnect_sse
from IPython.display import display
import lgwidget

BODY = {"assistant_id": "bulk", "input": INPUT, "stream_mode": "updates"}
TIMEOUT = httpx.Timeout(connect=5, read=300, write=300, pool=5)

async def bare_loop():
    n = 0
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        async with aconnect_sse(client, "POST", URL + "/runs/stream", json=BODY) as source:
            async for sse in source.aiter_sse():
                json.loads(sse.data)
                n += 1
    return n

class NoTransport:
    """Stands in for lgwidget._transport.Transport in the loop-only diagnostic variant."""
    messages_sent = bytes_sent = 0
    def __init__(self, send, publish): pass
    def start(self): pass
    def add(self, event, raw, t_ms): pass
    def resend(self, have): pass
    async def close(self): return []

async def keep_loop():
    """bare_loop that also keeps every decoded event, as the widget keeps w.chunks."""
    kept = []
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        async with aconnect_sse(client, "POST", URL + "/runs/stream", json=BODY) as source:
            async for sse in source.aiter_sse():
                kept.append(json.loads(sse.data))
    return kept

def widget_facts(w):
    t = w._transport
    return {"comm_id": getattr(w.comm, "comm_id", None), "chunks": len(w.chunks),
            "status": w.status,
            "payload_bytes": w.byte_count,
            "payload_bytes_check": sum(len(json.dumps(c.data, separators=(",", ":"),
                                                      ensure_ascii=False)) for c in w.chunks),
            "transport_messages": t.messages_sent if t else None,
            "transport_bytes": getattr(t, "bytes_sent", None),
            "snapshot_blobs": len(w.snapshot), "snapshot_bytes": sum(map(len, w.snapshot))}

# -- realistic chunks (part 2) ---------------------------------------------------------------
def _vocabulary(rng, size=4000):
    onsets = ["", "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "w", "th",
              "st", "pr", "tr", "ch", "sh", "br", "cl", "gr"]
    vowels = ["a", "e", "i", "o", "u", "ea", "ou", "io", "ai", "ee"]
    codas = ["", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck", "m", "rs", "tion", "ed"]
    common = ("the of and to a in is that for it as with was on be by this are or from at an "
              "which have not but can all your will one more has their if would about there "
              "when what so up out them into some time other than then its only also these "
              "state graph node agent model tool call result message answer step search").split()
    words = set(common)
    while len(words) < size:
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
                          for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))))
    words = common + sorted(words - set(common))
    weights = [1 / (rank + 2) for rank in range(len(words))]  # Zipf
    return words, weights

def _sentences(rng, words, weights, chars):
    out, length = [], 0
    while length < chars:
        sentence = rng.choices(words, weights, k=rng.randint(6, 18))
        s = " ".join(sentence).capitalize() + rng.choice([".", ".", ".", "?", ",", ":"]) + " "
        out.append(s); length += len(s)
    return "".join(out)[:chars]

def _shell(rng, i, kind):
    rid = f"run-{uuid.UUID(int=rng.getrandbits(128))}"
    call_id = "call_" + base64.b64encode(rng.randbytes(18)).decode().replace("/", "x")
    if kind == 0:
        return "agent", {"messages": [{"content": "", "additional_kwargs": {},
            "response_metadata": {"finish_reason": "stop", "model_name": "gpt-4o-mini-2024-07-18",
                                  "system_fingerprint": f"fp_{rng.getrandbits(40):010x}"},
            "type": "ai", "name": None, "id": rid, "tool_calls": [], "invalid_tool_calls": [],
            "usage_metadata": {"input_tokens": rng.randint(50, 4000),
                               "output_tokens": rng.randint(5, 400),
                               "total_tokens": rng.randint(100, 4400)}}]}
    if kind == 1:
        return "agent", {"messages": [{"content": "", "additional_kwargs": {},
            "response_metadata": {"finish_reason": "tool_calls"}, "type": "ai", "name": None,
            "id": rid, "tool_calls": [{"name": "search", "args": {"query": ""}, "id": call_id,
                                       "type": "tool_call"}], "invalid_tool_calls": []}]}
    return "tools", {"messages": [{"content": "", "additional_kwargs": {},
        "response_metadata": {}, "type": "tool", "name": "search", "id": str(uuid.UUID(
        int=rng.getrandbits(128))), "tool_call_id": call_id, "artifact": None,
        "status": "success"}]}

def _fill(update, text):
    m = update["messages"][0]
    if m.get("tool_calls"):
        m["tool_calls"][0]["args"]["query"] = text[:80]
        m["content"] = text[80:]
    else:
        m["content"] = text

def make_parts(kind, n, size, seed=20240601):
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    parts = [("metadata", {"run_id": str(uuid.UUID(int=rng.getrandbits(128))), "attempt": 1})]
    for i in range(n):
        node, update = _shell(rng, i, (0, 1, 2)[i % 3])
        base = len(json.dumps({node: update}, separators=(",", ":")))
        room = max(0, size - base)
        if kind == "chat":
            text = _sentences(rng, words, weights, room)
        else:
            text = base64.b64encode(rng.randbytes(room)).decode()[:room]
        _fill(update, text)
        parts.append(("updates", {node: update}))
    return parts

async def replay(parts):
    for i, part in enumerate(parts):
        if i % 64 == 63:
            await asyncio.sleep(0)
        yield part

async def bare_parts(parts):
    n = 0
    async for event, data in replay(parts):
        json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        n += 1
    return n

def payload_facts(parts):
    texts = [json.dumps(d, separators=(",", ":"), ensure_ascii=False) for _, d in parts]
    raw = "\n".join(texts).encode()
    return {"payload_bytes": sum(map(len, texts)),
            "zlib1_ratio": len(raw) / len(zlib.compress(raw, 1)),
            "sample": texts[1][:400]}
import zlib
'''

TIMED = r"""
gc.collect()
_c0 = time.process_time(); _t0 = time.perf_counter()
{run}
_t1 = time.perf_counter(); _c1 = time.process_time()
print("RESULT " + json.dumps({{"wall": _t1 - _t0, "cpu": _c1 - _c0, **_facts}}))
"""

REPLAY_CELLS = {
    "bare": ("", "_n = await bare_loop()\n_facts = {'chunks': _n}"),
    "displayed": (
        "w = lgwidget.RunWidget('bulk', INPUT, url=URL)\ndisplay(w)",
        "await w.run()\n_facts = widget_facts(w)",
    ),
    "undisplayed": (
        "w = lgwidget.RunWidget('bulk', INPUT, url=URL)",
        "await w.run()\n_facts = widget_facts(w)",
    ),
    "no-comm": (
        "w = lgwidget.RunWidget('bulk', INPUT, url=URL)\nw.close()",
        "await w.run()\n_facts = widget_facts(w)",
    ),
}

#: Diagnostic variants (``--breakdown``): the same widget with one part of its work taken
#: out by monkeypatching the instance or the module in the kernel (lgwidget is not edited).
BREAKDOWN_CELLS = {
    # The bare loop keeping every decoded event in a list: the cost of retaining the data,
    # which the widget must do (w.chunks) and a bare loop that drops it does not.
    "bare+keep": ("", "_kept = await keep_loop()\n_facts = {'chunks': len(_kept)}\ndel _kept"),
    # Displayed, but the end-of-run refresh of the output's text/plain summary is skipped.
    "displayed-no-refresh": (
        "w = lgwidget.RunWidget('bulk', INPUT, url=URL)\ndisplay(w)\n"
        "w._refresh_displays = lambda: None",
        "await w.run()\n_facts = widget_facts(w)",
    ),
    # No comm and no transport at all (no batching, no compression thread): what is left is
    # the widget's consume loop (lgwidget.Client.events, _parts, StreamPart list, traits).
    "loop-only": (
        "import lgwidget._widget as _W\n_W.Transport = NoTransport\n"
        "w = lgwidget.RunWidget('bulk', INPUT, url=URL)\nw.close()",
        "await w.run()\n_facts = widget_facts(w)",
    ),
}

PARTS_CELLS = {
    "bare": ("", "_n = await bare_parts(PARTS[{kind!r}])\n_facts = {{'chunks': _n}}"),
    "displayed": (
        "w = lgwidget.RunWidget.from_stream(replay(PARTS[{kind!r}]), assistant_id='chat')\n"
        "display(w)",
        "await w.run()\n_facts = widget_facts(w)",
    ),
    "no-comm": (
        "w = lgwidget.RunWidget.from_stream(replay(PARTS[{kind!r}]), assistant_id='chat')\n"
        "w.close()",
        "await w.run()\n_facts = widget_facts(w)",
    ),
}

CLEANUP = (
    "import lgwidget._widget as _W, lgwidget._transport as _T\n_W.Transport = _T.Transport\n"
    "if 'w' in globals():\n    w.close()\n    del w\ngc.collect()"
)


# ---------------------------------------------------------------------------------- running


class CellError(RuntimeError):
    pass


def run_cell(kernel: Any, code: str) -> Execution:
    ex = kernel.execute(code, timeout=CELL_TIMEOUT)
    if ex.status != "ok" or ex.error:
        raise CellError(f"cell failed ({ex.status}):\n{code}\n{ex.error}")
    return ex


def comm_traffic(ex: Execution, comm_id: str | None) -> dict[str, Any]:
    """The widget comm's comm_msg messages of one cell: counts by method, bytes sent."""
    methods: Counter[str] = Counter()
    json_bytes = buffer_bytes = 0
    for msg in ex.of_type("comm_msg"):
        if msg["content"].get("comm_id") != comm_id:
            continue
        methods[msg["content"]["data"].get("method", "?")] += 1
        json_bytes += len(json.dumps(msg["content"], ensure_ascii=False).encode())
        buffer_bytes += sum(len(memoryview(b).cast("B")) for b in msg.get("buffers") or [])
    others = Counter(m["msg_type"] for m in ex.messages if m["msg_type"] != "comm_msg")
    return {
        "comm_msgs": sum(methods.values()),
        "custom_msgs": methods.get("custom", 0),
        "update_msgs": methods.get("update", 0),
        "json_bytes": json_bytes,
        "buffer_bytes": buffer_bytes,
        "bytes_sent": json_bytes + buffer_bytes,
        "other_iopub": dict(others),
        "iopub_total": len(ex.messages),
    }


def timed(kernel: Any, prepare: str, run: str) -> dict[str, Any]:
    if prepare:
        run_cell(kernel, prepare)
    ex = run_cell(kernel, TIMED.format(run=run))
    lines = [line for line in ex.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise CellError(f"no RESULT line from the cell:\n{run}\nstdout: {ex.stdout!r}")
    result = json.loads(lines[-1][len("RESULT ") :])
    if "comm_id" in result:
        result.update(comm_traffic(ex, result["comm_id"]))
    run_cell(kernel, CLEANUP)
    return result


def check(name: str, result: dict[str, Any], chunks: int) -> None:
    if result["chunks"] != chunks or result.get("status", "done") != "done":
        raise AssertionError(f"{name}: expected {chunks} chunks and status done, got {result}")


def interleave(
    kernel: Any, cells: dict[str, tuple[str, str]], repeat: int, chunks: int, label: str
) -> dict[str, list[dict[str, Any]]]:
    """One untimed warm-up run of each, then ``repeat`` rounds in rotated order."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in cells}
    names = list(cells)
    for name in names:
        check(name, timed(kernel, *cells[name]), chunks)
    for round_ in range(repeat):
        shift = round_ % len(names)
        order = names[shift:] + names[:shift]
        for name in order:
            result = timed(kernel, *cells[name])
            check(name, result, chunks)
            runs[name].append(result)
        print(
            f"  [{label}] round {round_ + 1}/{repeat}: "
            + ", ".join(f"{name} {runs[name][-1]['wall'] * 1e3:.0f} ms" for name in names),
            flush=True,
        )
    return runs


def summarize(runs: dict[str, list[dict[str, Any]]], chunks: int) -> dict[str, dict[str, Any]]:
    base = [r["wall"] for r in runs["bare"]]
    cpu_base = [r["cpu"] for r in runs["bare"]]
    rows: dict[str, dict[str, Any]] = {}
    for name, rs in runs.items():
        wall = [r["wall"] for r in rs]
        cpu = [r["cpu"] for r in rs]
        row: dict[str, Any] = {
            "median_ms": statistics.median(wall) * 1e3,
            "best_ms": min(wall) * 1e3,
            "cpu_median_ms": statistics.median(cpu) * 1e3,
            "cpu_best_ms": min(cpu) * 1e3,
            "us_per_chunk": statistics.median(wall) / chunks * 1e6,
            "ratio_median": statistics.median(wall) / statistics.median(base),
            "ratio_best": min(wall) / min(base),
            "ratio_paired_median": statistics.median(
                w / b for w, b in zip(wall, base, strict=True)
            ),
            "cpu_ratio_median": statistics.median(cpu) / statistics.median(cpu_base),
            "cpu_ratio_best": min(cpu) / min(cpu_base),
        }
        if "comm_msgs" in rs[0]:
            last = rs[-1]
            for key in (
                "comm_msgs",
                "custom_msgs",
                "update_msgs",
                "bytes_sent",
                "json_bytes",
                "buffer_bytes",
                "payload_bytes",
                "payload_bytes_check",
                "snapshot_bytes",
                "snapshot_blobs",
                "transport_messages",
                "transport_bytes",
                "other_iopub",
                "iopub_total",
            ):
                row[key] = last[key]
            row["comm_msgs_range"] = [
                min(r["comm_msgs"] for r in rs),
                max(r["comm_msgs"] for r in rs),
            ]
            row["bytes_ratio"] = last["bytes_sent"] / last["payload_bytes"]
            row["stream_bytes_ratio"] = (
                (last["bytes_sent"] - last["snapshot_bytes"]) / last["payload_bytes"]
                if last["bytes_sent"]
                else 0.0
            )
            row["msgs_per_10k_chunks"] = last["comm_msgs"] / chunks * 10_000
        rows[name] = row
    return rows


# ---------------------------------------------------------------------------------- output


def print_time_table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    print(
        f"{'approach':<20} {'median ms':>9} {'best ms':>8} {'us/chunk':>8} {'ratio med':>9} "
        f"{'ratio best':>10} {'paired':>7}   {'CPU med ms':>10} {'CPU ratio':>9}"
    )
    for name, r in rows.items():
        print(
            f"{name:<20} {r['median_ms']:>9.1f} {r['best_ms']:>8.1f} {r['us_per_chunk']:>8.1f} "
            f"{r['ratio_median']:>8.3f}x {r['ratio_best']:>9.3f}x "
            f"{r['ratio_paired_median']:>6.3f}x"
            f"   {r['cpu_median_ms']:>10.1f} {r['cpu_ratio_median']:>8.3f}x"
        )


def print_traffic_table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    print(
        f"{'approach':<20} {'comm_msg':>8} {'custom':>6} {'update':>6} {'msgs/10k':>8} "
        f"{'bytes sent':>11} {'snapshot':>10} {'payload':>11} {'bytes ratio':>11} "
        f"{'(stream only)':>13}"
    )
    for name, r in rows.items():
        if "comm_msgs" not in r:
            continue
        print(
            f"{name:<20} {r['comm_msgs']:>8} {r['custom_msgs']:>6} {r['update_msgs']:>6} "
            f"{r['msgs_per_10k_chunks']:>8.1f} {r['bytes_sent']:>11,} {r['snapshot_bytes']:>10,} "
            f"{r['payload_bytes']:>11,} {r['bytes_ratio']:>10.4f}x "
            f"{r['stream_bytes_ratio']:>12.4f}x"
        )


def verdicts(rows: dict[str, dict[str, Any]], with_time: bool) -> list[str]:
    d = rows["displayed"]
    out = []
    if with_time:
        ok = d["ratio_median"] <= GOAL_TIME_RATIO
        out.append(
            f"time ratio displayed/bare {d['ratio_median']:.3f}x (median; best "
            f"{d['ratio_best']:.3f}x, CPU {d['cpu_ratio_median']:.3f}x): "
            f"{'meets' if ok else 'MISSES'} goal <= {GOAL_TIME_RATIO}"
        )
    ok = d["bytes_ratio"] <= GOAL_BYTES_RATIO
    out.append(
        f"bytes ratio {d['bytes_ratio']:.4f}x: {'meets' if ok else 'MISSES'} goal <= "
        f"{GOAL_BYTES_RATIO}"
    )
    ok = d["msgs_per_10k_chunks"] < GOAL_MESSAGES_PER_10K
    out.append(
        f"comm messages {d['comm_msgs']} ({d['custom_msgs']} custom + {d['update_msgs']} "
        f"update) = {d['msgs_per_10k_chunks']:.1f} per 10,000 chunks: "
        f"{'meets' if ok else 'MISSES'} goal < {GOAL_MESSAGES_PER_10K}"
    )
    return out


def breakdown(rows: dict[str, dict[str, Any]]) -> list[str]:
    """Where the displayed widget's extra time over ``bare`` goes: differences of medians and
    of bests (best-of is the least disturbed by other load on the machine)."""
    med = {name: r["median_ms"] for name, r in rows.items()}
    best = {name: r["best_ms"] for name, r in rows.items()}
    if "loop-only" not in med:
        return [
            f"displayed - bare = {med['displayed'] - med['bare']:.0f} ms: widget work (no-comm -"
            f" bare) {med['no-comm'] - med['bare']:.0f} ms, sending over iopub (displayed - "
            f"no-comm) {med['displayed'] - med['no-comm']:.0f} ms (medians)"
        ]
    steps = [
        ("keeping 10k decoded chunks alive (a list of dicts)", "bare+keep", "bare"),
        ("rest of the consume loop: Client.events, _parts, StreamPart", "loop-only", "bare+keep"),
        ("transport: batching + compression thread", "no-comm", "loop-only"),
        ("sending comm messages over iopub", "undisplayed", "no-comm"),
        ("display_data", "displayed-no-refresh", "undisplayed"),
        ("end-of-run text/plain summary refresh", "displayed", "displayed-no-refresh"),
    ]
    out = [
        f"displayed - bare = {med['displayed'] - med['bare']:.0f} ms median, "
        f"{best['displayed'] - best['bare']:.0f} ms best; split (median / best; noise of a "
        f"median about +-{_spread(rows):.0f} ms):"
    ]
    out += [
        f"  {med[a] - med[b]:+6.0f} / {best[a] - best[b]:+6.0f} ms  {label} ({a} - {b})"
        for label, a, b in steps
    ]
    return out


def _spread(rows: dict[str, dict[str, Any]]) -> float:
    """Half the median gap between median and best: a rough noise scale of one median."""
    return statistics.median(r["median_ms"] - r["best_ms"] for r in rows.values()) / 2


def versions() -> dict[str, str]:
    import anywidget
    import httpx
    import ipykernel
    import ipywidgets

    import lgwidget

    return {
        "python": platform.python_version(),
        "ipykernel": ipykernel.__version__,
        "ipywidgets": ipywidgets.__version__,
        "anywidget": anywidget.__version__,
        "httpx": httpx.__version__,
        "lgwidget": lgwidget.__version__,
    }


def replay_compressibility(size: int) -> float:
    """zlib level 1 ratio of 256 of the replay server's payloads, as the transport batches them."""
    lines = []
    for i in range(1, 257):
        event = updates_event(i, size).decode()
        lines.append(event.split("data: ", 1)[1].rstrip("\r\n"))
    raw = "\n".join(lines).encode()
    return len(raw) / len(zlib.compress(raw, 1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="updates events per stream")
    parser.add_argument("--size", type=int, default=1_000, help="bytes per event")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per approach")
    parser.add_argument(
        "--parts-repeat",
        type=int,
        default=None,
        help="timed runs per approach, realistic payloads (default: --repeat)",
    )
    parser.add_argument("--skip-parts", action="store_true", help="only the replayed stream")
    parser.add_argument(
        "--no-breakdown",
        action="store_true",
        help="leave out the diagnostic variants (bare+keep, displayed-no-refresh, loop-only)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    parts_repeat = args.parts_repeat or args.repeat
    chunks = args.n + 1

    result: dict[str, Any] = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "versions": versions(),
        "params": {
            "n": args.n,
            "size": args.size,
            "repeat": args.repeat,
            "parts_repeat": parts_repeat,
        },
        "goals": {
            "time_ratio": GOAL_TIME_RATIO,
            "bytes_ratio": GOAL_BYTES_RATIO,
            "messages_per_10k": GOAL_MESSAGES_PER_10K,
        },
    }
    lines: list[str] = []
    with replay_server(n=args.n, size=args.size) as server, running_kernel() as kernel:
        print(
            f"replay server pid {server.pid} at {server.url}; kernel pid "
            f"{getattr(kernel.km.provisioner, 'pid', '?')}; {chunks:,} chunks "
            f"x {args.size} B; {args.repeat} interleaved rounds; {os.cpu_count()} CPUs",
            flush=True,
        )
        run_cell(
            kernel,
            f"URL = {server.url!r}\nINPUT = {{'n': {args.n}, 'size': {args.size}}}\n" + SETUP,
        )
        ex = run_cell(
            kernel,
            "import time, httpx\n_t = time.perf_counter()\n"
            "for _ in range(20): httpx.AsyncClient(timeout=TIMEOUT)\n"
            "print((time.perf_counter() - _t) / 20 * 1e3)",
        )
        client_ms = float(ex.stdout.strip())
        result["httpx_client_construction_ms"] = client_ms

        cells = dict(REPLAY_CELLS) if args.no_breakdown else {**REPLAY_CELLS, **BREAKDOWN_CELLS}
        runs = interleave(kernel, cells, args.repeat, chunks, "replay")
        rows = summarize(runs, chunks)
        ratio = replay_compressibility(args.size)
        result["replay"] = {"runs": runs, "summary": rows, "zlib1_ratio": ratio, "filler": _FILLER}

        if not args.skip_parts:
            result["parts"] = {}
            for kind in ("chat", "random"):
                ex = run_cell(
                    kernel,
                    f"PARTS = globals().get('PARTS', {{}})\n"
                    f"PARTS[{kind!r}] = make_parts({kind!r}, {args.n}, "
                    f"{args.size})\n"
                    f"print(json.dumps(payload_facts(PARTS[{kind!r}])))",
                )
                facts = json.loads(ex.stdout.strip().splitlines()[-1])
                cells = {
                    name: (prep.format(kind=kind), run.format(kind=kind))
                    for name, (prep, run) in PARTS_CELLS.items()
                }
                kind_runs = interleave(kernel, cells, parts_repeat, chunks, kind)
                result["parts"][kind] = {
                    "facts": facts,
                    "runs": kind_runs,
                    "summary": summarize(kind_runs, chunks),
                }
                run_cell(kernel, f"del PARTS[{kind!r}]\ngc.collect()")

    print(
        f"\n== Part 1: replayed stream, {chunks:,} chunks x {args.size} B (replay server "
        "payload: "
        f"a repeated {len(_FILLER)}-char sentence, zlib-1 ratio {ratio:.0f}x) =="
    )
    print_time_table(
        "kernel time of the run (wall = perf_counter in the cell; CPU = "
        "process_time of the kernel)",
        rows,
    )
    print_traffic_table("iopub traffic of the widget's comm in the run cell", rows)
    print(
        f"(httpx.AsyncClient construction in this kernel: {client_ms:.1f} ms; both bare and "
        f"the widget pay it once per run)"
    )
    lines += ["replay: " + v for v in verdicts(rows, True)]
    lines += ["replay: " + line for line in breakdown(rows)]
    for kind, part in result.get("parts", {}).items():
        facts, prows = part["facts"], part["summary"]
        print(
            f"\n== Part 2 ({kind}): RunWidget.from_stream over {chunks:,} pre-built realistic "
            f"chunks, payload {facts['payload_bytes']:,} B, zlib-1 ratio "
            f"{facts['zlib1_ratio']:.2f}x =="
        )
        print(f"sample chunk: {facts['sample'][:300]}...")
        print_time_table("kernel time (bare = iterate + json.dumps each part)", prows)
        print_traffic_table("iopub traffic of the widget's comm", prows)
        lines += [f"{kind}: " + v for v in verdicts(prows, False)]
        pd, pn = prows["displayed"], prows["no-comm"]
        lines.append(
            f"{kind}: sending over iopub costs {pd['median_ms'] - pn['median_ms']:.0f} ms "
            f"(displayed {pd['median_ms']:.0f} ms vs no-comm {pn['median_ms']:.0f} ms)"
        )
    print("\n== Verdicts ==")
    for line in lines:
        print(line)
    result["verdicts"] = lines
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
