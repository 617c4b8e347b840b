// What a panel shows, by kind of item. Each builder returns { el, refresh }: `refresh()` brings
// the element up to date with its item after the item grew (tokens, a task's result, a
// subgraph's next node), touching only what changed: a token appends to a Text node.
import { TRUNCATED, formatBytes, formatSeconds, isMessage, safeText } from "./core.js";
import { h, longText, valueNode } from "./dom.js";

/** The body of a panel for `item`; `child(item)` makes the view of a child item. */
export function body(item, child) {
  switch (item.kind) {
    case "error":
      return fixed(h("div", { className: "lgw-error-body" }, longText(safeText(item.data?.message), "lgw-error-msg", 4000)));
    case "truncated":
      return fixed(h("div", { className: "lgw-truncated" },
        h("div", { className: "lgw-note", text: `This chunk is ${formatBytes(item.data[TRUNCATED])}; the view shows its start. Python has all of it: w.chunks[${item.index}].data` }),
        longText(safeText(item.data.preview), "lgw-pre", 4000)));
    case "node":
      return nodeBody(item, child);
    case "interrupt":
      // What the graph asks is the value; the interrupt's id is plumbing.
      return fixed(h("div", { className: "lgw-interrupt" },
        ...(Array.isArray(item.data) ? item.data : [item.data]).map((entry) =>
          valueNode(entry && typeof entry === "object" && "value" in entry ? entry.value : entry, 0))));
    case "message":
      return messageBubble(item);
    case "values":
      return valuesBody(item);
    case "custom":
      return fixed(isProgress(item.data) ? progressNode(item.data) : valueNode(item.data, 0));
    case "task":
      return rebuilt(item, () => taskNode(item));
    default:
      return fixed(valueNode(item.data, 0));
  }
}

function fixed(el) {
  return { el, refresh() {} };
}

function rebuilt(item, build) {
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

export const PART_CHARS = 4096; // a bubble's text is cut into blocks of about this size

/**
 * A message growing token by token: new text is appended to the last block of the text, never
 * the whole re-rendered. Blocks (cut after a newline once a block passes PART_CHARS) keep the
 * browser's relayout per token to the last block, not the whole message.
 */
export function messageBubble(item) {
  const safeRole = String(messageRoleOf(item)).replace(/[^a-z]/g, "") || "other";
  const role = h("div", { className: "lgw-msg-role" });
  const textBox = h("div", { className: "lgw-msg-text" });
  const tools = h("div", { className: "lgw-msg-tools" });
  const el = h("div", { className: `lgw-msg lgw-role-${safeRole} lgw-live` }, role, textBox, tools);
  let part = null;
  const newPart = (text) => {
    part = document.createTextNode(text);
    textBox.append(h("div", { className: "lgw-msg-part" }, part));
  };
  const append = (text) => {
    if (!part) newPart("");
    part.appendData(text);
    if (part.length > PART_CHARS) {
      const cut = part.data.lastIndexOf("\n");
      if (cut > 0 && cut < part.length - 1) {
        const rest = part.data.slice(cut + 1);
        part.deleteData(cut + 1, rest.length);
        newPart(rest);
      }
    }
  };
  let shownText = "";
  let shownTools = "";
  const refresh = () => {
    const who = item.name ? `${messageRoleOf(item)} · ${item.name}` : messageRoleOf(item);
    role.textContent = item.done ? who : `${who} · streaming…`;
    if (item.text.startsWith(shownText)) {
      if (item.text.length > shownText.length) append(item.text.slice(shownText.length));
    } else {
      textBox.replaceChildren(); // messages/partial may rewrite the text
      part = null;
      append(item.text);
    }
    shownText = item.text;
    const calls = item.toolCalls.map((c) => `→ ${c.name}(${c.args})`).join("\n");
    if (calls !== shownTools) {
      tools.replaceChildren(...item.toolCalls.map((c) => h("div", { className: "lgw-tool-call", text: `→ ${c.name}(${c.args})` })));
      shownTools = calls;
    }
    el.classList.toggle("lgw-live", !item.done);
  };
  refresh();
  return { el, refresh };
}

function messageRoleOf(item) {
  return roleName(item.role);
}

function roleName(raw) {
  const names = new Map([["human", "user"], ["ai", "assistant"], ["AIMessageChunk", "assistant"], ["tool", "tool"], ["system", "system"]]);
  const value = raw === undefined || raw === null ? "assistant" : safeText(raw);
  return names.get(value) ?? names.get(value.replace(/MessageChunk$|Message$/, "").toLowerCase()) ?? value.toLowerCase();
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
export function isProgress(data) {
  return data !== null && typeof data === "object" && typeof data.progress === "number" && Number.isFinite(data.progress);
}

export function progressBar(data) {
  const bar = h("progress", { className: "lgw-progress", max: "1" });
  bar.value = Math.max(0, Math.min(1, data.progress > 1 ? data.progress / 100 : data.progress));
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

/** The meta line of a panel: chunk number, time since the start, and what the kind adds. */
export function metaText(item) {
  const parts = [];
  if (item.index !== undefined) parts.push(`#${item.index}`);
  parts.push(`+${formatSeconds(item.t ?? 0)}`);
  if (item.kind === "node" && !item.done) parts.push("running…");
  if (item.kind === "message") parts.push(`${item.tokens.toLocaleString()} ${item.tokens === 1 ? "chunk" : "chunks"}`);
  if (item.kind === "task") parts.push(item.done ? (item.duration !== undefined ? formatSeconds(item.duration) : "done") : "running…");
  if (item.kind === "values") {
    const n = item.diff.added.length + item.diff.changed.length + item.diff.removed.length;
    parts.push(`${n} ${n === 1 ? "key" : "keys"} changed`);
  }
  if (item.kind === "custom" && isProgress(item.data)) parts.push(`${Math.round((item.data.progress > 1 ? item.data.progress / 100 : item.data.progress) * 100)}%`);
  return parts.join(" · ");
}
