"""A RunWidget in real JupyterLab + Chromium, fed 10,000 x 1 KB chunks as fast as they come.

    python bench/bench_browser.py [--n 10000] [--size 1000] [--source replay|chat|both]
                                  [--repeat 1] [--no-profile] [--max-tasks 6]
                                  [--screenshot bench/results/browser.png] [--json PATH]

Source ``replay``: a replay server process (``bench/replay_server.py``) sends N ``updates``
events of SIZE bytes as fast as the socket takes them. A notebook in an isolated JupyterLab
(``tests/browser/harness.py``), opened in headless Debian Chromium, runs::

    w = lgwidget.RunWidget("bulk", {"n": N, "size": SIZE}, url=URL)
    w                                  # cell 1: display it
    await w.run()                      # cell 2: stream the run into it

The replay server names the node of event i ``node_<i>``: N distinct node names, which no real
graph has (and which the view's node filter lists one by one). Source ``chat`` (also run by
default) is the realistic counterpart: the same widget fed by
``RunWidget.from_stream`` with bench_widget.py's seeded LangChain-like chunks of SIZE bytes
from two nodes (``agent``, ``tools``), built in the kernel in cell 1 before the run (so the
widget shows up several seconds after "run all"; times below are counted from the run's
start).

Each pass uses a fresh notebook (its own kernel) in a fresh browser context (nothing cached in
the page). The long-task observer (PerformanceObserver "longtask": main-thread tasks over
50 ms) is installed before the page loads, so the JupyterLab page load and the run are told
apart: tasks that start before "run all" are the page load, the others happen during the run
(from "run all" until 1 s after the view shows every chunk). A 20 ms ``setInterval`` in the page
notes when the view first shows the widget, the first chunk, and all of them: ``.lgw-stats``
(the header, e.g. "1.2 s · 10,001 chunks · 9.3 MB") shows ``N + 1`` chunks, the badge says
"done", and the last panel is chunk N. Reported:

* long tasks during the run (count, max, total ms, each one) and during the page load;
* time from the run's start to the view showing all chunks, both from the kernel's
  ``w.started_at`` (wall clock, same machine) and from the "run all" click;
  and the kernel's own run time (``w.ended_at - w.started_at``);
* DOM nodes: ``.lgw-root`` descendants (``root.querySelectorAll('*').length``) and the
  whole document's;
* the chunk count the header shows, against N + 1 (nothing lost to the Jupyter server's iopub
  rate limit);
* a screenshot (default ``bench/results/browser.png``).

Profiling (unless ``--no-profile``): one more pass with the CDP CPU profiler sampling the
page's main thread every 200 us (``page.context.new_cdp_session(page)``: ``Profiler.start`` /
``Profiler.stop``) from "run all" to the end. Self time is summed per function for the whole
run and inside each long task; the profile's clock is tied to ``performance.now()`` by a
marker function run in the page right after the profiler starts. Functions of lgwidget's
bundle (loaded by anywidget from a blob: URL, minified) are mapped back to ``js/src`` through a
source map built into a temp dir with the same esbuild command (checked to produce the
identical bundle; nothing in js/ or lgwidget/ is written). The profiled pass's own timings are
reported apart: the profiler slows the page down.

Everything started here (replay server, JupyterLab, its kernels, Chromium) is stopped on
exit; the harness kills any leftover it finds.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.support.replay_server import replay_server  # noqa: E402

from tests.support.harness import (  # noqa: E402
    RUN_MARKER_PREFIX,
    kill_harness_processes,
    launch_chromium,
    long_task_observer,
    open_notebook,
    run_all,
    screenshot,
    start_jupyterlab,
    wait_run_all_done,
    write_notebook,
)

GOAL_LONG_TASK_MS = 50
GOAL_ROOT_NODES = 5_000
SETTLE_S = 1.0
SAMPLING_US = 200
SOURCES = ("replay", "chat")
#: Chrome trace categories of the profiled pass: tasks, style/layout/paint with the JS stack
#: that forced them, GC.
TRACE_CATEGORIES = [
    "toplevel",
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.stack",
    "v8",
    "blink.user_timing",
]
# Polls the view every 20 ms and notes when each milestone is first seen (performance.now()
# and Date.now()). Cheap: two querySelector calls and a textContent read per tick.
WATCH_JS = """
(target) => {
  if (window.__lgwWatch) clearInterval(window.__lgwWatch.timer);
  const w = window.__lgwWatch = {target, marks: {}, timer: 0};
  const mark = (name) => { if (!w.marks[name]) w.marks[name] = {perf: performance.now(),
                                                                 wall: Date.now()}; };
  w.timer = setInterval(() => {
    const root = document.querySelector('.lgw-root');
    if (!root) return;
    mark('widget');
    const stats = root.querySelector('.lgw-stats')?.textContent ?? '';
    const badge = root.querySelector('.lgw-badge')?.textContent ?? '';
    const m = stats.match(/([\\d,]+) chunks/);
    const count = m ? Number(m[1].replace(/,/g, '')) : 0;
    if (count > 0) mark('first_chunk');
    if (badge === 'running') mark('running');
    if (stats.includes(target.text)) mark('all_counted');
    if (badge === 'done') mark('done_badge');
    const panels = root.querySelectorAll('.lgw-panel');
    const last = panels.length ? panels[panels.length - 1].dataset.index : null;
    if (last === String(target.lastIndex)) mark('last_panel');
    if (w.marks.all_counted && w.marks.done_badge && w.marks.last_panel) {
      mark('all_shown');
    }
    w.last = {stats, badge, count, panels: panels.length, last};
  }, 20);
}
"""

DOM_JS = """
() => {
  const root = document.querySelector('.lgw-root');
  const panels = root ? root.querySelectorAll('.lgw-panel') : [];
  return {
    root_nodes: root ? root.querySelectorAll('*').length : null,
    document_nodes: document.querySelectorAll('*').length,
    widget_roots: document.querySelectorAll('.lgw-root').length,
    panels: panels.length,
    open_panels: root ? root.querySelectorAll('.lgw-panel.lgw-open').length : null,
    panel_bodies: root ? root.querySelectorAll('.lgw-panel-body').length : null,
    stats: root?.querySelector('.lgw-stats')?.textContent ?? null,
    badge: root?.querySelector('.lgw-badge')?.textContent ?? null,
    earlier: root?.querySelector('.lgw-earlier')?.textContent ?? null,
    first_panel_index: panels.length ? panels[0].dataset.index : null,
    last_panel_index: panels.length ? panels[panels.length - 1].dataset.index : null,
    heap_mb: performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null,
  };
}
"""

# A marker for the CPU profile: busy for a few ms at a known performance.now().
SYNC_JS = """
() => {
  const __lgwSyncMark = () => { const t0 = performance.now(); let x = 0;
    while (performance.now() - t0 < 15) x += Math.sqrt(x + 1); return [t0, x]; };
  console.timeStamp('lgw-sync');
  return __lgwSyncMark()[0];
}
"""


# ---------------------------------------------------------------------------------- source map

_B64 = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}


def _vlq(segment: str) -> list[int]:
    values, shift, value = [], 0, 0
    for ch in segment:
        digit = _B64[ch]
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            values.append(-(value >> 1) if value & 1 else value >> 1)
            shift = value = 0
    return values


class SourceMap:
    """Just enough of a v3 source map to map a (line, column) of the bundle to js/src."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.sources = [Path(s).name for s in data["sources"]]
        self.contents = [c.splitlines() for c in data.get("sourcesContent") or []]
        self.lines: list[list[tuple[int, int, int, int]]] = []
        src = oline = ocol = 0
        for line in data["mappings"].split(";"):
            col, entries = 0, []
            for seg in filter(None, line.split(",")):
                v = _vlq(seg)
                col += v[0]
                if len(v) >= 4:
                    src, oline, ocol = src + v[1], oline + v[2], ocol + v[3]
                    entries.append((col, src, oline, ocol))
            self.lines.append(entries)

    def lookup(self, line: int, column: int) -> tuple[str, int, str] | None:
        """0-based bundle position -> (source file name, 1-based line, that line's text)."""
        if line >= len(self.lines) or not self.lines[line]:
            return None
        entries = self.lines[line]
        i = bisect.bisect_right([e[0] for e in entries], column) - 1
        if i < 0:
            i = 0
        _, src, oline, _ = entries[i]
        text = self.contents[src][oline].strip() if src < len(self.contents) else ""
        return self.sources[src], oline + 1, text


