// The graph drawn: laid out once by dagre, drawn as SVG (createElementNS and textContent only:
// node names come from the server), coloured by JupyterLab's theme variables (widget.css). The
// run lights it up by changing classes and text: lighting never lays out again.
//
// - Diagram: one graph's SVG; `light(key, look)`, `markEdge(index)`, `select(name)`.
// - GraphPane: the run view's collapsible pane above the timeline: the diagram, lit from the
//   run's items as they come, or a one-line note when there is no diagram.
import { Graph, layout } from "@dagrejs/dagre";
import { Lighting, readGraph, realNodes } from "./graph.js";
import { h } from "./dom.js";
import { formatSeconds } from "./text.js";

const SVG = "http://www.w3.org/2000/svg";
export const LABEL_CHARS = 28; // characters of a node's name before it is cut (hover shows all)
export const OPEN_UP_TO = 30; // nodes of a graph whose pane is open by default
const CHAR_WIDTH = 7.4; // a character of the 12px label font, about: no text is measured
const NODE_HEIGHT = 30;
const MARK = 16; // the start and end markers
const LOOP = 24; // how far a node's edge to itself reaches out
const BIG = 40; // nodes: a bigger graph is laid out the fast way
const FIT_HEIGHT = 560; // px: up to this tall, a graph is scaled to fit the pane (86 % or more)

/** Counts what drawing costs, for tests and benchmarks: lighting must add no layout. */
export const stats = { layouts: 0 };

/** An SVG element; `text` sets its textContent. */
function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

const cut = (text) => (text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text);

/** A B-spline through the points (the smooth curve dagre's edges are usually drawn with). */
export function curve(points) {
  const f = (n) => Math.round(n * 10) / 10;
  if (points.length < 3) return `M${points.map((p) => `${f(p.x)},${f(p.y)}`).join("L")}`;
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  const p = points;
  d += `L${f((5 * p[0].x + p[1].x) / 6)},${f((5 * p[0].y + p[1].y) / 6)}`;
  for (let i = 1; i < p.length - 1; i++) {
    const a = p[i - 1];
    const b = p[i];
    const c = p[i + 1];
    d += `C${f((2 * a.x + b.x) / 3)},${f((2 * a.y + b.y) / 3)} ${f((a.x + 2 * b.x) / 3)},${f((a.y + 2 * b.y) / 3)} ${f((a.x + 4 * b.x + c.x) / 6)},${f((a.y + 4 * b.y + c.y) / 6)}`;
  }
  const a = p[p.length - 2];
  const b = p[p.length - 1];
  d += `C${f((2 * a.x + b.x) / 3)},${f((2 * a.y + b.y) / 3)} ${f((a.x + 2 * b.x) / 3)},${f((a.y + 2 * b.y) / 3)} ${f(b.x)},${f(b.y)}`;
  return d;
}

/** A node's edge to itself: a loop out of its right side and back (dagre's bends over it). */
function loop(box) {
  const x = box.x + box.drawn / 2;
  return [{ x, y: box.y - 8 }, { x: x + LOOP * 0.7, y: box.y - 13 }, { x: x + LOOP - 2, y: box.y }, { x: x + LOOP * 0.7, y: box.y + 13 }, { x, y: box.y + 8 }];
}

/** An arrowhead at the end of a line coming from `from` to `to`. */
function arrow(from, to) {
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  const at = (da, r) => `${Math.round((to.x - r * Math.cos(angle + da)) * 10) / 10},${Math.round((to.y - r * Math.sin(angle + da)) * 10) / 10}`;
  return `M${to.x},${to.y}L${at(0.45, 8)}L${at(-0.45, 8)}Z`;
}

