// The graph model, pure (no DOM): a graph's JSON in both forms to nodes, edges and clusters, and
// the run's items (as the timeline makes them from real chunks) to each node's look.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { END, Lighting, START, keyOf, readGraph } from "../src/graph.js";
import { Timeline } from "../src/timeline.js";
import { FANOUT, INBOX, PIPELINE_XRAY, REACT, SUPERVISOR_IN_PROCESS, SUPERVISOR_XRAY } from "./graphs.js";

const R = "research:ad32e2c7-8e90-4d3d-3bed-2fac2084596c";
const S = "search:050e8ec4-838f-eaa8-540b-30df81342748";

/** A timeline and a lighting fed chunks [event, data], 10 ms apart, as a view's store does. */
function run(graphJson, chunks, { status = "running", error = null } = {}) {
  const tl = new Timeline();
  const lighting = new Lighting(readGraph(graphJson));
  lighting.setRun("running", null);
  feed(tl, lighting, chunks);
  if (status !== "running") {
    const { added, changed } = tl.finish();
    lighting.see(added, changed);
    lighting.setRun(status, error);
  }
  return { tl, lighting, more: (more) => feed(tl, lighting, more) };
}

function feed(tl, lighting, chunks) {
  const from = tl.fed ?? 0;
  chunks.forEach(([event, data], i) => tl.ingest(from + i, event, JSON.stringify(data), (from + i) * 10));
  tl.fed = from + chunks.length;
  const { added, changed } = tl.drain();
  lighting.see(added, changed);
}

const looks = (lighting) => Object.fromEntries(lighting.take().map(([key, look]) => [key, look]));
const state = (lighting, key) => lighting.look(key).state;

describe("readGraph", () => {
  test("the server's xray JSON: subgraph nodes in clusters under their parent, start and end as markers", () => {
    const g = readGraph(SUPERVISOR_XRAY);
    assert.deepEqual(g.nodes.map((n) => [n.id, n.label, n.kind, n.cluster]), [
      ["__start__", "__start__", "start", null],
      ["supervisor", "supervisor", "node", null],
      ["finish", "finish", "node", null],
      ["__end__", "__end__", "end", null],
      ["research:write", "write", "node", "research"],
      ["research:search:fetch", "fetch", "node", "research:search"],
      ["research:search:rank", "rank", "node", "research:search"],
    ]);
    assert.deepEqual(g.clusters, [
      { id: "research", label: "research", parent: null },
      { id: "research:search", label: "search", parent: "research" },
    ]);
    assert.equal(g.edges.length, 6);
    assert.deepEqual(g.edges[2], { source: "supervisor", target: "research:search:fetch", conditional: false, label: "", index: 2 });
  });

  test("in-process to_json and the server's JSON give the same nodes and edges", () => {
    const server = readGraph({
      nodes: SUPERVISOR_IN_PROCESS.nodes.map(({ id, type, metadata }) => ({ id, type, ...(type ? { data: { name: id } } : {}), ...(metadata ? { metadata } : {}) })),
      edges: SUPERVISOR_IN_PROCESS.edges,
    });
    const local = readGraph(SUPERVISOR_IN_PROCESS);
    const plain = (g) => ({ nodes: g.nodes, edges: g.edges, clusters: g.clusters });
    assert.deepEqual(plain(local), plain(server));
    assert.deepEqual(local.byId.get("research").metadata, { __tools: ["a"] });
    assert.deepEqual(local.clusters, []);
  });

  test("lgwidget's own shape (name beside id, conditional always said, a branch label)", () => {
    const g = readGraph({ nodes: [{ id: "a", name: "a" }, { id: "b", name: "b" }], edges: [{ source: "a", target: "b", conditional: true, label: "yes" }] });
    assert.deepEqual(g.edges, [{ source: "a", target: "b", conditional: true, label: "yes", index: 0 }]);
  });

  test("anything else is an empty graph or loses only what is broken", () => {
    for (const bad of [null, undefined, 3, "x", [], { nodes: "x" }, { nodes: [null, 1, {}, { id: null }] }]) {
      const g = readGraph(bad);
      assert.equal(g.nodes.length, 0);
      assert.equal(g.edges.length, 0);
    }
    const g = readGraph({ nodes: [{ id: "a" }, { id: "a" }, { id: 7 }], edges: [{ source: "a", target: "nowhere" }, null, { source: "a", target: "7" }] });
    assert.deepEqual(g.nodes.map((n) => n.id), ["a", "7"]);
    assert.deepEqual(g.edges.map((e) => [e.source, e.target, e.index]), [["a", "7", 0]]);
  });
});

