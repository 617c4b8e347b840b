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
import { messageText, safeText, textOf } from "./text.js";

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
      this.place({ ...base, kind: "error", title: safeText(err.error ?? "Error"), data: err }, path);
    } else if (mode === "updates" && isObject(data) && Object.keys(data).length > 0) {
      for (const [node, update] of Object.entries(data)) {
        const kind = node === "__interrupt__" ? "interrupt" : "update";
        this.place({ ...base, kind, title: kind === "interrupt" ? "interrupt" : node, node, data: update }, path);
      }
    } else if (mode === "messages" && Array.isArray(data) && isObject(data[0])) {
      this.token(base, data[0], isObject(data[1]) ? data[1] : {});
    } else if ((mode === "messages/partial" || mode === "messages/complete") && Array.isArray(data)) {
      for (const message of data) if (isObject(message)) this.partial(base, message);
    } else if (mode === "messages/metadata" && isObject(data)) {
      for (const [id, value] of Object.entries(data)) {
        const node = value?.metadata?.langgraph_node;
        if (node) this.messageNodes.set(id, { node: safeText(node), path: checkpointPath(value.metadata) });
      }
    } else if (mode === "values" && isObject(data)) {
      this.values(base, data, path);
    } else if (mode === "debug" && isObject(data) && data.type === "checkpoint") {
      // A stateless run's checkpoints say nothing a reader needs; tasks carry the steps.
    } else if (mode === "debug" && isObject(data) && isObject(data.payload)) {
      this.task(base, data.payload, data.type === "task_result", Date.parse(safeText(data.timestamp)), path);
    } else if (mode === "tasks" && isObject(data) && data.id !== undefined) {
      this.task(base, data, "result" in data || "error" in data, t, path);
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
      // A node already on screen (its tokens or subgraph came first) takes its update in place;
      // of two runs of one node (parallel tasks), the one that started first.
      const open = container.open.get(item.node)?.shift();
      if (open) {
        open.update = item.data;
        open.data = item.data;
        open.tEnd = item.t;
        open.index = item.index;
        this.changed.add(open); // even if the end of the run already closed it
        this.close(open);
        return open;
      }
    }
    return this.append(container, item);
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
    for (const item of this.items) if (item.kind === "node" || item.kind === "message") this.close(item);
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
    const key = path.join("|");
    let node = this.groups.get(key);
    if (!node) {
      // One node item per task: the path's task id tells parallel runs of one node apart.
      const parent = this.container(path.slice(0, -1), t);
      const name = nameOf(path[path.length - 1]);
      const open = parent.open.get(name) ?? [];
      node = open.find((n) => !n.taskKey && n.children.every((c) => c.kind === "message"));
      if (node) node.taskKey = key; // its tokens came first: the same task
      else node = this.newNode(parent, name, t, key);
      this.groups.set(key, node);
    }
    return node.container;
  }

  /** The node item of a node at work (before its update), made when first needed. */
  openNode(container, name, t) {
    const open = container.open.get(name);
    return open?.length ? open[open.length - 1] : this.newNode(container, name, t);
  }

  newNode(container, name, t, taskKey) {
    const node = { kind: "node", title: name, node: name, index: undefined, t, children: [], done: false, taskKey };
    node.container = { children: node.children, open: new Map(), item: node };
    this.append(container, node);
    if (!container.open.has(name)) container.open.set(name, []);
    container.open.get(name).push(node);
    return node;
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
      item = this.message(base, chunk, node, checkpointPath(metadata), id);
    } else {
      this.changed.add(item);
    }
    item.text += messageText(chunk);
    item.tokens += 1;
    item.tEnd = base.t;
    mergeToolCalls(item, chunk);
    if (chunk.chunk_position === "last") item.done = true;
    item.data = messageData(item);
  }

  partial(base, message) {
    const id = message.id ?? `partial:${base.index}`;
    let item = this.messages.get(id);
    if (!item) {
      const where = this.messageNodes.get(id) ?? { node: undefined, path: [] };
      item = this.message(base, message, where.node, where.path, id);
    } else {
      this.changed.add(item);
    }
    item.text = messageText(message); // partial and complete carry the whole text so far
    item.tokens += 1;
    item.tEnd = base.t;
    if (Array.isArray(message.tool_calls)) item.toolCalls = message.tool_calls.map(toolCall);
    if (base.mode === "messages/complete") item.done = true;
    item.data = messageData(item);
  }

  message(base, chunk, node, path, id) {
    const outer = this.container(path, base.t);
    const container = node ? this.openNode(outer, node, base.t).container : outer;
    const item = {
      ...base, kind: "message", title: node === undefined ? "message" : safeText(node), role: chunk.role ?? chunk.type,
      name: chunk.name, toolCallId: chunk.tool_call_id, text: "", tokens: 0, toolCalls: [],
      done: false, messageId: id,
    };
    this.messages.set(id, item);
    this.append(container, item);
    item.ns = path.map(nameOf);
    return item;
  }

  // -- values, tasks ---------------------------------------------------------------------------

  values(base, state, path) {
    const key = path.join("|");
    const previous = this.lastValues.get(key);
    this.lastValues.set(key, state);
    if (path.length === 0) this.finalState = state;
    const diff = diffState(previous, state);
    const title = previous === undefined ? "state (input)" : "state";
    this.place({ ...base, kind: "values", title, data: state, diff }, path);
  }

  task(base, payload, isResult, time, path) {
    const id = payload.id ?? `${payload.name}:${base.index}`;
    let item = this.tasks.get(id);
    if (!item) {
      const name = payload.name === undefined ? undefined : safeText(payload.name);
      item = this.place({ ...base, kind: "task", title: name ?? "task", node: name,
        data: { input: payload.input }, done: false, started: time }, path);
      this.tasks.set(id, item);
    } else {
      this.changed.add(item);
    }
    if (isResult) {
      item.done = true;
      item.error = payload.error ?? null;
      item.data = { ...item.data, result: payload.result, ...(payload.error ? { error: payload.error } : {}),
        ...(payload.interrupts?.length ? { interrupts: payload.interrupts } : {}) };
      if (Number.isFinite(time) && Number.isFinite(item.started)) item.duration = time - item.started;
    } else if (payload.input !== undefined) {
      item.data = { ...item.data, input: payload.input };
    }
  }
}

// -- helpers ---------------------------------------------------------------------------------

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Where a message's node ran: "research:<id>|call_tool:<id>" → ["research:<id>"]. */
function checkpointPath(metadata) {
  const ns = metadata?.langgraph_checkpoint_ns;
  if (typeof ns !== "string" || !ns) return [];  // anything else is not a path
  return ns.split("|").slice(0, -1);
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
  const needle = filter.text.toLowerCase();
  if (safeText(item.title).toLowerCase().includes(needle)) return true;
  // Growing items (tokens, tasks) are searched afresh; the others once.
  const text = item.searchText ?? textOf(item.kind === "message" ? item.text : item.data).join("\n").toLowerCase();
  if (item.done !== false && item.kind !== "node") item.searchText = text;
  return text.includes(needle);
}
