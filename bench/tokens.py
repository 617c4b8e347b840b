"""20,000 tokens of one message streamed live into a RunWidget in real JupyterLab + Chromium.

    python -m bench.tokens [--tokens 20000] [--rate 0 2000] [--group 20] [--repeat 1]
                           [--no-profile] [--quick] [--interval 20] [--mark-every 1000]
                           [--screenshot bench/results/tokens.png] [--json PATH]

The question: does the page keep up with a long answer streamed token by token? A notebook in an
isolated JupyterLab (``tests/support/harness.py``), opened in headless Debian Chromium, runs::

    async def gen():                       # cell 1 (with the tokens and the chunks)
        yield ("metadata", {"run_id": ..., "attempt": 1})
        for each of the N tokens:          # N "messages" events (stream_mode messages-tuple)
            yield token_chunk(token)       # an AIMessageChunk "run-1" of one token, metadata
        yield final_update(text, N)        # the node's update with the whole AIMessage
    w = lgwidget.RunWidget.from_stream(gen(), assistant_id="tokens"); w
    await w.run()                          # cell 2, run once the view is on the page

Tokens and chunks come from ``bench.chunks`` (seeded; the same in the kernel and here).
``--rate 0`` yields as fast as the widget takes them (the generator never suspends, so the
kernel's loop is busy for the whole stream); ``--rate R`` keeps an absolute schedule of R
tokens/s with ``asyncio.sleep`` before every group of ``--group`` tokens. The generator notes
``time.time()`` after every ``--mark-every`` tokens handed to the widget, and the run cell prints
those marks: the kernel's own timeline is the baseline the view is measured against
(``bench.lag``: lag in tokens and in ms behind the kernel, on the shared wall clock). Cell 2 runs
only once the view is on the page, so the measure is the rendering of the stream.

Reported per pass: the kernel's stream time and rate; the first text shown after the first
token; the full text shown after the last token was sent; any rebuild of the view; lag (max,
p50, p95) while the kernel streams; text updates and frame rate; long tasks (``bench.kit``'s page
loop) from cell 2 until 1 s after the full text is shown, split into while the kernel streams and
after; the widget's DOM nodes; and whether the final text equals the tokens joined.

Profiling (unless ``--no-profile``): one more pass per rate with the CPU profiler
(``bench.profiling``) and a Chrome trace (``bench.trace``), plus the main thread's Layout,
PrePaint, Paint and rAF callbacks while the kernel streams, by the text's length then and per
quarter of the stream: what grows with the text. The profiled pass's timings are reported apart.

Everything started here (JupyterLab, its kernels, Chromium) is stopped on exit.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from pathlib import Path
from typing import Any

from bench import kit
from bench.chunks import make_tokens
from bench.lag import (
    METER_JS,
    STOP_METER_JS,
    analyse,
    cumulative_lengths,
    fmt,
    js_len,
    print_details,
    rate_name,
)
from bench.profiling import analyse_profile, build_source_map, print_profile
from bench.trace import analyse_trace, frame_costs, layout_by_length, print_trace

GOAL_LONG_TASK_MS = 50
#: "Keeps up": the full text is on screen this soon after the last token was sent (the
#: transport batches for up to 50 ms, then a frame), and the lag stays under it (p95).
GOAL_LAG_MS = 150
SETTLE_S = 1.0

# Cell 1: the tokens, the generator, the widget (displayed).
CELL_SETUP = r"""
import asyncio, hashlib, json, time
import lgwidget
from bench.chunks import RUN_ID, final_update, make_tokens, token_chunk

N, RATE, GROUP, MARK_EVERY = {n}, {rate}, {group}, {mark_every}
TOKENS = make_tokens(N)
TEXT = "".join(TOKENS)
MARKS = []  # [tokens handed to the widget, time.time()]
TIMES = {{}}


async def gen():
    yield ("metadata", {{"run_id": RUN_ID, "attempt": 1}})
    t0 = time.time()
    MARKS.append([0, t0])
    for i, tok in enumerate(TOKENS):
        if RATE and i % GROUP == 0:
            delay = t0 + i / RATE - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
        yield token_chunk(tok, i == N - 1)
        if (i + 1) % MARK_EVERY == 0 or i == N - 1:
            MARKS.append([i + 1, time.time()])
    yield final_update(TEXT, N)
    TIMES["updates_sent"] = time.time()


