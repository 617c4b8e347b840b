"""Many background runs at once in one kernel: do they all complete, and what do they cost?

    python -m bench.load [--runs 50] [--chunks 1000] [--size 1000] [--rate 1000]
                         [--via magic|start] [--order bare-first|widgets-first] [--quick]
                         [--json PATH]

ONE real kernel (``tests/support/kernel.py``: a python3 kernel started by jupyter_client; this
process reads its iopub messages as a front end would) and one replay server process
(``tests/support/replay_server.py``), each stream paced at ``--rate`` events/s (the replay server's
``interval`` is 1 / rate; the real ``langgraph dev`` server emits about 1,000 events/s), of
``--n`` ``updates`` events of ``--size`` bytes after the ``metadata`` event.

Two phases, in the same kernel, in one run of this script:

* ``bare``, the baseline: one cell that runs RUNS bare httpx-sse loops concurrently
  (``asyncio.gather``), each with its own ``httpx.AsyncClient`` as ``RunWidget.run`` has, each
  keeping every parsed event in a list, as the widget keeps ``w.chunks``
  (``bench.kernel_side.keep_loop``);
* ``widgets``: RUNS background runs, ``%%lgrun bulk --url URL --background -o r{i}`` cells (or,
  with ``--via start``, one cell of ``RunWidget(...)``, ``display``, ``.start()``), all sent to
  the kernel at once so the runs overlap, then one cell that awaits until none is running. The
  widgets are displayed: their comm messages go out over iopub to this process.

Before the phases, one short widget run and one short bare run warm the kernel up (imports,
first connections), so neither phase pays for them. Each phase then checks its result: every
run complete, with every chunk in order (the widget's ``snapshot`` decoded too); a run that
is not complete makes the script exit with status 1.

Measured: the kernel's RSS (psutil, sampled every 100 ms from this process): its level before
each phase (the median of 1 s of samples, after ``gc.collect()`` and glibc's ``malloc_trim``
in the kernel, so that memory freed by an earlier phase is not counted) and the peak during it,
the increment being peak minus before; the wall time of the phase (from the first
run's start to the last run's end, as the kernel saw it) and the kernel's CPU time (user +
system, every thread) over the phase. Ratios are widgets / bare. Also counted: the widgets'
comm messages on iopub, and their peak rate over 3 s, against the Jupyter server's limit
(jupyter_server drops iopub messages above 1,000/s averaged over 3 s: its IOPub rate limit,
``ServerApp.iopub_msg_rate_limit`` over ``rate_limit_window``).

Order matters a little for memory even so: what the first phase freed may stay in Python's
allocator pools and be reused by the second, which then looks cheaper; and the widgets stay
alive after their phase (ipywidgets keeps every widget until it is closed), so a ``bare`` phase
after them starts higher. The default runs ``bare`` first; compare with ``--order
widgets-first``.

This is a benchmark: it prints and saves figures, and fails only when runs are incomplete.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from typing import Any

import psutil

from bench import kit
from tests.support.kernel import Kernel, running_kernel
from tests.support.replay_server import replay_server

CELL_TIMEOUT = 600.0
SAMPLE_INTERVAL = 0.1
#: jupyter_server's IOPub rate limit: messages/s, averaged over 3 s.
IOPUB_LIMIT = 1_000

SETUP = r"""
import asyncio, json, time
from IPython.display import display
import lgwidget
from bench.kernel_side import *
%load_ext lgwidget
"""


class RssSampler:
    """Samples a process's RSS every ``interval`` s on a thread of this process."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        self.proc = psutil.Process(pid)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rss = self.proc.memory_info().rss
            except psutil.Error:
                return
            self.samples.append((time.monotonic(), rss))
            self._stop.wait(self.interval)

    def peak(self, start: float, end: float) -> int:
        return max(rss for t, rss in self.samples if start <= t <= end)

    def level(self, seconds: float = 1.0) -> int:
        """The median RSS over the next ``seconds`` (the kernel idle meanwhile)."""
        start = time.monotonic()
        time.sleep(seconds)
        return int(statistics.median(rss for t, rss in self.samples if t >= start))


def run_cell(kernel: Kernel, code: str) -> str:
    return kit.run_cell(kernel, code, CELL_TIMEOUT).stdout


def result_of(kernel: Kernel, code: str) -> Any:
    return kit.result_line(run_cell(kernel, code))


def execute_all(kernel: Kernel, cells: list[str]) -> None:
    """Send every cell at once (the kernel runs them back to back), then wait for the replies."""
    client = kernel.client
    pending = {client.execute(code) for code in cells}
    deadline = time.monotonic() + CELL_TIMEOUT
    while pending:
        reply = client.get_shell_msg(timeout=max(1.0, deadline - time.monotonic()))
        msg_id = reply["parent_header"].get("msg_id")
        if msg_id in pending:
            pending.discard(msg_id)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"a start cell failed: {reply['content']}")


