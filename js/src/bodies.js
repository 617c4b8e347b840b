// What a panel shows, by kind of item: one entry per kind the timeline makes. An entry's
// `body(item, child)` returns { el, refresh }: `refresh()` brings the element up to date after
// the item grew (tokens, a task's result, a subgraph's next node), touching only what changed.
// Optional: `meta(item)` adds to the panel's meta line, `head(item)` puts an element in the
// panel's head, `keepOpen` opens the panel at once and keeps it open when a newer one opens
// (what a reader looks for), `quiet` never opens it by itself (progress notes), `bare` shows
// the body in a node's panel without a panel of its own.
import { TRUNCATED } from "./protocol.js";
import { formatBytes, formatSeconds, isMessage, safeText } from "./text.js";
import { h, longText, messageBubble, valueNode } from "./dom.js";

// No prototype: an unknown kind must not find Object's methods.
export const KINDS = Object.freeze({
  __proto__: null,
  error: {
    keepOpen: true,
    body: (item) => fixed(h("div", { className: "lgw-error-body" }, longText(safeText(item.data?.message), "lgw-error-msg", 4000))),
  },
  truncated: {
    body: (item) => fixed(h("div", { className: "lgw-truncated" },
      h("div", { className: "lgw-note", text: `This chunk is ${formatBytes(item.data[TRUNCATED])}; the view shows its start. Python has all of it: w.chunks[${item.index}].data` }),
      longText(safeText(item.data.preview), "lgw-pre", 4000))),
  },
  node: { body: nodeBody, meta: (item) => (item.done ? null : "running…") },
  interrupt: {
    keepOpen: true,
    // What the graph asks is the value; the interrupt's id is plumbing.
    body: (item) => fixed(h("div", { className: "lgw-interrupt" },
      ...(Array.isArray(item.data) ? item.data : [item.data]).map((entry) =>
        valueNode(entry && typeof entry === "object" && "value" in entry ? entry.value : entry, 0)))),
  },
  message: {
    bare: true,
    body: (item) => messageBubble(item),
    meta: (item) => `${item.tokens.toLocaleString()} ${item.tokens === 1 ? "chunk" : "chunks"}`,
  },
  values: {
    body: valuesBody,
    meta: (item) => {
      const n = item.diff.added.length + item.diff.changed.length + item.diff.removed.length;
      return `${n} ${n === 1 ? "key" : "keys"} changed`;
    },
  },
  custom: {
    quiet: true,
    body: (item) => fixed(isProgress(item.data) ? progressNode(item.data) : valueNode(item.data, 0)),
    meta: (item) => (isProgress(item.data) ? `${Math.round(progressOf(item.data) * 100)}%` : null),
    // Progress reads at a glance, without opening the panel.
    head: (item) => (isProgress(item.data) ? progressBar(item.data) : null),
  },
  events: { quiet: true },
  task: {
    body: (item) => rebuilt(() => taskNode(item)),
    meta: (item) => (item.done ? (item.duration !== undefined ? formatSeconds(item.duration) : "done") : "running…"),
  },
});

const GENERIC = { body: (item) => fixed(valueNode(item.data, 0)) };

/** The registry entry of an item's kind; kinds without one (update, event) show their data. */
export const kindOf = (item) => KINDS[item.kind] ?? GENERIC;

/** The body of a panel for `item`; `child(item)` makes the view of a child item. */
export function body(item, child) {
  return (kindOf(item).body ?? GENERIC.body)(item, child);
}

/** The meta line of a panel: chunk number, time since the start, and what the kind adds. */
export function metaText(item) {
  const parts = [];
  if (item.index !== undefined) parts.push(`#${item.index}`);
  parts.push(`+${formatSeconds(item.t ?? 0)}`);
  const more = kindOf(item).meta?.(item);
  if (more) parts.push(more);
  return parts.join(" · ");
}

function fixed(el) {
  return { el, refresh() {} };
}

function rebuilt(build) {
  const el = h("div", {}, build());
  return { el, refresh: () => el.replaceChildren(build()) };
}

export const CHILD_LIMIT = 200; // items shown inside one node's panel

