"""A RunWidget in real JupyterLab + Chromium, fed 10,000 x 1 KB chunks as fast as they come.

    python -m bench.browser [--chunks 10000] [--size 1000] [--source replay|chat|both]
                            [--repeat 1] [--no-profile] [--quick] [--max-tasks 6]
                            [--screenshot bench/results/browser.png] [--json PATH]

Source ``replay``: the replay server (``tests/support/replay_server.py``) sends N ``updates``
events of SIZE bytes as fast as the socket takes them. A notebook in an isolated JupyterLab
(``tests/support/harness.py``), opened in headless Debian Chromium, runs::

    w = lgwidget.RunWidget("bulk", {"n": N, "size": SIZE}, url=URL)
    w                                  # cell 1: display it
    await w.run()                      # cell 2: stream the run into it

The replay server names the node of event i ``node_<i>``: N distinct node names, which no real
graph has (and which the view's node filter lists one by one). Source ``chat`` is the realistic
counterpart: the same widget fed by ``RunWidget.from_stream`` with ``bench.chunks``' seeded
LangChain-like chunks of SIZE bytes from two nodes, built in the kernel in cell 1 (so the widget
shows up seconds after "run all"; times are counted from the run's start).

Each pass uses a fresh notebook (its own kernel) in a fresh browser context (``bench.kit``'s page
loop: the long-task observer, main-thread tasks over 50 ms, is installed before the page loads,
so the page load and the run are told apart). A 20 ms poll in the page notes when the view first
shows the widget, the first chunk, and all of them: ``.lgw-stats`` shows ``N + 1`` chunks, the
badge says "done", and the last panel is chunk N. Reported: long tasks during the run (from "run
all" until 1 s after all are shown) and during the page load; the time from the kernel's run
start (``w.started_at``, same wall clock) to the view showing all chunks, against the kernel's
own run time, the baseline of the same pass; DOM nodes of ``.lgw-root`` and of the document; the
chunk count the header shows (nothing lost to the Jupyter server's iopub rate limit).

Profiling (unless ``--no-profile``): one more pass per source with the CDP CPU profiler
(``bench.profiling``, functions mapped back to ``js/src``) and a Chrome trace (``bench.trace``).
The profiled pass's own timings are reported apart: the profiler slows the page down.

Everything started here (replay server, JupyterLab, its kernels, Chromium) is stopped on exit.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import kit
from bench.profiling import analyse_profile, build_source_map, print_profile
from bench.trace import analyse_trace, print_trace
from tests.support.harness import run_all, wait_run_all_done
from tests.support.replay_server import replay_server

GOAL_LONG_TASK_MS = 50
GOAL_ROOT_NODES = 5_000
SETTLE_S = 1.0
SOURCES = ("replay", "chat")
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



def notebook_cells(source: str, url: str, n: int, size: int) -> list[str]:
    if source == "replay":
        first = (
            "import json\nimport lgwidget\n"
            f"w = lgwidget.RunWidget('bulk', {{'n': {n}, 'size': {size}}}, url={url!r})\nw"
        )
    else:  # realistic chunks, fed by RunWidget.from_stream
        first = (
            "import json\nimport lgwidget\n"
            "from bench.chunks import make_parts, replay\n"
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


def one_pass(browser: Any, lab: Any, url: str, args: Any, source: str, index: int, *,
             profile: bool, srcmap: Any, shot: Path | None) -> dict[str, Any]:
    nb = f"bench_{source}_{index}{'_profiled' if profile else ''}.ipynb"
    cells = notebook_cells(source, url, args.n, args.size)
    meter = {"text": f"{args.n + 1:,} chunks", "lastIndex": args.n}
    with kit.page_pass(browser, lab, nb, cells, meter_js=WATCH_JS, meter_arg=meter,
                       dom_js=DOM_JS, profile=profile, shot=shot) as p:
        run_all(p.page)
        p.page.wait_for_function(
            "() => !!(window.__lgwWatch && window.__lgwWatch.marks.all_shown)",
            timeout=args.timeout * 1000,
            polling=200,
        )
        run_all_state = wait_run_all_done(p.page, timeout=args.timeout)
        time.sleep(SETTLE_S)
        watch = p.page.evaluate("() => window.__lgwWatch")
    marks, start = watch["marks"], p.start_perf
    all_shown = marks["all_shown"]["perf"]
    during = [e for e in p.tasks.entries if e["start"] <= all_shown + SETTLE_S * 1000]
    result: dict[str, Any] = {
        "source": source,
        "profiled": profile,
        "notebook": nb,
        "page_load_s": p.load_s,
        "load_long_tasks": kit.summarize_tasks(p.load_tasks.entries),
        "run_long_tasks": kit.summarize_tasks(during),
        "long_task_api": p.load_tasks.supported,
        "run_start_perf_ms": start,
        "marks_ms_after_run_all": {k: v["perf"] - start for k, v in marks.items()},
        "run_all": run_all_state,
        "last_watch": watch.get("last"),
        "dom": p.dom,
        "kernel": p.kernel,
        "console_errors": p.errors[-20:],
    }
    kernel = p.kernel
    if kernel and kernel.get("started_at"):
        started_ms = kernel["started_at"] * 1000
        result["ms_from_kernel_run_start"] = {k: v["wall"] - started_ms for k, v in marks.items()}
        result["kernel_run_ms"] = (kernel["ended_at"] - kernel["started_at"]) * 1000
    window = (start, all_shown + SETTLE_S * 1000)
    if p.cpu_profile is not None:
        result["profile"] = analyse_profile(p.cpu_profile, srcmap, p.sync_perf, during, window)
    if p.trace is not None:
        result["trace"] = analyse_trace(p.trace, srcmap, p.sync_perf, during, window)
    return result


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


def verdicts(p: dict[str, Any], n: int) -> None:
    rt, d, nb = p["run_long_tasks"], p["dom"], p["notebook"]
    print(
        f"{nb}: long tasks during the run {rt['count']}, max {rt['max_ms']:.0f} ms, total "
        f"{rt['total_ms']:.0f} ms: {kit.meets(rt['max_ms'] <= GOAL_LONG_TASK_MS)} goal (none "
        f"over {GOAL_LONG_TASK_MS} ms)"
    )
    print(
        f"{nb}: .lgw-root {d['root_nodes']:,} nodes: "
        f"{kit.meets((d['root_nodes'] or 0) < GOAL_ROOT_NODES)} goal < {GOAL_ROOT_NODES:,}; "
        f"document {d['document_nodes']:,} nodes"
    )
    expected = f"{n + 1:,} chunks"
    shown = expected in (d["stats"] or "")
    print(f"{nb}: header {d['stats']!r}: {'shows all' if shown else 'DOES NOT show'} {expected}")
    shown_ms = p.get("ms_from_kernel_run_start", {}).get("all_shown", float("nan"))
    kernel_ms = p.get("kernel_run_ms", float("nan"))
    print(
        f"{nb}: all chunks shown {shown_ms:.0f} ms after the kernel's run start (kernel run "
        f"{kernel_ms:.0f} ms: view/kernel {kit.x(shown_ms / kernel_ms)})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = kit.parser(__doc__, "the replay source only, no profiled pass")
    kit.chunks_arg(parser, 10_000, "updates events in the run")
    parser.add_argument("--size", type=int, default=1_000, help="bytes per event")
    parser.add_argument(
        "--source", choices=(*SOURCES, "both"), default="both",
        help="replay: the replay server (node_<i>: one node name per chunk); "
        "chat: realistic chunks of 2 nodes via from_stream; both (default)",
    )
    kit.page_args(parser, "source", 180.0, "browser.png", 6)  # the chat pass's shot: -chat
    args = parser.parse_args(argv)
    if args.quick:
        args.source, args.no_profile = "replay", True
    sources = SOURCES if args.source == "both" else (args.source,)
    machine = kit.header("browser", f"{args.n + 1:,} chunks x {args.size} B, {', '.join(sources)}")

    srcmap, srcmap_note = (None, "not profiled") if args.no_profile else build_source_map()
    passes: list[dict[str, Any]] = []
    shots: list[Path] = []
    with replay_server(n=args.n, size=args.size) as server, \
            kit.lab_and_browser("lgw-bench-browser-") as (lab, browser):
        print(f"replay server {server.url} (pid {server.pid}); JupyterLab {lab.url} (started "
              f"in {lab.startup_seconds:.1f} s); Chromium {browser.version}", flush=True)
        for source in sources:
            for i in range(args.repeat):
                shot = None
                if i == 0:
                    base = Path(args.screenshot)
                    shot = base if source == "replay" else base.with_stem(f"{base.stem}-{source}")
                    shots.append(shot)
                passes.append(one_pass(browser, lab, server.url, args, source, i,
                                       profile=False, srcmap=None, shot=shot))
                print_pass(passes[-1], args.n)
            if not args.no_profile:
                passes.append(one_pass(browser, lab, server.url, args, source, args.repeat,
                                       profile=True, srcmap=srcmap, shot=None))
                print_pass(passes[-1], args.n)
                print_profile(passes[-1]["profile"], srcmap_note, args.max_tasks)
                print_trace(passes[-1]["trace"], args.max_tasks)

    print("\n== Verdicts (unprofiled passes) ==")
    for p in passes:
        if not p["profiled"]:
            verdicts(p, args.n)
    for shot in shots:
        if shot.exists():
            print(f"screenshot: {shot}")
    kit.write_json(args.json, {**machine, "params": vars(args), "source_map": srcmap_note,
                               "passes": passes})


if __name__ == "__main__":
    main()
