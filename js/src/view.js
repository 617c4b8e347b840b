// The run's view: a header, a toolbar and a list of panels. It never talks to the model: the
// widget entry hands it `run` = { get(trait), watch(callback) -> unwatch, stop() } and the
// store. The list holds at most `limit` panels (older ones behind "Show earlier"), panels are
// appended a frame at a time within a time budget, and a panel's body is built the first time
// it is opened, so a burst of 10,000 chunks neither freezes the page nor grows the DOM.
import { body, keepsOpen, kindOf, labelText, metaText } from "./bodies.js";
import { GraphPane } from "./diagram.js";
import { h, reveal } from "./dom.js";
import { formatBytes, formatSeconds, safeText } from "./text.js";
import { Answers, continueButton, historyPane } from "./thread.js";
import { matches } from "./timeline.js";
import { TimingPane, tokenCounter, traceLink } from "./timing.js";

export const WINDOW = 200; // panels shown before "Show earlier"
export const FRAME_BUDGET_MS = 8;
export const NODE_OPTIONS = 100; // node names in the node filter
export const REVEAL_PANELS = 20; // panels a text filter opens to show its hits

/** The run's header (who, status, run id, thread, time and size, Stop), its notes and its error line. */
function runHeader(run, store) {
  const assistant = h("span", { className: "lgw-assistant" });
  const badge = h("span", { className: "lgw-badge" });
  const runId = h("span", { className: "lgw-runid" });
  const thread = h("span", { className: "lgw-thread" });
  const notes = h("div", { className: "lgw-notes" });
  const trace = traceLink();
  const tokens = tokenCounter(store);
  const stats = h("span", { className: "lgw-stats" });
  const stop = h("button", { className: "lgw-button lgw-stop", text: "Stop", title: "Cancel the run", onclick: () => run.stop() });
  const el = h("div", { className: "lgw-header" }, assistant, badge, runId, thread, trace.el, h("span", { className: "lgw-spacer" }), stats, stop);
  const errorLine = h("div", { className: "lgw-error-line" });
  const update = () => {
    const status = run.get("status") ?? "idle";
    assistant.textContent = run.get("assistant_id") || "run";
    badge.textContent = status;
    badge.className = `lgw-badge lgw-status-${status.replace(/[^a-z]/g, "")}`;
    const id = run.get("run_id");
    runId.textContent = id ? `run ${id}` : "";
    runId.title = id ?? "";
    const threadId = run.get("thread_id");
    thread.textContent = threadId ? `thread ${threadId}` : "";
    thread.title = threadId ?? "";
    const lines = (run.get("notes") ?? []).map(safeText);
    if (notes.textContent !== lines.join("")) notes.replaceChildren(...lines.map((text) => h("div", { className: "lgw-note", text })));
    notes.hidden = lines.length === 0;
    const started = run.get("started_at");
    const ended = run.get("ended_at");
    const elapsed = started ? ((ended ?? Date.now() / 1000) - started) * 1000 : null;
    const parts = [`${store.count.toLocaleString()} chunks`, formatBytes(store.bytes), tokens(status === "running")].filter(Boolean);
    trace.update(run.get("trace_url"));
    if (elapsed !== null) parts.unshift(formatSeconds(elapsed));
    stats.textContent = parts.join(" · ");
    stop.hidden = status !== "running";
    const error = run.get("error");
    errorLine.hidden = !error;
    errorLine.textContent = error ? `${error.error}: ${error.message}` : "";
  };
  return { el, notes, errorLine, update };
}

// -- panels ------------------------------------------------------------------------------

function panelTitle(item) {
  // Items of a subgraph sit inside their parent node's panel; only a stray one names its path.
  const path = item.ns?.length && !item.nested ? `${item.ns.join(" › ")} › ` : "";
  return `${path}${item.title}`;
}

function topOf(item) {
  let top = item;
  while (top.parent) top = top.parent;
  return top;
}

// -- the view ----------------------------------------------------------------------------

