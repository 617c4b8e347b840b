// The graph's diagram as data, and what the run did at each of its nodes. Pure (no DOM).
//
// - readGraph: a graph's JSON (the server's `GET /assistants/{id}/graph`, in-process
//   `graph.get_graph().to_json()`, or lgwidget's own shape of both) → nodes, edges and clusters.
//   With xray a subgraph's nodes are named `parent:child`: they sit in a cluster `parent`.
// - Lighting: the timeline's items, as they come, → each node's state (not run, running, done,
//   error, interrupted), its runs, its runs in parallel, its time; and the last edge taken. A
//   subgraph's items sit inside their parent's item (the stream's namespaces), so an item's
//   place in the item tree is its node's xray name.
import { safeText } from "./text.js";

export const START = "__start__";
export const END = "__end__";
export const STATES = ["idle", "running", "done", "error", "interrupted"];

// -- the graph --------------------------------------------------------------------------------

/** { nodes, edges, clusters, byId } of a graph's JSON; anything that is not a graph is empty. */
export function readGraph(json) {
  const nodes = [];
  const byId = new Map();
  const clusters = new Map(); // id -> { id, label, parent }
  for (const raw of Array.isArray(json?.nodes) ? json.nodes : []) {
    if (raw === null || typeof raw !== "object" || raw.id === undefined || raw.id === null) continue;
    const id = safeText(raw.id);
    if (byId.has(id)) continue;
    const path = id.split(":");
    const last = path[path.length - 1];
    // A subgraph's own start and end (xray keeps them when its first edge branches).
    const kind = last === START ? "start" : last === END ? "end" : "node";
    const cluster = path.length > 1 ? path.slice(0, -1).join(":") : null;
    for (let depth = 1; depth < path.length; depth++) {
      const cid = path.slice(0, depth).join(":");
      if (!clusters.has(cid)) clusters.set(cid, { id: cid, label: path[depth - 1], parent: depth > 1 ? path.slice(0, depth - 1).join(":") : null });
    }
    // The id is the name (data.name repeats it); with xray, prefixed by the subgraphs'.
    const node = { id, label: path[path.length - 1], kind, cluster };
    if (raw.metadata && typeof raw.metadata === "object") node.metadata = raw.metadata;
    nodes.push(node);
    byId.set(id, node);
  }
  const edges = [];
  for (const raw of Array.isArray(json?.edges) ? json.edges : []) {
    if (raw === null || typeof raw !== "object") continue;
    const source = safeText(raw.source);
    const target = safeText(raw.target);
    if (!byId.has(source) || !byId.has(target)) continue;
    const label = typeof raw.label === "string" ? raw.label : typeof raw.data === "string" ? raw.data : "";
    edges.push({ source, target, conditional: raw.conditional === true, label, index: edges.length });
  }
  return { nodes, edges, clusters: [...clusters.values()], byId };
}

/** The nodes a reader sees (start and end are markers, not nodes). */
export function realNodes(graph) {
  return graph.nodes.filter((n) => n.kind === "node");
}

// -- lighting ---------------------------------------------------------------------------------

const RUN_KINDS = new Set(["update", "node", "task"]);

/** The xray name of an item's node: its parents' node names and its own, joined with ":". */
export function keyOf(item, own = item.node) {
  if (own === undefined || own === null) return null;
  const names = [safeText(own)];
  for (let parent = item.parent; parent; parent = parent.parent) {
    if (parent.node === undefined) return null;
    names.unshift(safeText(parent.node));
  }
  return names.join(":");
}

/**
 * What the run did at each node of a graph, fed the timeline's items as they come
 * (`see(added, changed)`); `take()` hands over the nodes whose look changed since the last call.
 * Each call costs the items it is given (a parent's new children are walked once), not the run.
 */
export class Lighting {
  constructor(graph) {
    this.graph = graph;
    this.targets = new Set([...graph.byId.keys(), ...graph.clusters.map((c) => c.id)]);
    this.reset();
  }

  reset() {
    this.runs = new Map(); // key -> Set of its items
    this.walked = new WeakMap(); // item -> children walked
    this.seen = new WeakSet();
    this.marks = new Map(); // key -> "error" | "interrupted", said by the stream
    this.states = false; // a state (values) was seen: the stream may name no node at all
    this.order = []; // { key, t, n } of each run, in the order seen (n)
    this.dirty = new Set(this.targets);
    this.status = "idle";
    this.runError = null;
    this.edge = null;
    this.shown = new Map(); // key -> the look last handed over, as text
  }

  /** Items the timeline added or changed. */
  see(added = [], changed = []) {
    // Changed items first: what came inside them came before the newly added ones, mostly.
    for (const item of changed) this.visit(item);
    for (const item of added) this.visit(item);
  }

  visit(item) {
    if (!this.seen.has(item)) {
      this.seen.add(item);
      this.first(item);
    }
    const key = this.keyFor(item);
    if (key !== null) this.dirty.add(key);
    const children = item.children;
    if (!children) return;
    const from = this.walked.get(item) ?? 0;
    this.walked.set(item, children.length);
    for (let i = from; i < children.length; i++) this.visit(children[i]);
  }

  keyFor(item) {
    if (!RUN_KINDS.has(item.kind) || item.node === "__interrupt__") return null;
    const key = keyOf(item);
    return key !== null && this.targets.has(key) ? key : null;
  }