def build_source_map() -> tuple[SourceMap | None, str]:
    """Rebuild the bundle with a source map in a temp dir; use it only if identical."""
    esbuild = ROOT / "js" / "node_modules" / ".bin" / "esbuild"
    shipped = ROOT / "lgwidget" / "static" / "widget.js"
    if not esbuild.exists() or not shipped.exists():
        return None, "no esbuild in js/node_modules or no built bundle: names stay minified"
    out = Path(tempfile.mkdtemp(prefix="lgw-srcmap-"))
    try:
        subprocess.run(
            [
                str(esbuild),
                "src/widget.js",
                "--bundle",
                "--format=esm",
                "--minify",
                "--sourcemap=external",
                f"--outdir={out}",
                "--log-level=error",
            ],
            cwd=ROOT / "js",
            check=True,
            capture_output=True,
            timeout=60,
        )
        if (out / "widget.js").read_bytes() != shipped.read_bytes():
            return None, (
                "the rebuilt bundle differs from lgwidget/static/widget.js (stale "
                "build?): names stay minified"
            )
        data = json.loads((out / "widget.js.map").read_text())
        return SourceMap(data), "source map rebuilt; bundle identical to lgwidget/static/widget.js"
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return None, f"could not build a source map ({exc}): names stay minified"
    finally:
        shutil.rmtree(out, ignore_errors=True)


