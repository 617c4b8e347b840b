"""20,000 tokens of one message streamed live into a RunWidget in real JupyterLab + Chromium.

    python bench/bench_tokens.py [--tokens 20000] [--rate 0 2000] [--group 20] [--repeat 1]
                                 [--no-profile] [--interval 20] [--mark-every 1000]
                                 [--screenshot bench/results/tokens.png] [--json PATH]

The question: does the page keep up with a long answer streamed token by token?

The kernel side (a notebook in an isolated JupyterLab, ``tests/browser/harness.py``, opened in
headless Debian Chromium)::

    async def gen():                       # cell 1 (with the token list and helpers)
        yield ("metadata", {"run_id": ..., "attempt": 1})
        for each of the N tokens:          # N "messages" events (stream_mode messages-tuple)
            yield ("messages", [<AIMessageChunk "run-1" of one token>, <server metadata>])
        yield ("updates", {"answer": {"messages": [<the whole AIMessage "run-1">]}})
    w = lgwidget.RunWidget.from_stream(gen(), assistant_id="tokens"); w
    await w.run()                          # cell 2, run once the view is on the page

The chunks are shaped as the Agent Server sends them in messages-tuple mode (``js/test/chunks.js``,
``/work/shared/NOTES.md`` section 2): the AIMessageChunk with every key, the metadata with the
server's keys, and ``"chunk_position": "last"`` (plus finish_reason) on the last chunk, which
carries the last token. The tokens are a seeded mix of words with a leading space, sub-word
pieces, punctuation, paragraph breaks, non-ASCII and astral characters, and text that looks like
HTML or Markdown (it must stay text). ``--rate 0`` yields as fast as the widget takes them (the
generator never suspends, so the kernel's loop is busy for the whole stream); ``--rate R``
keeps an absolute schedule of R tokens/s with ``asyncio.sleep`` before every group of
``--group`` tokens. The generator notes ``time.time()`` after every ``--mark-every`` tokens have
been handed to the widget (after ``yield`` returns: the widget has queued the chunk for its
next batch) and the run cell prints those marks.

Cell 1 is run first; cell 2 only once the view (``.lgw-root``) is on the page, so the measure is
the rendering of the stream, not the widget's start-up (and a fast stream, which never lets the
kernel's loop run, cannot race the view's first "sync" message).

The page side: before the run, a script in the page

* polls every ``--interval`` ms (``setInterval``): the bubble's text length (``.lgw-msg-text``:
  the length of its Text nodes, O(1)), with ``Date.now()`` and ``performance.now()``;
* observes the bubble with a MutationObserver (characterData): the time of every change of its
  text, i.e. of every frame that appended text (the bubble appends once per animation frame);
* counts animation frames (a ``requestAnimationFrame`` loop: frame rate, longest gap);
* counts the batches inflated (a counting subclass of ``DecompressionStream``, which
  ``js/src/decode.js`` uses): how many times each batch is decoded, by how many stores;
* the harness's long-task observer (PerformanceObserver "longtask", tasks over 50 ms).

The view may be rebuilt after the run (a new ``.lgw-msg-text`` element, whose text can start
over): each new bubble is noted with the text length before and after, and "full text shown"
is when the bubble that stays on the page shows all of it (the wait goes on until the full
text has stayed for 1 s); the first time any bubble showed all of it is reported too.

Both sides use the machine's wall clock (``time.time()`` in the kernel, ``Date.now()`` in the
page). The text length shown is turned into tokens shown through the tokens' cumulative UTF-16
lengths (JS string length), and the kernel's marks, interpolated linearly, into tokens sent by
a given time. At each poll:

* lag in tokens = tokens sent by then - tokens shown;
* lag in ms = now - the time the first token not yet shown was sent (0 when all sent are shown).

Reported per pass: the kernel's stream time and rate; the first text shown after the first
token; the full text shown after the last token was sent (from the MutationObserver, exact to
the frame, and from the polling); any rebuild of the view; lag (max, p50, p95) while the kernel
streams; text updates (frames that appended text) and frame rate; long tasks from the start of
cell 2 until 1 s after the full text is shown (count, max, total; also split into while the
kernel streams and after); the widget's DOM nodes at the end; and whether the bubble's final
text equals the concatenation of the tokens exactly (one bubble, the node's update not shown a
second time). A screenshot of the first pass goes to ``--screenshot``.

Profiling (unless ``--no-profile``): one more pass per rate with the CDP CPU profiler (200 us)
and a Chrome trace, analysed by bench_browser.py's code (self time per function, mapped back to
``js/src`` through a rebuilt source map; trace self time by event), plus, from the trace, the
main thread's Layout, PrePaint, Paint and rAF callbacks (lgwidget's drain) while the kernel
streams, by the bubble's text length at the time (20,000-char buckets, and a least-squares fit
of Layout ms against the length), and the same per quarter of the whole window: what grows
with the text. The profiled pass's own timings are reported apart: the profiler slows the page
down.

Everything started here (JupyterLab, its kernels, Chromium) is stopped on exit; the harness
kills any leftover it finds.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime
import hashlib
import itertools
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import (  # noqa: E402
    SAMPLING_US,
    SYNC_JS,
    TRACE_CATEGORIES,
    analyse_profile,
    analyse_trace,
    build_source_map,
    kernel_result,
    print_profile,
    print_trace,
    summarize_tasks,
)

from tests.support.harness import (  # noqa: E402
    RUN_MARKER_PREFIX,
    kill_harness_processes,
    launch_chromium,
    long_task_observer,
    open_notebook,
    screenshot,
    start_jupyterlab,
    write_notebook,
)

GOAL_LONG_TASK_MS = 50
#: "Keeps up": the full text is on screen this soon after the last token was sent (the
#: transport batches for up to 50 ms, then a frame), and the lag stays under it (p95).
GOAL_LAG_MS = 150
SETTLE_S = 1.0

# Run in the kernel and here: the same tokens on both sides.
TOKENS_SRC = r'''
import random as _random

_WORDS = (
    "the of and to in is that for it as with was on be by this are or from at an which "
    "graph node state stream token message model agent tool call run step edge update "
    "value chunk batch frame view panel widget kernel browser server client event "
    "latency throughput render layout paint memory budget queue thread socket buffer "
    "because however therefore although while where when then also only still even "
    "first second third next last early late fast slow large small long short "
    "café naïve façade résumé Zürich Ångström señor déjà coöperate"
).split()
_PUNCT = [",", ".", ";", ":", " —", "…", "!", "?", " (", ")", '"', "'s"]
_ODD = [" 🙂", " ✓", " “quoted”", " <b>not bold</b>", " &amp;", " **md**", " `code`",
        " \U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522",
        " \\n", " \t tab", " 中文", " عربى"]
_SUFFIX = ["ing", "ed", "s", "ly", "tion", "er", "ness"]


def make_tokens(n, seed=20000):
    """n tokens of an LLM-like answer: seeded, the same in the kernel and the benchmark."""
    rng = _random.Random(seed)
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.02:
            tok = "\n\n"
        elif r < 0.12:
            tok = rng.choice(_PUNCT)
        elif r < 0.13:
            tok = rng.choice(_ODD)
        elif r < 0.22:
            tok = rng.choice(_SUFFIX)
        else:
            tok = " " + rng.choice(_WORDS)
        out.append(tok)
    return out
'''

# Cell 1: the tokens, the chunks, the generator, the widget (displayed).
CELL_SETUP = r"""
import asyncio, hashlib, json, time
import lgwidget

