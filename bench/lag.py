"""How far the page's text trails the kernel while a message streams in, token by token
(``tokens.py``): the in-page meter and the analysis of what it recorded.

``METER_JS`` runs in the page before the run and

* polls every ``interval`` ms (``setInterval``): the bubble's text length (``.lgw-msg-text``:
  the length of its Text nodes, O(1)), with ``Date.now()`` and ``performance.now()``;
* observes the bubble with a MutationObserver (characterData): the time of every change of its
  text, i.e. of every frame that appended text (the bubble appends once per animation frame);
* counts animation frames (a ``requestAnimationFrame`` loop: frame rate, longest gap);
* counts the batches inflated (a counting subclass of ``DecompressionStream``, which
  ``js/src/decode.js`` uses): how many times each batch is decoded, by how many stores.

The view may be rebuilt after the run (a new ``.lgw-msg-text`` element, whose text can start
over): each new bubble is noted with the text length before and after, and "full text shown" is
when the bubble that stays on the page shows all of it.

Both sides use the machine's wall clock (``time.time()`` in the kernel, ``Date.now()`` in the
page). ``analyse`` turns the text length shown into tokens shown through the tokens' cumulative
UTF-16 lengths (JS string length), and the kernel's marks, interpolated linearly, into tokens
sent by a given time. At each poll: lag in tokens = tokens sent by then - tokens shown; lag in
ms = now - the time the first token not yet shown was sent (0 when all sent are shown).
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from typing import Any

from bench.kit import pct

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
            "p50": pct(vals, 0.5),
            "p95": pct(vals, 0.95),
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


# ---------------------------------------------------------------------------------- output


def fmt(v: Any, spec: str = ".0f") -> str:
    """A number for the tables; "-" for None or nan."""
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    return format(v, spec)


def rate_name(rate: float) -> str:
    return f"{rate:,.0f} tok/s" if rate else "as fast as possible"


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