describe("lighting", () => {
  test("a subgraph's nodes light up from the stream's namespaces, their clusters too", () => {
    const { lighting, more } = run(SUPERVISOR_XRAY, [["updates", { supervisor: { notes: ["route"] } }]]);
    assert.equal(state(lighting, "supervisor"), "done");
    assert.equal(state(lighting, "research:search:fetch"), "idle");
    more([[`updates|${R}|${S}`, { fetch: { notes: ["fetched"] } }]]);
    assert.equal(state(lighting, "research:search:fetch"), "done");
    assert.equal(state(lighting, "research:search"), "running"); // no update of its own yet
    assert.equal(state(lighting, "research"), "running");
    assert.equal(state(lighting, "research:search:rank"), "idle");
    more([[`updates|${R}|${S}`, { rank: {} }], [`updates|${R}`, { search: {} }], [`updates|${R}`, { write: {} }]]);
    assert.equal(state(lighting, "research:search"), "done");
    assert.equal(state(lighting, "research:write"), "done");
    assert.equal(state(lighting, "research"), "running");
    more([["updates", { research: {} }], ["updates", { finish: {} }]]);
    assert.equal(state(lighting, "research"), "done");
    assert.equal(state(lighting, "finish"), "done");
  });

  test("the key of an item is its place in the item tree, task ids left out", () => {
    const { tl } = run(SUPERVISOR_XRAY, [[`updates|${R}|${S}`, { fetch: {} }]]);
    const research = tl.items[0];
    const search = research.children[0];
    assert.deepEqual([keyOf(research), keyOf(search), keyOf(search.children[0])], ["research", "research:search", "research:search:fetch"]);
  });

  test("without xray a subgraph's items light their parent node only", () => {
    const { lighting } = run(SUPERVISOR_IN_PROCESS, [["updates", { supervisor: {} }], [`updates|${R}|${S}`, { fetch: {} }]]);
    assert.equal(state(lighting, "research"), "running");
    assert.equal(lighting.look("research").runs, 1);
    assert.equal(lighting.runs.has("research:search:fetch"), false);
  });

  test("runs are counted; a fan-out's branches are runs in parallel; time adds up", () => {
    const task = (id, name, input) => ["tasks", { id, name, input, triggers: [], metadata: {} }];
    const result = (id, name) => ["tasks", { id, name, error: null, result: {}, interrupts: [] }];
    const { lighting, more } = run(FANOUT, [
      task("p", "plan", {}), ["updates", { plan: null }], result("p", "plan"),
      task("a", "summarize", { topic: "a" }), task("b", "summarize", { topic: "b" }), task("c", "summarize", { topic: "c" }),
    ]);
    let look = lighting.look("summarize");
    assert.deepEqual([look.state, look.runs, look.parallel], ["running", 3, 3]);
    more([result("a", "summarize"), result("b", "summarize"), result("c", "summarize")]);
    look = lighting.look("summarize");
    assert.deepEqual([look.state, look.runs, look.parallel], ["done", 3, 3]);
    assert.ok(look.ms > 0);
    assert.equal(lighting.look("plan").parallel, 0);
  });

  test("a loop counts each run of a node", () => {
    const { lighting } = run(REACT, [["updates", { agent: {} }], ["updates", { tools: {} }], ["updates", { agent: {} }]], { status: "done" });
    assert.deepEqual([lighting.look("agent").runs, lighting.look("tools").runs, lighting.look("agent").state], [2, 1, "done"]);
  });

  test("the last edge taken: the newest step, start and end included, parallel runs no step", () => {
    const graph = readGraph(REACT);
    const edge = (lighting) => {
      const i = lighting.lastEdge();
      return i === null ? null : `${graph.edges[i].source}→${graph.edges[i].target}`;
    };
    const { lighting, more } = run(REACT, []);
    assert.equal(edge(lighting), null);
    more([["updates", { agent: {} }]]);
    assert.equal(edge(lighting), `${START}→agent`);
    more([["updates", { tools: {} }]]);
    assert.equal(edge(lighting), "agent→tools");
    more([["updates", { agent: {} }]]);
    assert.equal(edge(lighting), "tools→agent");
    lighting.setRun("done", null);
    assert.equal(edge(lighting), `agent→${END}`);
    const fan = run(FANOUT, [["updates", { plan: {} }], ["updates", { summarize: {} }], ["updates", { summarize: {} }]]).lighting;
    const fanGraph = readGraph(FANOUT);
    assert.equal(fanGraph.edges[fan.lastEdge()].target, "summarize");
    assert.equal(fanGraph.edges[fan.lastEdge()].source, "plan");
  });

  test("a subgraph's own start marker sits in its cluster; the edge into it counts as taken", () => {
    const g = readGraph(PIPELINE_XRAY);
    assert.deepEqual(["kind", "cluster", "label"].map((k) => g.byId.get("team:__start__")[k]), ["start", "team", "__start__"]);
    const T = "team:3f1b6c1e-8d1c-4b6e-9a53-6f4d2b8f0a11";
    const { lighting, more } = run(PIPELINE_XRAY, [["updates", { prepare: {} }], [`updates|${T}`, { search: {} }]]);
    const edge = () => `${g.edges[lighting.lastEdge()].source}→${g.edges[lighting.lastEdge()].target}`;
    assert.equal(edge(), "team:__start__→team:search");
    more([[`updates|${T}`, { search: {} }]]);
    assert.equal(edge(), "team:search→team:search");
    assert.equal(lighting.look("team:search").runs, 2);
    more([[`updates|${T}`, { write: {} }], ["updates", { team: {} }], ["updates", { finish: {} }]]);
    assert.equal(edge(), "team:write→finish");
  });

  test("an interrupt lights the node it stopped in: the one after the last that ended", () => {
    const { lighting } = run(INBOX, [["updates", { prepare: {} }], ["updates", { __interrupt__: [{ value: "ok?", id: "i1" }] }]], { status: "interrupted" });
    assert.equal(state(lighting, "prepare"), "done");
    assert.equal(state(lighting, "ask"), "interrupted");
  });

  test("a node that stopped and was resumed is done when its next run ends", () => {
    const ask = (id) => ["updates", { __interrupt__: [{ value: "ok?", id }] }];
    const { lighting, more } = run(INBOX, [["updates", { prepare: {} }], ask("i1")], { status: "interrupted" });
    assert.equal(state(lighting, "ask"), "interrupted");
    more([["updates", { ask: { answer: 1 } }]], { status: "done" });
    assert.equal(state(lighting, "ask"), "done");
    const tasks = run(INBOX, [
      ["tasks", { id: "t1", name: "ask", input: {}, triggers: [], metadata: {} }],
      ["tasks", { id: "t1", name: "ask", error: null, result: {}, interrupts: [{ value: 1, id: "i" }] }],
      ["tasks", { id: "t2", name: "ask", input: {}, triggers: [], metadata: {} }],
      ["tasks", { id: "t2", name: "ask", error: null, result: { answer: 1 }, interrupts: [] }],
    ], { status: "done" });
    assert.equal(state(tasks.lighting, "ask"), "done");
  });

  test("with states only (values mode) an interrupt lights no node: the stream names none", () => {
    const { lighting } = run(INBOX, [["values", { request: "x" }], ["values", { request: "prepared: x" }],
      ["values", { request: "prepared: x", __interrupt__: [{ value: "ok?", id: "i1" }] }]], { status: "interrupted" });
    assert.equal(state(lighting, "prepare"), "idle");
    assert.equal(state(lighting, "ask"), "idle");
  });

  test("a task's interrupts light its node", () => {
    const { lighting } = run(INBOX, [
      ["tasks", { id: "t", name: "ask", input: {}, triggers: [] }],
      ["tasks", { id: "t", name: "ask", error: null, result: {}, interrupts: [{ value: 1, id: "i" }] }],
    ], { status: "interrupted" });
    assert.equal(state(lighting, "ask"), "interrupted");
  });

  test("an error lights the node that raised: named by the stream, else the one at work", () => {
    const named = run(INBOX, [["updates", { prepare: {} }], ["error", { error: "KeyError", message: "'k'", node: "ask" }]], { status: "error" });
    assert.equal(state(named.lighting, "ask"), "error");
    assert.equal(state(named.lighting, "prepare"), "done");
    const working = run(SUPERVISOR_XRAY, [[`updates|${R}|${S}`, { fetch: {} }], ["error", { error: "ValueError", message: "x" }]], { status: "error" });
    assert.equal(state(working.lighting, "research:search"), "error");
    assert.equal(state(working.lighting, "research:search:fetch"), "done");
    const fromRun = run(INBOX, [["updates", { prepare: {} }]], { status: "error", error: { error: "E", message: "m", node: "ask" } });
    assert.equal(state(fromRun.lighting, "ask"), "error");
  });

  test("nodes still at work stop running when the run ends", () => {
    const { lighting } = run(SUPERVISOR_XRAY, [[`updates|${R}|${S}`, { fetch: {} }]], { status: "cancelled" });
    assert.equal(state(lighting, "research"), "done");
  });

  test("take() hands over only what changed", () => {
    const { lighting, more } = run(REACT, []);
    const first = looks(lighting);
    assert.deepEqual(Object.keys(first).sort(), ["__end__", "__start__", "agent", "tools"]);
    assert.deepEqual(looks(lighting), {});
    more([["updates", { agent: {} }]]);
    assert.deepEqual(Object.keys(looks(lighting)), ["agent"]);
    more([["custom", { progress: 0.5 }]]);
    assert.deepEqual(looks(lighting), {});
  });

  test("a reset (the widget run again) forgets the runs", () => {
    const { lighting } = run(REACT, [["updates", { agent: {} }]]);
    lighting.reset();
    assert.equal(lighting.look("agent").runs, 0);
    assert.equal(lighting.lastEdge(), null);
  });
});
