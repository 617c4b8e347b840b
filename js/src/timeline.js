// The timeline: what the chunks of every stream mode mean to a reader, as items that may grow.
// Pure (no DOM). One coherent timeline whatever modes are combined:
//
// - `updates`: one item per node update. A node that is seen working before its update arrives
//   (its tokens, its subgraph's events) gets a *node* item at once; its update later fills that
//   same item instead of making a second one. So tokens and the final message are not shown
//   twice, and a subgraph's panels sit inside their parent node's panel.
// - `messages` (messages-tuple) and `messages/partial|complete`: one message item per message
//   id, its text growing token by token, under the node that produced it (`langgraph_node`).
// - `values`: a state item per step with its difference from the previous state.
// - `custom`: in its subgraph when the event names one, else in the timeline.
// - `debug` and `tasks`: a task's start and result joined in one item, with its duration.
// - `events`: compact items.
// - `error`: an error item; any other chunk: one generic `event` item; `metadata`: none.
import { TRUNCATED, nameOf, parse, splitEvent } from "./protocol.js";
import { messageText, normalize, safeText, textOf } from "./text.js";

export class Timeline {
  constructor() {
    this.items = []; // top-level items, in order
    this.nodes = new Map(); // node name -> number of its items
    this.modes = new Set();
    this.added = []; // top-level items added since the last drain()
    this.changed = new Set(); // items whose content changed since the last drain()
    this.nextId = 0;
    this.root = { children: this.items, open: new Map() }; // node name -> its open node items
    this.groups = new Map(); // subgraph path key -> node item of the parent
    this.messages = new Map(); // message id -> message item
    this.messageNodes = new Map(); // message id -> node (messages/metadata)
    this.tasks = new Map(); // task id -> task item
    this.lastValues = new Map(); // path key -> previous state
    this.finalState = undefined;
    this.interrupts = new Set(); // interrupt ids already shown (updates, values and tasks all say it)
  }

  /** What changed since the last call: { added: top-level items, changed: items }. */
  drain() {
    const out = { added: this.added, changed: [...this.changed] };
    this.added = [];
    this.changed = new Set();
    return out;
  }

  ingest(index, event, line, t) {
    const { mode, path } = splitEvent(event);
    this.modes.add(mode);
    if (mode === "metadata") return;
    const data = parse(line);
    const base = { index, event, mode, t, bytes: line ? line.length : 0 };
    if (data && typeof data === "object" && data[TRUNCATED] !== undefined) {
      this.place({ ...base, kind: "truncated", title: mode, data }, path);
    } else if (mode === "error") {
      const err = data && typeof data === "object" ? data : { message: String(data) };
      const node = typeof err.node === "string" && err.node ? err.node : undefined;
      this.place({ ...base, kind: "error", title: safeText(err.error ?? "Error"), data: err, raisedIn: node }, path);
    } else if (mode === "updates" && isObject(data) && Object.keys(data).length > 0) {
      for (const [node, update] of Object.entries(data)) {
        if (node === "__interrupt__") this.interrupt(base, update, path);
        else this.place({ ...base, kind: "update", title: node, node, data: update }, path);
      }
    } else if (mode === "messages" && Array.isArray(data) && isObject(data[0])) {
      this.token(base, data[0], isObject(data[1]) ? data[1] : {});
    } else if ((mode === "messages/partial" || mode === "messages/complete") && Array.isArray(data)) {
      for (const message of data) if (isObject(message)) this.partial(base, message);
    } else if (mode === "messages/metadata" && isObject(data)) {
      for (const [id, value] of Object.entries(data)) {
        const node = value?.metadata?.langgraph_node;
        if (node) this.messageNodes.set(id, { node: safeText(node), ns: checkpointParts(value.metadata), step: value.metadata.langgraph_step });
      }
    } else if (mode === "values" && isObject(data)) {
      this.values(base, data, path);
    } else if (mode === "debug" && isObject(data) && data.type === "checkpoint") {
      // A stateless run's checkpoints say nothing a reader needs; tasks carry the steps.
    } else if (mode === "debug" && isObject(data) && isObject(data.payload)) {
      this.task(base, data.payload, data.type === "task_result", Date.parse(safeText(data.timestamp)), path, data.step);
    } else if (mode === "tasks" && isObject(data) && data.id !== undefined) {
      this.task(base, data, "result" in data || "error" in data, t, path, undefined);
    } else if (mode === "custom") {
      this.place({ ...base, kind: "custom", title: "custom", data }, path);
    } else if (mode === "events" && isObject(data)) {
      const title = [data.event, data.name].filter(Boolean).map(safeText).join(" · ") || "event";
      this.place({ ...base, kind: "events", title, data }, path);
    } else {
      this.place({ ...base, kind: "event", title: mode, data }, path);
    }
  }

