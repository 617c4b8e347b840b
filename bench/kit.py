"""What the benchmarks share: flags, the machine header, ratios and verdicts, cells in a kernel,
and the browser page-measuring loop (``browser.py`` and ``tokens.py``).

Every benchmark runs from the repository root as ``python -m bench.<name>``; its helpers come from
here, ``bench.profiling``, ``bench.trace``, ``bench.chunks`` and ``tests.support``, never from
another benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"  # gitignored

# The kernels, JupyterLab and servers a benchmark starts measure this checkout too: its root goes
# first on their PYTHONPATH (so they import its lgwidget, and ``bench.chunks``).
if os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] != str(ROOT):
    _path = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, _path))


# ---------------------------------------------------------------------------------- flags, header


def parser(doc: str | None, quick: str) -> argparse.ArgumentParser:
    """An argument parser with the flags every benchmark has: ``--quick`` and ``--json``."""
    p = argparse.ArgumentParser(
        description=(doc or "").split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help=f"a shorter run: {quick}")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    return p


def chunks_arg(p: argparse.ArgumentParser, default: int, help: str) -> None:
    """``--chunks`` (``--n`` too, as the replay server and the ``bulk`` graph call it)."""
    p.add_argument("--chunks", "--n", dest="n", type=int, default=default, help=help)


def page_args(p: argparse.ArgumentParser, per: str, timeout: float, shot: str, tasks: int) -> None:
    """The flags of the browser benchmarks: passes, profiling, timeout, screenshot."""
    p.add_argument("--repeat", type=int, default=1, help=f"unprofiled passes per {per}")
    p.add_argument("--no-profile", action="store_true", help="skip the profiled passes")
    p.add_argument("--timeout", type=float, default=timeout, help="seconds for the run")
    p.add_argument("--screenshot", default=str(RESULTS / shot), help="of the first pass")
    p.add_argument("--max-tasks", type=int, default=tasks, help="long tasks to detail")


def machine() -> dict[str, Any]:
    import lgwidget

    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "lgwidget": lgwidget.__version__,
        "commit": commit or "?",
    }


def header(name: str, what: str) -> dict[str, Any]:
    """Print one line about the machine and the run (the load average tells a busy machine)."""
    m = machine()
    load = ", ".join(f"{x:.2f}" for x in m["load_average"])
    print(
        f"bench.{name} {m['date']} at {m['commit']}: {what}; {m['cpus']} CPUs, load average "
        f"{load}; Python {m['python']}, lgwidget {m['lgwidget']}",
        flush=True,
    )
    return m


def write_json(path: str | None, result: dict[str, Any]) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"wrote {path}")


# ---------------------------------------------------------------------------------- ratios


def x(ratio: float, digits: int = 2) -> str:
    """A ratio as the benchmarks print it: ``1.05x``."""
    return f"{ratio:.{digits}f}x"


def meets(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of values; nan if none."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def rotated(names: list[str], round_: int) -> list[str]:
    """Round ``round_`` of an interleaved benchmark: A B C, then B C A, then C A B, ..."""
    shift = round_ % len(names)
    return names[shift:] + names[:shift]


def ratios(
    wall: dict[str, list[float]], cpu: dict[str, list[float]], baseline: str, per: int
) -> dict[str, dict[str, float]]:
    """Per approach: median and best times (s), and time / the baseline's, median/median,
    best/best, the median of the per-round paired ratios, and the same for CPU time."""
    base, cpu_base = wall[baseline], cpu[baseline]
    rows = {}
    for name, ts in wall.items():
        cs = cpu[name]
        rows[name] = {
            "median_s": statistics.median(ts),
            "best_s": min(ts),
            "per_item_us": statistics.median(ts) / per * 1e6,
            "cpu_median_s": statistics.median(cs),
            "cpu_best_s": min(cs),
            "cpu_per_item_us": statistics.median(cs) / per * 1e6,
            "ratio_median": statistics.median(ts) / statistics.median(base),
            "ratio_best": min(ts) / min(base),
            "ratio_paired_median": statistics.median(
                t / b for t, b in zip(ts, base, strict=True)
            ),
            "cpu_ratio_median": statistics.median(cs) / statistics.median(cpu_base),
            "cpu_ratio_best": min(cs) / min(cpu_base),
        }
    return rows


# ---------------------------------------------------------------------------------- kernel cells


def run_cell(kernel: Any, code: str, timeout: float = 600.0) -> Any:
    """Run a cell in a ``tests.support.kernel`` kernel; raise if it failed."""
    ex = kernel.execute(code, timeout=timeout)
    if ex.status != "ok" or ex.error:
        raise RuntimeError(f"cell failed ({ex.status}):\n{code[:400]}\n{ex.error}")
    return ex


def result_line(stdout: str) -> Any:
    """The JSON after the last ``RESULT `` line a cell printed."""
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"no RESULT line in the cell's output: {stdout[-400:]!r}")
    return json.loads(lines[-1][len("RESULT ") :])


def comm_traffic(ex: Any, comm_id: str | None) -> dict[str, Any]:
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


# ---------------------------------------------------------------------------------- the browser


@contextlib.contextmanager
def lab_and_browser(prefix: str) -> Iterator[tuple[Any, Any]]:
    """JupyterLab on a fresh temp root and headless Chromium; both stopped on exit, and any
    process the harness started that is still alive is killed (by PID, marked by the harness)."""
    from tests.support.harness import (
        RUN_MARKER_PREFIX,
        kill_harness_processes,
        launch_chromium,
        start_jupyterlab,
    )

    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        with start_jupyterlab(root) as lab, launch_chromium() as browser:
            yield lab, browser
    finally:
        shutil.rmtree(root, ignore_errors=True)
        leftovers = kill_harness_processes(RUN_MARKER_PREFIX)
        if leftovers:
            print(f"killed leftover processes: {leftovers}", file=sys.stderr)


@dataclass
class Pass:
    """One notebook measured in a fresh browser context: what ``page_pass`` records."""

    page: Any
    observer: Any
    load_s: float
    start_perf: float = 0.0  # performance.now() when the profiler ran and the body started
    load_tasks: Any = None
    sync_perf: float | None = None
    errors: list[str] = field(default_factory=list)
    cpu_profile: dict[str, Any] | None = None
    trace: bytes | None = None
    tasks: Any = None
    dom: dict[str, Any] = field(default_factory=dict)
    kernel: dict[str, Any] | None = None


@contextlib.contextmanager
def page_pass(
    browser: Any,
    lab: Any,
    nb: str,
    cells: list[str],
    *,
    meter_js: str,
    meter_arg: Any,
    dom_js: str,
    profile: bool,
    shot: Path | None,
) -> Iterator[Pass]:
    """Write ``nb``, open it in a fresh context with a long-task observer installed before the
    page loads, start the page's meter (``meter_js``); with ``profile`` also a Chrome trace and the
    CDP CPU profiler. The body runs the cells and waits; then the profile and trace are stopped,
    the long tasks since the body started, the DOM (``dom_js``) and the run cell's printed JSON
    are read, a screenshot is taken; the context closes and the kernels stop, also on failure."""
    from bench.profiling import SAMPLING_US, SYNC_JS
    from bench.trace import TRACE_CATEGORIES
    from tests.support.harness import long_task_observer, open_notebook, screenshot, write_notebook

    write_notebook(Path(lab.root_dir) / nb, cells)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    tracing = False
    try:
        observer = long_task_observer(page)  # before the page loads
        t_goto = time.monotonic()
        open_notebook(page, lab, nb, timeout=120)
        p = Pass(page, observer, time.monotonic() - t_goto, errors=errors)
        page.evaluate(meter_js, meter_arg)
        time.sleep(0.5)  # let the page settle after load
        p.load_tasks = observer.read()
        cdp = None
        if profile:
            browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
            tracing = True
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": SAMPLING_US})
            cdp.send("Profiler.start")
            p.sync_perf = page.evaluate(SYNC_JS)
        p.start_perf = observer.now()
        yield p
        if cdp is not None:
            p.cpu_profile = cdp.send("Profiler.stop")["profile"]
            cdp.send("Profiler.disable")
            cdp.detach()
        if tracing:
            p.trace = browser.stop_tracing()
            tracing = False
        p.tasks = observer.read(since_ms=p.start_perf)
        p.dom = page.evaluate(dom_js)
        p.kernel = kernel_result(page)
        if shot is not None:
            page.locator(".lgw-root").scroll_into_view_if_needed()
            screenshot(page, shot)
    finally:
        if tracing:
            with contextlib.suppress(Exception):
                browser.stop_tracing()
        context.close()
        lab.shutdown_all_kernels()


def kernel_result(page: Any) -> dict[str, Any] | None:
    """The JSON the run cell (the second) printed, read from the notebook model in the page."""
    text = page.evaluate(
        """() => {
      const outs = window.jupyterapp.shell.currentWidget.content.widgets[1].model.outputs;
      for (let i = 0; i < outs.length; i++) {
        const o = outs.get(i).toJSON();
        if (o.output_type === 'stream') return Array.isArray(o.text) ? o.text.join('') : o.text;
      }
      return null;
    }"""
    )
    for line in reversed((text or "").strip().splitlines()):
        with contextlib.suppress(ValueError):
            return json.loads(line)
    return None


def summarize_tasks(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Long tasks (the observer's entries): count, max, total, over 100 ms, each one."""
    durations = [e["duration"] for e in entries]
    return {
        "count": len(entries),
        "max_ms": max(durations, default=0.0),
        "total_ms": sum(durations),
        "over_100_ms": sum(d > 100 for d in durations),
        "entries": [
            {"start_ms": round(e["start"], 1), "duration_ms": e["duration"]} for e in entries
        ],
    }
