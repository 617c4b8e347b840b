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
import { branchLabel, stepText } from "./timeline.js";
import { inboxRequests, interruptParts, reviewConfig, shapeOf } from "./answer.js";

// No prototype: an unknown kind must not find Object's methods.
export const KINDS = Object.freeze({
  __proto__: null,
  error: {
    keepOpen: true,
    body: errorBody,
    label: (item) => (item.raisedIn === undefined ? undefined : `in ${item.raisedIn}`),
  },
  truncated: {
    body: (item) => fixed(h("div", { className: "lgw-truncated" },
      h("div", { className: "lgw-note", text: `This chunk is ${formatBytes(item.data[TRUNCATED])}; the view shows its start. Python has all of it: w.chunks[${item.index}].data` }),
      longText(safeText(item.data.preview), "lgw-pre", 4000))),
  },
  node: {
    body: nodeBody,
    meta: (item) => join(item.done ? durationOf(item) : "running…", stepText(item)),
    label: branchLabel,
  },
  interrupt: {
    keepOpen: true,
    // What the graph asks is the value; the interrupt's id is plumbing.
    body: (item, _child, slot) => fixed(interruptCards(item.data, slot)),
  },
  // Another run streamed into the same view: a resume, a re-run from a checkpoint.
  section: { divider: true, quiet: true },
  message: {
    bare: true,
    body: (item) => messageBubble(item),
    meta: (item) => `${item.tokens.toLocaleString()} ${item.tokens === 1 ? "chunk" : "chunks"}`,
  },
  values: {
    body: valuesBody,
    label: (item) => item.label,
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
    body: taskBody,
    meta: (item) => join(item.done ? (item.duration !== undefined ? formatSeconds(item.duration) : "done") : "running…", stepText(item)),
    label: branchLabel,
    keepOpen: (item) => Boolean(item.interrupts?.length),
  },
});

const GENERIC = { body: (item) => fixed(valueNode(item.data, 0)) };

/** The registry entry of an item's kind; kinds without one (update, event) show their data. */
export const kindOf = (item) => KINDS[item.kind] ?? GENERIC;

/** The body of a panel for `item`; `child(item)` makes the view of a child item, `slot(entry)`
 * the place to answer an interrupt (the view's; without it, an empty block). */
export function body(item, child, slot) {
  return (kindOf(item).body ?? GENERIC.body)(item, child, slot);
}

/** The meta line of a panel: chunk number, when it started, and what the kind adds (its
 * duration, its step). A node's start is when it was first seen or, before that, when the step
 * before it ended; a plain update's is when it arrived. */
export function metaText(item) {
  const parts = [];
  if (item.index !== undefined) parts.push(`#${item.index}`);
  const start = item.kind === "node" || item.kind === "task" ? item.start ?? item.t : item.t;
  parts.push(`+${formatSeconds(start ?? 0)}`);
  const more = kindOf(item).meta?.(item);
  if (more) parts.push(more);
  return parts.join(" · ");
}

/** What tells a panel from its neighbours of the same title: a branch, the node before a state. */
export function labelText(item) {
  return kindOf(item).label?.(item);
}

/** Does the panel open by itself and stay open (errors, interrupts, a task that asks)? */
export function keepsOpen(item) {
  const keep = kindOf(item).keepOpen;
  return typeof keep === "function" ? keep(item) : Boolean(keep);
}

const join = (...parts) => parts.filter(Boolean).join(" · ") || null;

/** A node's duration: from its start to its update. */
function durationOf(item) {
  if (item.tEnd === undefined) return null;
  return formatSeconds(item.tEnd - (item.start ?? item.t ?? 0));
}

function fixed(el) {
  return { el, refresh() {} };
}


export const CHILD_LIMIT = 200; // items shown inside one node's panel