  // -- placing items -------------------------------------------------------------------------

  /** Put an item where it belongs: in its subgraph's parent node, or in the timeline. */
  place(item, path) {
    item.ns = path.map(nameOf);
    const container = this.container(path, item.t);
    if (item.kind === "update") {
      // A node already on screen (its tokens, its subgraph or its task came first) takes its
      // update in place. An update names no task: of parallel runs of one node (Send), it goes
      // to the one whose streamed message it holds, else to the one whose stream ended first.
      const open = container.open.get(item.node);
      const branch = open?.length ? pickBranch(open, item.data) : undefined;
      this.ended(container, item.node);
      if (branch) {
        open.splice(open.indexOf(branch), 1);
        branch.update = item.data;
        branch.tEnd = item.t;
        container.lastEnd = item.t;
        this.changed.add(branch); // even if the end of the run already closed it
        if (branch.kind === "task") return branch; // its result ends it
        branch.data = item.data;
        branch.index = item.index;
        this.close(branch);
        return branch;
      }
      // Nothing was seen of this node before its update: it started when the step before ended.
      item.start = Math.min(item.t ?? 0, this.stepStart(container));
      item.estimated = true;
      container.lastEnd = item.t;
    }
    return this.append(container, item);
  }

  /** When the step at work in a container began: the end of the one before (an estimate). */
  stepStart(container) {
    return container.lastEnd ?? container.item?.start ?? container.item?.t ?? 0;
  }

  /** A node of this container ended (its update or task result): the next state follows it. */
  ended(container, name) {
    (container.sinceValues ??= []).push(name);
  }

  /** A node's update ends it and all still open inside it (a message sent whole has no
   * "last" chunk; a subgraph's nodes send no update unless subgraphs are streamed). */
  close(item) {
    if (item.done) return;
    item.done = true;
    this.changed.add(item);
    for (const child of item.children ?? []) if (child.kind === "node" || child.kind === "message") this.close(child);
  }

  /** The run ended: nothing is still streaming, whatever modes were asked for. */
  finish() {
    const end = (items) => {
      for (const item of items) {
        if (item.kind === "node" || item.kind === "message") this.close(item);
        else if (item.kind === "task") end(item.children);
      }
    };
    end(this.items);
    return this.drain();
  }

  append(container, item) {
    item.id = this.nextId++;
    item.children ??= item.kind === "node" ? [] : undefined;
    const name = item.node;
    if (name !== undefined) this.nodes.set(name, (this.nodes.get(name) ?? 0) + 1);
    container.children.push(item);
    item.top = container === this.root;
    item.parent = container.item; // the node item it sits in, if any
    if (item.top) this.added.push(item);
    else this.changed.add(container.item);
    return item;
  }

  /** The container for a subgraph path: the node item of its parent, made when first seen. */
  container(path, t) {
    if (path.length === 0) return this.root;
    return this.branch(path, t).container;
  }

  /**
   * The node item of the task at the end of `path` ("name:task-id", as in an event's namespace
   * or a message's langgraph_checkpoint_ns), made when first seen. One item per task: the task
   * id tells parallel runs of one node apart. `fresh`: a finished task's item is not reused.
   */
  branch(path, t, fresh = false) {
    const key = path.join("|");
    let node = this.groups.get(key);
    if (!node || (fresh && node.done)) {
      const parent = this.container(path.slice(0, -1), t);
      const name = nameOf(path[path.length - 1]);
      const open = parent.open.get(name) ?? [];
      node = fresh ? undefined : open.find((n) => !n.taskKey && n.children.every((c) => c.kind === "message"));
      if (node) node.taskKey = key; // its tokens came first (no namespace with them): the same task
      else node = this.newNode(parent, name, t, key);
      this.groups.set(key, node);
    }
    return node;
  }

