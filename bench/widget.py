"""What does a displayed ``RunWidget`` cost the kernel, compared with a bare httpx-sse loop?

    python -m bench.widget [--chunks 10000] [--size 1000] [--repeat 5] [--parts-repeat R]
                           [--skip-parts] [--no-breakdown] [--quick] [--json PATH]

Everything timed runs IN A REAL KERNEL (``tests/support/kernel.py``, its iopub messages collected
per cell), fed by one replay server process (``tests/support/replay_server.py``, N ``updates``
events of SIZE bytes, as fast as the socket takes them). No browser is attached: comm messages
still go out over iopub, which is the cost we want. The kernel-side code is
``bench/kernel_side.py``.

Part 1, the replayed stream. One cell per run, all in the same kernel, rounds interleaved with
the order rotated every round, one untimed warm-up run of each first, ``gc.collect()`` before
each timed region:

* ``bare``: the baseline, a bare httpx-sse loop that only ``json.loads`` each event, its client
  created inside the timed region, as ``RunWidget.run`` creates its own client on every run;
* ``displayed``: ``w = RunWidget("bulk", {"n": N, "size": SIZE}, url=URL); display(w)``, then
  only ``await w.run()`` is timed (closing the transport and the ``snapshot`` update included);
* ``undisplayed``: the same widget, never displayed (an ipywidgets comm opens when the widget is
  created, so it sends the same comm messages: it only saves the display_data messages);
* ``no-comm``: the widget with its comm closed (``w.close()``) before the run: batching and
  compression still happen, nothing is sent over iopub.

Diagnostic variants (left out with ``--no-breakdown``) say where the time goes, some by
monkeypatching inside the kernel (lgwidget itself is not edited): ``displayed-no-refresh`` (no
end-of-run refresh of the text/plain summary), ``bare+keep`` (the bare loop keeping every event
as ``(event, data)``, as the widget keeps ``w.chunks``), ``loop-only`` (no comm, and
``lgwidget._widget.Transport`` replaced by a no-op: no batching, no compression thread).

Times: wall (``time.perf_counter``) and the kernel's CPU time (``time.process_time``, every
thread), measured inside the cell. Ratios are approach / ``bare``: median/median, best/best, and
the median of the per-round paired ratios. Traffic, from the iopub messages of the widget's own
comm: ``comm_msg`` count (``custom``: batches; ``update``: trait updates, the snapshot among
them) and bytes (JSON content plus binary buffers, headers not counted), against the payload
(``w.byte_count``: the compact JSON of every event's data, about N x SIZE).

Part 2, realistic payloads. The replay server's payload is one English sentence repeated to
pad each event (``replay_server._FILLER``, 88 characters), which zlib compresses about 100x: it
flatters the bytes ratio. So bytes and messages are also measured with
``RunWidget.from_stream(replay(parts))`` over ``bench.chunks``' pre-built, seeded realistic
chunks of about SIZE bytes of JSON each, built in the kernel: ``chat`` (LangChain-like messages,
English-like text, compresses about 2.5x) and ``random`` (base64 of random bytes: the worst
case). Approaches: ``bare`` (iterate the generator and ``json.dumps`` each part: the work any
consumer of dicts that forwards JSON must do), ``displayed`` and ``no-comm`` as above.
"""

from __future__ import annotations

import json
import statistics
import zlib
from typing import Any

from bench import kit
from tests.support.kernel import Execution, running_kernel
from tests.support.replay_server import _FILLER, replay_server, updates_event

GOAL_TIME_RATIO = 1.0  # no slower than the loop a user would write
GOAL_BYTES_RATIO = 1.2
GOAL_MESSAGES_PER_10K = 100
CELL_TIMEOUT = 300.0

# ---------------------------------------------------------------------------------- kernel code

SETUP = r"""
import asyncio, gc, json, time
from IPython.display import display
import lgwidget
from bench.chunks import bare_parts, make_parts, payload_facts, replay
from bench.kernel_side import *

BODY = {"assistant_id": "bulk", "input": INPUT, "stream_mode": "updates"}
"""

TIMED = r"""
gc.collect()
_c0 = time.process_time(); _t0 = time.perf_counter()
{run}
_t1 = time.perf_counter(); _c1 = time.process_time()
print("RESULT " + json.dumps({{"wall": _t1 - _t0, "cpu": _c1 - _c0, **_facts}}))
"""