# ---------------------------------------------------------------------------------- profile


def _short_url(url: str) -> str:
    if not url:
        return ""
    if url.startswith("blob:"):
        return "lgwidget bundle (blob:)"
    path = url.split("?", 1)[0]
    for key in ("/labextensions/", "/lab/extensions/", "/static/lab/", "/static/"):
        if key in path:
            return path.split(key, 1)[1]
    return path.rsplit("/", 1)[-1]


class Profile:
    """A CDP CPU profile: self time per function, overall and in time windows."""

    def __init__(self, profile: dict[str, Any], srcmap: SourceMap | None) -> None:
        self.nodes = {n["id"]: n for n in profile["nodes"]}
        self.parent: dict[int, int] = {}
        for n in profile["nodes"]:
            for child in n.get("children", []):
                self.parent[child] = n["id"]
        self.srcmap = srcmap
        self.samples = profile.get("samples", [])
        times, t = [], profile["startTime"]
        for delta in profile.get("timeDeltas", []):
            t += delta
            times.append(t)
        self.times = times  # microseconds, the profiler's clock
        self.start, self.end = profile["startTime"], profile["endTime"]
        self.offset_ms = 0.0  # performance.now() = profiler time / 1000 + offset_ms
        self._labels: dict[int, str] = {}

    def label(self, node_id: int) -> str:
        if node_id in self._labels:
            return self._labels[node_id]
        frame = self.nodes[node_id]["callFrame"]
        name = frame.get("functionName") or "(anonymous)"
        url = frame.get("url", "")
        where = _short_url(url)
        if url.startswith("blob:") and self.srcmap is not None:
            found = self.srcmap.lookup(frame.get("lineNumber", 0), frame.get("columnNumber", 0))
            if found:
                file, line, text = found
                where = f"js/src/{file}:{line} `{text[:70]}`"
        elif where:
            where = f"{where}:{frame.get('lineNumber', 0) + 1}"
        label = f"{name} [{where}]" if where else name
        self._labels[node_id] = label
        return label

    def sync(self, marker_perf_ms: float) -> bool:
        """Tie the clocks: the first sample inside __lgwSyncMark is at marker_perf_ms."""
        for node_id, t in zip(self.samples, self.times, strict=False):
            if self.nodes[node_id]["callFrame"].get("functionName") == "__lgwSyncMark":
                self.offset_ms = marker_perf_ms - t / 1000
                return True
        self.offset_ms = marker_perf_ms - self.start / 1000
        return False

    def _intervals(self) -> list[tuple[int, float, float]]:
        """(node, start ms, duration ms) per sample, in performance.now() terms."""
        out = []
        for i, node_id in enumerate(self.samples):
            t0 = self.times[i]
            t1 = self.times[i + 1] if i + 1 < len(self.times) else self.end
            # timeDeltas can be slightly negative (samples out of order): count those as 0.
            out.append((node_id, t0 / 1000 + self.offset_ms, max(0, t1 - t0) / 1000))
        return out

    def self_times(
        self, window: tuple[float, float] | None = None
    ) -> tuple[Counter[str], Counter[str], float]:
        """(self ms per function, inclusive ms per lgwidget/js-src function, total ms)."""
        own: Counter[str] = Counter()
        ours: Counter[str] = Counter()
        total = 0.0
        for node_id, t, dt in self._intervals():
            if window is not None and not (window[0] <= t < window[1]):
                continue
            label = self.label(node_id)
            own[label] += dt
            total += dt
            seen = set()
            n = node_id
            while n in self.nodes:
                lab = self.label(n)
                if "js/src/" in lab or "lgwidget bundle" in lab:
                    if lab not in seen:
                        ours[lab] += dt
                        seen.add(lab)
                n = self.parent.get(n, -1)
        return own, ours, total

    def stacks(self, window: tuple[float, float], top: int = 5) -> list[tuple[str, float]]:
        """The heaviest full stacks (root first, idle/program excluded) in a window."""
        heavy: Counter[str] = Counter()
        for node_id, t, dt in self._intervals():
            if not (window[0] <= t < window[1]):
                continue
            names = []
            n = node_id
            while n in self.nodes:
                frame = self.nodes[n]["callFrame"]
                if frame.get("functionName") != "(root)":
                    names.append(self.label(n))
                n = self.parent.get(n, -1)
            if names and names[0] in ("(idle)", "(program)"):
                continue
            heavy[" <- ".join(names[:8])] += dt
        return heavy.most_common(top)