  /** The node item of a node at work (before its update), made when first needed. */
  openNode(container, name, t) {
    const open = container.open.get(name);
    return open?.length ? open[open.length - 1] : this.newNode(container, name, t);
  }

  newNode(container, name, t, taskKey) {
    const node = { kind: "node", title: name, node: name, index: undefined, t, children: [], done: false, taskKey };
    node.start = Math.min(t ?? 0, this.stepStart(container));
    node.container = { children: node.children, open: new Map(), item: node };
    this.append(container, node);
    if (!container.open.has(name)) container.open.set(name, []);
    container.open.get(name).push(node);
    return node;
  }

  /**
   * Mark a node or task item as run in superstep `step` of its container: the items of one step
   * ran in parallel. `step` is LangGraph's (messages metadata, debug) or, for tasks mode, which
   * names none, a key of the tasks that started together.
   */
  joinStep(item, step, container) {
    if (item.group) {
      if (item.group.step === null && typeof step === "number") {
        item.group.step = step;
        for (const other of item.group.items) this.changed.add(other);
      }
      return;
    }
    if (step === undefined || step === null) return;
    const steps = (container.steps ??= new Map());
    let group = steps.get(step);
    if (!group) {
      group = { step: typeof step === "number" ? step : null, items: [], start: item.start };
      steps.set(step, group);
    }
    group.items.push(item);
    item.group = group;
    if (group.start !== undefined && item.kind === "node") item.start = Math.min(item.start, group.start);
    for (const other of group.items) this.changed.add(other);
  }

  /**
   * Another run streams into this timeline from here on (a resume, a re-run from a checkpoint):
   * a marker saying what it was, and nothing of the run before it is still open.
   */
  section(section, t) {
    this.root.open = new Map();
    this.root.steps = undefined;
    this.root.lastEnd = t;
    const title = safeText(section.label ?? section.kind);
    this.append(this.root, { kind: "section", title, data: section, t, index: undefined, done: true });
  }

  /** A chunk the view could not make sense of, kept visible as its text. */
  unreadable(index, event, line, t) {
    const { path } = splitEvent(event);
    this.append(this.root, { index, event, mode: "unreadable", ns: path, t, kind: "event", title: safeText(event), data: line, bytes: line ? line.length : 0 });
  }

  // -- messages ------------------------------------------------------------------------------

  token(base, chunk, metadata) {
    const id = chunk.id ?? `${metadata.langgraph_node ?? "model"}:${base.index}`;
    let item = this.messages.get(id);
    if (!item) {
      const node = metadata.langgraph_node === undefined ? undefined : safeText(metadata.langgraph_node);
      item = this.message(base, chunk, node, checkpointParts(metadata), id, metadata.langgraph_step);
    } else {
      this.changed.add(item);
    }
    item.text += messageText(chunk);
    item.tokens += 1;
    item.tEnd = base.t;
    if (isObject(chunk.usage_metadata)) item.usage = chunk.usage_metadata; // on the last chunk, as a rule
    mergeToolCalls(item, chunk);
    if (chunk.chunk_position === "last") this.streamed(item, base.index);
    item.data = messageData(item);
  }

  partial(base, message) {
    const id = message.id ?? `partial:${base.index}`;
    let item = this.messages.get(id);
    if (!item) {
      const where = this.messageNodes.get(id) ?? { node: undefined, ns: [] };
      item = this.message(base, message, where.node, where.ns, id, where.step);
    } else {
      this.changed.add(item);
    }
    item.text = messageText(message); // partial and complete carry the whole text so far
    item.tokens += 1;
    item.tEnd = base.t;
    if (Array.isArray(message.tool_calls)) item.toolCalls = message.tool_calls.map(toolCall);
    if (isObject(message.usage_metadata)) item.usage = message.usage_metadata;
    if (base.mode === "messages/complete") this.streamed(item, base.index);
    item.data = messageData(item);
  }

