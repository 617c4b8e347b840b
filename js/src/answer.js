// Answering an interrupt: controls fitted to what the graph asks, and the value they answer
// with. Four shapes: Agent Inbox's HumanInterrupt, LangChain v1's human-in-the-loop request, a
// value with a response_schema, and anything else. What the user types is data: JSON.parse or
// text, checked by `validate`, never evaluated; what the graph sends is set as text. Imports
// only text.js and dom.js; bodies.js takes its shape detection from here.
import { safeText } from "./text.js";
import { h } from "./dom.js";

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// -- shapes ------------------------------------------------------------------------------

/** An interrupt as on the wire ({value, id, response_schema}) or a bare value: its parts. */
export function interruptParts(entry) {
  const isEntry = isObj(entry) && "value" in entry;
  return { value: isEntry ? entry.value : entry, schema: isEntry && isObj(entry.response_schema) ? entry.response_schema : null };
}

/** Agent Inbox's HumanInterrupt: {action_request: {action, args}, config, description}. */
const isInboxRequest = (v) => isObj(v) && isObj(v.action_request) && "action" in v.action_request;

/** The Agent Inbox requests of a value (a list of HumanInterrupts, or one), or null. */
export function inboxRequests(value) {
  if (Array.isArray(value)) return value.length && value.every(isInboxRequest) ? value : null;
  return isInboxRequest(value) ? [value] : null;
}

/** LangChain v1 human-in-the-loop: {action_requests: [{name, args, description}], review_configs}. */
const isHitlRequest = (v) => isObj(v) && Array.isArray(v.action_requests);

/** The review config of a HITL request's i-th action (the one at its place, else by name), or null. */
export function reviewConfig(value, i) {
  const configs = Array.isArray(value.review_configs) ? value.review_configs : [];
  const request = value.action_requests[i];
  const name = isObj(request) ? request.name : request;
  const atPlace = isObj(configs[i]) ? configs[i] : null;
  if (atPlace?.action_name === name) return atPlace;
  return configs.find((c) => isObj(c) && c.action_name === name) ?? atPlace;
}

/** Which controls answer this interrupt: "inbox" | "hitl" | "schema" | "value". */
export function shapeOf(entry) {
  const { value, schema } = interruptParts(entry);
  if (inboxRequests(value)) return "inbox";
  if (isHitlRequest(value)) return "hitl";
  return schema ? "schema" : "value";
}

// -- validation ----------------------------------------------------------------------------

const TYPE_WORDS = { string: "a string", number: "a number", integer: "an integer", boolean: "true or false", object: "an object", array: "a list", null: "null" };

function hasType(value, type) {
  switch (type) {
    case "string": return typeof value === "string";
    case "number": return typeof value === "number"; // JSON has no NaN or Infinity
    case "integer": return Number.isInteger(value);
    case "boolean": return typeof value === "boolean";
    case "object": return isObj(value);
    case "array": return Array.isArray(value);
    case "null": return value === null;
    default: return true; // a type this validator does not know is not the user's error
  }
}

const show = (v) => JSON.stringify(v) ?? String(v);
const ROOT = "the answer"; // the whole value; its fields are named by their own title or key
const titleOrKey = (schema, key) => (isObj(schema) && typeof schema.title === "string" && schema.title ? schema.title : key);
const fieldName = (parent, key, schema) => (parent === ROOT ? titleOrKey(schema, key) : `${parent}.${titleOrKey(schema, key)}`);

function regexOf(pattern) {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return null; // a pattern JavaScript cannot read is ignored, not held against the answer
  }
}

/** A local "#/$defs/x" reference, resolved against the root schema. */
function resolve(schema, root) {
  if (!isObj(schema) || typeof schema.$ref !== "string" || !schema.$ref.startsWith("#")) return schema;
  let target = root;
  for (const part of schema.$ref.slice(1).split("/").filter(Boolean)) target = isObj(target) ? target[part] : undefined;
  return isObj(target) ? target : {};
}