N, RATE, GROUP, MARK_EVERY = {n}, {rate}, {group}, {mark_every}
exec({tokens_src!r})
TOKENS = make_tokens(N)
TEXT = "".join(TOKENS)
RUN_ID = "1f0a9b2c-77aa-6d3e-bf11-0242ac120002"
THREAD_ID = "3f1b6c1e-8d1c-4b6e-9a53-6f4d2b8f0a11"
NS = "answer:6c1f0e52-2b7e-5a0d-9c3f-1f0a9b2c77aa"
# The metadata of a messages-tuple chunk as the Agent Server sends it (langgraph-api 0.16).
META = {{
    "created_by": "system", "graph_id": "agent",
    "assistant_id": "fe096781-5601-53d2-b2f6-0d3403f7e9ca", "run_attempt": 1,
    "langgraph_version": "1.2.1", "langgraph_api_version": "0.16.7", "langgraph_plan": "developer",
    "langgraph_host": "self-hosted", "langgraph_api_url": "http://127.0.0.1:2024",
    "run_id": RUN_ID, "thread_id": THREAD_ID, "user_id": "", "langgraph_step": 1,
    "langgraph_node": "answer", "langgraph_triggers": ["branch:to:answer"],
    "langgraph_path": ["__pregel_pull", "answer"], "langgraph_checkpoint_ns": NS,
    "checkpoint_ns": NS, "ls_provider": "openai", "ls_model_name": "gpt-4o-mini",
    "ls_model_type": "chat", "ls_temperature": 0.0,
}}
CHUNK = {{
    "content": "", "additional_kwargs": {{}}, "response_metadata": {{}}, "type": "AIMessageChunk",
    "name": None, "id": "run-1", "tool_calls": [], "invalid_tool_calls": [],
    "tool_call_chunks": [], "usage_metadata": None,
}}
LAST = {{
    "response_metadata": {{"finish_reason": "stop", "model_name": "gpt-4o-mini-2024-07-18",
                          "system_fingerprint": "fp_0ba0d124f1", "service_tier": "default",
                          "model_provider": "openai"}},
    "chunk_position": "last",
}}
MESSAGE = {{
    "content": TEXT, "additional_kwargs": {{}}, "response_metadata": LAST["response_metadata"],
    "type": "ai", "name": None, "id": "run-1", "tool_calls": [], "invalid_tool_calls": [],
    "usage_metadata": {{"input_tokens": 31, "output_tokens": N, "total_tokens": N + 31}},
}}
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
        chunk = {{**CHUNK, "content": tok}}
        if i == N - 1:
            chunk.update(LAST)
        yield ("messages", [chunk, META])
        if (i + 1) % MARK_EVERY == 0 or i == N - 1:
            MARKS.append([i + 1, time.time()])
    yield ("updates", {{"answer": {{"messages": [MESSAGE]}}}})
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