# ---------------------------------------------------------------------------------- one pass


def notebook_cells(source: str, url: str, n: int, size: int) -> list[str]:
    if source == "replay":
        first = (
            "import json, time\nimport lgwidget\n"
            f"w = lgwidget.RunWidget('bulk', {{'n': {n}, 'size': {size}}}, url={url!r})\nw"
        )
    else:  # realistic chunks from bench_widget.py, fed by RunWidget.from_stream
        first = (
            "import json, sys, time\nimport lgwidget\n"
            f"sys.path.insert(0, {str(ROOT / 'bench')!r})\nimport bench_widget\n"
            f"URL, INPUT = '', {{}}\nexec(bench_widget.SETUP)\n"
            f"PARTS = make_parts({source!r}, {n}, {size})\n"
            f"w = lgwidget.RunWidget.from_stream(replay(PARTS), assistant_id={source!r})\nw"
        )
    return [
        first,
        "await w.run()\n"
        "print(json.dumps({'status': w.status, 'chunks': w.chunk_count, 'bytes': w.byte_count,"
        " 'started_at': w.started_at, 'ended_at': w.ended_at,"
        " 'messages': w._transport.messages_sent, 'blob_bytes': sum(map(len, w.snapshot))}))",
    ]


def kernel_result(page: Any) -> dict[str, Any] | None:
    """The JSON the run cell printed, read from the notebook model in the page."""
    text = page.evaluate(
        """() => {
      const p = window.jupyterapp.shell.currentWidget;
      const cell = p.content.widgets[1];
      const outs = cell.model.outputs;
      for (let i = 0; i < outs.length; i++) {
        const o = outs.get(i).toJSON();
        if (o.output_type === 'stream') return Array.isArray(o.text) ? o.text.join('') : o.text;
      }
      return null;
    }"""
    )
    if not text:
        return None
    for line in reversed(text.strip().splitlines()):
        with contextlib.suppress(ValueError):
            return json.loads(line)
    return None