/** A node at work: its messages as live bubbles, its subgraph's panels, then its update. */
function nodeBody(item, child) {
  const list = h("div", { className: "lgw-node-children" });
  const more = h("div", { className: "lgw-note", hidden: "" });
  const update = h("div", { className: "lgw-node-update" });
  const el = h("div", { className: "lgw-node-body" }, list, more, update);
  let seen = 0;
  let shown = 0;
  let updateShown = false;
  // Returns true while children wait for a later frame: a burst is built within the budget.
  const refresh = (deadline = Infinity) => {
    // Past CHILD_LIMIT a node's panel stops growing: the DOM must not grow with the chunks.
    let built = 0;
    for (; seen < item.children.length; seen++) {
      if (built > 0 && shown < CHILD_LIMIT && performance.now() >= deadline) break;
      const view = shown < CHILD_LIMIT ? child(item.children[seen]) : null;
      if (view) {
        list.append(view.el);
        shown += 1;
        built += 1;
      }
    }
    const hidden = item.children.length - shown;
    more.hidden = shown < CHILD_LIMIT || hidden <= 0;
    more.textContent = `… and ${hidden.toLocaleString()} more in this node: filter to find them, or read them in Python (w.chunks)`;
    if (item.update !== undefined && !updateShown) {
      updateShown = true;
      const rest = withoutStreamed(item.update, item.children);
      if (rest !== undefined) update.append(valueNode(rest, 0));
    }
    return seen < item.children.length;
  };
  refresh();
  return { el, refresh };
}

/** The update minus the messages already shown as they streamed: nothing shown twice. */
function withoutStreamed(update, children) {
  const streamed = new Set(children.filter((c) => c.kind === "message").map((c) => c.messageId));
  if (!streamed.size || update === null || typeof update !== "object" || Array.isArray(update)) return update;
  const rest = Object.create(null); // a key named __proto__ stays a key
  for (const [key, value] of Object.entries(update)) {
    if (isMessage(value) && streamed.has(value.id)) continue;
    if (Array.isArray(value) && value.some((m) => isMessage(m) && streamed.has(m.id))) {
      const others = value.filter((m) => !(isMessage(m) && streamed.has(m.id)));
      if (others.length) rest[key] = others;
    } else {
      rest[key] = value;
    }
  }
  return Object.keys(rest).length ? rest : undefined;
}

function valuesBody(item) {
  const { added, changed, removed } = item.diff;
  const parts = [];
  if (added.length) parts.push(h("span", { className: "lgw-diff-added", text: `+ ${added.join(", ")}` }));
  if (changed.length) parts.push(h("span", { className: "lgw-diff-changed", text: `~ ${changed.join(", ")}` }));
  if (removed.length) parts.push(h("span", { className: "lgw-diff-removed", text: `− ${removed.join(", ")}` }));
  if (!parts.length) parts.push(h("span", { className: "lgw-note", text: "no change" }));
  const changedKeys = [...added, ...changed];
  const delta = Object.fromEntries(changedKeys.filter((k) => k in item.data).map((k) => [k, item.data[k]]));
  const full = h("details", { className: "lgw-tree" }, h("summary", { className: "lgw-summary", text: "whole state" }));
  full.addEventListener("toggle", () => { if (full.open && full.children.length === 1) full.append(valueNode(item.data, 0)); }, { once: false });
  return fixed(h("div", { className: "lgw-values" }, h("div", { className: "lgw-diff" }, ...parts),
    changedKeys.length ? valueNode(delta, 0) : null, full));
}

/** A progress-like dict: {"progress": 0.4, "step": "…"} or a percentage. */
function isProgress(data) {
  return data !== null && typeof data === "object" && typeof data.progress === "number" && Number.isFinite(data.progress);
}

/** A progress as a fraction: 40 and 0.4 are both 40%. */
const progressOf = (data) => (data.progress > 1 ? data.progress / 100 : data.progress);

function progressBar(data) {
  const bar = h("progress", { className: "lgw-progress", max: "1" });
  bar.value = Math.max(0, Math.min(1, progressOf(data)));
  return bar;
}

function progressNode(data) {
  const bar = progressBar(data);
  const words = Object.entries(data).filter(([k]) => k !== "progress").map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  return h("div", { className: "lgw-progress-row" }, bar, h("span", { className: "lgw-progress-pct", text: `${Math.round(bar.value * 100)}%` }), h("span", { className: "lgw-note", text: words.join(" · ") }));
}

function taskNode(item) {
  const rows = h("div", { className: "lgw-task" });
  if (item.data.input !== undefined) rows.append(h("div", { className: "lgw-row" }, h("span", { className: "lgw-key", text: "input: " }), valueNode(item.data.input, 1)));
  if (item.error) rows.append(h("div", { className: "lgw-row lgw-error-msg", text: `error: ${typeof item.error === "string" ? item.error : JSON.stringify(item.error)}` }));
  else if (item.done) rows.append(h("div", { className: "lgw-row" }, h("span", { className: "lgw-key", text: "result: " }), valueNode(item.data.result, 1)));
  else rows.append(h("div", { className: "lgw-note", text: "running…" }));
  return rows;
}
