// Values from the server as a reader reads them. A leaf: no DOM, and no import from src, so
// every layer may use it.

/** Any value from the server as text, even one whose own `toString` is not a function. */
export function safeText(value) {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Text without zero-width characters, so a filter finds "re\u200bview" by typing "review". */
export function normalize(text) {
  return String(text).replace(/[\u200b-\u200d\ufeff]/g, "");
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
const ROLE_NAMES = new Map([["human", "user"], ["ai", "assistant"]]);

/**
 * The speaker of a message (or of a message item, which keeps the message's `role ?? type`
 * as `role`), in the words a user expects. A streamed chunk without a type is the model's.
 */
export function messageRole(message) {
  const raw = message.role ?? message.type;
  if (raw === undefined || raw === null) return "assistant";
  const name = safeText(raw).replace(/MessageChunk$|Message$/, "").toLowerCase();
  return ROLE_NAMES.get(name) ?? name;
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