def one_pass(
    browser: Any,
    lab: Any,
    server_url: str,
    args: argparse.Namespace,
    source: str,
    index: int,
    *,
    profile: bool,
    srcmap: SourceMap | None,
    shot: Path | None,
) -> dict[str, Any]:
    nb = f"bench_{source}_{index}{'_profiled' if profile else ''}.ipynb"
    write_notebook(Path(lab.root_dir) / nb, notebook_cells(source, server_url, args.n, args.size))
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
        load_s = time.monotonic() - t_goto
        expected = args.n + 1
        page.evaluate(WATCH_JS, {"text": f"{expected:,} chunks", "lastIndex": args.n})
        time.sleep(0.5)  # let the page settle after load
        load_tasks = observer.read()

        cdp = None
        sync_perf = None
        if profile:
            browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
            tracing = True
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": SAMPLING_US})
            cdp.send("Profiler.start")
            sync_perf = page.evaluate(SYNC_JS)

        run_start_perf = observer.now()
        run_all(page)
        page.wait_for_function(
            "() => !!(window.__lgwWatch && window.__lgwWatch.marks.all_shown)",
            timeout=args.timeout * 1000,
            polling=200,
        )
        run_all_state = wait_run_all_done(page, timeout=args.timeout)
        time.sleep(SETTLE_S)
        watch = page.evaluate("() => window.__lgwWatch")
        all_shown = watch["marks"]["all_shown"]["perf"]
        cpu_profile = trace = None
        if cdp is not None:
            cpu_profile = cdp.send("Profiler.stop")["profile"]
            cdp.send("Profiler.disable")
            cdp.detach()
        if tracing:
            trace = browser.stop_tracing()
            tracing = False
        run_tasks = observer.read(since_ms=run_start_perf)
        dom = page.evaluate(DOM_JS)
        kernel = kernel_result(page)
        if shot is not None:
            page.locator(".lgw-root").scroll_into_view_if_needed()
            screenshot(page, shot)
    finally:
        if tracing:
            with contextlib.suppress(Exception):
                browser.stop_tracing()
        context.close()
        lab.shutdown_all_kernels()

    marks = watch["marks"]
    during = [e for e in run_tasks.entries if e["start"] <= all_shown + SETTLE_S * 1000]
    result: dict[str, Any] = {
        "source": source,
        "profiled": profile,
        "notebook": nb,
        "page_load_s": load_s,
        "load_long_tasks": summarize_tasks(load_tasks.entries),
        "run_long_tasks": summarize_tasks(during),
        "long_task_api": load_tasks.supported,
        "run_start_perf_ms": run_start_perf,
        "marks_ms_after_run_all": {k: v["perf"] - run_start_perf for k, v in marks.items()},
        "run_all": run_all_state,
        "last_watch": watch.get("last"),
        "dom": dom,
        "kernel": kernel,
        "console_errors": errors[-20:],
    }
    if kernel and kernel.get("started_at"):
        started_ms = kernel["started_at"] * 1000
        result["ms_from_kernel_run_start"] = {k: v["wall"] - started_ms for k, v in marks.items()}
        result["kernel_run_ms"] = (kernel["ended_at"] - kernel["started_at"]) * 1000
    window = (run_start_perf, all_shown + SETTLE_S * 1000)
    if cpu_profile is not None:
        result["profile"] = analyse_profile(cpu_profile, srcmap, sync_perf, during, window)
    if trace is not None:
        result["trace"] = analyse_trace(trace, srcmap, sync_perf, during, window)
    return result


def summarize_tasks(entries: list[dict[str, Any]]) -> dict[str, Any]:
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


def analyse_profile(
    raw: dict[str, Any],
    srcmap: SourceMap | None,
    sync_perf: float | None,
    tasks: list[dict[str, Any]],
    run_window: tuple[float, float],
) -> dict[str, Any]:
    prof = Profile(raw, srcmap)
    synced = prof.sync(sync_perf) if sync_perf is not None else False
    own, ours, total = prof.self_times(run_window)
    busy = total - own.get("(idle) []", 0.0) - own.get("(idle)", 0.0)
    out: dict[str, Any] = {
        "clock_synced": synced,
        "sampling_us": SAMPLING_US,
        "run_window_ms": total,
        "busy_ms": busy,
        "top_self": [(k, round(v, 1)) for k, v in own.most_common(25)],
        "lgwidget_inclusive": [(k, round(v, 1)) for k, v in ours.most_common(15)],
        "by_file": _by_file(own),
        "long_tasks": [],
    }
    for e in tasks:
        window = (e["start"], e["start"] + e["duration"])
        t_own, t_ours, t_total = prof.self_times(window)
        out["long_tasks"].append(
            {
                "start_ms": e["start"],
                "duration_ms": e["duration"],
                "sampled_ms": t_total,
                "top_self": [(k, round(v, 1)) for k, v in t_own.most_common(10)],
                "lgwidget_inclusive": [(k, round(v, 1)) for k, v in t_ours.most_common(6)],
                "heaviest_stacks": [(k, round(v, 1)) for k, v in prof.stacks(window)],
            }
        )
    return out


def _frame_label(frame: dict[str, Any], srcmap: SourceMap | None) -> str:
    """A trace stack frame (1-based line/column) as 'function [where]'."""
    name = frame.get("functionName") or "(anonymous)"
    url = frame.get("url", "")
    line, col = int(frame.get("lineNumber", 1)) - 1, int(frame.get("columnNumber", 1)) - 1
    if url.startswith("blob:") and srcmap is not None:
        found = srcmap.lookup(line, col)
        if found:
            return f"{name} [js/src/{found[0]}:{found[1]} `{found[2][:70]}`]"
    return f"{name} [{_short_url(url)}:{line + 1}]"