# The in-page meter: polling, a MutationObserver on the bubble's text, and a rAF frame counter.
METER_JS = """
(cfg) => {
  const old = window.__lgwTok;
  if (old) { clearInterval(old.timer); cancelAnimationFrame(old.raf); old.mo?.disconnect(); }
  const w = window.__lgwTok = {cfg, samples: [], muts: [], frames: [], marks: {}, views: [],
                               span: null, mo: null, timer: 0, raf: 0, last: null,
                               finalFull: null, finalFullPoll: null};
  const now = () => ({wall: Date.now(), perf: performance.now()});
  const mark = (name) => { if (!w.marks[name]) w.marks[name] = now(); };
  // The bubble's text length without copying it: the lengths of its Text nodes.
  const textLen = (el) => {
    let n = 0;
    for (const c of el.childNodes) n += c.nodeType === 3 ? c.length : c.textContent.length;
    return n;
  };
  const seen = (n) => {  // the current bubble shows n characters
    if (n >= cfg.total) { mark('first_full'); if (!w.finalFull) w.finalFull = now(); }
  };
  // The bubble on the page; a new one when the view is rebuilt (its text may start over).
  const attach = () => {
    const root = document.querySelector('.lgw-root');
    if (!root) return false;
    mark('widget');
    const span = root.querySelector('.lgw-msg-text');
    if (!span) return false;
    if (span !== w.span) {
      const n = textLen(span);
      w.views.push({...now(), before: w.span ? textLen(w.span) : null, after: n,
                    old_connected: w.span ? w.span.isConnected : null});
      w.span = span;
      w.finalFull = w.finalFullPoll = null;
      w.mo?.disconnect();
      w.mo = new MutationObserver(() => {
        const m = textLen(span);
        w.muts.push([Date.now(), performance.now(), m]);
        seen(m);
      });
      w.mo.observe(span, {characterData: true, childList: true, subtree: true});
      w.muts.push([Date.now(), performance.now(), n]);  // the text it was built with
      seen(n);
    }
    return true;
  };
  w.timer = setInterval(() => {
    if (!attach()) return;
    const n = w.span.isConnected ? textLen(w.span) : -1;
    w.samples.push([Date.now(), performance.now(), n]);
    if (n > 0) mark('first_text');
    if (n >= cfg.total && !w.finalFullPoll) w.finalFullPoll = now();
    const root = document.querySelector('.lgw-root');
    const role = w.span.parentElement?.querySelector('.lgw-msg-role')?.textContent ?? '';
    const badge = root?.querySelector('.lgw-badge')?.textContent ?? '';
    if (badge === 'done') mark('done_badge');
    w.last = {n, role, badge, stats: root?.querySelector('.lgw-stats')?.textContent ?? ''};
  }, cfg.interval);
  // Count the batches inflated (lgwidget's decode.js uses DecompressionStream): tells the
  // stores that decode each batch, and a replay of the snapshot, from the live batches.
  w.inflates = window.__lgwInflates ??= [];
  if (!window.__lgwInflateHook) {
    window.__lgwInflateHook = true;
    const Base = window.DecompressionStream;
    window.DecompressionStream = class extends Base {
      constructor(...a) { super(...a); window.__lgwInflates.push(Date.now()); }
    };
  }
  const tick = (ts) => { w.frames.push(ts); w.raf = requestAnimationFrame(tick); };
  w.raf = requestAnimationFrame(tick);
}
"""

STOP_METER_JS = """
() => {
  const w = window.__lgwTok;
  clearInterval(w.timer); cancelAnimationFrame(w.raf); w.mo?.disconnect();
  const {samples, muts, frames, marks, views, last, inflates, finalFull, finalFullPoll} = w;
  return {samples, muts, frames, marks, views, last, inflates, finalFull, finalFullPoll,
          offset_ms: Date.now() - performance.now()};
}
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


# ---------------------------------------------------------------------------------- tokens


def make_tokens(n: int) -> list[str]:
    scope: dict[str, Any] = {}
    exec(TOKENS_SRC, scope)
    return scope["make_tokens"](n)


def js_len(s: str) -> int:
    """A string's length in JS: UTF-16 code units."""
    return len(s.encode("utf-16-le")) // 2


def cumulative_lengths(tokens: list[str]) -> list[int]:
    """cum[k] = JS length of the first k tokens."""
    cum, total = [0], 0
    for tok in tokens:
        total += js_len(tok)
        cum.append(total)
    return cum


def bundle_hash() -> str | None:
    """The front end measured: lgwidget/static/widget.js (others may rebuild it meanwhile)."""
    with contextlib.suppress(OSError):
        return hashlib.sha256((ROOT / "lgwidget" / "static" / "widget.js").read_bytes()).hexdigest()
    return None


# ---------------------------------------------------------------------------------- one pass


def wait_cell(page: Any, index: int, timeout: float) -> dict[str, Any]:
    page.wait_for_function(
        "(i) => !!(window.__lgwCell && window.__lgwCell[i] && window.__lgwCell[i].done)",
        arg=index,
        timeout=timeout * 1000,
        polling=100,
    )
    return page.evaluate("(i) => window.__lgwCell[i]", index)


