// Where a run's time and tokens went, from the timeline's items. Pure (no DOM); the same rules as
// lgwidget/_stats.py (`w.stats()`):
//
// - Time: one bar per node run. A task (stream mode `tasks` or `debug`) is exact: debug's
//   timestamps, or the arrival of the task's start and result events (sent as it starts and
//   ends). A node or update item is approximate: it starts when the step before it ended (the
//   timeline's estimate, the one its panel shows) and ends when its update arrives.
// - Tokens: `usage_metadata` of messages (messages-tuple, messages/complete, updates, values,
//   task results), each message id once, for the node that produced it (the innermost one: a
//   subgraph's node before the subgraph that returns its messages again).
import { safeText } from "./text.js";
import { branchLabel } from "./timeline.js";

export const SEPARATOR = " › ";
/** Tokens of messages seen only in a state (values) that no single node can be named for. */
export const STATE = "(state)";
const SAME_MOMENT_MS = 2; // arrival times are whole ms: a step follows the one before within this

const WORK = new Set(["task", "node", "update"]);

/**
 * The run's numbers: `bars` (one per node run, in timeline order, a subgraph's under its
 * parent: { item, key, name, label, depth, parent, start, end, exact, running, lane, critical }),
 * `rows` (one per node: { key, runs, total, max, share, input, output, slowest, costliest }),
 * `origin` and `span` (ms from the first run's start to the last end), `exact`, and token
 * `totals`. A row's `share` is its time over the span: parallel runs can add up to more than 1.
 */
export function runStats(items) {
  const bars = [];
  const now = { t: 0 };
  collect(items, 0, null, bars, now);
  for (const bar of bars) {
    if (bar.running) bar.end = Math.max(bar.start, now.t);
  }
  const top = bars.filter((bar) => bar.depth === 0);
  const start = Math.min(...top.map((b) => b.start), Infinity);
  const end = Math.max(...top.map((b) => b.end), -Infinity);
  // From the first run's start: the wait for a worker before it is no node's.
  const origin = top.length ? Math.max(0, start) : 0;
  const span = top.length ? Math.max(0, end - origin) : 0;
  assignLanes(bars);
  markCritical(top, bars);
  const usage = usageOf(items);
  const rows = new Map();
  const row = (key) => rows.get(key) ?? rows.set(key, { key, runs: 0, total: 0, max: 0, share: 0, input: 0, output: 0, slowest: false, costliest: false }).get(key);
  for (const bar of bars) {
    const r = row(bar.key);
    const took = bar.end - bar.start;
    r.runs += 1;
    r.total += took;
    r.max = Math.max(r.max, took);
  }
  for (const { key, input, output } of usage.values()) {
    const r = row(key);
    r.input += input;
    r.output += output;
  }
  const list = [...rows.values()];
  for (const r of list) r.share = span > 0 ? r.total / span : 0;
  mark(list, (r) => r.total, "slowest");
  mark(list, (r) => r.input + r.output, "costliest");
  const totals = { input: 0, output: 0 };
  for (const r of list) {
    totals.input += r.input;
    totals.output += r.output;
  }
  return { bars, rows: list, origin, span, exact: bars.length > 0 && bars.every((b) => b.exact), totals };
}

/** Input and output tokens of the whole run (what the header shows), each message once. */
export function tokenTotals(items) {
  const totals = { input: 0, output: 0 };
  for (const { input, output } of usageOf(items).values()) {
    totals.input += input;
    totals.output += output;
  }
  return totals;
}

function mark(rows, measure, flag) {
  let best = null;
  for (const r of rows) if (measure(r) > 0 && (!best || measure(r) > measure(best))) best = r;
  if (best) best[flag] = true;
}

// -- bars ------------------------------------------------------------------------------------

function collect(items, depth, parent, out, now) {
  for (const item of items) {
    now.t = Math.max(now.t, finite(item.t), finite(item.tEnd));
    if (!WORK.has(item.kind)) continue;
    const bar = barOf(item, depth, parent);
    out.push(bar);
    if (item.children) collect(item.children, depth + 1, bar, out, now);
  }
}

function barOf(item, depth, parent) {
  const name = safeText(item.node ?? item.title);
  const start = item.start ?? item.t ?? 0;
  let end;
  let exact = false;
  let running = false;
  if (item.kind === "task") {
    exact = true;
    if (Number.isFinite(item.duration)) end = start + Math.max(0, item.duration);
    else if (item.tEnd !== undefined) end = item.tEnd;
    else running = !item.done;
  } else if (item.kind === "node") {
    if (item.tEnd !== undefined) end = item.tEnd;
    else if (item.done === false) running = true;
    else end = lastTime(item) ?? start;
  } else {
    end = item.t ?? start;
  }
  return {
    item, name, key: parent ? `${parent.key}${SEPARATOR}${name}` : name, label: branchLabel(item),
    depth, parent, start, end: end === undefined ? start : Math.max(start, end), exact, running, lane: 0, critical: false,
  };
}