export class RunView {
  constructor(el, run, store, { windowSize = WINDOW, budgetMs = FRAME_BUDGET_MS } = {}) {
    this.store = store;
    // The model object changes when the view is adopted by a new render(): reach it through here.
    this.run = run;
    run = { get: (name) => this.run.get(name), watch: (callback) => this.run.watch(callback), stop: () => this.run.stop() };
    if (this.run.answer) {
      run.answer = (id, value) => this.run.answer(id, value);
      run.history = (limit) => this.run.history(limit);
      run.rerun = (checkpointId, input) => this.run.rerun(checkpointId, input);
    }
    this.windowSize = windowSize;
    this.budgetMs = budgetMs;
    // UI state lives on the store so a re-displayed view keeps it.
    const modes = run.get("stream_mode") ?? [];
    // updates and values together would show every step twice: the state snapshots start hidden.
    const hideValues = modes.includes("updates") && modes.includes("values");
    this.ui = store.ui ??= { filter: { node: "", text: "", hideValues }, limit: windowSize, toggled: new Map(), scrollTop: 0, stick: true };
    this.views = new Map(); // item id -> { item, el, content, ... } for every rendered item
    this.dirty = new Set(); // items that grew, refreshed on the next frame
    this.shown = []; // { item, el, body, open } in DOM order
    this.queue = []; // items waiting for a frame
    this.matching = 0; // items that pass the filter
    this.frame = 0;
    this.cleanups = [];
    this.header = runHeader(run, store);
    this.runProxy = run;
    this.history = historyPane(run);
    this.continue = continueButton(run);
    this.build(el);
    this.answers = new Answers(run, this.root);
    this.rebuild();
    this.connect();
  }

