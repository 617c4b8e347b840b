"""A Chrome trace of the page (``browser.start_tracing``): self time per trace event on the page's
main thread (JS, style, layout, paint, GC, ...), for a run and inside each long task, the JS that
forced style or layout, and, for a stream of text, what each frame's layout costs against the
text's length (``layout_by_length``) and per quarter of the stream (``frame_costs``).

The trace's clock is tied to ``performance.now()`` by the ``lgw-sync`` timestamp that
``bench.profiling.SYNC_JS`` leaves in it.
"""

from __future__ import annotations

import bisect
import json
import statistics
from collections import Counter
from typing import Any

from bench.kit import pct
from bench.profiling import SourceMap, short_url

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


def main_thread(raw: bytes, sync_perf: float | None) -> tuple[list[dict[str, Any]], float] | None:
    """The page's main-thread events, and the offset to add to ``ts / 1000`` to get
    ``performance.now()`` ms; None without the ``lgw-sync`` timestamp."""
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
        return None
    pid, tid = sync["pid"], sync["tid"]
    mine = [e for e in events if e.get("pid") == pid and e.get("tid") == tid]
    return mine, sync_perf - sync["ts"] / 1000


def spans_of(
    raw: bytes, sync_perf: float | None, names: tuple[str, ...]
) -> list[tuple[str, float, float]] | None:
    """(name, start in performance.now() ms, duration ms) of the main thread's ``names`` events."""
    found = main_thread(raw, sync_perf)
    if found is None:
        return None
    events, offset = found
    spans: list[tuple[str, float, float]] = []
    open_: dict[str, list[float]] = {}
    for e in events:
        if e.get("name") not in names:
            continue
        t = e["ts"] / 1000 + offset
        if e.get("ph") == "X":
            spans.append((e["name"], t, e.get("dur", 0) / 1000))
        elif e.get("ph") == "B":
            open_.setdefault(e["name"], []).append(t)
        elif e.get("ph") == "E" and open_.get(e["name"]):
            t0 = open_[e["name"]].pop()
            spans.append((e["name"], t0, t - t0))
    return spans


def _frame_label(frame: dict[str, Any], srcmap: SourceMap | None) -> str:
    """A trace stack frame (1-based line/column) as 'function [where]'."""
    name = frame.get("functionName") or "(anonymous)"
    url = frame.get("url", "")
    line, col = int(frame.get("lineNumber", 1)) - 1, int(frame.get("columnNumber", 1)) - 1
    if url.startswith("blob:") and srcmap is not None:
        found = srcmap.lookup(line, col)
        if found:
            return f"{name} [js/src/{found[0]}:{found[1]} `{found[2][:70]}`]"
    return f"{name} [{short_url(url)}:{line + 1}]"


def analyse_trace(
    raw: bytes,
    srcmap: SourceMap | None,
    sync_perf: float | None,
    tasks: list[dict[str, Any]],
    run_window: tuple[float, float],
) -> dict[str, Any]:
    """Self time per trace event name (JS, style, layout, paint, GC, ...) on the page's main
    thread, for the run and inside each long task; and which JS forced style/layout."""
    found = main_thread(raw, sync_perf)
    if found is None:
        return {"error": "no lgw-sync timestamp in the trace"}
    events, offset_ms = found  # performance.now() = ts / 1000 + offset_ms
    # Complete events of the main thread (B/E pairs folded into X).
    spans: list[dict[str, Any]] = []
    open_: list[dict[str, Any]] = []
    for e in sorted(events, key=lambda e: e.get("ts", 0)):
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


def layout_by_length(
    raw: bytes,
    sync_perf: float | None,
    window: tuple[float, float],
    muts: list[list[float]],
    bucket: int = 20_000,
) -> dict[str, Any]:
    """Layout (and style, paint) per frame against the bubble's text length then, while the
    kernel streams: does a frame's layout grow with the text? Plus a least-squares slope."""
    names = ("Layout", "Paint", "PrePaint", "FireAnimationFrame")
    spans = spans_of(raw, sync_perf, names)
    if spans is None:
        return {"error": "no lgw-sync timestamp in the trace"}
    live = [m for m in muts if m[2] >= 0]
    perfs = [m[1] for m in live]
    rows: dict[int, dict[str, list[float]]] = {}
    xs: list[float] = []
    ys: list[float] = []
    for name, t, d in spans:
        if not (window[0] <= t <= window[1]):
            continue
        j = bisect.bisect_right(perfs, t) - 1
        length = live[j][2] if j >= 0 else 0
        rows.setdefault(length // bucket, {}).setdefault(name, []).append(d)
        if name == "Layout" and d >= 1.0:
            xs.append(length)
            ys.append(d)
    out: dict[str, Any] = {"buckets": []}
    for b in sorted(rows):
        entry: dict[str, Any] = {"chars": f"{b * bucket // 1000}-{(b + 1) * bucket // 1000}k"}
        for name in names:
            durs = rows[b].get(name, [])
            big = [d for d in durs if d >= 1.0] if name == "Layout" else durs
            entry[name] = {
                "count": len(big),
                "mean_ms": round(statistics.fmean(big), 1) if big else 0.0,
                "p95_ms": round(pct(big, 0.95), 1) if big else 0.0,
            }
        out["buckets"].append(entry)
    if len(xs) >= 3 and len(set(xs)) > 1:
        slope, intercept = statistics.linear_regression(xs, ys)
        out["layout_ms_per_10k_chars"] = round(slope * 10_000, 2)
        out["layout_ms_at_0"] = round(intercept, 1)
        out["layout_r"] = round(statistics.correlation(xs, ys), 2)
    return out


def frame_costs(
    raw: bytes, sync_perf: float | None, window: tuple[float, float], muts: list[list[float]]
) -> list[dict[str, Any]] | dict[str, str]:
    """Per animation frame in each quarter of the stream: the rAF callbacks (lgwidget's drain),
    style, layout, pre-paint and paint on the page's main thread, and the text length then."""
    names = (
        "FireAnimationFrame",
        "UpdateLayoutTree",
        "Layout",
        "PrePaint",
        "Paint",
        "Layerize",
        "FunctionCall",
        "RunTask",
    )
    spans = spans_of(raw, sync_perf, names)
    if spans is None:
        return {"error": "no lgw-sync timestamp in the trace"}
    lo, hi = window
    q = (hi - lo) / 4
    mut_perf = [m[1] for m in muts]
    out = []
    for i in range(4):
        a, b = lo + i * q, lo + (i + 1) * q
        row: dict[str, Any] = {"from_ms": round(a - lo), "to_ms": round(b - lo)}
        j = bisect.bisect_right(mut_perf, b) - 1
        row["text_len_at_end"] = muts[j][2] if j >= 0 else 0
        for name in names:
            durs = [d for n, t, d in spans if n == name and a <= t < b]
            row[name] = {
                "count": len(durs),
                "total_ms": round(sum(durs), 1),
                "mean_ms": round(statistics.fmean(durs), 2) if durs else 0.0,
                "max_ms": round(max(durs, default=0.0), 1),
            }
        out.append(row)
    return out


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