export class Diagram {
  /** `graph`: readGraph's result. `onNode(name)`: a node was clicked (its own name, not xray's). */
  constructor(graph, { onNode } = {}) {
    this.graph = graph;
    this.items = new Map(); // node or cluster id -> { g, badge, badgeText, title, name }
    this.edgeEls = []; // edge index -> its <g>
    this.taken = null;
    this.selected = "";
    stats.layouts += 1;
    const g = new Graph({ compound: true, multigraph: true });
    // A big graph gives up dagre's best ordering of nodes (fewest crossings), which costs
    // three times the rest of the layout: a 100-node graph is laid out in a frame or three.
    const big = graph.nodes.length > BIG;
    g.setGraph({ rankdir: "TB", nodesep: 30, ranksep: 44, edgesep: 12, marginx: 12, marginy: 12, ranker: big ? "tight-tree" : "network-simplex" });
    for (const cluster of graph.clusters) g.setNode(`c:${cluster.id}`, {});
    for (const cluster of graph.clusters) if (cluster.parent) g.setParent(`c:${cluster.id}`, `c:${cluster.parent}`);
    const loops = new Set(graph.edges.filter((e) => e.source === e.target).map((e) => e.source));
    for (const node of graph.nodes) {
      const marker = node.kind !== "node";
      const width = marker ? MARK : Math.max(64, cut(node.label).length * CHAR_WIDTH + 28);
      // Room on both sides for a loop (the node stays centred on its edges).
      g.setNode(`n:${node.id}`, { width: width + (loops.has(node.id) ? 2 * LOOP : 0), height: marker ? MARK : NODE_HEIGHT, drawn: width });
      if (node.cluster) g.setParent(`n:${node.id}`, `c:${node.cluster}`);
    }
    // A node's edge to itself is drawn by hand (loop()), not laid out.
    for (const edge of graph.edges.filter((e) => e.source !== e.target)) {
      const label = edge.label ? cut(edge.label) : "";
      g.setEdge(`n:${edge.source}`, `n:${edge.target}`, label ? { width: label.length * 6.4 + 8, height: 14, labelpos: "c" } : {}, String(edge.index));
    }
    layout(g, big ? { disableOptimalOrderHeuristic: true } : undefined);
    const { width, height } = g.graph();
    this.width = Math.ceil(width);
    this.height = Math.ceil(height);
    this.el = svg("svg", { class: "lgw-graph-svg", viewBox: `0 0 ${this.width} ${this.height}`, width: this.width, height: this.height, role: "img" });
    this.el.append(svg("title", {}, `graph: ${realNodes(graph).length} nodes`));
    const clusters = svg("g", { class: "lgw-gclusters" });
    const edges = svg("g", { class: "lgw-gedges" });
    const nodes = svg("g", { class: "lgw-gnodes" });
    const labels = svg("g", { class: "lgw-glabels" }); // subgraphs' names, over the edges
    this.el.append(clusters, edges, nodes, labels);
    // A graph that fits in the pane at 86 % or more is shown whole (CSS), a bigger one scrolls.
    if (this.height <= FIT_HEIGHT) this.el.classList.add("lgw-graph-fit");
    // Outer clusters first, so an inner one is drawn over its parent.
    const depth = (c) => c.id.split(":").length;
    for (const cluster of [...graph.clusters].sort((a, b) => depth(a) - depth(b))) {
      const box = g.node(`c:${cluster.id}`);
      const el = svg("g", { class: "lgw-gcluster lgw-g-idle", "data-node": cluster.id, transform: `translate(${box.x - box.width / 2},${box.y - box.height / 2})` });
      const title = svg("title", {}, `${cluster.id} (subgraph)`);
      el.append(title, svg("rect", { width: box.width, height: box.height, rx: 8 }));
      clusters.append(el);
      labels.append(svg("text", { x: box.x - box.width / 2 + 8, y: box.y - box.height / 2 + 13, class: "lgw-gcluster-label" }, cut(cluster.label)));
      this.add(cluster.id, el, title, cluster.label, box.width);
    }
    for (const edge of graph.edges) {
      const data = g.edge({ v: `n:${edge.source}`, w: `n:${edge.target}`, name: String(edge.index) });
      const points = edge.source === edge.target ? loop(g.node(`n:${edge.source}`)) : data?.points ?? [];
      const el = svg("g", { class: `lgw-gedge${edge.conditional ? " lgw-gedge-conditional" : ""}`, "data-source": edge.source, "data-target": edge.target });
      el.append(svg("title", {}, `${edge.source} → ${edge.target}${edge.label ? ` (${edge.label})` : ""}${edge.conditional ? ", conditional" : ""}`));
      if (points.length >= 2) {
        el.append(svg("path", { class: "lgw-gedge-line", d: curve(points) }), svg("path", { class: "lgw-gedge-arrow", d: arrow(points[points.length - 2], points[points.length - 1]) }));
      }
      if (edge.label && Number.isFinite(data?.x)) el.append(svg("text", { class: "lgw-gedge-label", x: data.x, y: data.y + 4, "text-anchor": "middle" }, cut(edge.label)));
      edges.append(el);
      this.edgeEls[edge.index] = el;
    }
    for (const node of graph.nodes) {
      const laid = g.node(`n:${node.id}`);
      const box = { ...laid, width: laid.drawn };
      const el = svg("g", { class: `lgw-gnode lgw-gnode-${node.kind} lgw-g-idle`, "data-node": node.id, transform: `translate(${box.x - box.width / 2},${box.y - box.height / 2})` });
      const title = svg("title", {}, node.kind === "node" ? node.id : node.kind);
      el.append(title);
      if (node.kind === "node") {
        el.append(svg("rect", { width: box.width, height: box.height, rx: 7 }), svg("text", { x: box.width / 2, y: box.height / 2 + 4, "text-anchor": "middle" }, cut(node.label)));
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "button");
      } else {
        el.append(svg("circle", { cx: MARK / 2, cy: MARK / 2, r: MARK / 2 - 1 }));
        if (node.kind === "end") el.append(svg("circle", { class: "lgw-gend-dot", cx: MARK / 2, cy: MARK / 2, r: MARK / 4 }));
      }
      nodes.append(el);
      if (node.kind === "node") this.add(node.id, el, title, node.label, box.width);
    }
    if (onNode) this.listen(onNode);
  }

  add(id, g, title, name, width) {
    const badge = svg("g", { class: "lgw-gbadge", transform: `translate(${width - 6},-7)`, visibility: "hidden" });
    const rect = svg("rect", { height: 15, rx: 7.5 });
    const text = svg("text", { x: 0, y: 11 });
    badge.append(rect, text);
    g.append(badge);
    this.items.set(id, { g, badge, rect, text, title, name, state: "idle" });
  }

  listen(onNode) {
    const pick = (event) => {
      const el = event.target.closest?.("[data-node]");
      const item = el && this.items.get(el.getAttribute("data-node"));
      if (item) onNode(item.name);
    };
    this.el.addEventListener("click", pick);
    this.el.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick(event);
      }
    });
  }

  /** Show a node's look: its state's class, its runs on a badge, its runs and time on hover. */
  light(id, look) {
    const item = this.items.get(id);
    if (!item) return;
    if (item.state !== look.state) {
      item.g.classList.replace(`lgw-g-${item.state}`, `lgw-g-${look.state}`);
      item.state = look.state;
    }
    let badge = "";
    if (look.parallel > 1) badge = look.runs > look.parallel ? `×${look.runs} · ${look.parallel} parallel` : `×${look.parallel} parallel`;
    else if (look.runs > 1) badge = `×${look.runs}`;
    if (item.text.textContent !== badge) {
      item.text.textContent = badge;
      const width = badge.length * 6.2 + 10;
      item.rect.setAttribute("width", width);
      item.rect.setAttribute("x", -width / 2);
      item.text.setAttribute("x", 0);
      item.badge.setAttribute("visibility", badge ? "visible" : "hidden");
    }
    const runs = look.runs === 1 ? "1 run" : `${look.runs} runs`;
    const parallel = look.parallel > 1 ? ` (${look.parallel} in parallel)` : "";
    const time = look.ms > 0 ? ` · ${formatSeconds(look.ms)}` : "";
    item.title.textContent = look.runs ? `${id}\n${look.state}: ${runs}${parallel}${time}` : `${id}\n${look.state === "idle" ? "not run" : look.state}`;
  }

  /** Mark the edge taken last (an index into the graph's edges, or null). */
  markEdge(index) {
    if (index === this.taken) return;
    this.edgeEls[this.taken]?.classList.remove("lgw-gedge-taken");
    this.taken = index;
    const el = this.edgeEls[index];
    if (el) {
      el.classList.add("lgw-gedge-taken");
      el.parentNode.append(el); // drawn over the others
    }
  }

  /** Outline the nodes a filter shows ("" for none). */
  select(name) {
    if (name === this.selected) return;
    this.selected = name;
    for (const item of this.items.values()) item.g.classList.toggle("lgw-g-selected", Boolean(name) && item.name === name);
  }
}

