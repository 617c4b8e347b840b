"""What does a batch of 200 runs cost the kernel per chunk, compared with single runs, and how
many widget messages a second does it send?

    python -m bench.batch [--runs 200] [--chunks 200] [--concurrency 8] [--single 16]
                          [--rounds 2] [--quick] [--json PATH]

Against the real server (``langgraph dev --n-jobs-per-worker 8``, the ``bulk`` test graph: N
``updates`` of 100 bytes each), IN A REAL KERNEL (``tests/support/kernel.py``, its iopub messages
collected per cell), in rounds, the two cells of a round in turn:

* ``single`` (the baseline): SINGLE runs one after another, each a displayed ``RunWidget``
  awaited to its end;
* ``batch``: ``lgwidget.batch("bulk", [...] * RUNS, concurrency=8)``, displayed, awaited.

Measured inside the cell: the kernel's CPU time (``time.process_time``, every thread) per chunk
received. Checked: every run of the batch is done with every chunk (N updates and the metadata
event), in ``w.chunks`` and in the snapshot the browser gets (its batches decoded). From the
iopub messages of the batch cell: the widget messages (``comm_msg``, every comm) in the busiest
second (the Jupyter server drops iopub messages above about 1,000 a second).

Goals: CPU per chunk of the batch within 1.2x of single runs'; the busiest second under 500
widget messages.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench import kit
from tests.support.kernel import running_kernel
from tests.support.server import TEST_GRAPHS, run_langgraph_dev

GOAL_CPU_RATIO = 1.2
GOAL_PEAK_MESSAGES = 500

SINGLE = """
import time, json, gc, lgwidget
from IPython.display import display
gc.collect()
chunks = 0
cpu = time.process_time()
for _ in range({single}):
    w = lgwidget.RunWidget("bulk", {{"n": {n}, "size": 100}}, url={url!r})
    display(w)
    await w.run()
    chunks += len(w.chunks)
cpu = time.process_time() - cpu
print("RESULT " + json.dumps({{"cpu": cpu, "chunks": chunks}}))
"""

BATCH = """
import time, json, gc, lgwidget
from lgwidget._transport import decode_batch
gc.collect()
b = lgwidget.batch("bulk", [{{"n": {n}, "size": 100}}] * {runs}, url={url!r},
                   concurrency={concurrency})
display(b)
cpu, wall = time.process_time(), time.perf_counter()
await b.run()
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
complete = all(w.status == "done" and len(w.chunks) == {n} + 1
               and sum(len(decode_batch(x)[1]) for x in w.snapshot) == {n} + 1 for w in b.runs)
chunks = sum(len(w.chunks) for w in b.runs)
print("RESULT " + json.dumps({{"cpu": cpu, "wall": wall, "chunks": chunks, "complete": complete,
                               "peak_in_flight": b.peak_in_flight}}))
"""


def busiest_second(messages: list[dict[str, Any]]) -> int:
    """The most comm messages within any one second."""
    times = sorted(m["header"]["date"].timestamp() for m in messages if m["msg_type"] == "comm_msg")
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    p = kit.parser(__doc__, "50 runs of 100 chunks, 8 single runs, one round")
    p.add_argument("--runs", type=int, default=200)
    kit.chunks_arg(p, 200, "updates per run")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--single", type=int, default=16, help="single runs in the baseline cell")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    if args.quick:
        args.runs, args.n, args.single, args.rounds = 50, 100, 8, 1
    machine = kit.header("batch", f"{args.runs} runs x {args.n} chunks at {args.concurrency} "
                         f"at once vs {args.single} single runs, {args.rounds} rounds")
    singles: list[dict[str, Any]] = []
    batches: list[dict[str, Any]] = []
    with run_langgraph_dev(TEST_GRAPHS, n_jobs_per_worker=8) as url, running_kernel() as kernel:
        kit.run_cell(kernel, SINGLE.format(single=1, n=args.n, url=url))  # warm-up
        for round_ in range(args.rounds):
            for name in kit.rotated(["single", "batch"], round_):
                if name == "single":
                    ex = kit.run_cell(kernel, SINGLE.format(single=args.single, n=args.n, url=url))
                    singles.append(kit.result_line(ex.stdout))
                else:
                    ex = kit.run_cell(kernel, BATCH.format(runs=args.runs, n=args.n, url=url,
                                                           concurrency=args.concurrency))
                    result = kit.result_line(ex.stdout)
                    result["peak_messages"] = busiest_second(ex.messages)
                    result["comm_msgs"] = len(ex.of_type("comm_msg"))
                    batches.append(result)
    per_single = statistics.median(r["cpu"] / r["chunks"] for r in singles)
    per_batch = statistics.median(r["cpu"] / r["chunks"] for r in batches)
    ratio = per_batch / per_single
    peak = max(r["peak_messages"] for r in batches)
    complete = all(r["complete"] for r in batches)
    print(f"single runs: {per_single * 1e6:.0f} us CPU per chunk (median of {len(singles)} cells)")
    print(f"batch:       {per_batch * 1e6:.0f} us CPU per chunk; wall "
          f"{statistics.median(r['wall'] for r in batches):.1f} s for {args.runs} runs; at most "
          f"{max(r['peak_in_flight'] for r in batches)} in flight")
    print(f"CPU per chunk, batch / single: {kit.x(ratio)} (goal <= {GOAL_CPU_RATIO}x: "
          f"{kit.meets(ratio <= GOAL_CPU_RATIO)})")
    print(f"widget messages in the busiest second: {peak} (goal < {GOAL_PEAK_MESSAGES}: "
          f"{kit.meets(peak < GOAL_PEAK_MESSAGES)}); {batches[-1]['comm_msgs']} in all")
    print(f"every run done with every chunk, in Python and in the snapshot: "
          f"{kit.meets(complete)}")
    kit.write_json(args.json, {"machine": machine, "single": singles, "batch": batches,
                               "cpu_ratio": ratio, "peak_messages": peak, "complete": complete})


if __name__ == "__main__":
    main()