/** A node at work: its messages as live bubbles, its subgraph's panels, then its update. */
function nodeBody(item, child, { showUpdate = true } = {}) {
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
    if (showUpdate && item.update !== undefined && !updateShown) {
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
  const appended = item.appended ?? {};
  const before = item.before ?? {};
  const parts = [];
  if (added.length) parts.push(h("span", { className: "lgw-diff-added", text: `+ ${added.join(", ")}` }));
  if (changed.length) parts.push(h("span", { className: "lgw-diff-changed", text: `~ ${changed.join(", ")}` }));
  if (removed.length) parts.push(h("span", { className: "lgw-diff-removed", text: `− ${removed.join(", ")}` }));
  if (!parts.length) parts.push(h("span", { className: "lgw-note", text: "no change" }));
  // What changed first: new keys, items appended to a list (the new ones, not the list from its
  // start), changed keys with their old and new value, removed keys with their last value.
  const rows = h("div", { className: "lgw-children" });
  const key = (k, text = `${k}: `) => h("span", { className: "lgw-key", text });
  for (const k of added) if (k in item.data) rows.append(h("div", { className: "lgw-row" }, key(k), valueNode(item.data[k], 1)));
  for (const k of changed) {
    if (!(k in item.data)) continue;
    const n = appended[k];
    if (n) {
      rows.append(h("div", { className: "lgw-row lgw-appended" }, key(k),
        h("span", { className: "lgw-diff-added", text: `+${n.toLocaleString()} ${n === 1 ? singular(k) : k}` }),
        valueNode(item.data[k].slice(-n), 1)));
    } else {
      rows.append(h("div", { className: "lgw-row lgw-changed" }, key(k), valueNode(item.data[k], 1),
        h("div", { className: "lgw-old" }, h("span", { className: "lgw-note", text: "was " }), valueNode(before[k], 2))));
    }
  }
  for (const k of removed) {
    rows.append(h("div", { className: "lgw-row lgw-removed" }, h("span", { className: "lgw-diff-removed", text: `− ${k}: ` }), h("span", { className: "lgw-note", text: "was " }), valueNode(before[k], 2)));
  }
  const shownKeys = [...added, ...changed];
  const delta = shownKeys.length || removed.length
    ? h("details", { className: "lgw-tree", open: "" }, h("summary", { className: "lgw-summary", text: "what changed" }), rows)
    : null;
  const full = h("details", { className: "lgw-tree" }, h("summary", { className: "lgw-summary", text: "whole state" }));
  full.addEventListener("toggle", () => { if (full.open && full.children.length === 1) full.append(valueNode(item.data, 0)); }, { once: false });
  return fixed(h("div", { className: "lgw-values" }, h("div", { className: "lgw-diff" }, ...parts), delta, full));
}

const singular = (word) => (word.endsWith("s") ? word.slice(0, -1) : word);

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

/** A task: its input, what it streamed (tokens, its subgraph's panels), then its result. */
function taskBody(item, child, slot) {
  const input = h("div", { className: "lgw-task" });
  if (item.data.input !== undefined) input.append(h("div", { className: "lgw-row" }, h("span", { className: "lgw-key", text: "input: " }), valueNode(item.data.input, 1)));
  const streamed = nodeBody(item, child, { showUpdate: false });
  const end = h("div");
  let shown;
  const refresh = (deadline) => {
    const later = streamed.refresh(deadline);
    const state = `${item.done}|${item.interrupts?.length ?? 0}`;
    if (state !== shown) {
      shown = state;
      end.replaceChildren(taskEnd(item, slot));
    }
    return later;
  };
  refresh();
  return { el: h("div", {}, input, streamed.el, end), refresh };
}

function taskEnd(item, slot) {
  const rows = h("div", { className: "lgw-task" });
  if (item.interrupts?.length) rows.append(interruptCards(item.interrupts, slot));
  if (item.error) rows.append(h("div", { className: "lgw-row lgw-error-msg", text: `error: ${typeof item.error === "string" ? item.error : JSON.stringify(item.error)}` }));
  else if (item.done) rows.append(h("div", { className: "lgw-row" }, h("span", { className: "lgw-key", text: "result: " }), valueNode(item.data.result, 1)));
  else rows.append(h("div", { className: "lgw-note", text: "running…" }));
  return rows;
}

function errorBody(item) {
  const data = item.data ?? {};
  const el = h("div", { className: "lgw-error-body" });
  if (item.raisedIn !== undefined) el.append(h("div", { className: "lgw-note", text: `raised in node ${item.raisedIn}` }));
  el.append(longText(safeText(data.message), "lgw-error-msg", 4000));
  if (typeof data.traceback === "string" && data.traceback) {
    el.append(h("details", { className: "lgw-traceback" }, h("summary", { className: "lgw-summary", text: "traceback" }),
      h("pre", { className: "lgw-pre", text: data.traceback })));
  }
  return fixed(el);
}

// -- interrupts --------------------------------------------------------------------------

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Interrupt cards, readable without a click: what the graph asks (an action and its arguments,
 * the description with its line breaks, the responses allowed) or the plain value, and the
 * fields of a response schema. Each card ends in its answer slot: `slot(entry)`, the view's (a
 * form, or why it cannot be answered here), else an empty `.lgw-icard-answer`.
 */
