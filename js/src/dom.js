// DOM building blocks: elements, long text, value trees and message bubbles. Everything from
// the server or a model is set with textContent or a Text node: never parsed as HTML. Imports
// only text.js, so every DOM layer may use it.
import { isMessage, messageRole, messageText, normalize, safeText, textOf } from "./text.js";

export const STRING_LIMIT = 500; // characters of a string before "show more"
export const ENTRY_LIMIT = 50; // entries of an object or array before "show more"
export const MESSAGE_LIMIT = 4000; // characters of a message in a value before "show more"
export const PART_CHARS = 4096; // a bubble's text is cut into blocks of about this size

/** createElement with text children; `props.text` sets textContent, `on*` add listeners. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") el.textContent = value;
    else if (key === "className") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

// -- values ------------------------------------------------------------------------------

/** A string shown as text, cut at `limit` characters with a "show more" button. */
export function longText(text, className = "lgw-text", limit = STRING_LIMIT) {
  const span = h("span", { className });
  if (text.length <= limit) {
    span.textContent = text;
    return span;
  }
  const more = h("button", {
    className: "lgw-more",
    text: `show more (${text.length.toLocaleString()} chars)`,
    onclick: (event) => {
      event.stopPropagation();
      span.textContent = text;
    },
  });
  span.append(document.createTextNode(`${text.slice(0, limit)}… `), more);
  return span;
}

/**
 * What the text filter looks for: a value tree opens the way to it (its folded parts that hold
 * it open). Set by the view before it builds panel bodies.
 */
export const reveal = { text: "" };

const holds = (value) => Boolean(reveal.text) && normalize(textOf(value).join("\n").toLowerCase()).includes(normalize(reveal.text.toLowerCase()));

function scalar(value) {
  // A string with line breaks keeps them (shown between quotes, not as \n escapes).
  if (typeof value === "string" && value.includes("\n")) return longText(`"${value}"`, "lgw-str lgw-multiline");
  if (typeof value === "string") return longText(JSON.stringify(value), "lgw-str");
  const type = value === null ? "null" : typeof value;
  return h("span", { className: `lgw-${type}`, text: String(value) });
}

/** Rows for `entries`, ENTRY_LIMIT at a time, the rest behind a button. */
function appendEntries(container, entries, depth, start = 0, keyed = true) {
  const end = Math.min(entries.length, start + ENTRY_LIMIT);
  for (let i = start; i < end; i++) {
    const [key, value] = entries[i];
    const label = keyed ? h("span", { className: "lgw-key", text: `${key}: ` }) : null;
    container.append(h("div", { className: "lgw-row" }, label, valueNode(value, depth + 1)));
  }
  if (end < entries.length) {
    const more = h("button", {
      className: "lgw-more",
      text: `show ${Math.min(ENTRY_LIMIT, entries.length - end)} more of ${entries.length - end}`,
      onclick: (event) => {
        event.stopPropagation();
        more.remove();
        appendEntries(container, entries, depth, end, keyed);
      },
    });
    container.append(more);
  }
}

/** A JSON value as a tree of <details>, children built when first opened. */
export function valueNode(value, depth = 0) {
  if (isMessage(value)) return messageNode(value);
  if (value === null || typeof value !== "object") return scalar(value);
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (entries.length === 0) return h("span", { className: "lgw-null", text: isArray ? "[]" : "{}" });
  if (isArray && value.every(isMessage)) return messagesNode(value);
  const label = isArray ? `[${entries.length}]` : `{${entries.length}} ${entries.slice(0, 4).map(([k]) => k).join(", ")}${entries.length > 4 ? ", …" : ""}`;
  const summary = h("summary", { className: "lgw-summary", text: label });
  const details = h("details", { className: "lgw-tree" }, summary);
  const body = h("div", { className: "lgw-children" });
  details.append(body);
  const build = () => {
    if (body.dataset.built) return;
    body.dataset.built = "1";
    appendEntries(body, entries, depth);
  };
  details.lgwBuild = build;
  details.addEventListener("toggle", () => details.open && build());
  if (entries.some(([, v]) => v !== null && typeof v === "object")) {
    // Deep values: one click opens everything below, not one click per level.
    summary.append(h("button", {
      className: "lgw-expand", text: "expand all", title: "Open everything below",
      onclick: (event) => {
        event.preventDefault();
        event.stopPropagation();
        expandAll(details);
      },
    }));
  }
  if (depth < 2 || holds(value)) {
    details.open = true;
    build();
  }
  return details;
}

/** Open a value tree and everything below it (building each level). */
export function expandAll(details) {
  const stack = [details];
  while (stack.length) {
    const d = stack.pop();
    d.open = true;
    d.lgwBuild?.();
    for (const child of d.querySelectorAll(":scope > .lgw-children > .lgw-row > details.lgw-tree")) stack.push(child);
  }
}

function messagesNode(messages) {
  const list = h("div", { className: "lgw-msgs" });
  appendEntries(list, messages.map((m, i) => [i, m]), 0, 0, false);
  return list;
}

/** A message inside a value (a state, an update): a bubble shown whole, its long text cut. */
function messageNode(message) {
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  const item = {
    role: message.role ?? message.type, name: message.name, text: messageText(message), done: true,
    toolCallId: message.tool_call_id,
    toolCalls: calls.map((call) => ({ name: safeText(call?.name ?? "tool"), args: call?.args === undefined ? "" : JSON.stringify(call.args) })),
  };
  return messageBubble(item, MESSAGE_LIMIT).el;
}

/**
 * A chat message as a bubble: who spoke, the text, tool calls, what a tool result answers.
 * `item` is a message item of the timeline ({ role, name, text, toolCalls, toolCallId, done }).
 * While it grows token by token, `refresh()` appends the new text to the last block, never
 * re-rendering the whole: blocks (cut after a newline once one passes PART_CHARS) keep the
 * browser's relayout per token to the last block. Text already longer than `limit` when the
 * bubble is made is cut behind "show more".
 */
export function messageBubble(item, limit = Infinity) {
  const who = messageRole(item);
  const name = safeText(item.name);
  const whoName = name ? `${who} · ${name}` : who;
  const role = h("div", { className: "lgw-msg-role" });
  const textBox = h("div", { className: "lgw-msg-text" });
  const tools = h("div", { className: "lgw-msg-tools" });
  const answers = who === "tool" && item.toolCallId ? `result of ${safeText(item.toolCallId)}` : null;
  const el = h("div", { className: `lgw-msg lgw-role-${who.replace(/[^a-z]/g, "") || "other"} lgw-live` },
    role, textBox, tools, answers && h("div", { className: "lgw-msg-meta", text: answers }));
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
  if (item.text.length > limit) {
    textBox.append(longText(item.text, "lgw-msg-part", limit));
    shownText = item.text;
  }
  let shownTools = "";
  const refresh = () => {
    role.textContent = item.done ? whoName : `${whoName} · streaming…`;
    if (!item.text.startsWith(shownText)) {
      textBox.replaceChildren(); // messages/partial may rewrite the text
      part = null;
      shownText = "";
    }
    if (item.text.length > shownText.length) append(item.text.slice(shownText.length));
    shownText = item.text;
    const calls = item.toolCalls.map((c) => `→ ${c.name}(${c.args})`);
    const callsText = calls.join("\n");
    if (callsText !== shownTools) {
      tools.replaceChildren(...calls.map((text) => h("div", { className: "lgw-tool-call", text })));
      shownTools = callsText;
    }
    el.classList.toggle("lgw-live", !item.done);
  };
  refresh();
  return { el, refresh };
}