/**
 * The run view's graph pane: a collapsible diagram above the timeline, lit as the items come,
 * or the note that says why there is none. `run` is the view's { get(trait) }; `ui` the view's
 * kept state; `onNode(name)` a click on a node.
 */
export class GraphPane {
  constructor(run, store, ui, onNode) {
    this.run = run;
    this.store = store;
    this.ui = ui;
    this.onNode = onNode;
    this.summary = h("summary", { className: "lgw-graph-summary", text: "Graph" });
    this.details = h("details", { className: "lgw-graph-pane" }, this.summary);
    this.details.addEventListener("toggle", () => {
      this.ui.graphOpen = this.details.open;
      if (this.details.open) this.draw();
    });
    this.body = h("div", { className: "lgw-graph-body" });
    this.details.append(this.body);
    this.note = h("div", { className: "lgw-graph-note" });
    this.el = h("div", { className: "lgw-graph", hidden: "" }, this.details, this.note);
    this.json = undefined;
    this.frame = 0;
  }

  /** Follow the store's items; returns the clean-up. */
  connect() {
    const off = this.store.subscribe((added, changed) => {
      if (!this.lighting) return;
      if (added === null) this.lighting.reset();
      else this.lighting.see(added, changed);
      this.schedule();
    });
    this.update();
    return () => {
      off();
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    };
  }