  /** A message's stream ended: its node's update is likely next (how updates find branches). */
  streamed(item, index) {
    item.done = true;
    if (item.parent && item.parent.streamEnd === undefined) item.parent.streamEnd = index;
    else if (item.parent) item.parent.streamEnd = Math.max(item.parent.streamEnd, index);
  }

  /** A message item, in the item of the task that produced it (`ns`: its checkpoint namespace). */
  message(base, chunk, node, ns, id, step) {
    const own = ns[ns.length - 1];
    let container;
    let branch;
    if (node !== undefined && own !== undefined && nameOf(own) === node && own.includes(":")) {
      branch = this.branch(ns, base.t, true);
      container = branch.container;
    } else {
      const outer = this.container(ns.slice(0, -1), base.t);
      branch = node ? this.openNode(outer, node, base.t) : undefined;
      container = branch ? branch.container : outer;
    }
    if (branch && typeof step === "number") this.joinStep(branch, step, this.containerOf(branch));
    const item = {
      ...base, kind: "message", title: node === undefined ? "message" : safeText(node), role: chunk.role ?? chunk.type,
      name: chunk.name, toolCallId: chunk.tool_call_id, text: "", tokens: 0, toolCalls: [],
      done: false, messageId: id,
    };
    this.messages.set(id, item);
    this.append(container, item);
    item.ns = ns.slice(0, -1).map(nameOf);
    return item;
  }

  /** The container an item sits in. */
  containerOf(item) {
    return item.parent ? item.parent.container : this.root;
  }

  // -- values, tasks, interrupts ---------------------------------------------------------------

  values(base, state, path) {
    const key = path.join("|");
    let shown = state;
    if (Object.hasOwn(state, "__interrupt__")) {
      // An interrupt is no part of the state: it is shown as an interrupt card.
      shown = { ...state };
      delete shown.__interrupt__;
    }
    const previous = this.lastValues.get(key);
    this.lastValues.set(key, shown);
    if (path.length === 0) this.finalState = shown;
    const container = this.container(path, base.t);
    container.valuesSeen = (container.valuesSeen ?? 0) + 1;
    // What made this state: the nodes that ended since the last one, when the stream says so.
    const after = [...new Set(container.sinceValues ?? [])];
    container.sinceValues = [];
    const diff = diffState(previous, shown);
    const title = previous === undefined ? "state (input)" : "state";
    let label;
    if (previous !== undefined) label = after.length ? `after ${after.join(", ")}` : `step ${container.valuesSeen - 1}`;
    this.place({ ...base, kind: "values", title, data: shown, diff, label, after, before: previous,
      appended: appendedItems(previous, shown, diff.changed) }, path);
    if (state.__interrupt__ !== undefined) this.interrupt(base, state.__interrupt__, path);
  }

  /** An interrupt card, once per interrupt id (updates, values and tasks each report it). */
  interrupt(base, value, path) {
    const list = Array.isArray(value) ? value : [value];
    const idOf = (entry) => (isObject(entry) && typeof entry.id === "string" ? entry.id : undefined);
    const fresh = list.filter((entry) => !this.interrupts.has(idOf(entry)));
    if (list.length && !fresh.length) return undefined;
    for (const entry of fresh) if (idOf(entry) !== undefined) this.interrupts.add(idOf(entry));
    const data = Array.isArray(value) ? fresh : value;
    return this.place({ ...base, kind: "interrupt", title: "interrupt", node: "__interrupt__", data }, path);
  }