  connect() {
    this.destroyed = false;
    this.cleanups.push(this.store.subscribe((added, changed) => (added === null ? this.restart() : this.onItems(added, changed))));
    this.cleanups.push(this.runProxy.watch(() => this.updateHeader()));
    this.cleanups.push(this.graph.connect());
    this.ticker = setInterval(() => this.runProxy.get("status") === "running" && this.updateHeader(), 250);
    this.updateHeader();
  }

  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.ticker);
    clearTimeout(this.debounce);
    this.timing.destroy();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    for (const cleanup of this.cleanups) cleanup();
    this.cleanups = [];
  }

  /**
   * A new render() of the same widget takes this view over: the same root element moves into
   * `el`, nothing is rebuilt, and the reader's place (scroll position, the text filter's focus
   * and selection) comes back. JupyterLab wipes a widget's node and renders it again when its
   * output is refreshed (update_display_data at the end of a run).
   */
  adopt(el, run) {
    this.run = run;
    const hadFocus = this.ui.filterFocus;
    el.append(this.root);
    if (this.destroyed) this.connect();
    this.onItems([], []); // catch up with what came while detached
    const restore = (tries) => {
      if (!this.root.isConnected) {
        if (tries > 0) requestAnimationFrame(() => restore(tries - 1));
        return;
      }
      this.restoring = true;
      this.stick = this.ui.stick;
      this.scroller.scrollTop = this.stick ? this.scroller.scrollHeight : this.ui.scrollTop;
      this.restoring = false;
      if (hadFocus) {
        this.textFilter.focus({ preventScroll: true });
        const { start, end } = hadFocus;
        try { this.textFilter.setSelectionRange(start, end); } catch { /* not a text input */ }
      }
    };
    restore(600);
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
    // Where the reader's caret is, kept for a view adopted after its node was wiped.
    const keepFocus = () => {
      if (!this.root.isConnected) return;
      this.ui.filterFocus = { start: this.textFilter.selectionStart, end: this.textFilter.selectionEnd };
    };
    for (const name of ["focus", "input", "keyup", "select", "click"]) this.textFilter.addEventListener(name, keepFocus);
    this.textFilter.addEventListener("blur", () => {
      // A blur because the node left the page is no choice of the reader's.
      setTimeout(() => { if (this.root.isConnected && document.activeElement !== this.textFilter) this.ui.filterFocus = null; }, 0);
    });
    this.stateToggle = h("input", { type: "checkbox", onchange: () => this.setFilter({ hideValues: !this.stateToggle.checked }) });
    this.stateToggle.checked = !this.ui.filter.hideValues;
    this.stateLabel = h("label", { className: "lgw-state-toggle", title: "Show a state panel per step (stream mode values)", hidden: "" }, this.stateToggle, " state snapshots");
    this.copyState = h("button", {
      className: "lgw-button", text: "Copy final state", hidden: "", title: "Copy the last state (stream mode values) as JSON",
      onclick: () => navigator.clipboard?.writeText(JSON.stringify(this.store.timeline.finalState, null, 2)),
    });
    this.earlier = h("button", { className: "lgw-more lgw-earlier", hidden: "", onclick: () => this.showEarlier() });
    this.list = h("div", { className: "lgw-list" });
    this.timing = new TimingPane(this.store, { onReveal: (item) => this.revealItem(item), isRunning: () => this.run.get("status") === "running" });
    this.graph = new GraphPane(this.runProxy, this.store, this.ui, (name) => this.filterNode(name));
    this.root.append(
      this.header.el,
      this.header.notes,
      h("div", { className: "lgw-toolbar" }, this.nodeSelect, this.textFilter, this.stateLabel, this.copyState,
        h("button", { className: "lgw-button", text: "Expand all", onclick: () => this.setAllOpen(true) }),
        h("button", { className: "lgw-button", text: "Collapse all", onclick: () => this.setAllOpen(false) }),
        h("span", { className: "lgw-spacer" }), this.continue.el, this.history.toggle),
      this.history.el,
      this.header.errorLine,
      this.graph.el, // the diagram, right above the timeline it filters
      this.timing.el,
      h("div", { className: "lgw-scroll" }, this.earlier, this.list),
    );
    this.scroller = this.root.querySelector(".lgw-scroll");
    // Follow the run while the reader is at the bottom. Read on scroll, not per frame: reading
    // layout right after appending panels would force a layout every frame.
    this.stick = true;
    this.scroller.addEventListener("scroll", () => {
      const s = this.scroller;
      if (this.restoring || !this.root.isConnected) return;
      this.stick = s.scrollHeight - s.scrollTop - s.clientHeight < 40;
      this.ui.stick = this.stick;
      this.ui.scrollTop = s.scrollTop;
    }, { passive: true });
    this.stick = this.ui.stick ?? true;
    el.append(this.root);
  }

  updateHeader() {
    this.header.update();
    this.answers?.update();
    this.history.update();
    this.continue.update();
    this.timing.refresh();
    this.graph.update();
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
      if (i++ >= this.nodeCount) this.nodeSelect.append(h("option", { value: name, text: name, title: name }));
    }
    this.more?.remove();
    if (total > NODE_OPTIONS) {
      this.more = h("option", { disabled: "", text: `… ${(total - NODE_OPTIONS).toLocaleString()} more: use the text filter` });
      this.nodeSelect.append(this.more);
    }
    this.nodeCount = total;
    this.nodeSelect.value = this.ui.filter.node;
  }

  /** More of the run above; the panel at the top stays where the reader sees it. */
  showEarlier() {
    const top = this.shown.find((p) => p.el.getBoundingClientRect().bottom > this.scroller.getBoundingClientRect().top) ?? this.shown[0];
    if (top) this.anchor = { id: top.item.id, offset: top.el.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top };
    this.stick = false;
    this.ui.stick = false;
    this.ui.limit += this.windowSize;
    this.rebuild();
  }

  /** Once the earlier panels are laid out, scroll so the anchor panel is back in its place. */
  keepAnchor() {
    const anchor = this.anchor;
    const view = anchor && this.views.get(anchor.id);
    if (!view || this.queue.length) return;
    this.anchor = null;
    const offset = view.el.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top;
    this.scroller.scrollTop += offset - anchor.offset;
  }

  /** A click on a node of the graph: the timeline shows that node; a second click, all. */
  filterNode(name) {
    const node = this.ui.filter.node === name ? "" : name;
    this.nodeSelect.value = node;
    this.setFilter({ node });
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
    this.revealed = 0;
    reveal.text = this.ui.filter.text;
    this.graph.select(this.ui.filter.node);
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
      if (view.meta) this.updateHead(view);
      if (view.content?.refresh(start + this.budgetMs) === true) later.push(item);
      if (!item.nested && view.meta) grown.push(view);
    }
    this.dirty = new Set(later);
    if (newlyMatching) return this.rebuild();
    if (this.anchor) this.keepAnchor();
    if (this.pendingReveal && this.views.has(topOf(this.pendingReveal).id)) {
      const item = this.pendingReveal;
      this.pendingReveal = null;
      this.revealItem(item);
    }
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
    // Filtering a nested node shows that node, not its parent's whole subtree.
    if (this.ui.filter.node && !matches(item, { node: this.ui.filter.node })) return null;
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
    const keepOpen = previous && keepsOpen(previous.item);
    if (previous && !this.ui.toggled.has(previous.item.id) && !keepOpen) this.setOpen(previous, false);
    this.setOpen(active, true);
    this.autoOpen = active;
  }

  panel(item) {
    if (kindOf(item).divider) {
      // A marker between two runs streamed into this view: what the second one was.
      const el = h("div", { className: `lgw-section lgw-section-${safeText(item.data?.kind)}`, role: "separator", "data-index": item.data?.start },
        h("span", { className: "lgw-section-text", text: item.title }));
      this.views.set(item.id, { item, el });
      return { item, el, open: false };
    }
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
    const title = panelTitle(item);
    const label = h("span", { className: "lgw-label" });
    const head = h("div", { className: "lgw-panel-head", role: "button", tabindex: "0" },
      caret,
      h("span", { className: "lgw-title", text: title, title }),
      label,
      meta,
      kindOf(item).head?.(item),
      h("span", { className: "lgw-spacer" }),
      copy);
    const el = h("div", { className: `lgw-panel lgw-kind-${item.kind}`, "data-node": item.node ?? item.title, "data-index": item.index }, head);
    const panel = { item, el, body: null, content: null, meta, label, open: false };
    this.views.set(item.id, panel);
    this.updateHead(panel);
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
    const { node, text } = this.ui.filter;
    // A filter opens the way to what it found: the panels that hold the node, or the text.
    const holds = wanted === undefined && ((node && item.node !== node && item.children?.length) || (text && this.revealed++ < REVEAL_PANELS));
    if (wanted || (wanted === undefined && keepsOpen(item)) || holds) this.setOpen(panel, true);
    return panel;
  }

  /** The head's meta line, branch label and finished look, after the item changed. */
  updateHead(panel) {
    const { item } = panel;
    panel.meta.textContent = metaText(item);
    const label = labelText(item) ?? "";
    if (panel.label.textContent !== label) {
      panel.label.textContent = label;
      panel.label.title = label;
    }
    panel.el.classList.toggle("lgw-done", item.done !== false);
  }

  setOpen(panel, open) {
    panel.open = open;
    panel.el.classList.toggle("lgw-open", open);
    if (open && !panel.body) {
      panel.content = body(panel.item, (child) => this.child(child), this.answers.slot);
      panel.body = h("div", { className: "lgw-panel-body" }, panel.content.el);
      panel.el.append(panel.body);
    }
    if (panel.body) panel.body.hidden = !open;
  }

  /**
   * Show an item's panel (a click in the waterfall): the panels that hold it open, the filter
   * cleared and earlier panels laid out if they hid it; then it opens and scrolls into view.
   */
  revealItem(item) {
    const chain = [];
    for (let at = item; at; at = at.parent) chain.unshift(at);
    const top = topOf(item);
    if (!this.views.has(top.id)) {
      if (!matches(top, this.ui.filter)) {
        Object.assign(this.ui.filter, { node: "", text: "" });
        this.textFilter.value = "";
      }
      const visible = this.store.items.filter((i) => matches(i, this.ui.filter));
      this.ui.limit = Math.max(this.ui.limit, visible.length - visible.indexOf(top));
      this.stick = this.ui.stick = false;
      this.rebuild();
      this.pendingReveal = item;
      return;
    }
    for (const at of chain) {
      const panel = this.views.get(at.id);
      if (!panel?.meta) continue;
      this.ui.toggled.set(at.id, true);
      this.setOpen(panel, true);
    }
    const panel = this.views.get(item.id);
    if (!panel) return;
    this.stick = this.ui.stick = false;
    panel.el.scrollIntoView({ block: "nearest" });
    panel.el.classList.remove("lgw-flash");
    void panel.el.offsetWidth; // restart the highlight
    panel.el.classList.add("lgw-flash");
  }

  /** Expand or collapse every panel, nested subgraph panels too. */
  setAllOpen(open) {
    const seen = new Set();
    for (let grew = true; grew;) {
      grew = false;
      for (const panel of [...this.views.values()]) {
        if (!panel.meta || seen.has(panel)) continue;
        seen.add(panel);
        grew = true;
        this.ui.toggled.set(panel.item.id, open);
        this.setOpen(panel, open);
      }
    }
  }
}