function lastTime(item) {
  let t;
  for (const child of item.children ?? []) {
    const c = Math.max(finite(child.t), finite(child.tEnd), lastTime(child) ?? -Infinity);
    if (Number.isFinite(c)) t = Math.max(t ?? c, c);
  }
  return t;
}

const finite = (value) => (Number.isFinite(value) ? value : -Infinity);

function childrenOf(bars) {
  const groups = new Map();
  for (const bar of bars) (groups.get(bar.parent) ?? groups.set(bar.parent, []).get(bar.parent)).push(bar);
  return groups;
}

/** Parallel runs of one container each get their own lane: the first lane free at their start. */
function assignLanes(bars) {
  for (const group of childrenOf(bars).values()) {
    const ends = [];
    for (const bar of [...group].sort((a, b) => a.start - b.start)) {
      let lane = ends.findIndex((end) => end <= bar.start + SAME_MOMENT_MS);
      if (lane < 0) lane = ends.length;
      ends[lane] = bar.end;
      bar.lane = lane;
    }
  }
}

/**
 * The critical path: the runs the end of the run waited for. From the run that ended last, back
 * through the run that ended last before it started, and so on; inside a critical run that has
 * runs of its own (a subgraph), the same again.
 */
function markCritical(siblings, bars, children = childrenOf(bars)) {
  if (!siblings.length) return;
  let current = siblings.reduce((a, b) => (b.end > a.end ? b : a));
  const seen = new Set();
  while (current && !seen.has(current)) {
    seen.add(current);
    current.critical = true;
    markCritical(children.get(current) ?? [], bars, children);
    let before = null;
    for (const b of siblings) {
      if (b === current || seen.has(b) || b.end > current.start + SAME_MOMENT_MS) continue;
      if (!before || b.end > before.end) before = b;
    }
    current = before;
  }
}

// -- tokens ----------------------------------------------------------------------------------

const scanned = new WeakMap(); // finished item -> the usages it holds itself

/** message id -> { key, input, output }: each message once, for the innermost node that has it. */
function usageOf(items) {
  const found = new Map();
  const join = (prefix, name) => (prefix ? `${prefix}${SEPARATOR}${name}` : name);
  // `prefix`: the key of the node item the list sits in, `inside` its name.
  const walk = (list, prefix, inside) => {
    for (const item of list) {
      const name = WORK.has(item.kind) ? safeText(item.node ?? item.title) : undefined;
      const key = name === undefined ? prefix : join(prefix, name);
      // Children first: a subgraph's node named its messages before the subgraph returned them.
      if (item.children) walk(item.children, key, name);
      for (const use of ownUsage(item)) {
        let owner = key;
        if (item.kind === "message") owner = safeText(item.title) === inside ? prefix : join(prefix, safeText(item.title));
        else if (item.kind === "values") owner = item.after?.length === 1 ? join(prefix, safeText(item.after[0])) : STATE;
        note(found, use, owner || STATE);
      }
    }
  };
  walk(items, "", undefined);
  return found;
}

function note(found, use, key) {
  const before = found.get(use.id);
  if (!before) found.set(use.id, { key, input: use.input, output: use.output });
  else {
    if (before.key === STATE && key !== STATE) before.key = key;
    if (use.input + use.output > before.input + before.output) Object.assign(before, { input: use.input, output: use.output });
  }
}

/** The usages an item holds itself (not in its children). */
function ownUsage(item) {
  if (item.kind === "message") return item.usage ? [usage(item.usage, item.messageId)] : [];
  const cached = scanned.get(item);
  if (cached) return cached;
  const out = [];
  if (item.kind === "update") scan(item.data, out);
  else if (item.kind === "node" || item.kind === "task") {
    scan(item.update, out);
    if (item.kind === "task") scan(item.data?.result, out);
  } else if (item.kind === "values") scanState(item, out);
  if (item.done !== false) scanned.set(item, out);
  return out;
}

/** A state's messages that may be new: the keys that changed, of a grown list only its end. */
function scanState(item, out) {
  const { diff, appended = {}, data } = item;
  for (const key of [...(diff?.added ?? []), ...(diff?.changed ?? [])]) {
    const value = data?.[key];
    scan(Array.isArray(value) && appended[key] ? value.slice(value.length - appended[key]) : value, out, 1);
  }
}

/** Messages with usage in a value: itself, a list, a dict of them, or [channel, value] pairs. */
function scan(value, out, depth = 0) {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    if (depth < 3) for (const v of value) scan(v, out, depth + 1);
    return;
  }
  if ("usage_metadata" in value) {
    const u = value.usage_metadata;
    if (u !== null && typeof u === "object") out.push(usage(u, typeof value.id === "string" ? value.id : undefined));
    return;
  }
  if (depth < 2) for (const v of Object.values(value)) scan(v, out, depth + 1);
}

let anonymous = 0;
function usage(u, id) {
  const count = (v) => (Number.isInteger(v) && v > 0 ? v : 0);
  return { id: id ?? `#${anonymous++}`, input: count(u.input_tokens), output: count(u.output_tokens) };
}
