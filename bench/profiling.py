"""The CPU profile of the page's main thread (CDP ``Profiler``, sampling every 200 us), with
lgwidget's minified bundle mapped back to ``js/src`` through a rebuilt source map.

``build_source_map()`` rebuilds the bundle with the same esbuild command into a temp dir and uses
its map only if the bundle is identical to ``lgwidget/static/widget.js`` (nothing in js/ or
lgwidget/ is written). The profile's clock is tied to ``performance.now()`` by a marker function
(``SYNC_JS``) run in the page right after the profiler starts. ``analyse_profile`` sums self time
per function for the whole run and inside each long task; ``print_profile`` prints it.
"""

from __future__ import annotations

import bisect
import json
import shutil
import subprocess
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.kit import ROOT

SAMPLING_US = 200

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

def short_url(url: str) -> str:
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
        where = short_url(url)
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