def analyse_trace(
    raw: bytes,
    srcmap: SourceMap | None,
    sync_perf: float | None,
    tasks: list[dict[str, Any]],
    run_window: tuple[float, float],
) -> dict[str, Any]:
    """Self time per trace event name (JS, style, layout, paint, GC, ...) on the page's main
    thread, for the run and inside each long task; and which JS forced style/layout."""
    data = json.loads(raw)
    events = data["traceEvents"] if isinstance(data, dict) else data
    sync = next(
        (
            e
            for e in events
            if e.get("name") == "TimeStamp"
            and (e.get("args", {}).get("data", {}) or {}).get("message") == "lgw-sync"
        ),
        None,
    )
    if sync is None or sync_perf is None:
        return {"error": "no lgw-sync timestamp in the trace"}
    pid, tid = sync["pid"], sync["tid"]
    offset_ms = sync_perf - sync["ts"] / 1000  # performance.now() = ts / 1000 + offset_ms
    # Complete events of the main thread (B/E pairs folded into X).
    spans: list[dict[str, Any]] = []
    open_: list[dict[str, Any]] = []
    for e in sorted(
        (e for e in events if e.get("pid") == pid and e.get("tid") == tid),
        key=lambda e: e.get("ts", 0),
    ):
        ph = e.get("ph")
        if ph == "X" and "dur" in e:
            spans.append(
                {"name": e["name"], "ts": e["ts"], "dur": e["dur"], "args": e.get("args", {})}
            )
        elif ph == "B":
            open_.append(e)
        elif ph == "E" and open_:
            b = open_.pop()
            spans.append(
                {
                    "name": b["name"],
                    "ts": b["ts"],
                    "dur": e["ts"] - b["ts"],
                    "args": b.get("args", {}),
                }
            )
    spans.sort(key=lambda x: (x["ts"], -x["dur"]))
    stack: list[dict[str, Any]] = []
    for sp in spans:
        sp["self"] = sp["dur"]
        while stack and stack[-1]["ts"] + stack[-1]["dur"] <= sp["ts"]:
            stack.pop()
        if stack:
            stack[-1]["self"] -= sp["dur"]
            sp["parent"] = stack[-1]
        stack.append(sp)

    def js_origin(sp: dict[str, Any]) -> str | None:
        """The JS frame that forced this style/layout work, if any."""
        for key in ("beginData", "data"):
            trace = (sp["args"].get(key) or {}).get("stackTrace")
            if trace:
                return _frame_label(trace[0], srcmap)
        return None

    def summarize(lo: float, hi: float) -> dict[str, Any]:
        lo_us, hi_us = (lo - offset_ms) * 1000, (hi - offset_ms) * 1000
        by_name: Counter[str] = Counter()
        forced: Counter[str] = Counter()
        for sp in spans:
            if not (lo_us <= sp["ts"] < hi_us):
                continue
            name = sp["name"]
            if name == "EventDispatch":
                name += f"({(sp['args'].get('data') or {}).get('type', '')})"
            by_name[name] += sp["self"] / 1000
            if sp["name"] in ("Layout", "UpdateLayoutTree", "RecalculateStyles"):
                origin = js_origin(sp)
                if origin:
                    forced[f"{sp['name']} forced by {origin}"] += sp["dur"] / 1000
        return {
            "self_ms_by_event": [(k, round(v, 1)) for k, v in by_name.most_common(14)],
            "forced_style_layout": [(k, round(v, 1)) for k, v in forced.most_common(8)],
        }

    out = {"run": summarize(*run_window), "long_tasks": []}
    for t in tasks:
        entry = {"start_ms": t["start"], "duration_ms": t["duration"]}
        entry.update(summarize(t["start"] - 1, t["start"] + t["duration"]))
        out["long_tasks"].append(entry)
    return out


def _by_file(own: Counter[str]) -> list[tuple[str, float]]:
    files: defaultdict[str, float] = defaultdict(float)
    for label, ms in own.items():
        if "[" in label:
            where = label.rsplit("[", 1)[1].rstrip("]")
            where = where.split(" `", 1)[0].rsplit(":", 1)[0]
        else:
            where = label  # (idle), (program), (garbage collector)
        files[where] += ms
    return [(k, round(v, 1)) for k, v in sorted(files.items(), key=lambda kv: -kv[1])[:15]]


# ---------------------------------------------------------------------------------- output


