// The run's view: a header, a toolbar and a list of panels. It never talks to the model: the
// widget entry hands it `run` = { get(trait), watch(callback) -> unwatch, stop() } and the
// store. The list holds at most `limit` panels (older ones behind "Show earlier"), panels are
// appended a frame at a time within a time budget, and a panel's body is built the first time
// it is opened, so a burst of 10,000 chunks neither freezes the page nor grows the DOM.
import { body, kindOf, metaText } from "./bodies.js";
import { h } from "./dom.js";
import { formatBytes, formatSeconds } from "./text.js";
import { matches } from "./timeline.js";

export const WINDOW = 200; // panels shown before "Show earlier"
export const FRAME_BUDGET_MS = 8;
export const NODE_OPTIONS = 100; // node names in the node filter

/** The run's header (who, status, run id, time and size, Stop) and its error line. */
function runHeader(run, store) {
  const assistant = h("span", { className: "lgw-assistant" });
  const badge = h("span", { className: "lgw-badge" });
  const runId = h("span", { className: "lgw-runid" });
  const stats = h("span", { className: "lgw-stats" });
  const stop = h("button", { className: "lgw-button lgw-stop", text: "Stop", title: "Cancel the run", onclick: () => run.stop() });
  const el = h("div", { className: "lgw-header" }, assistant, badge, runId, h("span", { className: "lgw-spacer" }), stats, stop);
  const errorLine = h("div", { className: "lgw-error-line" });
  const update = () => {
    const status = run.get("status") ?? "idle";
    assistant.textContent = run.get("assistant_id") || "run";
    badge.textContent = status;
    badge.className = `lgw-badge lgw-status-${status.replace(/[^a-z]/g, "")}`;
    const id = run.get("run_id");
    runId.textContent = id ? `run ${id}` : "";
    runId.title = id ?? "";
    const started = run.get("started_at");
    const ended = run.get("ended_at");
    const elapsed = started ? ((ended ?? Date.now() / 1000) - started) * 1000 : null;
    const parts = [`${store.count.toLocaleString()} chunks`, formatBytes(store.bytes)];
    if (elapsed !== null) parts.unshift(formatSeconds(elapsed));
    stats.textContent = parts.join(" · ");
    stop.hidden = status !== "running";
    const error = run.get("error");
    errorLine.hidden = !error;
    errorLine.textContent = error ? `${error.error}: ${error.message}` : "";
  };
  return { el, errorLine, update };
}

// -- panels ------------------------------------------------------------------------------

function panelTitle(item) {
  // Items of a subgraph sit inside their parent node's panel; only a stray one names its path.
  const path = item.ns?.length && !item.nested ? `${item.ns.join(" › ")} › ` : "";
  return `${path}${item.title}`;
}

// -- the view ----------------------------------------------------------------------------

export class RunView {
  constructor(el, run, store, { windowSize = WINDOW, budgetMs = FRAME_BUDGET_MS } = {}) {
    this.store = store;
    this.windowSize = windowSize;
    this.budgetMs = budgetMs;
    // UI state lives on the store so a re-displayed view keeps it.
    const modes = run.get("stream_mode") ?? [];
    // updates and values together would show every step twice: the state snapshots start hidden.
    const hideValues = modes.includes("updates") && modes.includes("values");
    this.ui = store.ui ??= { filter: { node: "", text: "", hideValues }, limit: windowSize, toggled: new Map() };
    this.views = new Map(); // item id -> { item, el, content, ... } for every rendered item
    this.dirty = new Set(); // items that grew, refreshed on the next frame
    this.shown = []; // { item, el, body, open } in DOM order
    this.queue = []; // items waiting for a frame
    this.matching = 0; // items that pass the filter
    this.frame = 0;
    this.cleanups = [];
    this.header = runHeader(run, store);
    this.build(el);
    this.rebuild();
    this.cleanups.push(store.subscribe((added, changed) => (added === null ? this.restart() : this.onItems(added, changed))));
    this.cleanups.push(run.watch(() => this.updateHeader()));
    this.ticker = setInterval(() => run.get("status") === "running" && this.updateHeader(), 250);
    this.updateHeader();
  }

  destroy() {
    clearInterval(this.ticker);
    clearTimeout(this.debounce);
    cancelAnimationFrame(this.frame);
    for (const cleanup of this.cleanups) cleanup();
  }