def one_pass(
    browser: Any,
    lab: Any,
    args: argparse.Namespace,
    rate: float,
    index: int,
    *,
    tokens: list[str],
    profile: bool,
    srcmap: Any,
    shot: Path | None,
) -> dict[str, Any]:
    tag = f"r{int(rate)}" if rate else "fast"
    nb = f"tokens_{tag}_{index}{'_profiled' if profile else ''}.ipynb"
    setup = CELL_SETUP.format(
        n=args.tokens,
        rate=rate,
        group=args.group,
        mark_every=args.mark_every,
        tokens_src=TOKENS_SRC,
    )
    write_notebook(Path(lab.root_dir) / nb, [setup, CELL_RUN])
    expected = "".join(tokens)
    total = js_len(expected)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    tracing = False
    try:
        observer = long_task_observer(page)
        t_goto = time.monotonic()
        open_notebook(page, lab, nb, timeout=120)
        load_s = time.monotonic() - t_goto
        page.evaluate(METER_JS, {"total": total, "interval": args.interval})
        time.sleep(0.5)

        cdp = sync_perf = None
        if profile:
            browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
            tracing = True
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": SAMPLING_US})
            cdp.send("Profiler.start")
            sync_perf = page.evaluate(SYNC_JS)

        setup_perf = observer.now()
        page.evaluate(RUN_CELL_JS, 0)
        setup_state = wait_cell(page, 0, 120)
        page.wait_for_selector(".lgw-root", timeout=60_000)
        time.sleep(0.3)  # the view settles
        run_perf = observer.now()
        page.evaluate(RUN_CELL_JS, 1)
        run_state = wait_cell(page, 1, args.timeout)
        # Until the bubble on the page shows the whole text and is still there SETTLE_S later
        # (the view may be rebuilt after the run and fill again).
        deadline = time.monotonic() + args.timeout
        while True:
            page.wait_for_function(
                "() => !!(window.__lgwTok && window.__lgwTok.finalFull)",
                timeout=max(1.0, deadline - time.monotonic()) * 1000,
                polling=100,
            )
            time.sleep(SETTLE_S)
            if page.evaluate("() => !!window.__lgwTok.finalFull"):
                break
        meter = page.evaluate(STOP_METER_JS)
        cpu_profile = trace = None
        if cdp is not None:
            cpu_profile = cdp.send("Profiler.stop")["profile"]
            cdp.send("Profiler.disable")
            cdp.detach()
        if tracing:
            trace = browser.stop_tracing()
            tracing = False
        tasks = observer.read(since_ms=setup_perf)
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

    text = dom.pop("text")
    result: dict[str, Any] = {
        "rate": rate,
        "profiled": profile,
        "notebook": nb,
        "page_load_s": load_s,
        "setup_cell": setup_state,
        "run_cell": run_state,
        "dom": dom,
        "kernel": {k: v for k, v in (kernel or {}).items() if k != "marks"},
        "kernel_marks": (kernel or {}).get("marks"),
        "bubbles_seen": len(meter["views"]),
        "meter_raw": {
            k: meter[k]
            for k in (
                "samples",
                "muts",
                "frames",
                "marks",
                "offset_ms",
                "inflates",
                "views",
                "finalFull",
                "finalFullPoll",
            )
        },
        "last_poll": meter["last"],
        "console_errors": errors[-20:],
        "text_equal": text == expected,
        "text_len": None if text is None else js_len(text),
        "expected_len": total,
        "expected_sha_matches_kernel": (kernel or {}).get("sha256")
        == hashlib.sha256(expected.encode()).hexdigest(),
    }
    if text is not None and text != expected:
        at = next(
            (i for i, (a, b) in enumerate(zip(text, expected, strict=False)) if a != b),
            min(len(text), len(expected)),
        )
        result["text_mismatch"] = {
            "at": at,
            "shown": text[max(0, at - 40) : at + 40],
            "expected": expected[max(0, at - 40) : at + 40],
        }
    if not kernel or not kernel.get("marks"):
        result["error"] = "the run cell printed no result"
        return result
    cum = cumulative_lengths(tokens)
    result.update(analyse(meter, kernel, cum, len(tokens), run_perf, setup_perf))
    offset = meter["offset_ms"]  # Date.now() - performance.now(), in the page
    full_perf = meter["finalFull"]["perf"]
    t0_perf = kernel["marks"][0][1] * 1000 - offset
    last_perf = kernel["marks"][-1][1] * 1000 - offset
    in_stream = [e for e in tasks.entries if run_perf <= e["start"] <= full_perf + SETTLE_S * 1000]
    result["run_long_tasks"] = summarize_tasks(in_stream)
    # While the kernel streams (+100 ms for the last batch), and after it (the catch-up).
    result["stream_long_tasks"] = summarize_tasks(
        [e for e in in_stream if e["start"] <= last_perf + 100]
    )
    result["after_long_tasks"] = summarize_tasks(
        [e for e in in_stream if e["start"] > last_perf + 100]
    )
    result["setup_long_tasks"] = summarize_tasks(
        [e for e in tasks.entries if setup_perf <= e["start"] < run_perf]
    )
    window = (t0_perf, full_perf + 50)
    result["stream_window_perf_ms"] = window
    if cpu_profile is not None:
        result["profile"] = analyse_profile(cpu_profile, srcmap, sync_perf, in_stream, window)
    if trace is not None:
        result["trace"] = analyse_trace(trace, srcmap, sync_perf, in_stream, window)
        result["frames_by_quarter"] = frame_costs(trace, sync_perf, window, meter["muts"])
        result["layout_by_length"] = layout_by_length(
            trace, sync_perf, (t0_perf, last_perf + 100), meter["muts"]
        )
    return result


