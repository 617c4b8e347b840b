// The "Time & tokens" pane: a table of nodes (runs, time, share, tokens; the slowest and the
// costliest marked) and a waterfall of node runs on a time axis (a subgraph's runs under their
// parent, parallel branches side by side, the critical path marked). Built only while open,
// refreshed at most every REFRESH_MS, and the waterfall lays out only the rows in sight, so a
// run of thousands of steps costs the page a few dozen elements. Also the header's token count
// and its link to the run's trace. Text only: names are set with textContent.
import { h } from "./dom.js";
import { runStats, tokenTotals } from "./stats.js";
import { formatSeconds } from "./text.js";

export const REFRESH_MS = 400;
export const ROW_PX = 20; // height of a waterfall row (widget.css: .lgw-wf-row)
export const OVERSCAN = 10; // rows laid out above and below the visible ones
export const VIEW_ROWS = 16; // rows the waterfall shows at once (widget.css: .lgw-wf-scroll)
export const TABLE_ROWS = 100;
export const DRAW_MEASURE = "lgwidget: time & tokens"; // nodes in the table; the rest summed up in one line

const tokensText = (n) => `${n.toLocaleString()} ${n === 1 ? "token" : "tokens"}`;
const percent = (x) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

export class TimingPane {
  /** `onReveal(item)`: show that item's panel in the timeline (a click on its bar). */
  constructor(store, { onReveal, isRunning = () => false } = {}) {
    this.store = store;
    this.onReveal = onReveal;
    this.isRunning = isRunning;
    this.stats = null;
    this.at = -1; // store.count the stats were made at
    this.timer = 0;
    this.ui = (store.ui ??= {});
    this.note = h("span", { className: "lgw-timing-note" });
    this.summary = h("summary", { className: "lgw-timing-summary" }, h("span", { className: "lgw-timing-title", text: "Time & tokens" }), this.note);
    this.body = h("div", { className: "lgw-timing-body" });
    this.el = h("details", { className: "lgw-timing" }, this.summary, this.body);
    if (this.ui.timingOpen) this.el.open = true;
    this.el.addEventListener("toggle", () => {
      this.ui.timingOpen = this.el.open;
      if (this.el.open) this.refresh(true);
    });
    this.refresh(true);
  }

  destroy() {
    clearTimeout(this.timer);
    this.timer = 0;
  }

  /** New chunks or a new status: redraw soon (now when `now`), only while the pane is open. */
  refresh(now = false) {
    if (!this.el.open) {
      if (this.store.count !== this.at) this.note.textContent = "";
      return;
    }
    if (now) {
      clearTimeout(this.timer);
      this.timer = 0;
      this.draw();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = 0;
        if (this.el.isConnected) this.draw();
      }, REFRESH_MS);
    }
  }

  draw() {
    const began = performance.now();
    this.at = this.store.count;
    const stats = (this.stats = runStats(this.store.items));
    const { bars, rows, totals } = stats;
    this.note.textContent = bars.length
      ? ` · ${formatSeconds(stats.span)} · ${tokensText(totals.input + totals.output)} · ${stats.exact ? "exact" : "approximate"}`
      : "";
    if (!bars.length && !rows.length) {
      this.body.replaceChildren(h("div", { className: "lgw-note", text: "No node has run yet." }));
      return;
    }
    if (!this.waterfall) {
      this.exact = h("div", { className: "lgw-note lgw-timing-exact" });
      this.table = h("div", { className: "lgw-timing-table-box" });
      this.waterfall = waterfall(this.onReveal);
      this.body.replaceChildren(this.exact, this.table, this.waterfall.el);
    }
    this.exact.textContent = stats.exact
      ? "Durations are the tasks' own (stream mode tasks or debug)."
      : "Approximate: from when chunks arrived (a node starts when the step before it ended). Stream mode \"tasks\" gives exact durations.";
    this.table.replaceChildren(table(rows, totals, stats.span));
    this.waterfall.show(stats);
    // What a redraw costs, for the browser's performance tools (and the tests): the last one.
    performance.clearMeasures?.(DRAW_MEASURE);
    performance.measure?.(DRAW_MEASURE, { start: began });
    // A run going on keeps its pane moving.
    if (this.isRunning()) this.refresh();
  }
}