/**
 * What is wrong with `value` for a JSON Schema, as plain sentences naming the field; [] when
 * nothing is. Supports type (and type lists), enum, const, required, properties,
 * additionalProperties: false, items, min/maxItems, minimum/maximum (and exclusive), min/maxLength,
 * pattern, anyOf/oneOf/allOf and local $ref; other keywords are ignored.
 */
export function validate(schema, value, name = ROOT, root = schema) {
  schema = resolve(schema, root);
  if (!isObj(schema)) return [];
  const errors = [];
  const types = Array.isArray(schema.type) ? schema.type : typeof schema.type === "string" ? [schema.type] : [];
  if (types.length && !types.some((t) => hasType(value, t))) {
    return [`${name} must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(" or ")}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((v) => same(v, value))) errors.push(`${name} must be one of: ${schema.enum.map(show).join(", ")}`);
  if ("const" in schema && !same(schema.const, value)) errors.push(`${name} must be ${show(schema.const)}`);
  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof schema.minLength === "number" && length < schema.minLength) errors.push(`${name} must be at least ${schema.minLength} characters`);
    if (typeof schema.maxLength === "number" && length > schema.maxLength) errors.push(`${name} must be at most ${schema.maxLength} characters`);
    const regex = typeof schema.pattern === "string" ? regexOf(schema.pattern) : null;
    if (regex && !regex.test(value)) errors.push(`${name} must match the pattern ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${name} must be at least ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) errors.push(`${name} must be at most ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) errors.push(`${name} must be more than ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) errors.push(`${name} must be less than ${schema.exclusiveMaximum}`);
  }
  if (isObj(value)) errors.push(...objectErrors(schema, value, name, root));
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) errors.push(`${name} must have at least ${schema.minItems} items`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) errors.push(`${name} must have at most ${schema.maxItems} items`);
    if (isObj(schema.items)) value.forEach((v, i) => errors.push(...validate(schema.items, v, `${name}[${i}]`, root)));
  }
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf) errors.push(...validate(part, value, name, root));
  const fits = (list) => list.filter((part) => validate(part, value, name, root).length === 0).length;
  if (Array.isArray(schema.anyOf) && schema.anyOf.length && fits(schema.anyOf) === 0) errors.push(`${name} does not match any of the forms allowed`);
  if (Array.isArray(schema.oneOf) && schema.oneOf.length && fits(schema.oneOf) !== 1) errors.push(`${name} must match exactly one of the forms allowed`);
  return errors;
}

function objectErrors(schema, value, name, root) {
  const errors = [];
  const props = isObj(schema.properties) ? schema.properties : {};
  for (const key of Array.isArray(schema.required) ? schema.required : []) {
    if (!Object.hasOwn(value, key)) errors.push(`${fieldName(name, key, Object.hasOwn(props, key) ? props[key] : null)} is required`);
  }
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(props, key)) errors.push(...validate(props[key], value[key], fieldName(name, key, resolve(props[key], root)), root));
    else if (schema.additionalProperties === false) errors.push(`${name} has a field "${key}" that is not allowed`);
  }
  return errors;
}