# ---------------------------------------------------------------------------------- analysis


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def analyse(
    meter: dict[str, Any],
    kernel: dict[str, Any],
    cum: list[int],
    n: int,
    run_perf: float,
    setup_perf: float,
) -> dict[str, Any]:
    """Lag of the view behind the kernel, on the wall clock (ms)."""
    ks = [int(k) for k, _ in kernel["marks"]]
    ts = [t * 1000 for _, t in kernel["marks"]]
    t_first, t_last = ts[0], ts[-1]

    def sent_by(t: float) -> float:
        """Tokens handed to the widget by wall time t (linear between the kernel's marks)."""
        if t <= ts[0]:
            return 0.0
        if t >= ts[-1]:
            return float(ks[-1])
        i = bisect.bisect_right(ts, t) - 1
        return ks[i] + (ks[i + 1] - ks[i]) * (t - ts[i]) / max(ts[i + 1] - ts[i], 1e-9)

    def sent_at(k: float) -> float:
        """Wall time at which k tokens had been handed over."""
        if k <= ks[0]:
            return ts[0]
        if k >= ks[-1]:
            return ts[-1]
        i = bisect.bisect_left(ks, k)
        return ts[i - 1] + (ts[i] - ts[i - 1]) * (k - ks[i - 1]) / max(ks[i] - ks[i - 1], 1)

    def shown(length: int) -> int:
        return bisect.bisect_right(cum, length) - 1

    def lags(obs: list[list[float]]) -> list[dict[str, float]]:
        out = []
        for wall, perf, length in obs:
            if length < 0:
                continue
            k = shown(length)
            s = sent_by(wall)
            lag_ms = wall - sent_at(k + 1) if s >= k + 1 else 0.0
            out.append(
                {
                    "wall": wall,
                    "perf": perf,
                    "shown": k,
                    "sent": s,
                    "lag_tokens": max(0.0, s - k),
                    "lag_ms": max(0.0, lag_ms),
                }
            )
        return out

    samples = meter["samples"]
    muts = meter["muts"]
    polled = lags(samples)
    mutated = lags(muts)
    full_mut = meter["finalFull"]["wall"]  # the bubble that stays shows all of it
    first_full = meter["marks"]["first_full"]["wall"]
    full_poll = (meter["finalFullPoll"] or {}).get("wall", float("nan"))
    rebuilt = [v for v in meter["views"][1:]]
    first_text = next((m[0] for m in muts if m[2] > 0), float("nan"))
    streaming = [p for p in polled if t_first <= p["wall"] <= t_last]
    stream_ms = t_last - t_first
    frames = [f for f in meter["frames"] if f >= 0]
    offset = meter["offset_ms"]
    f_lo, f_hi = t_first - offset, full_mut - offset
    in_window = [f for f in frames if f_lo <= f <= f_hi]
    gaps = [b - a for a, b in itertools.pairwise(in_window)]
    updates = [m for m in muts if t_first <= m[0] <= full_mut]
    growth = [b[2] - a[2] for a, b in itertools.pairwise(updates)]

    def stats(key: str, rows: list[dict[str, float]]) -> dict[str, float]:
        vals = [r[key] for r in rows]
        return {
            "max": max(vals, default=float("nan")),
            "p50": _pct(vals, 0.5),
            "p95": _pct(vals, 0.95),
            "mean": statistics.fmean(vals) if vals else float("nan"),
        }

    # The worst moment: the poll with the largest lag in ms.
    worst = max(streaming, key=lambda r: r["lag_ms"], default=None)
    return {
        "kernel_stream_ms": stream_ms,
        "kernel_rate_tps": n / (stream_ms / 1000) if stream_ms > 0 else float("nan"),
        "kernel_run_ms": (kernel["ended_at"] - kernel["started_at"]) * 1000,
        "first_text_after_first_token_ms": first_text - t_first,
        "full_after_last_token_ms": full_mut - t_last,
        "first_full_after_last_token_ms": first_full - t_last,
        "view_rebuilds": [
            {
                "after_last_token_ms": v["wall"] - t_last,
                "chars_before": v["before"],
                "chars_after": v["after"],
            }
            for v in rebuilt
        ],
        "inflates": {
            "during_stream": sum(t_first <= x <= t_last + 100 for x in meter["inflates"]),
            "total": len(meter["inflates"]),
        },
        "full_after_last_token_poll_ms": full_poll - t_last,
        "full_after_first_token_ms": full_mut - t_first,
        "lag_tokens": stats("lag_tokens", streaming),
        "lag_ms": stats("lag_ms", streaming),
        "lag_tokens_at_updates": stats(
            "lag_tokens", [m for m in mutated if t_first <= m["wall"] <= t_last]
        ),
        "worst_poll": worst,
        "polls_in_stream": len(streaming),
        "poll_gap_max_ms": max(
            (b[0] - a[0] for a, b in itertools.pairwise(samples) if t_first <= b[0] <= full_mut),
            default=float("nan"),
        ),
        "text_updates": len(updates),
        "chars_per_update": {
            "mean": statistics.fmean(growth) if growth else float("nan"),
            "max": max(growth, default=0),
        },
        "frames": len(in_window),
        "fps": len(in_window) / ((f_hi - f_lo) / 1000) if f_hi > f_lo else float("nan"),
        "frame_gap_max_ms": max(gaps, default=float("nan")),
        "frame_gaps_over_50ms": sum(g > 50 for g in gaps),
        "timeline": [
            {
                "t_ms": round(p["wall"] - t_first),
                "sent": round(p["sent"]),
                "shown": p["shown"],
                "lag_ms": round(p["lag_ms"]),
            }
            for p in polled
            if p["wall"] >= t_first - 100 and p["wall"] <= full_mut + 100
        ],
        "kernel_marks_ms": [[k, round(t - t_first, 1)] for k, t in zip(ks, ts, strict=True)],
        "run_cell_perf_ms": run_perf,
        "setup_cell_perf_ms": setup_perf,
    }