  /** An item seen for the first time: a run of a node, an error, or an interrupt. */
  first(item) {
    const key = this.keyFor(item);
    if (key !== null) {
      if (!this.runs.has(key)) this.runs.set(key, new Set());
      this.runs.get(key).add(item);
      // It runs again (the run was resumed): where it stopped before is over.
      if (this.marks.get(key) === "interrupted") this.marks.delete(key);
      this.order.push({ key, t: item.t ?? 0, n: this.order.length });
      this.edge = null;
    } else if (item.kind === "error") {
      // The stream names the node that raised (a run in this process, tasks or debug modes);
      // else it was one of those at work when the error came.
      const named = item.raisedIn === undefined ? null : keyOf(item, item.raisedIn);
      const blamed = named !== null && this.targets.has(named) ? [named] : this.working();
      for (const key of blamed) this.mark(key, "error");
    } else if (item.kind === "values") {
      this.states = true;
    } else if (item.kind === "interrupt") {
      const working = this.working();
      // With states only (stream mode values), no node was named: where it stopped is unknown,
      // and the start's first node would be a guess.
      const guess = this.order.length || !this.states ? this.next() : [];
      for (const key of working.length ? working : guess) this.mark(key, "interrupted");
    }
  }

  mark(key, state) {
    this.marks.set(key, state);
    this.dirty.add(key);
  }

  /** Nodes with a run still at work (no update, no result yet). */
  working() {
    const out = [];
    for (const [key, items] of this.runs) if ([...items].some(atWork)) out.push(key);
    return out;
  }

  /** Where the run goes after the last node that ended: the node an interrupt stopped before. */
  next() {
    for (let i = this.order.length - 1; i >= 0; i--) {
      const targets = this.graph.edges.filter((e) => e.source === this.order[i].key && e.target !== END).map((e) => e.target);
      if (targets.length) return [...new Set(targets)];
    }
    return this.graph.edges.filter((e) => e.source === START).map((e) => e.target);
  }

  /** The run's status and error, when they changed (the end of a run): true if they did. */
  setRun(status, error) {
    if (status === this.status && (error ?? null) === this.runError) return false;
    this.status = status;
    this.runError = error ?? null;
    if (error?.node && this.targets.has(error.node)) this.mark(error.node, "error");
    for (const key of this.targets) this.dirty.add(key);
    this.edge = null;
    return true;
  }

  /** A node's look: its state, runs, runs in parallel and time (ms). */
  look(key) {
    const items = this.runs.get(key);
    const look = { state: "idle", runs: items?.size ?? 0, parallel: 0, ms: 0 };
    if (!items?.size) {
      if (this.marks.has(key)) look.state = this.marks.get(key);
      return look;
    }
    let running = false;
    let failed = false;
    let stopped = false;
    for (const item of items) {
      if (atWork(item)) running = true;
      if (item.kind === "task" && item.error) failed = true;
      stopped = Boolean(item.interrupts?.length); // the latest run says (a resumed one goes on)
      const same = item.group ? item.group.items.filter((other) => other.node === item.node).length : 1;
      look.parallel = Math.max(look.parallel, same);
      const end = item.tEnd ?? item.t;
      const start = item.start ?? item.t;
      const ms = Number.isFinite(item.duration) ? item.duration : end - start;
      if (Number.isFinite(ms) && ms > 0) look.ms += ms;
    }
    const mark = this.marks.get(key);
    if (failed || mark === "error") look.state = "error";
    else if (running && this.status === "running") look.state = "running";
    else if (stopped || mark === "interrupted") look.state = "interrupted";
    else look.state = "done";
    if (look.parallel < 2) look.parallel = 0;
    return look;
  }

  /** The edge taken last, as an index into graph.edges, or null. */
  lastEdge() {
    if (this.edge !== null) return this.edge < 0 ? null : this.edge;
    const edge = (a, b) => this.graph.edges.find((e) => e.source === a && e.target === b);
    const clusterOf = (id) => this.graph.byId.get(id)?.cluster ?? null;
    const inside = (id, cluster) => id.startsWith(`${cluster}:`);
    // Into a subgraph through its own start marker, out of one through its end marker.
    const has = (a, b) => edge(a, b)
      ?? (clusterOf(b) && !inside(a, clusterOf(b)) ? edge(`${clusterOf(b)}:${START}`, b) : undefined)
      ?? (clusterOf(a) && !inside(b, clusterOf(a)) ? edge(a, `${clusterOf(a)}:${END}`) : undefined);
    // In the order they ran (a batch may bring a subgraph's run after a later one).
    const runs = this.order.filter((run) => this.graph.byId.has(run.key)).sort((a, b) => a.t - b.t || a.n - b.n);
    const nodes = runs.map((run) => run.key);
    const path = [START, ...nodes];
    if (this.status === "done") path.push(END);
    // The newest step between two nodes that an edge joins (parallel runs of one node are no step).
    let found;
    for (let i = path.length - 1; i > 0 && !found; i--) found = has(path[i - 1], path[i]);
    this.edge = found ? found.index : -1;
    return found ? found.index : null;
  }

  /** The nodes whose look changed since the last call: [key, look] pairs. */
  take() {
    const out = [];
    for (const key of this.dirty) {
      const look = this.look(key);
      const text = `${look.state} ${look.runs} ${look.parallel} ${Math.round(look.ms)}`;
      if (this.shown.get(key) === text) continue;
      this.shown.set(key, text);
      out.push([key, look]);
    }
    this.dirty.clear();
    return out;
  }
}

/** A run still at work: a node or task item not closed yet. */
function atWork(item) {
  return (item.kind === "node" || item.kind === "task") && item.done === false;
}