w = lgwidget.RunWidget.from_stream(gen(), assistant_id="tokens")
w.stream_mode = ["updates", "messages-tuple"]
w
"""

CELL_RUN = r"""
await w.run()
print(json.dumps({
    "status": w.status, "chunks": w.chunk_count, "bytes": w.byte_count,
    "started_at": w.started_at, "ended_at": w.ended_at, "marks": MARKS, **TIMES,
    "messages": w._transport.messages_sent, "blob_bytes": sum(map(len, w.snapshot)),
    "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
}))
"""

DOM_JS = """
() => {
  const root = document.querySelector('.lgw-root');
  const text = root?.querySelector('.lgw-msg-text');
  return {
    root_nodes: root ? root.querySelectorAll('*').length : null,
    document_nodes: document.querySelectorAll('*').length,
    widget_roots: document.querySelectorAll('.lgw-root').length,
    panels: root ? root.querySelectorAll('.lgw-panel').length : null,
    bubbles: root ? root.querySelectorAll('.lgw-msg').length : null,
    text_children: text ? text.childNodes.length : null,
    update_shown: root ? (root.querySelector('.lgw-node-update')?.childNodes.length ?? 0) : null,
    role: root?.querySelector('.lgw-msg-role')?.textContent ?? null,
    stats: root?.querySelector('.lgw-stats')?.textContent ?? null,
    badge: root?.querySelector('.lgw-badge')?.textContent ?? null,
    meta: root?.querySelector('.lgw-panel .lgw-meta')?.textContent ?? null,
    heap_mb: performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null,
    text: text ? text.textContent : null,
  };
}
"""

# Run one cell of the current notebook without waiting for it; track it in window.__lgwCell.
RUN_CELL_JS = """
(index) => {
  const cells = window.__lgwCell ??= {};
  const st = cells[index] = {done: false, ok: null, error: null, t0: performance.now()};
  const nb = window.jupyterapp.shell.currentWidget.content;
  nb.activeCellIndex = index;
  nb.deselectAll();
  window.jupyterapp.commands.execute('notebook:run-cell').then(
    (r) => { st.ok = r; st.done = true; st.t1 = performance.now(); },
    (e) => { st.error = String(e); st.done = true; st.t1 = performance.now(); });
}
"""



def bundle_hash() -> str | None:
    """The front end measured: lgwidget/static/widget.js (others may rebuild it meanwhile)."""
    with contextlib.suppress(OSError):
        return hashlib.sha256((kit.ROOT / "lgwidget/static/widget.js").read_bytes()).hexdigest()
    return None


def wait_cell(page: Any, index: int, timeout: float) -> dict[str, Any]:
    page.wait_for_function(
        "(i) => !!(window.__lgwCell && window.__lgwCell[i] && window.__lgwCell[i].done)",
        arg=index, timeout=timeout * 1000, polling=100,
    )
    return page.evaluate("(i) => window.__lgwCell[i]", index)


def one_pass(browser: Any, lab: Any, args: Any, rate: float, index: int, *, tokens: list[str],
             profile: bool, srcmap: Any, shot: Path | None) -> dict[str, Any]:
    tag = f"r{int(rate)}" if rate else "fast"
    nb = f"tokens_{tag}_{index}{'_profiled' if profile else ''}.ipynb"
    setup = CELL_SETUP.format(n=args.tokens, rate=rate, group=args.group,
                              mark_every=args.mark_every)
    expected = "".join(tokens)
    total = js_len(expected)
    meter_arg = {"total": total, "interval": args.interval}
    with kit.page_pass(browser, lab, nb, [setup, CELL_RUN], meter_js=METER_JS,
                       meter_arg=meter_arg, dom_js=DOM_JS, profile=profile, shot=shot) as p:
        page, setup_perf = p.page, p.start_perf
        page.evaluate(RUN_CELL_JS, 0)
        setup_state = wait_cell(page, 0, 120)
        page.wait_for_selector(".lgw-root", timeout=60_000)
        time.sleep(0.3)  # the view settles
        run_perf = p.observer.now()
        page.evaluate(RUN_CELL_JS, 1)
        run_state = wait_cell(page, 1, args.timeout)
        # Until the bubble on the page shows the whole text and is still there SETTLE_S later
        # (the view may be rebuilt after the run and fill again).
        deadline = time.monotonic() + args.timeout
        while True:
            page.wait_for_function(
                "() => !!(window.__lgwTok && window.__lgwTok.finalFull)",
                timeout=max(1.0, deadline - time.monotonic()) * 1000, polling=100,
            )
            time.sleep(SETTLE_S)
            if page.evaluate("() => !!window.__lgwTok.finalFull"):
                break
        meter = page.evaluate(STOP_METER_JS)
    kernel, text = p.kernel or {}, p.dom.pop("text")
    raw_keys = ("samples", "muts", "frames", "marks", "offset_ms", "inflates", "views",
                "finalFull", "finalFullPoll")
    result: dict[str, Any] = {
        "rate": rate, "profiled": profile, "notebook": nb, "page_load_s": p.load_s,
        "setup_cell": setup_state, "run_cell": run_state, "dom": p.dom,
        "kernel": {k: v for k, v in kernel.items() if k != "marks"},
        "kernel_marks": kernel.get("marks"), "bubbles_seen": len(meter["views"]),
        "meter_raw": {k: meter[k] for k in raw_keys}, "last_poll": meter["last"],
        "console_errors": p.errors[-20:], "text_equal": text == expected,
        "text_len": None if text is None else js_len(text), "expected_len": total,
        "expected_sha_matches_kernel": kernel.get("sha256")
        == hashlib.sha256(expected.encode()).hexdigest(),
    }
    if text is not None and text != expected:
        at = next((i for i, (a, b) in enumerate(zip(text, expected, strict=False)) if a != b),
                  min(len(text), len(expected)))
        result["text_mismatch"] = {"at": at, "shown": text[max(0, at - 40) : at + 40],
                                   "expected": expected[max(0, at - 40) : at + 40]}
    if not kernel.get("marks"):
        result["error"] = "the run cell printed no result"
        return result
    result.update(analyse(meter, kernel, cumulative_lengths(tokens), len(tokens), run_perf,
                          setup_perf))
    offset = meter["offset_ms"]  # Date.now() - performance.now(), in the page
    full_perf = meter["finalFull"]["perf"]
    t0_perf = kernel["marks"][0][1] * 1000 - offset
    last_perf = kernel["marks"][-1][1] * 1000 - offset
    entries = p.tasks.entries
    in_stream = [e for e in entries if run_perf <= e["start"] <= full_perf + SETTLE_S * 1000]
    result["run_long_tasks"] = kit.summarize_tasks(in_stream)
    # While the kernel streams (+100 ms for the last batch), and after it (the catch-up).
    result["stream_long_tasks"] = kit.summarize_tasks(
        [e for e in in_stream if e["start"] <= last_perf + 100])
    result["after_long_tasks"] = kit.summarize_tasks(
        [e for e in in_stream if e["start"] > last_perf + 100])
    result["setup_long_tasks"] = kit.summarize_tasks(
        [e for e in entries if setup_perf <= e["start"] < run_perf])
    window = (t0_perf, full_perf + 50)
    result["stream_window_perf_ms"] = window
    if p.cpu_profile is not None:
        result["profile"] = analyse_profile(p.cpu_profile, srcmap, p.sync_perf, in_stream, window)
    if p.trace is not None:
        result["trace"] = analyse_trace(p.trace, srcmap, p.sync_perf, in_stream, window)
        result["frames_by_quarter"] = frame_costs(p.trace, p.sync_perf, window, meter["muts"])
        result["layout_by_length"] = layout_by_length(
            p.trace, p.sync_perf, (t0_perf, last_perf + 100), meter["muts"])
    return result


# ---------------------------------------------------------------------------------- output


def _tasks(t: dict[str, Any]) -> str:
    return f"{t['count']} / {fmt(t['max_ms'])} / {fmt(t['total_ms'])}"


def _stats(s: dict[str, float]) -> str:
    return f"{fmt(s['max'])} / {fmt(s['p95'])} / {fmt(s['p50'])}"


def _rebuilds(p: dict[str, Any]) -> str:
    views = p["view_rebuilds"]
    return ", ".join(f"+{fmt(v['after_last_token_ms'])}: {v['chars_before']:,} > "
                     f"{v['chars_after']:,}" for v in views) or "no"


def _inflates(p: dict[str, Any]) -> str:
    inflates = p["inflates"]
    return f"{inflates['during_stream']} / {inflates['total']} ({p['kernel'].get('messages')})"


TABLE = [
    ("kernel: first to last token sent, ms", lambda p: fmt(p["kernel_stream_ms"])),
    ("kernel: rate, tokens/s", lambda p: fmt(p["kernel_rate_tps"], ",.0f")),
    ("kernel: batches sent / compressed KB", lambda p: f"{p['kernel'].get('messages')} / "
     f"{fmt(p['kernel'].get('blob_bytes', 0) / 1024)}"),
    ("kernel: whole run (w.ended_at - w.started_at), ms", lambda p: fmt(p["kernel_run_ms"])),
    ("first text shown after first token, ms",
     lambda p: fmt(p["first_text_after_first_token_ms"])),
    ("FULL TEXT shown after last token sent, ms", lambda p: fmt(p["full_after_last_token_ms"])),
    ("  (same, seen by the polling), ms", lambda p: fmt(p["full_after_last_token_poll_ms"])),
    ("  first time the full text was on screen, ms",
     lambda p: fmt(p["first_full_after_last_token_ms"])),
    ("view rebuilt after the run: at ms, chars before > after", _rebuilds),
    ("batches inflated in the stream / in all (sent)", _inflates),
    ("lag while streaming, tokens: max / p95 / p50", lambda p: _stats(p["lag_tokens"])),
    ("lag while streaming, ms: max / p95 / p50", lambda p: _stats(p["lag_ms"])),
    ("polls in the stream / longest poll gap, ms",
     lambda p: f"{p['polls_in_stream']} / {fmt(p['poll_gap_max_ms'])}"),
    ("text updates (frames that appended)", lambda p: str(p["text_updates"])),
    ("chars per update: mean / max", lambda p: f"{fmt(p['chars_per_update']['mean'])} / "
     f"{fmt(p['chars_per_update']['max'])}"),
    ("frames / fps / longest frame gap, ms",
     lambda p: f"{p['frames']} / {fmt(p['fps'])} / {fmt(p['frame_gap_max_ms'])}"),
    ("long tasks in cell 2 (+1 s): count / max / total ms",
     lambda p: _tasks(p["run_long_tasks"])),
    ("  while the kernel streams: count / max / total ms",
     lambda p: _tasks(p["stream_long_tasks"])),
    ("  after the last token: count / max / total ms", lambda p: _tasks(p["after_long_tasks"])),
    ("long tasks in cell 1 (widget shown): count / max",
     lambda p: _tasks(p["setup_long_tasks"]).rsplit(" / ", 1)[0]),
    ("DOM nodes: .lgw-root / document",
     lambda p: f"{p['dom']['root_nodes']:,} / {p['dom']['document_nodes']:,}"),
    ("bubbles / text nodes / update shown again", lambda p: f"{p['dom']['bubbles']} / "
     f"{p['dom']['text_children']} / {p['dom']['update_shown']}"),
    ("final text == concatenation of the tokens",
     lambda p: f"{p['text_equal']} ({p['text_len']:,} of {p['expected_len']:,})"),
    ("JS heap at the end, MB", lambda p: fmt(p["dom"]["heap_mb"])),
]


def print_table(passes: list[dict[str, Any]], n: int) -> None:
    cols = [p for p in passes if "error" not in p]
    if not cols:
        return
    head = [f"{rate_name(p['rate'])}{' (profiled)' if p['profiled'] else ''}" for p in cols]
    rows = [(label, [cell(p) for p in cols]) for label, cell in TABLE]
    w0 = max(len(r[0]) for r in rows)
    widths = [max(len(h), *(len(r[1][i]) for r in rows)) for i, h in enumerate(head)]
    print(f"\n== {n:,} tokens, one message (times on the wall clock shared by kernel and page) ==")
    print(" " * w0 + " | " + " | ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    print("-" * w0 + "-+-" + "-+-".join("-" * w for w in widths))
    for label, vals in rows:
        cells = " | ".join(v.rjust(w) for v, w in zip(vals, widths, strict=True))
        print(f"{label.ljust(w0)} | {cells}")


def verdicts(p: dict[str, Any]) -> None:
    lag95, lag_max = p["lag_ms"]["p95"], p["lag_ms"]["max"]
    streaming = lag95 != lag95 or lag95 <= GOAL_LAG_MS
    catch_up = p["full_after_last_token_ms"]
    rebuilds = "; ".join(
        f"view rebuilt at +{v['after_last_token_ms']:.0f} ms ({v['chars_before']:,} > "
        f"{v['chars_after']:,} chars)" for v in p["view_rebuilds"])
    print(
        f"{rate_name(p['rate'])}: while streaming, lag behind the kernel p95 {fmt(lag95)} ms, "
        f"max {fmt(lag_max)} ms (kernel stream {fmt(p['kernel_stream_ms'])} ms): "
        f"{'keeps up' if streaming else 'FALLS BEHIND'} (goal p95 <= {GOAL_LAG_MS} ms); full "
        f"text {catch_up:.0f} ms after the last token: "
        f"{'in time' if catch_up <= GOAL_LAG_MS else 'LATE'}"
        + (f" ({rebuilds})" if rebuilds else "")
    )
    for label, key in (("while streaming", "stream_long_tasks"), ("after", "after_long_tasks")):
        lt = p[key]
        print(
            f"    long tasks {label}: {lt['count']}, max {lt['max_ms']:.0f} ms, total "
            f"{lt['total_ms']:.0f} ms: {kit.meets(lt['max_ms'] <= GOAL_LONG_TASK_MS)} goal (none "
            f"over {GOAL_LONG_TASK_MS} ms)"
        )
    print(
        f"    final text {'identical to' if p['text_equal'] else 'DIFFERENT from'} the tokens "
        f"joined ({p['text_len']:,} chars); .lgw-root {p['dom']['root_nodes']:,} DOM nodes"
    )


def main(argv: list[str] | None = None) -> None:
    parser = kit.parser(__doc__, "no profiled passes")
    parser.add_argument("--tokens", type=int, default=20_000, help="messages events (tokens)")
    parser.add_argument("--rate", type=float, nargs="+", default=[0, 2000],
                        help="tokens/s, one pass each; 0 = as fast as possible (default: 0 2000)")
    parser.add_argument("--group", type=int, default=20,
                        help="tokens between sleeps of a paced stream")
    parser.add_argument("--mark-every", type=int, default=1000,
                        help="the kernel notes time.time() every this many tokens")
    parser.add_argument("--interval", type=int, default=20, help="page polling, ms")
    kit.page_args(parser, "rate", 300.0, "tokens.png", 4)
    args = parser.parse_args(argv)
    args.no_profile = args.no_profile or args.quick

    tokens = make_tokens(args.tokens)
    bundle_before = bundle_hash()
    machine = kit.header("tokens", f"{args.tokens:,} tokens, {js_len(''.join(tokens)):,} chars; "
                         f"rates {args.rate}; widget.js {(bundle_before or '?')[:12]}")
    srcmap, srcmap_note = (None, "not profiled") if args.no_profile else build_source_map()
    passes: list[dict[str, Any]] = []
    with kit.lab_and_browser("lgw-bench-tokens-") as (lab, browser):
        print(f"JupyterLab {lab.url} (started in {lab.startup_seconds:.1f} s); Chromium "
              f"{browser.version}", flush=True)
        for r_i, rate in enumerate(args.rate):
            for i in range(args.repeat):
                shot = Path(args.screenshot) if (r_i == 0 and i == 0) else None
                passes.append(one_pass(browser, lab, args, rate, i, tokens=tokens,
                                       profile=False, srcmap=None, shot=shot))
                print_details(passes[-1])
            if not args.no_profile:
                passes.append(one_pass(browser, lab, args, rate, args.repeat, tokens=tokens,
                                       profile=True, srcmap=srcmap, shot=None))
                p = passes[-1]
                print_details(p)
                if "profile" in p:
                    print_profile(p["profile"], srcmap_note, args.max_tasks)
                if "trace" in p:
                    print_trace(p["trace"], args.max_tasks)

    print_table(passes, args.tokens)
    changed = bundle_hash() != bundle_before
    if changed:
        print("WARNING: lgwidget/static/widget.js changed during the benchmark (rebuilt?)")
    print("\n== Verdicts (unprofiled passes) ==")
    for p in passes:
        if not p["profiled"] and "error" not in p:
            verdicts(p)
    if Path(args.screenshot).exists():
        print(f"screenshot: {args.screenshot}")
    kit.write_json(args.json, {**machine, "params": vars(args), "source_map": srcmap_note,
                               "bundle_sha256": bundle_before, "bundle_changed_during_run": changed,
                               "passes": passes})


if __name__ == "__main__":
    main()