def _main_thread_spans(
    raw: bytes, sync_perf: float | None, names: tuple[str, ...]
) -> list[tuple[str, float, float]] | None:
    """(name, start in performance.now() ms, duration ms) of the page's main-thread events."""
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
    offset = sync_perf - sync["ts"] / 1000
    spans: list[tuple[str, float, float]] = []
    open_: dict[str, list[float]] = {}
    for e in events:
        if e.get("pid") != pid or e.get("tid") != tid or e.get("name") not in names:
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
    spans = _main_thread_spans(raw, sync_perf, names)
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
                "p95_ms": round(_pct(big, 0.95), 1) if big else 0.0,
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
    spans = _main_thread_spans(raw, sync_perf, names)
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


# ---------------------------------------------------------------------------------- output


def _f(v: Any, fmt: str = ".0f") -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    return format(v, fmt)


def rate_name(rate: float) -> str:
    return f"{rate:,.0f} tok/s" if rate else "as fast as possible"


def print_table(passes: list[dict[str, Any]], n: int) -> None:
    cols = [p for p in passes if "error" not in p]
    if not cols:
        return
    head = [f"{rate_name(p['rate'])}{' (profiled)' if p['profiled'] else ''}" for p in cols]
    rows: list[tuple[str, list[str]]] = [
        ("kernel: first to last token sent, ms", [_f(p["kernel_stream_ms"]) for p in cols]),
        ("kernel: rate, tokens/s", [_f(p["kernel_rate_tps"], ",.0f") for p in cols]),
        (
            "kernel: batches sent / compressed KB",
            [
                f"{p['kernel'].get('messages')} / {_f(p['kernel'].get('blob_bytes', 0) / 1024)}"
                for p in cols
            ],
        ),
        (
            "kernel: whole run (w.ended_at - w.started_at), ms",
            [_f(p["kernel_run_ms"]) for p in cols],
        ),
        (
            "first text shown after first token, ms",
            [_f(p["first_text_after_first_token_ms"]) for p in cols],
        ),
        (
            "FULL TEXT shown after last token sent, ms",
            [_f(p["full_after_last_token_ms"]) for p in cols],
        ),
        (
            "  (same, seen by the polling), ms",
            [_f(p["full_after_last_token_poll_ms"]) for p in cols],
        ),
        (
            "  first time the full text was on screen, ms",
            [_f(p["first_full_after_last_token_ms"]) for p in cols],
        ),
        (
            "view rebuilt after the run: at ms, chars before > after",
            [
                ", ".join(
                    f"+{_f(v['after_last_token_ms'])}: {v['chars_before']:,} > {v['chars_after']:,}"
                    for v in p["view_rebuilds"]
                )
                or "no"
                for p in cols
            ],
        ),
        (
            "batches inflated in the stream / in all (sent)",
            [
                f"{p['inflates']['during_stream']} / {p['inflates']['total']} "
                f"({p['kernel'].get('messages')})"
                for p in cols
            ],
        ),
        (
            "lag while streaming, tokens: max / p95 / p50",
            [
                f"{_f(p['lag_tokens']['max'])} / {_f(p['lag_tokens']['p95'])} / "
                f"{_f(p['lag_tokens']['p50'])}"
                for p in cols
            ],
        ),
        (
            "lag while streaming, ms: max / p95 / p50",
            [
                f"{_f(p['lag_ms']['max'])} / {_f(p['lag_ms']['p95'])} / {_f(p['lag_ms']['p50'])}"
                for p in cols
            ],
        ),
        (
            "polls in the stream / longest poll gap, ms",
            [f"{p['polls_in_stream']} / {_f(p['poll_gap_max_ms'])}" for p in cols],
        ),
        ("text updates (frames that appended)", [str(p["text_updates"]) for p in cols]),
        (
            "chars per update: mean / max",
            [
                f"{_f(p['chars_per_update']['mean'])} / {_f(p['chars_per_update']['max'])}"
                for p in cols
            ],
        ),
        (
            "frames / fps / longest frame gap, ms",
            [f"{p['frames']} / {_f(p['fps'])} / {_f(p['frame_gap_max_ms'])}" for p in cols],
        ),
        (
            "long tasks in cell 2 (+1 s): count / max / total ms",
            [
                f"{p['run_long_tasks']['count']} / {_f(p['run_long_tasks']['max_ms'])} / "
                f"{_f(p['run_long_tasks']['total_ms'])}"
                for p in cols
            ],
        ),
        (
            "  while the kernel streams: count / max / total ms",
            [
                f"{p['stream_long_tasks']['count']} / {_f(p['stream_long_tasks']['max_ms'])} / "
                f"{_f(p['stream_long_tasks']['total_ms'])}"
                for p in cols
            ],
        ),
        (
            "  after the last token: count / max / total ms",
            [
                f"{p['after_long_tasks']['count']} / {_f(p['after_long_tasks']['max_ms'])} / "
                f"{_f(p['after_long_tasks']['total_ms'])}"
                for p in cols
            ],
        ),
        (
            "long tasks in cell 1 (widget shown): count / max",
            [
                f"{p['setup_long_tasks']['count']} / {_f(p['setup_long_tasks']['max_ms'])}"
                for p in cols
            ],
        ),
        (
            "DOM nodes: .lgw-root / document",
            [f"{p['dom']['root_nodes']:,} / {p['dom']['document_nodes']:,}" for p in cols],
        ),
        (
            "bubbles / text nodes / update shown again",
            [
                f"{p['dom']['bubbles']} / {p['dom']['text_children']} / {p['dom']['update_shown']}"
                for p in cols
            ],
        ),
        (
            "final text == concatenation of the tokens",
            [f"{p['text_equal']} ({p['text_len']:,} of {p['expected_len']:,})" for p in cols],
        ),
        ("JS heap at the end, MB", [_f(p["dom"]["heap_mb"]) for p in cols]),
    ]
    w0 = max(len(r[0]) for r in rows)
    widths = [max(len(h), *(len(r[1][i]) for r in rows)) for i, h in enumerate(head)]
    print(f"\n== {n:,} tokens, one message (times on the wall clock shared by kernel and page) ==")
    print(" " * w0 + " | " + " | ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    print("-" * w0 + "-+-" + "-+-".join("-" * w for w in widths))
    for label, vals in rows:
        print(
            label.ljust(w0)
            + " | "
            + " | ".join(v.rjust(w) for v, w in zip(vals, widths, strict=True))
        )


def print_details(p: dict[str, Any]) -> None:
    print(f"\n-- {p['notebook']} ({rate_name(p['rate'])}) --")
    if "error" in p:
        print(f"ERROR: {p['error']}; kernel {p.get('kernel')}; console {p['console_errors']}")
        return
    print(
        "kernel marks (tokens handed over: ms after the first): "
        + ", ".join(f"{k}: {t:.0f}" for k, t in p["kernel_marks_ms"])
    )
    worst = p["worst_poll"]
    if worst:
        print(
            f"worst poll: at +{worst['wall'] - p['kernel_marks'][0][1] * 1000:.0f} ms, "
            f"{worst['shown']:,} shown of {worst['sent']:,.0f} sent "
            f"({worst['lag_tokens']:,.0f} tokens, {worst['lag_ms']:.0f} ms behind)"
        )
    tl = p["timeline"]
    step = max(1, len(tl) // 12)
    print(
        "timeline (ms after first token: sent/shown, lag ms): "
        + ", ".join(f"{r['t_ms']}: {r['sent']}/{r['shown']} {r['lag_ms']}" for r in tl[::step])
    )
    rt = p["run_long_tasks"]
    if rt["entries"]:
        t0 = p["stream_window_perf_ms"][0]
        print(
            "long tasks (ms after the first token: duration): "
            + ", ".join(
                f"+{e['start_ms'] - t0:.0f}: {e['duration_ms']:.0f}" for e in rt["entries"][:20]
            )
        )
    d = p["dom"]
    print(
        f"view: header {d['stats']!r}, badge {d['badge']!r}, panel meta {d['meta']!r}, "
        f"role {d['role']!r}"
    )
    if p.get("text_mismatch"):
        print(f"TEXT MISMATCH: {p['text_mismatch']}")
    if not p["expected_sha_matches_kernel"]:
        print("WARNING: the kernel's tokens differ from this script's")
    if p["console_errors"]:
        print(f"console errors ({len(p['console_errors'])}): {p['console_errors'][:5]}")
    lb = p.get("layout_by_length")
    if isinstance(lb, dict) and lb.get("buckets"):
        print(
            "while the kernel streams, per text length (trace; Layout counts those >= 1 ms): "
            "count x mean ms (p95)"
        )
        for row in lb["buckets"]:
            print(
                f"  {row['chars']:>9} chars: "
                + ", ".join(
                    f"{k} {v['count']}x{v['mean_ms']:.1f} ({v['p95_ms']:.0f})"
                    for k, v in row.items()
                    if isinstance(v, dict)
                )
            )
        if "layout_ms_per_10k_chars" in lb:
            print(
                f"  Layout per frame ~ {lb['layout_ms_at_0']} ms + "
                f"{lb['layout_ms_per_10k_chars']} ms per 10,000 chars of text (r = "
                f"{lb['layout_r']})"
            )
    fq = p.get("frames_by_quarter")
    if isinstance(fq, list):
        print("per quarter of the stream (trace, main thread): count x mean ms (max)")
        for row in fq:
            parts = [
                f"{k} {v['count']}x{v['mean_ms']:.1f} ({v['max_ms']:.0f})"
                for k, v in row.items()
                if isinstance(v, dict) and v["count"]
            ]
            print(
                f"  +{row['from_ms']}..{row['to_ms']} ms, text {row['text_len_at_end']:,} "
                f"chars: " + ", ".join(parts)
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=20_000, help="messages events (tokens)")
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[0, 2000],
        help="tokens/s, one pass each; 0 = as fast as possible (default: 0 2000)",
    )
    parser.add_argument(
        "--group", type=int, default=20, help="tokens between sleeps of a paced stream"
    )
    parser.add_argument(
        "--mark-every",
        type=int,
        default=1000,
        help="the kernel notes time.time() every this many tokens",
    )
    parser.add_argument("--interval", type=int, default=20, help="page polling, ms")
    parser.add_argument("--repeat", type=int, default=1, help="unprofiled passes per rate")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled passes")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the run")
    parser.add_argument(
        "--screenshot",
        default=str(ROOT / "bench" / "results" / "tokens.png"),
        help="of the first pass",
    )
    parser.add_argument("--max-tasks", type=int, default=4, help="long tasks to detail")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)

    tokens = make_tokens(args.tokens)
    bundle_before = bundle_hash()
    srcmap, srcmap_note = (None, "not profiled") if args.no_profile else build_source_map()
    passes: list[dict[str, Any]] = []
    root = Path(tempfile.mkdtemp(prefix="lgw-bench-tokens-"))
    try:
        with start_jupyterlab(root) as lab, launch_chromium() as browser:
            print(
                f"JupyterLab {lab.url} (started in {lab.startup_seconds:.1f} s); Chromium "
                f"{browser.version}; {os.cpu_count()} CPUs; {args.tokens:,} tokens, "
                f"{js_len(''.join(tokens)):,} chars; rates {args.rate}; widget.js "
                f"{(bundle_before or '?')[:12]}",
                flush=True,
            )
            for r_i, rate in enumerate(args.rate):
                for i in range(args.repeat):
                    shot = Path(args.screenshot) if (r_i == 0 and i == 0) else None
                    passes.append(
                        one_pass(
                            browser,
                            lab,
                            args,
                            rate,
                            i,
                            tokens=tokens,
                            profile=False,
                            srcmap=None,
                            shot=shot,
                        )
                    )
                    print_details(passes[-1])
                if not args.no_profile:
                    passes.append(
                        one_pass(
                            browser,
                            lab,
                            args,
                            rate,
                            args.repeat,
                            tokens=tokens,
                            profile=True,
                            srcmap=srcmap,
                            shot=None,
                        )
                    )
                    p = passes[-1]
                    print_details(p)
                    if "profile" in p:
                        print_profile(p["profile"], srcmap_note, args.max_tasks)
                    if "trace" in p:
                        print_trace(p["trace"], args.max_tasks)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        leftovers = kill_harness_processes(RUN_MARKER_PREFIX)
        if leftovers:
            print(f"killed leftover processes: {leftovers}", file=sys.stderr)

    print_table(passes, args.tokens)
    if bundle_hash() != bundle_before:
        print("WARNING: lgwidget/static/widget.js changed during the benchmark (rebuilt?)")
    print("\n== Verdicts (unprofiled passes) ==")
    for p in passes:
        if p["profiled"] or "error" in p:
            continue
        name = rate_name(p["rate"])
        lag95, lag_max = p["lag_ms"]["p95"], p["lag_ms"]["max"]
        streaming = lag95 != lag95 or lag95 <= GOAL_LAG_MS
        catch_up = p["full_after_last_token_ms"]
        rebuilds = "; ".join(
            f"view rebuilt at +{v['after_last_token_ms']:.0f} ms ({v['chars_before']:,} > "
            f"{v['chars_after']:,} chars)"
            for v in p["view_rebuilds"]
        )
        print(
            f"{name}: while streaming, lag p95 {_f(lag95)} ms, max {_f(lag_max)} ms: "
            f"{'keeps up' if streaming else 'FALLS BEHIND'} (goal p95 <= {GOAL_LAG_MS} ms); "
            f"full text {catch_up:.0f} ms after the last token: "
            f"{'in time' if catch_up <= GOAL_LAG_MS else 'LATE'}"
            + (f" ({rebuilds})" if rebuilds else "")
        )
        for label, key in (("while streaming", "stream_long_tasks"), ("after", "after_long_tasks")):
            lt = p[key]
            print(
                f"    long tasks {label}: {lt['count']}, max {lt['max_ms']:.0f} ms, total "
                f"{lt['total_ms']:.0f} ms: "
                f"{'meets' if lt['max_ms'] <= GOAL_LONG_TASK_MS else 'MISSES'} goal (none over "
                f"{GOAL_LONG_TASK_MS} ms)"
            )
        d = p["dom"]
        print(
            f"    final text {'identical to' if p['text_equal'] else 'DIFFERENT from'} the "
            f"tokens joined ({p['text_len']:,} chars); .lgw-root {d['root_nodes']:,} DOM nodes"
        )
    shot = Path(args.screenshot)
    if shot.exists():
        print(f"screenshot: {shot}")
    if args.json:
        out = {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "params": vars(args),
            "source_map": srcmap_note,
            "bundle_sha256": bundle_before,
            "bundle_changed_during_run": bundle_hash() != bundle_before,
            "passes": passes,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2, default=str) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
