// The pure core: batches of chunks in, a flat list of timeline items out. No DOM here, so
// it is tested under node without a browser.
//
// Keep in sync with lgwidget/_transport.py: a batch is the text
//   {"seq": first chunk index, "events": [...], "t": [ms since start, ...]}\n
//   <JSON data of chunk seq>\n<JSON data of chunk seq+1>\n...

import { Timeline } from "./timeline.js";

export const TRUNCATED = "__lgwidget_truncated__";

/** Split a decompressed batch into its header and one JSON text per chunk. */
export function parseBatch(text) {
  const lines = text.split("\n");
  const header = JSON.parse(lines[0]);
  const count = header.events.length;
  return { seq: header.seq, events: header.events, t: header.t, lines: lines.slice(1, 1 + count) };
}

/**
 * "updates|tools:1f0…|inner:2a…" → { mode: "updates", ns: ["tools", "inner"],
 * path: ["tools:1f0…", "inner:2a…"] }: names to show, and the path that tells two runs apart.
 */
export function splitEvent(event) {
  const [mode, ...path] = String(event).split("|");
  return { mode, ns: path.map((part) => part.split(":")[0]), path };
}

/** Any value from the server as text, even one whose own `toString` is not a function. */
export function safeText(value) {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function parse(line) {
  if (line === "" || line === undefined) return null;
  try {
    return JSON.parse(line);
  } catch {
    return line; // shown as text; the Python side already reported it
  }
}

/**
 * The timeline items of one chunk: one per node in an `updates` chunk, an `error` item, an
 * `interrupt` item, or one generic item for any other event. `metadata` gives none.
 */
export function chunkItems(index, event, line, t, data = parse(line)) {
  const { mode, ns } = splitEvent(event);
  const base = { index, event, mode, ns, t, bytes: line ? line.length : 0 };
  if (mode === "metadata") return [];
  if (mode === "error") {
    const err = data && typeof data === "object" ? data : { message: String(data) };
    return [{ ...base, kind: "error", title: safeText(err.error ?? "Error"), data: err }];
  }
  if (data && typeof data === "object" && data[TRUNCATED] !== undefined) {
    return [{ ...base, kind: "truncated", title: mode, data }];
  }
  if (mode === "updates" && data && typeof data === "object" && !Array.isArray(data)) {
    const nodes = Object.keys(data);
    if (nodes.length > 0) {
      return nodes.map((node) => ({
        ...base,
        kind: node === "__interrupt__" ? "interrupt" : "update",
        title: node === "__interrupt__" ? "interrupt" : node,
        node,
        data: data[node],
      }));
    }
  }
  return [{ ...base, kind: "event", title: mode, data }];
}

/** A run's chunks as they arrive, in order, whatever order batches come in. */
export class RunStore {
  constructor() {
    this.listeners = new Set();
    this.reset();
  }

  /** Forget every chunk (the widget is being run again); listeners get `null`. */
  reset() {
    this.count = 0; // chunks applied, i.e. the seq the next batch must start at
    this.batches = 0; // batches applied
    this.bytes = 0;
    this.timeline = new Timeline();
    this.items = this.timeline.items; // top-level items, in order
    this.nodes = this.timeline.nodes; // node name -> number of its items
    this.pending = new Map(); // seq -> batch that came early
    for (const listener of this.listeners) listener(null);
  }

  /** Apply a batch; returns false if it came early (kept until the gap is filled). */
  add(batch) {
    if (batch.seq < this.count) return true; // already have it (snapshot and message overlap)
    if (batch.seq > this.count) {
      this.pending.set(batch.seq, batch);
      return false;
    }
    for (let b = batch; b; b = this.pending.get(this.count)) {
      this.pending.delete(b.seq);
      for (let i = 0; i < b.lines.length; i++) {
        const line = b.lines[i];
        this.bytes += line.length;
        try {
          this.timeline.ingest(b.seq + i, b.events[i], line, b.t[i]);
        } catch (err) {
          // One chunk the view cannot read must not stop the run's view: show it as text.
          console.error("lgwidget: could not show chunk", b.seq + i, err);
          this.timeline.unreadable(b.seq + i, b.events[i], line, b.t[i]);
        }
      }
      this.count = b.seq + b.lines.length;
      this.batches += 1;
    }
    const { added, changed } = this.timeline.drain();
    for (const listener of this.listeners) listener(added, changed);
    return true;
  }

  /** The run ended: nothing in it is still streaming, whatever its modes sent. */
  finish() {
    const { added, changed } = this.timeline.finish();
    if (added.length || changed.length) for (const listener of this.listeners) listener(added, changed);
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Does an item pass the filter? `node` is exact ("" for all); `text` is a case-blind substring. */
export function matches(item, filter) {
  if (filter.hideValues && item.kind === "values") return false;
  if (item.children?.some((child) => matches(child, filter))) return true;
  if (filter.node && item.node !== filter.node && item.title !== filter.node) return false;
  if (!filter.text) return true;
  const needle = filter.text.toLowerCase();
  if (safeText(item.title).toLowerCase().includes(needle)) return true;
  // Growing items (tokens, tasks) are searched afresh; the others once.
  const text = item.searchText ?? textOf(item.kind === "message" ? item.text : item.data).join("\n").toLowerCase();
  if (item.done !== false && item.kind !== "node") item.searchText = text;
  return text.includes(needle);
}

/** Every key and scalar of a value as text, as a user reads them (not JSON-escaped). */
export function textOf(value, out = []) {
  if (value === null || value === undefined) return out;
  if (typeof value !== "object") {
    out.push(String(value));
  } else if (Array.isArray(value)) {
    for (const v of value) textOf(v, out);
  } else {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      textOf(v, out);
    }
  }
  return out;
}

/** Is this value a LangChain message (a dict with type/role and content)? */
export function isMessage(value) {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    "content" in value &&
    (typeof value.type === "string" || typeof value.role === "string")
  );
}

// A Map, not an object literal: a message typed "constructor" must not find Object's method.
const ROLE_NAMES = new Map([
  ["human", "user"], ["Human", "user"], ["ai", "assistant"], ["AI", "assistant"],
  ["Tool", "tool"], ["System", "system"],
]);

/** The speaker of a message, in the words a user expects. */
export function messageRole(message) {
  const raw = safeText(message.role ?? message.type).replace(/MessageChunk$|Message$/, "");
  return ROLE_NAMES.get(raw) ?? raw.toLowerCase();
}

/** A message's text: a string, or the text parts of a list of content blocks. */
export function messageText(message) {
  const content = message.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((block) => (typeof block === "string" ? block : block?.type === "text" ? safeText(block.text) : ""))
      .join("");
  }
  return content == null ? "" : JSON.stringify(content);
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatSeconds(ms) {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