/** JSON equality: same scalars, same lists in order, same keys with equal values. */
function same(a, b) {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (!isObj(a) || !isObj(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

// -- fields: each { el, read() → {value} | {errors}, focus() } -----------------------------

let lastId = 0;
const newId = () => `lgw-answer-${++lastId}`;
const ok = (value) => ({ value });
const then = (result, f) => (result.errors ? result : ok(f(result.value)));

/** A label tied to its control, a required mark, a hint (all set as text). */
function field(label, control, { hint, required = false, after = false } = {}) {
  control.id = newId();
  if (required) control.setAttribute("aria-required", "true");
  const labelEl = h("label", { for: control.id, className: "lgw-answer-name", text: label },
    required ? h("span", { className: "lgw-answer-required", text: " *", title: "required" }) : null);
  const hintEl = hint ? h("div", { className: "lgw-answer-hint", id: `${control.id}-hint`, text: hint }) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  const el = h("div", { className: `lgw-answer-field${after ? " lgw-answer-check" : ""}` }, ...(after ? [control, labelEl] : [labelEl, control]), hintEl);
  return el;
}

/** Text: one line, or a textarea for text with line breaks or longer than a line. */
function textField(label, initial = "") {
  const long = initial.includes("\n") || initial.length > 80;
  const control = long ? h("textarea", { className: "lgw-answer-input", rows: "4" }) : h("input", { type: "text", className: "lgw-answer-input" });
  control.value = initial;
  return { el: field(label, control), read: () => ok(control.value), focus: () => control.focus() };
}

/** JSON typed by the user: JSON.parse, the parser's message when it fails. */
export function parseJson(text, label) {
  if (!text.trim()) return { errors: [`${label} is empty: type a JSON value`] };
  try {
    return ok(JSON.parse(text));
  } catch (error) {
    return { errors: [`${label} is not valid JSON: ${error.message}`] };
  }
}

function jsonField(label, initial) {
  const control = h("textarea", { className: "lgw-answer-input lgw-answer-json", rows: "4", spellcheck: "false" });
  control.value = initial === undefined ? "" : JSON.stringify(initial, null, 2);
  return { el: field(label, control, { hint: "JSON" }), read: () => parseJson(control.value, label), focus: () => control.focus() };
}

/** A free text answer; `required` refuses an empty one. */
function messageField(label, { required }) {
  const control = h("textarea", { className: "lgw-answer-input", rows: "3" });
  const read = () => (required && !control.value.trim() ? { errors: [`${label}: type some text`] } : ok(control.value));
  return { el: field(label, control, { required }), read, focus: () => control.focus() };
}

/** An action's arguments: a field per top-level argument (text for strings, JSON for the rest). */
function argsEditor(args, title, schema) {
  // Arguments with keys: a field each. None, or not an object: one JSON box (keys can be added).
  const keyed = isObj(args) && Object.keys(args).length > 0;
  const fields = keyed
    ? Object.entries(args).map(([key, v]) => [key, typeof v === "string" ? textField(key, v) : jsonField(key, v)])
    : [[null, jsonField(`${title} arguments`, args)]];
  const el = h("div", { className: "lgw-answer-editor", role: "group", "aria-label": `arguments of ${title}` }, ...fields.map(([, f]) => f.el));
  const read = () => {
    const results = fields.map(([key, f]) => [key, f.read()]);
    const errors = results.flatMap(([key, r]) => (r.errors ?? []).map((e) => (key === null ? e : `${title}: ${e}`)));
    if (errors.length) return { errors };
    // fromEntries makes a key named "__proto__" a key, not the object's prototype
    const value = keyed ? Object.fromEntries(results.map(([key, r]) => [key, r.value])) : results[0][1].value;
    const wrong = isObj(schema) ? validate(schema, value, `${title} arguments`) : [];
    return wrong.length ? { errors: wrong } : ok(value);
  };
  return { el, read, focus: () => fields[0][1].focus() };
}

// -- inbox and hitl: one row of choices per request -----------------------------------------

/**
 * A request's row: its title, a button per allowed choice, the pane of the chosen one (an
 * editor, a text box). `choices` are {type, label, pane?}; `onPick(type)` after each pick.
 */
function choiceRow(title, choices, onPick) {
  let chosen = null;
  const pick = (choice) => {
    chosen = choice.type;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.type === choice.type));
    for (const c of choices) if (c.pane) c.pane.el.hidden = c !== choice;
    choice.pane?.focus();
    onPick(choice.type);
  };
  const buttons = choices.map((c) => h("button", { type: "button", className: "lgw-answer-choice", "aria-pressed": "false", "data-type": c.type, text: c.label, onclick: () => pick(c) }));
  const panes = choices.filter((c) => c.pane).map((c) => c.pane.el);
  for (const pane of panes) pane.hidden = true;
  const el = h("div", { className: "lgw-answer-request", role: "group", "aria-label": title },
    h("div", { className: "lgw-answer-label", text: title }),
    choices.length ? h("div", { className: "lgw-answer-choices" }, ...buttons) : h("div", { className: "lgw-answer-hint", text: "Its config allows no response: answer from Python with w.resume(...)." }),
    ...panes);
  return { el, chosen: () => chosen };
}

/** Rows of requests answered together: ready when each has a choice; the answers in order. */
function rowsControls(rows, wrap) {
  return {
    el: h("div", { className: "lgw-answer-requests" }, ...rows.map((r) => r.el)),
    ready: () => rows.every((r) => r.chosen() !== null),
    read: () => {
      const results = rows.map((r) => (r.chosen() === null ? { errors: [`${r.title}: choose a response`] } : r.read(r.chosen())));
      const errors = results.flatMap((r) => r.errors ?? []);
      return errors.length ? { errors } : ok(wrap(results.map((r) => r.value)));
    },
  };
}

const titleOf = (name, i, n) => (n > 1 ? `${i + 1}. ${safeText(name)}` : safeText(name));

const INBOX = [
  { flag: "allow_accept", type: "accept", label: "Accept" },
  { flag: "allow_edit", type: "edit", label: "Edit" },
  { flag: "allow_respond", type: "response", label: "Respond" },
  { flag: "allow_ignore", type: "ignore", label: "Ignore" },
];

/** Agent Inbox: a list of responses, one per request ({type, args}). */
function inboxControls(requests, form) {
  const rows = requests.map((request, i) => {
    const action = request.action_request;
    const title = titleOf(action.action, i, requests.length);
    const config = isObj(request.config) ? request.config : {};
    const panes = { edit: argsEditor(action.args, title), response: messageField(`response to ${title}`, { required: true }) };
    const choices = INBOX.filter((c) => config[c.flag] === true).map((c) => ({ ...c, pane: panes[c.type] }));
    // One request: accept and ignore need nothing more, so they answer at once.
    const row = choiceRow(title, choices, (type) => (requests.length === 1 && !panes[type] ? form.send() : form.changed()));
    row.title = title;
    row.read = (type) => {
      if (type === "edit") return then(panes.edit.read(), (args) => ({ type, args: { action: action.action, args } }));
      if (type === "response") return then(panes.response.read(), (text) => ({ type, args: text }));
      return ok({ type, args: null });
    };
    return row;
  });
  return rowsControls(rows, (responses) => responses);
}

const HITL = [
  { type: "approve", label: "Approve" },
  { type: "edit", label: "Edit" },
  { type: "reject", label: "Reject" },
];

/** LangChain v1: {decisions: [one per action, in order]}. */
function hitlControls(value, form) {
  const n = value.action_requests.length;
  const rows = value.action_requests.map((request, i) => {
    const r = isObj(request) ? request : { name: request };
    const title = titleOf(r.name, i, n);
    const config = reviewConfig(value, i);
    const allowed = Array.isArray(config?.allowed_decisions) ? config.allowed_decisions : HITL.map((c) => c.type);
    const panes = { edit: argsEditor(r.args, title, config?.args_schema), reject: messageField(`why reject ${title} (optional)`, { required: false }) };
    const row = choiceRow(title, HITL.filter((c) => allowed.includes(c.type)).map((c) => ({ ...c, pane: panes[c.type] })), () => form.changed());
    row.title = title;
    row.read = (type) => {
      if (type === "edit") return then(panes.edit.read(), (args) => ({ type, edited_action: { name: r.name, args } }));
      if (type === "reject") return then(panes.reject.read(), (message) => (message.trim() ? { type, message } : { type }));
      return ok({ type });
    };
    return row;
  });
  return rowsControls(rows, (decisions) => ({ decisions }));
}

// -- schema form ---------------------------------------------------------------------------

const SIMPLE = new Set(["string", "number", "integer", "boolean"]);
const isSimple = (s) => isObj(s) && ((Array.isArray(s.enum) && s.enum.length > 0) || SIMPLE.has(s.type));
const isFlatObject = (s) => (s.type === "object" || s.type === undefined) && isObj(s.properties) &&
  Object.keys(s.properties).length > 0 && Object.values(s.properties).every(isSimple);

/**
 * One control for a simple schema. `read()` gives {value}, {value: undefined} when left empty
 * (an empty text is no answer), or {errors} when the browser holds text that is no number.
 */
function schemaField(schema, label, required) {
  const hint = typeof schema.description === "string" && schema.description ? schema.description : undefined;
  if (Array.isArray(schema.enum) && schema.enum.length) {
    // No default among the values: an empty first choice, so nothing is chosen for the user.
    const at = "default" in schema ? schema.enum.findIndex((v) => same(v, schema.default)) : -1;
    const control = h("select", { className: "lgw-answer-input" },
      at >= 0 ? null : h("option", { value: "", text: "choose…" }),
      ...schema.enum.map((v, i) => h("option", { value: String(i), text: typeof v === "string" ? v : show(v) })));
    if (at >= 0) control.value = String(at);
    return { el: field(label, control, { hint, required }), read: () => ok(control.value === "" ? undefined : schema.enum[Number(control.value)]) };
  }
  if (schema.type === "boolean") {
    const control = h("input", { type: "checkbox", className: "lgw-answer-checkbox" });
    control.checked = schema.default === true;
    return { el: field(label, control, { hint, required, after: true }), read: () => ok(control.checked) };
  }
  if (schema.type === "number" || schema.type === "integer") {
    const control = h("input", { type: "number", className: "lgw-answer-input", step: schema.type === "integer" ? "1" : "any" });
    if (typeof schema.default === "number") control.value = String(schema.default);
    const read = () => {
      const text = control.value.trim();
      if (control.validity.badInput || (text && !Number.isFinite(Number(text)))) return { errors: [`${label} must be a number`] };
      return ok(text === "" ? undefined : Number(text));
    };
    return { el: field(label, control, { hint, required }), read };
  }
  const control = h("input", { type: "text", className: "lgw-answer-input" });
  if (typeof schema.default === "string") control.value = schema.default;
  return { el: field(label, control, { hint, required }), read: () => ok(control.value === "" ? undefined : control.value) };
}

/** A form from a JSON Schema: a field, a field per property, or a JSON box for the rest. */
function schemaControls(schema) {
  if (isSimple(schema)) {
    const label = titleOrKey(schema, "answer");
    const f = schemaField(schema, label, true);
    return { el: f.el, read: f.read, name: label, missing: (v) => (v === undefined ? [`${label} is required`] : []) };
  }
  if (isFlatObject(schema)) {
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const fields = Object.entries(schema.properties).map(([key, prop]) => [key, schemaField(prop, titleOrKey(prop, key), required.has(key))]);
    const read = () => {
      const results = fields.map(([key, f]) => [key, f.read()]);
      const errors = results.flatMap(([, r]) => r.errors ?? []);
      return errors.length ? { errors } : ok(Object.fromEntries(results.filter(([, r]) => r.value !== undefined).map(([key, r]) => [key, r.value])));
    };
    return { el: h("div", { className: "lgw-answer-fields" }, ...fields.map(([, f]) => f.el)), read };
  }
  const f = jsonField(titleOrKey(schema, "answer"), schema.default);
  return { el: f.el, read: f.read };
}

// -- any other value -----------------------------------------------------------------------

/** A text box, sent as text unless the user picks JSON. */
function valueControls() {
  const box = h("textarea", { className: "lgw-answer-input", rows: "3" });
  const mode = h("select", { className: "lgw-answer-input" }, h("option", { value: "text", text: "text" }), h("option", { value: "json", text: "JSON" }));
  const read = () => {
    if (mode.value === "json") return parseJson(box.value, "the answer");
    return box.value === "" ? { errors: ["type an answer (to send an empty text, pick JSON and type \"\")"] } : ok(box.value);
  };
  return {
    el: h("div", { className: "lgw-answer-fields" },
      field("answer", box, { hint: "Sent as text, as typed. Pick JSON to send a number, true/false, null, a list or an object." }),
      field("send as", mode)),
    read,
  };
}

// -- the form ------------------------------------------------------------------------------

/**
 * Controls that answer one interrupt. Calls `submit(value)` once, with the value for this
 * interrupt, when the answer is valid; until then the errors show under the form. After that
 * the controls are disabled and the form says "sending…" (the view replaces it on resume).
 */
export function answerForm(entry, submit) {
  const { value, schema } = interruptParts(entry);
  const shape = shapeOf(entry);
  const errorBox = h("div", { className: "lgw-answer-error", role: "alert" });
  const sending = h("div", { className: "lgw-answer-sending", text: "sending…", hidden: "" });
  const submitButton = h("button", { type: "button", className: "lgw-answer-submit", text: "Submit", onclick: () => form.send() });
  const root = h("div", { className: `lgw-answer lgw-answer-${shape}`, "data-shape": shape });
  let sent = false;
  const setEnabled = (on) => {
    for (const c of root.querySelectorAll("button, input, textarea, select")) c.disabled = !on;
  };
  const form = {
    changed: () => {
      submitButton.disabled = controls.ready ? !controls.ready() : false;
    },
    send: () => {
      if (sent) return;
      const result = controls.read();
      let errors = result.errors ?? controls.missing?.(result.value) ?? [];
      // A recognised shape with a response_schema too: its answer must fit the schema as well.
      if (!errors.length && schema) errors = validate(schema, result.value, controls.name);
      errorBox.replaceChildren(...errors.map((text) => h("div", { text })));
      if (errors.length) return;
      sent = true;
      setEnabled(false);
      sending.hidden = false;
      try {
        submit(result.value);
      } catch (error) {
        sent = false;
        sending.hidden = true;
        setEnabled(true);
        errorBox.replaceChildren(h("div", { text: `could not send the answer: ${error?.message ?? error}` }));
      }
    },
  };
  const controls = shape === "inbox" ? inboxControls(inboxRequests(value), form)
    : shape === "hitl" ? hitlControls(value, form)
      : shape === "schema" ? schemaControls(schema) : valueControls();
  root.append(controls.el, h("div", { className: "lgw-answer-actions" }, submitButton, sending), errorBox);
  // Enter in a one-line field answers, as in any form; in a text box it is a line break.
  root.addEventListener("keydown", (event) => {
    const t = event.target;
    if (event.key !== "Enter" || event.isComposing || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
    if (!["text", "number"].includes(t.type)) return; // not a textarea ("textarea"), select or checkbox
    event.preventDefault();
    form.send();
  });
  form.changed();
  return root;
}

// -- summary -------------------------------------------------------------------------------

const SUMMARY_CHARS = 80;
const cut = (text) => (text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text);
const typed = (list) => list.length > 0 && list.every((v) => isObj(v) && typeof v.type === "string");
const listed = (types, plural) => (types.length === 1 ? types[0] : `${types.length} ${plural}: ${types.join(", ")}`);

/** An answer in a few words, for a "resumed with …" marker: "accept", "2 decisions: approve, reject", or one line of JSON. */
export function answerSummary(value) {
  if (Array.isArray(value) && typed(value)) return cut(listed(value.map((v) => v.type), "responses"));
  if (isObj(value) && Array.isArray(value.decisions) && typed(value.decisions)) return cut(listed(value.decisions.map((d) => d.type), "decisions"));
  // Text as it reads, on one line; anything else as JSON.
  return cut(typeof value === "string" ? value.replace(/\s+/g, " ").trim() : JSON.stringify(value) ?? "nothing");
}