  build(el) {
    this.root = h("div", { className: "lgw-root" });
    this.nodeSelect = h("select", { className: "lgw-node-filter", title: "Show one node", onchange: () => this.setFilter({ node: this.nodeSelect.value }) });
    this.textFilter = h("input", { className: "lgw-text-filter", type: "search", placeholder: "Filter…", title: "Show panels containing this text" });
    this.textFilter.addEventListener("input", () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.setFilter({ text: this.textFilter.value }), 150);
    });
    this.textFilter.value = this.ui.filter.text;
    this.stateToggle = h("input", { type: "checkbox", onchange: () => this.setFilter({ hideValues: !this.stateToggle.checked }) });
    this.stateToggle.checked = !this.ui.filter.hideValues;
    this.stateLabel = h("label", { className: "lgw-state-toggle", title: "Show a state panel per step (stream mode values)", hidden: "" }, this.stateToggle, " state snapshots");
    this.copyState = h("button", {
      className: "lgw-button", text: "Copy final state", hidden: "", title: "Copy the last state (stream mode values) as JSON",
      onclick: () => navigator.clipboard?.writeText(JSON.stringify(this.store.timeline.finalState, null, 2)),
    });
    this.earlier = h("button", { className: "lgw-more lgw-earlier", hidden: "", onclick: () => { this.ui.limit += this.windowSize; this.rebuild(); } });
    this.list = h("div", { className: "lgw-list" });
    this.root.append(
      this.header.el,
      h("div", { className: "lgw-toolbar" }, this.nodeSelect, this.textFilter, this.stateLabel, this.copyState,
        h("button", { className: "lgw-button", text: "Expand all", onclick: () => this.setAllOpen(true) }),
        h("button", { className: "lgw-button", text: "Collapse all", onclick: () => this.setAllOpen(false) })),
      this.header.errorLine,
      h("div", { className: "lgw-scroll" }, this.earlier, this.list),
    );
    this.scroller = this.root.querySelector(".lgw-scroll");
    // Follow the run while the reader is at the bottom. Read on scroll, not per frame: reading
    // layout right after appending panels would force a layout every frame.
    this.stick = true;
    this.scroller.addEventListener("scroll", () => {
      const s = this.scroller;
      this.stick = s.scrollHeight - s.scrollTop - s.clientHeight < 40;
    }, { passive: true });
    el.append(this.root);
  }

  updateHeader() {
    this.header.update();
    this.stateLabel.hidden = !this.store.timeline.modes.has("values");
    this.copyState.hidden = this.store.timeline.finalState === undefined;
  }

  /** New node names join the node filter; past NODE_OPTIONS the text filter serves better. */
  updateNodes() {
    const total = this.store.nodes.size;
    if (total === this.nodeCount) return;
    if (this.nodeCount === undefined || total < this.nodeCount) {
      this.nodeSelect.replaceChildren(h("option", { value: "", text: "All nodes" }));
      this.nodeCount = 0;
    }
    let i = 0;
    for (const name of this.store.nodes.keys()) {
      if (i >= NODE_OPTIONS) break;
      if (i++ >= this.nodeCount) this.nodeSelect.append(h("option", { value: name, text: name }));
    }
    this.more?.remove();
    if (total > NODE_OPTIONS) {
      this.more = h("option", { disabled: "", text: `… ${(total - NODE_OPTIONS).toLocaleString()} more: use the text filter` });
      this.nodeSelect.append(this.more);
    }
    this.nodeCount = total;
    this.nodeSelect.value = this.ui.filter.node;
  }

  setFilter(change) {
    Object.assign(this.ui.filter, change);
    this.ui.limit = this.windowSize;
    this.rebuild();
  }

  /** The widget is run again: the old run's open/closed choices no longer apply. */
  restart() {
    this.ui.toggled.clear();
    this.ui.limit = this.windowSize;
    this.autoOpen = null;
    this.rebuild();
  }

  /** Lay the list out again from the store: on filter changes and "Show earlier" only. */
  rebuild() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.list.replaceChildren();
    this.shown = [];
    this.views.clear();
    this.dirty.clear();
    const visible = this.store.items.filter((item) => matches(item, this.ui.filter));
    this.matching = visible.length;
    this.queue = visible.slice(-this.ui.limit);
    this.updateNodes();
    this.schedule();
  }

  onItems(added, changed = []) {
    for (const item of changed) this.dirty.add(item);
    for (const item of added) {
      if (!matches(item, this.ui.filter)) continue;
      this.matching += 1;
      this.queue.push(item);
    }
    // Panels that would scroll out of the window at once are never built.
    if (this.queue.length > this.ui.limit) this.queue.splice(0, this.queue.length - this.ui.limit);
    this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drain());
  }

  /** Append queued panels until the frame's budget is spent; the rest wait for the next. */
  drain() {
    this.frame = 0;
    const start = performance.now();
    // Before this frame's changes, layout is still clean: scrolling costs no forced layout.
    // The view follows one frame behind, which no one can see.
    if (this.stick) this.scroller.scrollTop = this.scroller.scrollHeight;
    const fragment = document.createDocumentFragment();
    let appended = 0;
    // At least one panel a frame, however slow the machine, so the view always moves on.
    while (this.queue.length && (appended === 0 || performance.now() - start < this.budgetMs)) {
      const panel = this.panel(this.queue.shift());
      this.shown.push(panel);
      fragment.append(panel.el);
      appended += 1;
    }
    this.list.append(fragment);
    while (this.shown.length > this.ui.limit) {
      const gone = this.shown.shift();
      gone.el.remove();
      this.forget(gone.item);
    }
    const grown = [];
    const later = [];
    let newlyMatching = false;
    const filtering = this.ui.filter.text || this.ui.filter.node;
    for (const item of this.dirty) {
      const view = this.views.get(item.id);
      if (filtering && !newlyMatching) {
        // A growing item the filter hid may match now (its tokens came): lay the list out again.
        let top = item;
        while (top.parent) top = top.parent;
        if (!this.views.has(top.id) && matches(top, this.ui.filter)) newlyMatching = true;
      }
      if (!view) continue;
      if (view.meta) view.meta.textContent = metaText(item);
      if (view.content?.refresh(start + this.budgetMs) === true) later.push(item);
      if (!item.nested && view.meta) grown.push(view);
    }
    this.dirty = new Set(later);
    if (newlyMatching) return this.rebuild();
    if (appended || grown.length) this.openNewest([...grown, ...this.shown.slice(this.shown.length - appended)]);
    const hidden = this.matching - this.shown.length - this.queue.length;
    this.earlier.hidden = hidden <= 0;
    this.earlier.textContent = `Show earlier (${hidden.toLocaleString()} more)`;
    this.updateNodes();
    this.updateHeader();
    // One more frame after a change, for the scroll that follows it.
    if (this.queue.length || this.dirty.size || (this.stick && (appended || grown.length))) this.schedule();
  }

  forget(item) {
    this.views.delete(item.id);
    for (const child of item.children ?? []) this.forget(child);
  }

  /** The view of an item inside a node's panel: a bare body (a message's live bubble), else a panel;
   * null when the filter hides it (state snapshots). */
  child(item) {
    if (this.ui.filter.hideValues && item.kind === "values") return null;
    if (kindOf(item).bare) {
      const content = body(item);
      this.views.set(item.id, { item, el: content.el, content });
      return content;
    }
    item.nested = true;
    return this.panel(item);
  }

  /**
   * The panel where the run is happening opens and the one opened before it closes, unless the
   * user chose. Where the run is happening: the newest panel, or a node panel that just grew
   * (its tokens, its subgraph, its update). Progress notes (custom, events) never take it.
   */
  openNewest(candidates) {
    const active = candidates.filter((p) => p && !kindOf(p.item).quiet).pop();
    if (!active || active === this.autoOpen || this.ui.toggled.has(active.item.id)) return;
    const previous = this.autoOpen;
    // Errors and interrupts stay open: they are what a reader looks for.
    const keepOpen = previous && kindOf(previous.item).keepOpen;
    if (previous && !this.ui.toggled.has(previous.item.id) && !keepOpen) this.setOpen(previous, false);
    this.setOpen(active, true);
    this.autoOpen = active;
  }

  panel(item) {
    const caret = h("span", { className: "lgw-caret", text: "▸" });
    const meta = h("span", { className: "lgw-meta", text: metaText(item), title: item.index === undefined ? "" : `w.chunks[${item.index}]` });
    const copy = h("button", {
      className: "lgw-copy",
      text: "Copy JSON",
      title: "Copy this update as JSON",
      onclick: (event) => {
        event.stopPropagation();
        navigator.clipboard?.writeText(JSON.stringify(item.data, null, 2)).then(() => { copy.textContent = "Copied"; setTimeout(() => { copy.textContent = "Copy JSON"; }, 1200); }, () => { copy.textContent = "Copy failed"; });
      },
    });
    const head = h("div", { className: "lgw-panel-head", role: "button", tabindex: "0" },
      caret,
      h("span", { className: "lgw-title", text: panelTitle(item) }),
      meta,
      kindOf(item).head?.(item),
      h("span", { className: "lgw-spacer" }),
      copy);
    const el = h("div", { className: `lgw-panel lgw-kind-${item.kind}`, "data-node": item.node ?? item.title, "data-index": item.index }, head);
    const panel = { item, el, body: null, content: null, meta, open: false };
    this.views.set(item.id, panel);
    const toggle = () => {
      this.ui.toggled.set(item.id, !panel.open);
      this.setOpen(panel, !panel.open);
    };
    head.addEventListener("click", toggle);
    head.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggle();
      }
    });
    const wanted = this.ui.toggled.get(item.id);
    if (wanted || (wanted === undefined && kindOf(item).keepOpen)) this.setOpen(panel, true);
    return panel;
  }

  setOpen(panel, open) {
    panel.open = open;
    panel.el.classList.toggle("lgw-open", open);
    if (open && !panel.body) {
      panel.content = body(panel.item, (child) => this.child(child));
      panel.body = h("div", { className: "lgw-panel-body" }, panel.content.el);
      panel.el.append(panel.body);
    }
    if (panel.body) panel.body.hidden = !open;
  }

  setAllOpen(open) {
    for (const panel of this.shown) {
      this.ui.toggled.set(panel.item.id, open);
      this.setOpen(panel, open);
    }
  }
}