// -- the table -------------------------------------------------------------------------------

function table(rows, totals, span) {
  const head = h("tr", {}, ...["Node", "Runs", "Total", "Longest", "Share", "Input tokens", "Output tokens"]
    .map((name, i) => h("th", { className: i ? "lgw-num" : "", text: name })));
  const body = h("tbody");
  for (const r of rows.slice(0, TABLE_ROWS)) {
    const name = h("td", { className: "lgw-timing-node", title: r.key }, r.key);
    if (r.slowest) name.append(h("span", { className: "lgw-mark lgw-mark-slow", text: "slowest", title: "The most time in all" }));
    if (r.costliest) name.append(h("span", { className: "lgw-mark lgw-mark-cost", text: "most tokens", title: "The most input and output tokens" }));
    body.append(h("tr", { className: r.slowest || r.costliest ? "lgw-marked" : "" }, name,
      num(r.runs.toLocaleString()), num(r.runs ? formatSeconds(r.total) : "–"), num(r.runs ? formatSeconds(r.max) : "–"),
      num(r.runs ? percent(r.share) : "–"), num(r.input.toLocaleString()), num(r.output.toLocaleString())));
  }
  if (rows.length > TABLE_ROWS) body.append(h("tr", {}, h("td", { className: "lgw-note", colspan: 7, text: `… ${(rows.length - TABLE_ROWS).toLocaleString()} more nodes: w.stats() has them all` })));
  const foot = h("tfoot", {}, h("tr", {}, h("td", { text: "Run" }), num(""), num(formatSeconds(span)), num(""), num(""),
    num(totals.input.toLocaleString()), num(totals.output.toLocaleString())));
  return h("table", { className: "lgw-timing-table" }, h("thead", {}, head), body, foot);
}

const num = (text) => h("td", { className: "lgw-num", text });

// -- the waterfall ---------------------------------------------------------------------------

/**
 * The waterfall, made once and shown again with new numbers (`show(stats)`). It never reads
 * layout: its height is known (VIEW_ROWS rows, widget.css) and its scroll position is kept
 * from its scroll events, so a refresh while the run's panels are being laid out forces none.
 */