REPLAY_CELLS = {
    "bare": ("", "_n = await bare_loop(URL, BODY)\n_facts = {'chunks': _n}"),
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
    "bare+keep": (
        "", "_kept = await keep_loop(URL, BODY)\n_facts = {'chunks': len(_kept)}\ndel _kept"
    ),
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


def run_cell(kernel: Any, code: str) -> Execution:
    return kit.run_cell(kernel, code, CELL_TIMEOUT)


def timed(kernel: Any, prepare: str, run: str) -> dict[str, Any]:
    if prepare:
        run_cell(kernel, prepare)
    ex = run_cell(kernel, TIMED.format(run=run))
    result = kit.result_line(ex.stdout)
    if "comm_id" in result:
        result.update(kit.comm_traffic(ex, result["comm_id"]))
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
        for name in kit.rotated(names, round_):
            result = timed(kernel, *cells[name])
            check(name, result, chunks)
            runs[name].append(result)
        print(
            f"  [{label}] round {round_ + 1}/{repeat}: "
            + ", ".join(f"{name} {runs[name][-1]['wall'] * 1e3:.0f} ms" for name in names),
            flush=True,
        )
    return runs


TRAFFIC = ("comm_msgs", "custom_msgs", "update_msgs", "bytes_sent", "json_bytes", "buffer_bytes",
           "payload_bytes", "payload_bytes_check", "snapshot_bytes", "snapshot_blobs",
           "transport_messages", "other_iopub", "iopub_total")


def summarize(runs: dict[str, list[dict[str, Any]]], chunks: int) -> dict[str, dict[str, Any]]:
    """Time ratios against ``bare`` (``kit.ratios``), and the last run's traffic."""
    wall = {name: [r["wall"] for r in rs] for name, rs in runs.items()}
    cpu = {name: [r["cpu"] for r in rs] for name, rs in runs.items()}
    rows: dict[str, dict[str, Any]] = kit.ratios(wall, cpu, "bare", chunks)
    for name, rs in runs.items():
        row = rows[name]
        row.update(median_ms=row["median_s"] * 1e3, best_ms=row["best_s"] * 1e3,
                   cpu_median_ms=row["cpu_median_s"] * 1e3, us_per_chunk=row["per_item_us"])
        if "comm_msgs" in rs[0]:
            last = rs[-1]
            row.update({key: last[key] for key in TRAFFIC})
            row["comm_msgs_range"] = [min(r["comm_msgs"] for r in rs),
                                      max(r["comm_msgs"] for r in rs)]
            row["bytes_ratio"] = last["bytes_sent"] / last["payload_bytes"]
            stream = last["bytes_sent"] - last["snapshot_bytes"] if last["bytes_sent"] else 0
            row["stream_bytes_ratio"] = stream / last["payload_bytes"]
            row["msgs_per_10k_chunks"] = last["comm_msgs"] / chunks * 10_000
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
        ("keeping 10k decoded chunks alive ((event, data) tuples)", "bare+keep", "bare"),
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


def replay_compressibility(size: int) -> float:
    """zlib level 1 ratio of 256 of the replay server's payloads, as the transport batches them."""
    lines = []
    for i in range(1, 257):
        event = updates_event(i, size).decode()
        lines.append(event.split("data: ", 1)[1].rstrip("\r\n"))
    raw = "\n".join(lines).encode()
    return len(raw) / len(zlib.compress(raw, 1))


def main(argv: list[str] | None = None) -> None:
    parser = kit.parser(__doc__, "2 rounds, no diagnostic variants")
    kit.chunks_arg(parser, 10_000, "updates events per stream")
    parser.add_argument("--size", type=int, default=1_000, help="bytes per event")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per approach")
    parser.add_argument("--parts-repeat", type=int, default=None,
                        help="timed runs per approach, realistic payloads (default: --repeat)")
    parser.add_argument("--skip-parts", action="store_true", help="only the replayed stream")
    parser.add_argument("--no-breakdown", action="store_true", help="leave out the diagnostic "
                        "variants (bare+keep, displayed-no-refresh, loop-only)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.no_breakdown = min(args.repeat, 2), True
    parts_repeat = args.parts_repeat or args.repeat
    chunks = args.n + 1
    machine = kit.header("widget", f"{chunks:,} chunks x {args.size} B; {args.repeat} "
                         "interleaved rounds")
    result: dict[str, Any] = {
        **machine,
        "params": vars(args),
        "goals": {"time_ratio": GOAL_TIME_RATIO, "bytes_ratio": GOAL_BYTES_RATIO,
                  "messages_per_10k": GOAL_MESSAGES_PER_10K},
    }
    lines: list[str] = []
    with replay_server(n=args.n, size=args.size) as server, running_kernel() as kernel:
        print(f"replay server pid {server.pid} at {server.url}; kernel pid "
              f"{getattr(kernel.km.provisioner, 'pid', '?')}", flush=True)
        run_cell(kernel, f"URL = {server.url!r}\nINPUT = {{'n': {args.n}, 'size': {args.size}}}\n"
                 + SETUP)
        ex = run_cell(kernel, "import time, httpx\n_t = time.perf_counter()\n"
                      "for _ in range(20): httpx.AsyncClient(timeout=TIMEOUT)\n"
                      "print((time.perf_counter() - _t) / 20 * 1e3)")
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
                ex = run_cell(kernel, f"PARTS = globals().get('PARTS', {{}})\n"
                              f"PARTS[{kind!r}] = make_parts({kind!r}, {args.n}, {args.size})\n"
                              f"print(json.dumps(payload_facts(PARTS[{kind!r}])))")
                facts = json.loads(ex.stdout.strip().splitlines()[-1])
                cells = {name: (prep.format(kind=kind), run.format(kind=kind))
                         for name, (prep, run) in PARTS_CELLS.items()}
                kind_runs = interleave(kernel, cells, parts_repeat, chunks, kind)
                result["parts"][kind] = {"facts": facts, "runs": kind_runs,
                                         "summary": summarize(kind_runs, chunks)}
                run_cell(kernel, f"del PARTS[{kind!r}]\ngc.collect()")

    print(f"\n== Part 1: replayed stream, {chunks:,} chunks x {args.size} B (replay server "
          f"payload: a repeated {len(_FILLER)}-char sentence, zlib-1 ratio {ratio:.0f}x) ==")
    print_time_table("kernel time of the run (wall = perf_counter in the cell; CPU = "
                     "process_time of the kernel)", rows)
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
    kit.write_json(args.json, result)


if __name__ == "__main__":
    main()
