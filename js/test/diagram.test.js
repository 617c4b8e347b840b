// The diagram in a DOM (happy-dom): SVG made of text, lit without a second layout, and the run
// view's graph pane (open for small graphs, a click filters the timeline, a note without graph).
import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, FakeModel, batchText, clearDocument, container, pumpFrames } from "./setup.js";
import { Diagram, GraphPane, OPEN_UP_TO, curve, stats } from "../src/diagram.js";
import { readGraph } from "../src/graph.js";
import { parseBatch } from "../src/protocol.js";
import { RunStore } from "../src/store.js";
import { RunView } from "../src/view.js";
import graphWidget from "../src/graphwidget.js";
import { runOf } from "../src/widget.js";
import { REACT, SUPERVISOR_XRAY } from "./graphs.js";

const HOSTILE = "<img src=x onerror=alert(1)>";
const views = [];
afterEach(() => {
  while (views.length) views.pop().destroy();
  clearDocument();
});

const nodeEl = (root, id) => $$(root, "[data-node]").find((el) => el.getAttribute("data-node") === id);
const classesOf = (el) => el.getAttribute("class").split(" ");

/** A line graph of n nodes, a fan of `fan` branches in the middle. */
function big(n) {
  const nodes = [{ id: "__start__" }, ...Array.from({ length: n }, (_, i) => ({ id: `n${i}` })), { id: "__end__" }];
  const edges = [{ source: "__start__", target: "n0" }, ...Array.from({ length: n - 1 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}` })), { source: `n${n - 1}`, target: "__end__" }];
  return { nodes, edges };
}

describe("Diagram", () => {
  test("every node is drawn with its name as text; start and end are small markers", () => {
    const d = new Diagram(readGraph(SUPERVISOR_XRAY));
    const texts = $$(d.el, "text").map((t) => t.textContent);
    for (const name of ["supervisor", "finish", "write", "fetch", "rank", "research", "search"]) assert.ok(texts.includes(name), name);
    assert.equal(nodeEl(d.el, "__start__").querySelectorAll("circle").length, 1);
    assert.equal(nodeEl(d.el, "__end__").querySelectorAll("circle").length, 2);
    assert.equal(nodeEl(d.el, "__start__").querySelector("text"), null);
    // The subgraph's cluster holds its nodes: its box is around theirs.
    const box = (el) => el.getAttribute("transform").match(/translate\(([-\d.]+),([-\d.]+)\)/).slice(1).map(Number);
    const [cx, cy] = box(nodeEl(d.el, "research:search"));
    const [fx, fy] = box(nodeEl(d.el, "research:search:fetch"));
    assert.ok(fx > cx && fy > cy);
    assert.equal(d.el.namespaceURI, "http://www.w3.org/2000/svg");
  });

  test("conditional edges are dashed (a class), the others not", () => {
    const d = new Diagram(readGraph(REACT));
    const edges = $$(d.el, ".lgw-gedge");
    assert.equal(edges.length, 4);
    const conditional = edges.filter((e) => classesOf(e).includes("lgw-gedge-conditional")).map((e) => `${e.getAttribute("data-source")}→${e.getAttribute("data-target")}`);
    assert.deepEqual(conditional.sort(), ["agent→__end__", "agent→tools"]);
    for (const e of edges) assert.ok(e.querySelector("path.lgw-gedge-line").getAttribute("d").startsWith("M"));
  });

  test("a hostile node name is text: no element is made of it", () => {
    const d = new Diagram(readGraph({ nodes: [{ id: HOSTILE }, { id: `sub:${HOSTILE}` }], edges: [{ source: HOSTILE, target: `sub:${HOSTILE}`, data: HOSTILE }] }));
    container().append(d.el);
    assert.equal(document.querySelector("img"), null);
    const texts = $$(d.el, "text").map((t) => t.textContent);
    assert.ok(texts.some((t) => t.startsWith("<img src=x")));
    assert.ok($$(d.el, "title").some((t) => t.textContent === HOSTILE));
    d.light(HOSTILE, { state: "running", runs: 2, parallel: 0, ms: 5 });
    assert.equal(document.querySelector("img"), null);
    assert.ok(nodeEl(d.el, HOSTILE).querySelector("title").textContent.startsWith(HOSTILE));
  });

  test("long names are cut on the node and whole on hover", () => {
    const name = "a_node_with_a_name_that_goes_on_".repeat(6);
    const d = new Diagram(readGraph({ nodes: [{ id: name }], edges: [] }));
    const el = nodeEl(d.el, name);
    assert.ok(el.querySelector("text").textContent.length <= 28);
    assert.equal(el.querySelector("title").textContent, name);
  });

  test("lighting changes classes and text only: no layout, no element moves", () => {
    const d = new Diagram(readGraph(SUPERVISOR_XRAY));
    const layouts = stats.layouts;
    const before = $$(d.el, "[transform]").map((el) => el.getAttribute("transform")).sort();
    const count = d.el.querySelectorAll("*").length;
    d.light("research:search:fetch", { state: "running", runs: 1, parallel: 0, ms: 0 });
    d.light("supervisor", { state: "done", runs: 3, parallel: 3, ms: 1500 });
    d.light("research", { state: "error", runs: 1, parallel: 0, ms: 10 });
    d.markEdge(2);
    assert.equal(stats.layouts, layouts);
    assert.deepEqual($$(d.el, "[transform]").map((el) => el.getAttribute("transform")).sort(), before);
    assert.equal(d.el.querySelectorAll("*").length, count);
    assert.ok(classesOf(nodeEl(d.el, "research:search:fetch")).includes("lgw-g-running"));
    assert.ok(!classesOf(nodeEl(d.el, "research:search:fetch")).includes("lgw-g-idle"));
    assert.ok(classesOf(nodeEl(d.el, "research")).includes("lgw-g-error"));
    const sup = nodeEl(d.el, "supervisor");
    assert.equal(sup.querySelector(".lgw-gbadge text").textContent, "×3 parallel");
    assert.equal(sup.querySelector(".lgw-gbadge").getAttribute("visibility"), "visible");
    assert.equal(sup.querySelector("title").textContent, "supervisor\ndone: 3 runs (3 in parallel) · 1.5 s");
    const taken = () => $$(d.el, ".lgw-gedge-taken").map((e) => `${e.getAttribute("data-source")}→${e.getAttribute("data-target")}`);
    assert.deepEqual(taken(), ["supervisor→research:search:fetch"]);
    d.markEdge(0);
    assert.deepEqual(taken(), ["__start__→supervisor"]);
  });

  test("a click on a node hands over its own name; markers and edges are no targets", () => {
    const clicked = [];
    const d = new Diagram(readGraph(SUPERVISOR_XRAY), { onNode: (name) => clicked.push(name) });
    container().append(d.el);
    nodeEl(d.el, "research:search:fetch").querySelector("rect").dispatchEvent(new window.MouseEvent("click", { bubbles: true }));
    nodeEl(d.el, "research").querySelector("text").dispatchEvent(new window.MouseEvent("click", { bubbles: true }));
    nodeEl(d.el, "__start__").dispatchEvent(new window.MouseEvent("click", { bubbles: true }));
    assert.deepEqual(clicked, ["fetch", "research"]);
    d.select("fetch");
    assert.deepEqual($$(d.el, ".lgw-g-selected").map((el) => el.getAttribute("data-node")), ["research:search:fetch"]);
  });

  test("curve: a line for two points, a smooth path through more", () => {
    assert.equal(curve([{ x: 0, y: 0 }, { x: 10, y: 5 }]), "M0,0L10,5");
    const d = curve([{ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 20, y: 0 }]);
    assert.ok(d.startsWith("M0,0L") && d.endsWith(" 20,0") && d.includes("C"));
  });
});

describe("the graph pane of the run view", () => {
  function viewOf(traits, chunks = []) {
    const model = new FakeModel(traits);
    const store = new RunStore();
    const el = container();
    const view = new RunView(el, runOf(model), store);
    views.push(view);
    if (chunks.length) store.add(parseBatch(batchText(0, chunks)));
    pumpFrames();
    return { el, model, store, view };
  }

  test("a small graph is open above the timeline and lights up as items come", () => {
    const { el, model, store } = viewOf({ graph: SUPERVISOR_XRAY, status: "running" });
    const pane = el.querySelector(".lgw-graph");
    assert.ok(!pane.hidden);
    assert.ok(pane.querySelector("details").open);
    assert.ok(pane.compareDocumentPosition(el.querySelector(".lgw-scroll")) & 4); // before the list
    const R = "research:ad32e2c7-8e90-4d3d-3bed-2fac2084596c";
    const S = "search:050e8ec4-838f-eaa8-540b-30df81342748";
    const layouts = stats.layouts;
    store.add(parseBatch(batchText(0, [["updates", { supervisor: {} }], [`updates|${R}|${S}`, { fetch: {} }]])));
    pumpFrames();
    assert.ok(classesOf(nodeEl(el, "supervisor")).includes("lgw-g-done"));
    assert.ok(classesOf(nodeEl(el, "research:search:fetch")).includes("lgw-g-done"));
    assert.ok(classesOf(nodeEl(el, "research")).includes("lgw-g-running"));
    model.set("status", "done");
    store.finish();
    pumpFrames();
    assert.ok(classesOf(nodeEl(el, "research")).includes("lgw-g-done"));
    assert.equal(stats.layouts, layouts);
  });

  test("a click on a node filters the timeline to it; a second click clears", () => {
    const { el } = viewOf({ graph: REACT, status: "done" }, [["updates", { agent: {} }], ["updates", { tools: {} }], ["updates", { agent: {} }]]);
    const select = el.querySelector(".lgw-node-filter");
    const click = (id) => nodeEl(el, id).querySelector("rect").dispatchEvent(new window.MouseEvent("click", { bubbles: true }));
    click("tools");
    pumpFrames();
    assert.equal(select.value, "tools");
    assert.deepEqual($$(el, ".lgw-panel").map((p) => p.getAttribute("data-node")), ["tools"]);
    assert.ok(classesOf(nodeEl(el, "tools")).includes("lgw-g-selected"));
    click("tools");
    pumpFrames();
    assert.equal(select.value, "");
    assert.equal($$(el, ".lgw-panel").length, 3);
    assert.ok(!classesOf(nodeEl(el, "tools")).includes("lgw-g-selected"));
    // The select filters too, and the diagram shows it.
    select.value = "agent";
    select.dispatchEvent(new window.Event("change"));
    pumpFrames();
    assert.ok(classesOf(nodeEl(el, "agent")).includes("lgw-g-selected"));
  });

  test("a big graph's pane starts closed and is laid out only when opened", () => {
    const layouts = stats.layouts;
    const { el } = viewOf({ graph: big(OPEN_UP_TO + 1) });
    const details = el.querySelector(".lgw-graph details");
    assert.equal(details.open, false);
    assert.equal(stats.layouts, layouts);
    assert.match(el.querySelector(".lgw-graph summary").textContent, /31 nodes/);
    details.open = true;
    details.dispatchEvent(new window.Event("toggle"));
    assert.equal(stats.layouts, layouts + 1);
    assert.equal($$(el, ".lgw-gnode-node").length, OPEN_UP_TO + 1);
  });

  test("no graph: the note in one line, or nothing at all", () => {
    const { el, model } = viewOf({ graph: null, graph_note: "No graph diagram: the server cannot draw this graph (x)." });
    const pane = el.querySelector(".lgw-graph");
    assert.ok(!pane.hidden);
    assert.equal(pane.querySelector(".lgw-graph-note").textContent, "No graph diagram: the server cannot draw this graph (x).");
    assert.equal(pane.querySelector("svg"), null);
    model.set("graph_note", "");
    assert.ok(pane.hidden);
    model.set("graph", REACT); // fetched while the run goes on
    assert.ok(!pane.hidden);
    assert.ok(pane.querySelector("svg"));
  });

  test("the pane is part of the view's clean-up", () => {
    const { view, store } = viewOf({ graph: REACT });
    const listeners = store.listeners.size;
    view.destroy();
    assert.equal(store.listeners.size, listeners - 2);
  });

  test("GraphPane alone: nothing is drawn before a graph comes", () => {
    const store = new RunStore();
    const pane = new GraphPane({ get: () => undefined }, store, { filter: { node: "" } }, () => {});
    const off = pane.connect();
    assert.ok(pane.el.hidden);
    off();
    assert.equal(store.listeners.size, 0);
  });
});

describe("show_graph's widget", () => {
  test("draws the graph trait, again when it changes, and cleans up", () => {
    const model = new FakeModel({ graph: REACT });
    const el = container();
    const cleanup = graphWidget.render({ model, el });
    assert.equal($$(el, ".lgw-gnode-node").length, 2);
    model.set("graph", SUPERVISOR_XRAY);
    assert.equal($$(el, ".lgw-gnode-node").length, 5);
    cleanup();
    assert.equal(model.listenerCount("change:graph"), 0);
  });
});