  /** The model changed: a new graph or note, or the run's status. Cheap when nothing did. */
  update() {
    const json = this.run.get("graph") ?? null;
    const note = this.run.get("graph_note") ?? "";
    if (json !== this.json) this.setGraph(json);
    this.note.textContent = json ? "" : note;
    this.note.hidden = !note || Boolean(json);
    this.el.hidden = !json && !note;
    if (this.lighting?.setRun(this.run.get("status") ?? "idle", this.run.get("error"))) this.schedule();
  }

  setGraph(json) {
    this.json = json;
    this.body.replaceChildren();
    this.diagram = null;
    this.lighting = null;
    this.details.hidden = !json;
    if (!json) return;
    this.model = readGraph(json);
    const count = realNodes(this.model).length;
    this.summary.textContent = `Graph · ${count} node${count === 1 ? "" : "s"}`;
    this.lighting = new Lighting(this.model);
    this.lighting.see(this.store.items, []);
    this.ui.graphOpen ??= count <= OPEN_UP_TO;
    this.details.open = this.ui.graphOpen;
    if (this.details.open) this.draw();
  }

  /** Lay out and draw, once per graph, when the pane is first open. */
  draw() {
    if (this.diagram || !this.lighting) return;
    this.diagram = new Diagram(this.model, { onNode: this.onNode });
    this.diagram.select(this.ui.filter.node);
    this.body.append(this.diagram.el);
    this.lighting.shown.clear(); // a fresh drawing shows every look
    for (const key of this.lighting.targets) this.lighting.dirty.add(key);
    this.light();
  }

  schedule() {
    if (!this.frame && this.diagram) this.frame = requestAnimationFrame(() => this.light());
  }

  /** Show what changed since the last frame: classes and text only. */
  light() {
    this.frame = 0;
    if (!this.diagram) return;
    for (const [key, look] of this.lighting.take()) this.diagram.light(key, look);
    this.diagram.markEdge(this.lighting.lastEdge());
  }

  select(name) {
    this.diagram?.select(name);
  }
}