def print_pass(p: dict[str, Any], n: int) -> None:
    tag = "PROFILED + traced pass (timings inflated by the profiler)" if p["profiled"] else "pass"
    print(f"\n== {tag}: {p['notebook']} ==")
    lt, rt = p["load_long_tasks"], p["run_long_tasks"]
    print(
        f"page load: {p['page_load_s']:.1f} s to a ready notebook; long tasks {lt['count']} "
        f"(max {lt['max_ms']:.0f} ms, total {lt['total_ms']:.0f} ms)"
    )
    print(
        f"during the run: long tasks {rt['count']} (max {rt['max_ms']:.0f} ms, total "
        f"{rt['total_ms']:.0f} ms, {rt['over_100_ms']} over 100 ms)"
    )
    if rt["entries"]:
        print(
            "    (ms after run all: duration) "
            + ", ".join(
                f"+{e['start_ms'] - p['run_start_perf_ms']:.0f}: {e['duration_ms']:.0f}"
                for e in rt["entries"]
            )
        )
    marks = p["marks_ms_after_run_all"]
    print(
        "milestones, ms after 'run all' (page clock, 20 ms polling): "
        + ", ".join(f"{k} {v:.0f}" for k, v in sorted(marks.items(), key=lambda kv: kv[1]))
    )
    if "ms_from_kernel_run_start" in p:
        fk = p["ms_from_kernel_run_start"]
        print(
            f"from the kernel's run start (w.started_at): first chunk shown "
            f"{fk.get('first_chunk', float('nan')):.0f} ms, all {n + 1:,} counted "
            f"{fk.get('all_counted', float('nan')):.0f} ms, all shown (count + done + last "
            f"panel) {fk.get('all_shown', float('nan')):.0f} ms; kernel run itself "
            f"{p['kernel_run_ms']:.0f} ms"
        )
    d = p["dom"]
    print(
        f"DOM: .lgw-root {d['root_nodes']:,} nodes ({d['panels']} panels, {d['open_panels']} "
        f"open, {d['panel_bodies']} bodies built), document {d['document_nodes']:,} nodes; "
        f"JS heap {d['heap_mb'] or 0:.0f} MB"
    )
    print(
        f"header: {d['stats']!r}, badge {d['badge']!r}, {d['earlier']!r}, panels "
        f"#{d['first_panel_index']}..#{d['last_panel_index']}"
    )
    k = p.get("kernel") or {}
    print(
        f"kernel: status {k.get('status')}, {k.get('chunks')} chunks, {k.get('messages')} batch "
        f"messages, {k.get('blob_bytes')} compressed bytes"
    )
    if p["console_errors"]:
        print(f"console errors ({len(p['console_errors'])}): {p['console_errors'][:5]}")


def print_profile(prof: dict[str, Any], note: str, max_tasks: int) -> None:
    print(f"\n== CPU profile of the page's main thread ({note}) ==")
    print(
        f"clock synced with performance.now(): {prof['clock_synced']}; run window "
        f"{prof['run_window_ms']:.0f} ms sampled, {prof['busy_ms']:.0f} ms not idle"
    )
    print("self time by file:")
    for where, ms in prof["by_file"]:
        print(f"  {ms:8.1f} ms  {where}")
    print("top self time by function:")
    for label, ms in prof["top_self"][:20]:
        print(f"  {ms:8.1f} ms  {label}")
    print("lgwidget functions, inclusive time:")
    for label, ms in prof["lgwidget_inclusive"][:12]:
        print(f"  {ms:8.1f} ms  {label}")
    tasks = sorted(prof["long_tasks"], key=lambda t: -t["duration_ms"])[:max_tasks]
    print(f"the {len(tasks)} longest of {len(prof['long_tasks'])} long tasks:")
    for i, task in enumerate(tasks):
        print(
            f"long task {i + 1}: {task['duration_ms']:.0f} ms at {task['start_ms']:.0f} "
            f"({task['sampled_ms']:.0f} ms sampled); top self:"
        )
        for label, ms in task["top_self"][:8]:
            print(f"    {ms:7.1f} ms  {label}")
        if task["lgwidget_inclusive"]:
            print(
                "  lgwidget inclusive: "
                + "; ".join(f"{label} {ms:.1f} ms" for label, ms in task["lgwidget_inclusive"][:4])
            )
        for stack, ms in task["heaviest_stacks"][:3]:
            print(f"  stack {ms:.1f} ms: {stack[:400]}")