function waterfall(onReveal) {
  let bars = [];
  let scale = 1;
  let origin = 0;
  const ticks = h("span", { className: "lgw-wf-ticks" });
  const axis = h("div", { className: "lgw-wf-axis" }, h("span", { className: "lgw-wf-label" }), ticks);
  const rows = h("div", { className: "lgw-wf-rows" });
  const scroller = h("div", { className: "lgw-wf-scroll" }, rows);
  const legend = h("div", { className: "lgw-wf-legend" },
    h("span", { className: "lgw-wf-key lgw-critical" }), " critical path: the runs the end of the run waited for · a click shows the run's panel");
  const el = h("div", { className: "lgw-wf" }, axis, scroller, legend);
  let first = -1;
  let last = -1;
  let top = 0;
  let frame = 0;
  const row = (bar, i) => {
    const left = (Math.max(0, bar.start - origin) / scale) * 100;
    const width = Math.max(((bar.end - bar.start) / scale) * 100, 0);
    const took = formatSeconds(bar.end - bar.start);
    const title = `${bar.key}${bar.label ? ` (${bar.label})` : ""}: ${took}, from +${formatSeconds(bar.start)}${bar.running ? ", still running" : ""}${bar.critical ? " · critical path" : ""}`;
    const name = h("span", { className: "lgw-wf-label", style: `padding-left: ${4 + bar.depth * 12}px`, title },
      h("span", { className: "lgw-wf-name", text: bar.name }), bar.label ? h("span", { className: "lgw-wf-branch", text: bar.label }) : null);
    const rect = h("span", {
      className: `lgw-wf-bar${bar.critical ? " lgw-critical" : ""}${bar.running ? " lgw-running" : ""}${bar.depth ? " lgw-wf-nested" : ""}`,
      style: `left: ${left}%; width: ${width}%`,
    });
    const time = h("span", { className: "lgw-wf-time", style: left > 70 ? `right: ${100 - left}%` : `left: calc(${left + width}% + 4px)`, text: took });
    return h("div", {
      className: "lgw-wf-row", role: "button", tabindex: "0", title, "data-bar": i, "data-node": bar.key, "data-lane": bar.lane,
      style: `top: ${i * ROW_PX}px`,
    }, name, h("span", { className: "lgw-wf-track" }, rect, time));
  };
  /** Lay out the rows in sight (and OVERSCAN around them); the others are not in the DOM. */
  const layout = (force = false) => {
    frame = 0;
    const from = Math.max(0, Math.floor(top / ROW_PX) - OVERSCAN);
    const to = Math.min(bars.length, Math.ceil(top / ROW_PX) + VIEW_ROWS + OVERSCAN);
    if (!force && from === first && to === last) return;
    first = from;
    last = to;
    const fragment = document.createDocumentFragment();
    for (let i = from; i < to; i++) fragment.append(row(bars[i], i));
    rows.replaceChildren(fragment);
  };
  scroller.addEventListener("scroll", () => {
    top = scroller.scrollTop;
    if (!frame) frame = requestAnimationFrame(() => layout());
  }, { passive: true });
  const show = (stats) => {
    bars = stats.bars;
    scale = stats.span > 0 ? stats.span : 1;
    origin = stats.origin;
    // Times since the run's start, as the panels say them.
    ticks.replaceChildren(...[0, 0.25, 0.5, 0.75, 1].map((x) =>
      h("span", { className: "lgw-wf-tick", style: `left: ${x * 100}%`, text: `+${formatSeconds(origin + x * stats.span)}` })));
    rows.setAttribute("style", `height: ${bars.length * ROW_PX}px`);
    scroller.setAttribute("style", `height: ${Math.min(bars.length, VIEW_ROWS) * ROW_PX}px`);
    layout(true);
  };
  const reveal = (event) => {
    const target = event.target.closest?.(".lgw-wf-row");
    if (!target) return;
    const bar = bars[Number(target.getAttribute("data-bar"))];
    if (bar) onReveal?.(bar.item);
  };
  rows.addEventListener("click", reveal);
  rows.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      reveal(event);
    }
  });
  return { el, scroller, show };
}

// -- the header's parts ----------------------------------------------------------------------

/** The run's token count for the header, counted at most every REFRESH_MS while it runs. */
export function tokenCounter(store) {
  let at = -1;
  let when = -Infinity;
  let text = "";
  return (running) => {
    const now = performance.now();
    if (store.count !== at && (!running || now - when >= REFRESH_MS)) {
      at = store.count;
      when = now;
      const { input, output } = tokenTotals(store.items);
      text = input + output ? tokensText(input + output) : "";
    }
    return text;
  };
}

/** A link to the run's trace (the `trace_url` trait): made only for an http(s) URL, opened in a
 * new tab with no access to this page. */
export function traceLink() {
  const el = h("span", { className: "lgw-trace" });
  let shown = null;
  const update = (url) => {
    const safe = typeof url === "string" && /^https?:\/\//i.test(url) && URL.canParse?.(url) !== false ? url : null;
    if (safe === shown) return;
    shown = safe;
    el.replaceChildren();
    if (!safe) return;
    const link = h("a", { target: "_blank", rel: "noopener noreferrer", text: "trace ↗", title: "This run's trace in LangSmith" });
    link.setAttribute("href", safe);
    el.append(link);
  };
  return { el, update };
}