def gc_kernel(kernel: Kernel) -> None:
    run_cell(kernel, "release()")


def execute_counting(kernel: Kernel, code: str) -> tuple[str, list[float]]:
    """Run a cell as :meth:`Kernel.execute` does, but also note the time (the kernel's clock)
    of every widget message on iopub meanwhile, whichever cell it belongs to: the background
    runs' messages come while this cell waits. Returns (stdout, times)."""
    client = kernel.client
    msg_id = client.execute(code)
    stdout, times, done = [], [], False
    while not done:
        msg = client.get_iopub_msg(timeout=CELL_TIMEOUT)
        kind = msg["msg_type"]
        if kind == "comm_msg":
            times.append(msg["header"]["date"].timestamp())
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if kind == "stream" and msg["content"]["name"] == "stdout":
            stdout.append(msg["content"]["text"])
        elif kind == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            done = True
    client.get_shell_msg(timeout=CELL_TIMEOUT)
    return "".join(stdout), times


def peak_rate(times: list[float], window: float = 3.0) -> float:
    """The highest average messages/s over any ``window`` s: how the Jupyter server's iopub
    rate limit (1,000 messages/s averaged over 3 s) would see this traffic."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best / window


def body(args: argparse.Namespace) -> dict[str, Any]:
    spec: dict[str, Any] = {"n": args.n, "size": args.size}
    if args.rate:
        spec["interval"] = 1.0 / args.rate
    return spec


def phase_bare(kernel: Kernel, sampler: RssSampler, args: argparse.Namespace, url: str
               ) -> dict[str, Any]:
    gc_kernel(kernel)
    before = sampler.level()
    start = time.monotonic()
    request = {"assistant_id": "bulk", "input": body(args), "stream_mode": "updates"}
    result = result_of(kernel, f"""
_c0 = cpu(); _t0 = time.time()
BARE = await asyncio.gather(*(keep_loop({url!r}, {request!r}) for _ in range({args.runs})))
_t1 = time.time(); _c1 = cpu()
print("RESULT " + json.dumps({{"wall": _t1 - _t0, "cpu": _c1 - _c0,
    "complete": sum(complete(k, {args.n}) for k in BARE),
    "chunks": sum(len(k) for k in BARE)}}))
""")
    end = time.monotonic()
    peak = sampler.peak(start, end)
    run_cell(kernel, "del BARE")
    return {**result, "rss_before": before, "rss_peak": peak, "rss_increment": peak - before}


def phase_widgets(kernel: Kernel, sampler: RssSampler, args: argparse.Namespace, url: str
                  ) -> dict[str, Any]:
    gc_kernel(kernel)
    before = sampler.level()
    spec = json.dumps(body(args))
    run_cell(kernel, "_c0 = cpu()")
    start = time.monotonic()
    if args.via == "magic":
        execute_all(kernel, [f"%%lgrun bulk --url {url} --background -o r{i}\n{spec}"
                             for i in range(args.runs)])
        collect = f"RUNS = [globals()[f'r{{i}}'] for i in range({args.runs})]"
    else:
        run_cell(kernel, f"""
RUNS = [lgwidget.RunWidget("bulk", {spec}, url={url!r}) for _ in range({args.runs})]
for _w in RUNS:
    display(_w)
    _w.start()
""")
        collect = ""
    stdout, times = execute_counting(kernel, f"""
{collect}
while any(w.status in ("idle", "running") for w in RUNS):
    await asyncio.sleep(0.02)
_c1 = cpu()
_t0 = min(w.started_at for w in RUNS); _t1 = max(w.ended_at for w in RUNS)
print("RESULT " + json.dumps({{"wall": _t1 - _t0, "cpu": _c1 - _c0,
    "complete": sum(w.status == "done" and complete(w.chunks, {args.n})
                    and w.chunk_count == len(w.chunks) and snapshot_count(w) == len(w.chunks)
                    for w in RUNS),
    "chunks": sum(len(w.chunks) for w in RUNS),
    "statuses": sorted({{w.status for w in RUNS}}),
    "errors": [w.error for w in RUNS if w.error][:3],
    "run_wall": sorted(w.elapsed for w in RUNS),
    "snapshot_bytes": sum(sum(map(len, w.snapshot)) for w in RUNS)}}))