def print_trace(tr: dict[str, Any], max_tasks: int) -> None:
    print("\n== Chrome trace of the same pass: main-thread self time by event ==")
    if "error" in tr:
        print(tr["error"])
        return
    run = tr["run"]
    print("whole run: " + ", ".join(f"{k} {v:.0f} ms" for k, v in run["self_ms_by_event"]))
    for label, ms in run["forced_style_layout"]:
        print(f"  {ms:8.1f} ms  {label}")
    tasks = sorted(tr["long_tasks"], key=lambda t: -t["duration_ms"])[:max_tasks]
    for t in tasks:
        print(
            f"long task {t['duration_ms']:.0f} ms at {t['start_ms']:.0f}: "
            + ", ".join(f"{k} {v:.0f}" for k, v in t["self_ms_by_event"][:7])
        )
        for label, ms in t["forced_style_layout"][:3]:
            print(f"    {ms:7.1f} ms  {label}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="updates events in the run")
    parser.add_argument("--size", type=int, default=1_000, help="bytes per event")
    parser.add_argument(
        "--source",
        choices=(*SOURCES, "both"),
        default="both",
        help="replay: the replay server (node_<i>: one node name per chunk); "
        "chat: realistic chunks of 2 nodes via from_stream; both (default)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="unprofiled passes per source")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled pass")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds for the run")
    parser.add_argument(
        "--screenshot",
        default=str(ROOT / "bench" / "results" / "browser.png"),
        help="of the first replay pass (the chat one gets a -chat suffix)",
    )
    parser.add_argument("--max-tasks", type=int, default=6, help="long tasks to detail")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    sources = SOURCES if args.source == "both" else (args.source,)

    srcmap, srcmap_note = (None, "not profiled") if args.no_profile else build_source_map()
    passes: list[dict[str, Any]] = []
    shots: list[Path] = []
    root = Path(tempfile.mkdtemp(prefix="lgw-bench-browser-"))
    try:
        with (
            replay_server(n=args.n, size=args.size) as server,
            start_jupyterlab(root) as lab,
            launch_chromium() as browser,
        ):
            print(
                f"replay server {server.url} (pid {server.pid}); JupyterLab {lab.url} "
                f"(started in {lab.startup_seconds:.1f} s); Chromium {browser.version}; "
                f"{os.cpu_count()} CPUs; {args.n + 1:,} chunks x {args.size} B",
                flush=True,
            )
            for source in sources:
                for i in range(args.repeat):
                    shot = None
                    if i == 0:
                        base = Path(args.screenshot)
                        shot = (
                            base if source == "replay" else base.with_stem(f"{base.stem}-{source}")
                        )
                        shots.append(shot)
                    passes.append(
                        one_pass(
                            browser,
                            lab,
                            server.url,
                            args,
                            source,
                            i,
                            profile=False,
                            srcmap=None,
                            shot=shot,
                        )
                    )
                    print_pass(passes[-1], args.n)
                if not args.no_profile:
                    passes.append(
                        one_pass(
                            browser,
                            lab,
                            server.url,
                            args,
                            source,
                            args.repeat,
                            profile=True,
                            srcmap=srcmap,
                            shot=None,
                        )
                    )
                    print_pass(passes[-1], args.n)
                    print_profile(passes[-1]["profile"], srcmap_note, args.max_tasks)
                    print_trace(passes[-1]["trace"], args.max_tasks)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        leftovers = kill_harness_processes(RUN_MARKER_PREFIX)
        if leftovers:
            print(f"killed leftover processes: {leftovers}", file=sys.stderr)

    print("\n== Verdicts (unprofiled passes) ==")
    expected = f"{args.n + 1:,} chunks"
    for p in passes:
        if p["profiled"]:
            continue
        rt, d, nb = p["run_long_tasks"], p["dom"], p["notebook"]
        ok_tasks = rt["max_ms"] <= GOAL_LONG_TASK_MS
        print(
            f"{nb}: long tasks during the run {rt['count']}, max {rt['max_ms']:.0f} ms, total "
            f"{rt['total_ms']:.0f} ms: {'meets' if ok_tasks else 'MISSES'} goal (none over "
            f"{GOAL_LONG_TASK_MS} ms)"
        )
        print(
            f"{nb}: .lgw-root {d['root_nodes']:,} nodes: "
            f"{'meets' if (d['root_nodes'] or 0) < GOAL_ROOT_NODES else 'MISSES'} goal "
            f"< {GOAL_ROOT_NODES:,}; document {d['document_nodes']:,} nodes"
        )
        shown = expected in (d["stats"] or "")
        print(
            f"{nb}: header {d['stats']!r}: {'shows all' if shown else 'DOES NOT show'} {expected}"
        )
        fk = p.get("ms_from_kernel_run_start", {})
        print(
            f"{nb}: all chunks shown {fk.get('all_shown', float('nan')):.0f} ms after the "
            f"kernel's run start (kernel run {p.get('kernel_run_ms', float('nan')):.0f} ms)"
        )
    for shot in shots:
        if shot.exists():
            print(f"screenshot: {shot}")
    if args.json:
        out = {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "params": vars(args),
            "source_map": srcmap_note,
            "passes": passes,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2, default=str) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