export function interruptCards(data, slot) {
  const entries = Array.isArray(data) ? data : [data];
  return h("div", { className: "lgw-interrupt" }, ...entries.map((entry) => interruptCard(entry, slot)));
}

function interruptCard(entry, slot) {
  const { value, schema } = interruptParts(entry);
  const shape = shapeOf(entry);
  const card = h("div", { className: "lgw-icard" });
  if (shape === "inbox") {
    for (const request of inboxRequests(value)) card.append(inboxCard(request));
  } else if (shape === "hitl") {
    card.append(...hitlCards(value));
  } else if (typeof value === "string") {
    card.append(h("div", { className: "lgw-icard-text", text: value }));
  } else if (isObj(value) && Object.keys(value).length) {
    // A plain question: its fields as rows, strings as text, nothing folded.
    card.append(argsNode(value));
  } else {
    card.append(valueNode(value, 0));
  }
  if (schema) card.append(schemaNode(schema));
  // The view's place to answer it; an interrupt_before/after pause has no id to answer.
  card.append((slot && typeof entry?.id === "string" ? slot(entry) : null) ?? h("div", { className: "lgw-icard-answer" }));
  return card;
}

function actionNode(name, args, description, allowedLabel, allowed) {
  const el = h("div", { className: "lgw-icard-request" },
    h("div", { className: "lgw-icard-action" }, h("span", { className: "lgw-note", text: "action " }), h("span", { className: "lgw-icard-name", text: safeText(name) })));
  if (isObj(args)) {
    el.append(argsNode(args));
  } else if (args !== undefined) {
    el.append(h("div", { className: "lgw-icard-args" }, valueNode(args, 1)));
  }
  if (description !== undefined && description !== null && description !== "") {
    el.append(h("div", { className: "lgw-icard-desc", text: safeText(description) }));
  }
  if (Array.isArray(allowed) && allowed.length) {
    el.append(h("div", { className: "lgw-icard-allowed" }, h("span", { className: "lgw-note", text: `${allowedLabel}: ` }),
      ...allowed.map((a) => h("span", { className: "lgw-icard-chip", text: safeText(a) }))));
  }
  return el;
}

/** An object's fields as rows: strings as text (their line breaks kept), the rest as trees. */
function argsNode(args) {
  const table = h("div", { className: "lgw-icard-args" });
  for (const [k, v] of Object.entries(args)) {
    table.append(h("div", { className: "lgw-row" }, h("span", { className: "lgw-key", text: `${k}: ` }),
      typeof v === "string" ? longText(v, "lgw-icard-value") : valueNode(v, 1)));
  }
  return table;
}

function inboxCard(request) {
  const config = isObj(request.config) ? request.config : {};
  const allowed = Object.entries(config).filter(([k, v]) => k.startsWith("allow_") && v === true).map(([k]) => k.slice(6));
  return actionNode(request.action_request.action, request.action_request.args, request.description, "allowed responses", allowed);
}

function hitlCards(value) {
  return value.action_requests.map((request, i) => {
    const r = isObj(request) ? request : { name: request };
    const decisions = reviewConfig(value, i)?.allowed_decisions;
    return actionNode(r.name ?? r.action, r.args, r.description, "allowed decisions", decisions);
  });
}

/** A JSON schema's fields: name, type, required, description. */
function schemaNode(schema) {
  const el = h("div", { className: "lgw-icard-schema" }, h("div", { className: "lgw-note", text: "answer with" }));
  const props = isObj(schema.properties) ? Object.entries(schema.properties) : [];
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  if (!props.length) {
    el.append(valueNode(schema, 1));
    return el;
  }
  for (const [name, prop] of props) {
    const type = isObj(prop) ? safeText(prop.type ?? (prop.enum ? `one of ${prop.enum.map(safeText).join(", ")}` : "any")) : "any";
    el.append(h("div", { className: "lgw-row lgw-icard-field" }, h("span", { className: "lgw-key", text: `${name}: ` }),
      h("span", { className: "lgw-icard-type", text: type }),
      required.has(name) ? h("span", { className: "lgw-note", text: " (required)" }) : null,
      isObj(prop) && prop.description ? h("span", { className: "lgw-note", text: ` — ${safeText(prop.description)}` }) : null));
  }
  return el;
}