  task(base, payload, isResult, time, path, step) {
    const id = payload.id ?? `${payload.name}:${base.index}`;
    let item = this.tasks.get(id);
    const container = this.container(path, base.t);
    if (!item) {
      const name = payload.name === undefined ? undefined : safeText(payload.name);
      // A task holds what it streams (tokens, its subgraph's events): it is its node's item.
      const children = [];
      item = { ...base, kind: "task", title: name ?? "task", node: name,
        data: { input: payload.input }, done: false, started: time, children, taskKey: undefined,
        start: base.t, input: payload.input };
      item.container = { children, open: new Map(), item };
      this.place(item, path);
      this.tasks.set(id, item);
      if (name !== undefined) {
        const key = [...path, `${name}:${id}`].join("|");
        item.taskKey = key;
        if (!this.groups.has(key)) this.groups.set(key, item);
        if (!container.open.has(name)) container.open.set(name, []);
        container.open.get(name).push(item);
      }
      // Tasks of one step start together, before any of them ends.
      if (step === undefined) {
        if (container.lastTask !== "start") container.taskStep = (container.taskStep ?? 0) + 1;
        container.lastTask = "start";
      }
      this.joinStep(item, step ?? `tasks-${container.taskStep}`, container);
    } else {
      this.changed.add(item);
    }
    if (isResult) {
      if (step === undefined) container.lastTask = "result";
      item.done = true;
      item.error = payload.error ?? null;
      item.tEnd = base.t;
      item.data = { ...item.data, result: payload.result, ...(payload.error ? { error: payload.error } : {}),
        ...(payload.interrupts?.length ? { interrupts: payload.interrupts } : {}) };
      if (Number.isFinite(time) && Number.isFinite(item.started)) item.duration = time - item.started;
      const open = container.open.get(item.node);
      if (open?.includes(item)) {
        open.splice(open.indexOf(item), 1);
        this.ended(container, item.node);
        container.lastEnd = base.t;
      }
      for (const child of item.children) if (child.kind === "node" || child.kind === "message") this.close(child);
      if (payload.interrupts?.length) {
        // The task's own card, unless updates or values showed these interrupts already.
        const fresh = payload.interrupts.filter((e) => !(isObject(e) && this.interrupts.has(e.id)));
        for (const e of fresh) if (isObject(e) && typeof e.id === "string") this.interrupts.add(e.id);
        item.interrupts = fresh;
      }
    } else if (payload.input !== undefined) {
      item.data = { ...item.data, input: payload.input };
      item.input = payload.input;
    }
  }
}

/** What tells one branch of a parallel step from the others of the same node: a preview of its
 * input (Send's argument, from tasks or debug), the tool it ran, else its place ("#3"). */
export function branchLabel(item) {
  const group = item.group;
  if (!group) return undefined;
  const same = group.items.filter((other) => other.node === item.node);
  if (same.length < 2) return undefined;
  if (item.input !== undefined) return preview(item.input);
  const tool = item.children?.find((c) => c.kind === "message" && c.name && messageRoleIsTool(c));
  if (tool) return safeText(tool.name);
  return `#${same.indexOf(item) + 1}`;
}

/** "step 3 · 12 in parallel" for an item of a parallel step, else undefined. */
export function stepText(item) {
  const group = item.group;
  if (!group || group.items.length < 2) return undefined; // a step of one says nothing
  const parts = [];
  if (group.step !== null) parts.push(`step ${group.step}`);
  if (group.items.length > 1) parts.push(`${group.items.length} in parallel`);
  return parts.length ? parts.join(" · ") : undefined;
}

function messageRoleIsTool(message) {
  return /^tool/i.test(safeText(message.role));
}