""")
    result = kit.result_line(stdout)
    result["comm_messages"] = len(times)
    result["comm_peak_rate_3s"] = peak_rate(times)
    end = time.monotonic()
    peak = sampler.peak(start, end)
    gc_kernel(kernel)
    retained = sampler.level()
    run_cell(kernel, "del RUNS\n" + "".join(f"r{i} = None\n" for i in range(args.runs))
             if args.via == "magic" else "del RUNS")
    walls = result.pop("run_wall")
    result["run_wall_median"] = statistics.median(walls)
    result["run_wall_max"] = max(walls)
    return {**result, "rss_before": before, "rss_peak": peak, "rss_increment": peak - before,
            "rss_retained_after": retained - before}


def main(argv: list[str] | None = None) -> int:
    parser = kit.parser(__doc__, "10 runs instead of 50")
    parser.add_argument("--runs", type=int, default=50)
    kit.chunks_arg(parser, 1000, "updates events per run")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1000.0,
                        help="events/s of each stream; 0 sends as fast as the socket takes them")
    parser.add_argument("--via", choices=("magic", "start"), default="magic")
    parser.add_argument("--order", choices=("bare-first", "widgets-first"), default="bare-first")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = min(args.runs, 10)

    interval = 1.0 / args.rate if args.rate else 0.0
    machine = kit.header("load", f"{args.runs} concurrent runs x ({args.n:,} events of "
                         f"{args.size:,} B) at {args.rate:,.0f} events/s each, via {args.via}")
    with replay_server(n=args.n, size=args.size, interval=interval) as server, \
            running_kernel() as kernel:
        pid = int(run_cell(kernel, "import os; print(os.getpid())").strip())
        run_cell(kernel, SETUP)
        with RssSampler(pid) as sampler:
            rss_start = sampler.level(0.5)
            # Warm-up: imports and first connections, paid by neither phase.
            small = json.dumps({"n": 20, "size": args.size})
            run_cell(kernel, f"_w = lgwidget.RunWidget('bulk', {small}, url={server.url!r})\n"
                             "display(_w); await _w.run(); del _w\n"
                             f"await keep_loop({server.url!r}, {{'input': {small}}})")
            phases = ("bare", "widgets") if args.order == "bare-first" else ("widgets", "bare")
            results: dict[str, dict[str, Any]] = {}
            t0 = time.monotonic()
            for name in phases:
                fn = phase_bare if name == "bare" else phase_widgets
                results[name] = fn(kernel, sampler, args, server.url)
            total = time.monotonic() - t0

    bare, widgets = results["bare"], results["widgets"]
    mb = 1024 * 1024
    payload = args.runs * args.n * args.size
    print(f"\nkernel RSS at start {rss_start / mb:.0f} MiB; payload {payload / mb:.0f} MiB "
          f"({args.runs} x {args.n:,} x {args.size:,} B)")
    print(f"{'phase':<10}{'complete':>10}{'chunks':>10}{'wall s':>9}{'cpu s':>8}"
          f"{'RSS before':>12}{'peak':>9}{'increment':>11}")
    for name in phases:
        r = results[name]
        print(f"{name:<10}{r['complete']:>7}/{args.runs:<2}{r['chunks']:>10,}{r['wall']:>9.2f}"
              f"{r['cpu']:>8.2f}{r['rss_before'] / mb:>9.0f} MiB{r['rss_peak'] / mb:>5.0f} MiB"
              f"{r['rss_increment'] / mb:>7.0f} MiB")
    ratios = {
        "wall": widgets["wall"] / bare["wall"],
        "cpu": widgets["cpu"] / bare["cpu"],
        "rss_increment": widgets["rss_increment"] / max(bare["rss_increment"], 1),
        "rss_peak": widgets["rss_peak"] / bare["rss_peak"],
    }
    print(f"\nwidgets / bare: wall {ratios['wall']:.2f}x, kernel CPU {ratios['cpu']:.2f}x, "
          f"RSS increment {ratios['rss_increment']:.2f}x, peak RSS {ratios['rss_peak']:.2f}x")
    print(f"widgets: each run took {widgets['run_wall_median']:.2f} s (median), "
          f"{widgets['run_wall_max']:.2f} s (slowest); the paced stream alone is "
          f"{args.n / args.rate if args.rate else 0:.2f} s; retained after the runs "
          f"{widgets['rss_retained_after'] / mb:.0f} MiB (the widgets keep their chunks); "
          f"snapshots {widgets['snapshot_bytes'] / mb:.1f} MiB")
    print(f"widget messages on iopub: {widgets['comm_messages']:,}, peak "
          f"{widgets['comm_peak_rate_3s']:,.0f}/s averaged over 3 s (the Jupyter server drops "
          f"iopub messages above 1,000/s)")
    print(f"total {total:.1f} s")
    ok = (bare["complete"] == args.runs and widgets["complete"] == args.runs)
    if not ok:
        print(f"INCOMPLETE: bare {bare['complete']}/{args.runs}, widgets "
              f"{widgets['complete']}/{args.runs} {widgets['statuses']} {widgets['errors']}")
    rate_ok = widgets["comm_peak_rate_3s"] < IOPUB_LIMIT
    print(f"goal: every run complete: {kit.meets(ok)}; widget messages under the iopub limit "
          f"({IOPUB_LIMIT:,}/s over 3 s): {kit.meets(rate_ok)}")
    kit.write_json(args.json, {
        **machine, "params": vars(args) | {"interval": interval}, "rss_start": rss_start,
        "phases": results, "ratios": ratios, "total_s": total, "complete": ok,
    })
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