/** A value in a few words: `topic: "a"`, a string's start, `[3]`. */
export function preview(value, limit = 40) {
  let text;
  if (isObject(value)) {
    text = Object.entries(value).map(([k, v]) => `${k}: ${typeof v === "string" ? JSON.stringify(v) : previewScalar(v)}`).join(", ");
  } else {
    text = typeof value === "string" ? value : previewScalar(value);
  }
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

function previewScalar(value) {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (isObject(value)) return `{${Object.keys(value).length}}`;
  return safeText(value);
}

// -- helpers ---------------------------------------------------------------------------------

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The task a message came from and where it ran: "research:<id>|call_tool:<id>" → both parts. */
function checkpointParts(metadata) {
  const ns = metadata?.langgraph_checkpoint_ns;
  if (typeof ns !== "string" || !ns) return []; // anything else is not a path
  return ns.split("|");
}

/** Of the open runs of a node, the one an update (which names no task) belongs to. */
function pickBranch(open, update) {
  if (open.length === 1) return open[0];
  const ids = new Set();
  if (isObject(update)) {
    for (const value of Object.values(update)) {
      for (const m of Array.isArray(value) ? value : [value]) if (isObject(m) && typeof m.id === "string") ids.add(m.id);
    }
  }
  if (ids.size) {
    const holder = open.find((n) => n.children?.some((c) => c.kind === "message" && ids.has(c.messageId)));
    if (holder) return holder;
  }
  // The update holds the text a branch streamed (a node returning its model's answer as text).
  const strings = new Set(textOf(update).filter((t) => t.length > 0).map((t) => t.trim()));
  if (strings.size) {
    const said = open.filter((n) => n.children?.some((c) => c.kind === "message" && c.text.trim() && strings.has(c.text.trim())));
    if (said.length === 1) return said[0];
  }
  // Else: its stream ended first, so its update likely comes first.
  let first;
  for (const n of open) {
    if (n.streamEnd === undefined || n.children.some((c) => c.kind === "message" && !c.done)) continue;
    if (!first || n.streamEnd < first.streamEnd) first = n;
  }
  return first ?? open[0];
}

/** key -> number of items appended, for the changed keys whose list grew at its end. */
function appendedItems(before, after, changed) {
  const out = {};
  if (!isObject(before)) return out;
  for (const key of changed) {
    const a = before[key];
    const b = after[key];
    if (!Array.isArray(a) || !Array.isArray(b) || b.length <= a.length) continue;
    if (a.every((v, i) => v === b[i] || JSON.stringify(v) === JSON.stringify(b[i]))) out[key] = b.length - a.length;
  }
  return out;
}

function toolCall(call) {
  return { name: call?.name ?? "", args: typeof call?.args === "string" ? call.args : JSON.stringify(call?.args ?? {}), id: call?.id };
}

function mergeToolCalls(item, chunk) {
  if (Array.isArray(chunk.tool_call_chunks) && chunk.tool_call_chunks.length) {
    for (const part of chunk.tool_call_chunks) {
      // An index past the end starts the next call: a huge one must not make a sparse array.
      const given = Number.isInteger(part?.index) ? part.index : item.toolCalls.length;
      const at = given >= 0 && given <= item.toolCalls.length ? given : item.toolCalls.length;
      const call = (item.toolCalls[at] ??= { name: "", args: "", id: undefined });
      call.name += safeText(part?.name);
      call.args += safeText(part?.args);
      call.id ??= part?.id;
    }
  } else if (Array.isArray(chunk.tool_calls) && chunk.tool_calls.length) {
    item.toolCalls = chunk.tool_calls.map(toolCall);
  }
}

function messageData(item) {
  const data = { type: item.role, content: item.text };
  if (item.name) data.name = item.name;
  if (item.toolCalls.length) data.tool_calls = item.toolCalls;
  if (item.toolCallId) data.tool_call_id = item.toolCallId;
  return data;
}

/** Top-level keys added, changed and removed between two states. */
export function diffState(before, after) {
  if (!isObject(before)) return { added: Object.keys(after), changed: [], removed: [] };
  const added = [];
  const changed = [];
  for (const key of Object.keys(after)) {
    if (!Object.hasOwn(before, key)) added.push(key);
    else if (before[key] !== after[key] && JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed.push(key);
  }
  const removed = Object.keys(before).filter((key) => !Object.hasOwn(after, key));
  return { added, changed, removed };
}

/** Does an item pass the filter? `node` is exact ("" for all); `text` is a case-blind substring. */
export function matches(item, filter) {
  if (filter.hideValues && item.kind === "values") return false;
  if (item.children?.some((child) => matches(child, filter))) return true;
  if (filter.node && item.node !== filter.node && item.title !== filter.node) return false;
  if (!filter.text) return true;
  const needle = normalize(filter.text.toLowerCase());
  if (normalize(safeText(item.title).toLowerCase()).includes(needle)) return true;
  // Growing items (tokens, tasks) are searched afresh; the others once.
  const text = item.searchText ?? normalize(textOf(item.kind === "message" ? item.text : item.data).join("\n").toLowerCase());
  if (item.done !== false && item.kind !== "node") item.searchText = text;
  return text.includes(needle);
}
