// The RunStore: chunks applied in order whatever order batches come in. No DOM.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseBatch } from "../src/protocol.js";
import { RunStore } from "../src/store.js";
import { batchText, updateChunks } from "./batches.js";

const batch = (seq, chunks) => parseBatch(batchText(seq, chunks));

describe("RunStore", () => {
  test("in-order batches", () => {
    const store = new RunStore();
    const seen = [];
    store.subscribe((added) => seen.push(added.map((i) => i.index)));
    assert.equal(store.add(batch(0, updateChunks(0, 3))), true);
    assert.equal(store.add(batch(3, updateChunks(3, 2))), true);
    assert.equal(store.count, 5);
    assert.equal(store.batches, 2);
    assert.deepEqual(store.items.map((i) => i.index), [0, 1, 2, 3, 4]);
    assert.deepEqual(store.items.map((i) => i.id), [0, 1, 2, 3, 4]);
    assert.deepEqual(seen, [[0, 1, 2], [3, 4]]);
    assert.ok(store.bytes > 0);
  });

  test("a duplicate batch is ignored", () => {
    const store = new RunStore();
    let calls = 0;
    store.subscribe(() => calls++);
    store.add(batch(0, updateChunks(0, 3)));
    assert.equal(store.add(batch(0, updateChunks(0, 3))), true);
    assert.equal(store.count, 3);
    assert.equal(store.items.length, 3);
    assert.equal(store.batches, 1);
    assert.equal(calls, 1);
  });

  test("an early batch waits until the gap is filled", () => {
    const store = new RunStore();
    const seen = [];
    store.subscribe((added) => seen.push(added.map((i) => i.index)));
    assert.equal(store.add(batch(3, updateChunks(3, 2))), false);
    assert.equal(store.add(batch(5, updateChunks(5, 1))), false);
    assert.equal(store.count, 0);
    assert.equal(store.items.length, 0);
    assert.equal(store.pending.size, 2);
    assert.deepEqual(seen, []);
    assert.equal(store.add(batch(0, updateChunks(0, 3))), true);
    assert.equal(store.count, 6);
    assert.equal(store.batches, 3);
    assert.equal(store.pending.size, 0);
    assert.deepEqual(store.items.map((i) => i.index), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(seen, [[0, 1, 2, 3, 4, 5]]);
  });

  test("reset forgets everything and tells listeners with null", () => {
    const store = new RunStore();
    const seen = [];
    store.subscribe((added) => seen.push(added));
    store.add(batch(0, updateChunks(0, 3)));
    store.add(batch(10, updateChunks(10, 1)));
    store.reset();
    assert.equal(seen.at(-1), null);
    assert.equal(store.count, 0);
    assert.equal(store.batches, 0);
    assert.equal(store.bytes, 0);
    assert.equal(store.items.length, 0);
    assert.equal(store.nodes.size, 0);
    assert.equal(store.pending.size, 0);
    store.add(batch(0, updateChunks(0, 1)));
    assert.equal(store.count, 1);
  });

  test("unsubscribe", () => {
    const store = new RunStore();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    off();
    store.add(batch(0, updateChunks(0, 1)));
    assert.equal(calls, 0);
  });

  test("node counts, metadata and events counted as chunks but not nodes", () => {
    const store = new RunStore();
    store.add(
      batch(0, [
        ["metadata", { run_id: "r" }],
        ["updates", { agent: {}, tools: {} }],
        ["updates", { agent: { x: 1 } }],
        ["values", { agent: 1 }],
        ["updates", { __interrupt__: [] }],
      ]),
    );
    assert.equal(store.count, 5);
    assert.deepEqual(Object.fromEntries(store.nodes), { agent: 2, tools: 1, __interrupt__: 1 });
    assert.deepEqual(store.items.map((i) => i.kind), ["update", "update", "update", "values", "interrupt"]);
    assert.deepEqual(store.items.map((i) => i.title), ["agent", "tools", "agent", "state (input)", "interrupt"]);
    assert.deepEqual(store.items[3].data, { agent: 1 });
    assert.equal(store.items[3].node, undefined, "a state is no node");
  });

  test("each stream mode has its own kind (no generic events for known modes)", () => {
    const store = new RunStore();
    store.add(
      batch(0, [
        ["values", { messages: [] }],
        ["custom", { progress: 0.5 }],
        ["messages", [{ type: "AIMessageChunk", content: "Hi", id: "m1", tool_call_chunks: [] }, { langgraph_node: "agent", langgraph_checkpoint_ns: "agent:1" }]],
        ["tasks", { id: "t1", name: "agent", input: {}, triggers: ["branch:to:agent"] }],
        ["debug", { type: "task", timestamp: "2025-01-01T00:00:00Z", step: 1, payload: { id: "t2", name: "tools", input: {} } }],
        ["events", { event: "on_chain_start", name: "LangGraph", data: {} }],
        ["updates|tools:abc", { lookup: { q: 1 } }],
      ]),
    );
    assert.deepEqual(store.items.map((i) => i.kind), ["values", "custom", "node", "task", "task", "events", "node"]);
    assert.ok(!store.items.some((i) => i.kind === "event"));
    const [, , agent, , , , tools] = store.items;
    assert.deepEqual(agent.children.map((c) => [c.kind, c.text]), [["message", "Hi"]]);
    // the subgraph's update is inside its parent node, not a flat "tools › lookup" panel
    assert.equal(tools.title, "tools");
    assert.deepEqual(tools.children.map((c) => [c.kind, c.title, c.ns]), [["update", "lookup", ["tools"]]]);
  });

  test("a subgraph's items nest in the parent node item, which the parent's update then fills", () => {
    const store = new RunStore();
    const seen = [];
    store.subscribe((added, changed) => seen.push({ added, changed }));
    store.add(batch(0, [["updates|tools:abc", { lookup: { q: "paris" } }]]));
    assert.equal(store.items.length, 1);
    const [tools] = store.items;
    assert.deepEqual([tools.kind, tools.title, tools.node, tools.done], ["node", "tools", "tools", false]);
    assert.deepEqual(seen[0].added, [tools]);
    store.add(batch(1, [["updates", { tools: { messages: ["22 °C"] } }]]));
    assert.equal(store.items.length, 1, "no second item for the parent's update");
    assert.ok(store.items[0] === tools);
    assert.deepEqual(tools.update, { messages: ["22 °C"] });
    assert.deepEqual(tools.data, { messages: ["22 °C"] });
    assert.equal(tools.done, true);
    assert.equal(tools.index, 1);
    assert.deepEqual(seen[1].added, []);
    assert.ok(seen[1].changed.includes(tools));
    assert.deepEqual(Object.fromEntries(store.nodes), { tools: 1, lookup: 1 });
  });
});

describe("RunStore, what it counts and what it tells", () => {
  test("bytes are the lengths of the chunk lines applied, a duplicate not counted twice", () => {
    const store = new RunStore();
    const first = batch(0, [["custom", "RAW:abc"], ["custom", "RAW:"], ["custom", { k: "é" }]]);
    store.add(first);
    assert.equal(store.bytes, 3 + 0 + '{"k":"é"}'.length);
    store.add(first);
    assert.equal(store.bytes, 12);
    store.add(batch(3, [["custom", "RAW:xy"]]));
    assert.equal(store.bytes, 14);
  });

  test("a chunk the timeline cannot read is logged, shown as an unreadable item, and the rest still apply", (t) => {
    const errors = [];
    t.mock.method(console, "error", (...args) => errors.push(args));
    const store = new RunStore();
    const ingest = store.timeline.ingest.bind(store.timeline);
    store.timeline.ingest = (index, ...rest) => {
      if (index === 1) throw new TypeError("cannot read this one");
      return ingest(index, ...rest);
    };
    const seen = [];
    store.subscribe((added) => seen.push(added.map((i) => [i.index, i.mode, i.kind])));
    store.add(batch(0, [["updates", { a: { x: 1 } }], ["updates|sub:1", { b: 2 }], ["updates", { c: {} }]]));
    assert.equal(store.count, 3);
    assert.equal(store.batches, 1);
    assert.deepEqual(seen, [[[0, "updates", "update"], [1, "unreadable", "event"], [2, "updates", "update"]]]);
    const unreadable = store.items[1];
    assert.equal(unreadable.title, "updates|sub:1");
    assert.equal(unreadable.data, '{"b":2}', "the line as text");
    assert.deepEqual(unreadable.ns, ["sub:1"]);
    assert.equal(unreadable.t, 10);
    assert.equal(unreadable.bytes, 7);
    assert.equal(errors.length, 1);
    assert.equal(errors[0][0], "lgwidget: could not show chunk");
    assert.equal(errors[0][1], 1);
    assert.match(String(errors[0][2]), /cannot read this one/);
    store.add(batch(3, [["updates", { d: {} }]]));
    assert.equal(store.count, 4);
  });

  test("finish tells listeners only when it closed something", () => {
    const store = new RunStore();
    const seen = [];
    store.subscribe((added, changed) => seen.push([added.length, changed.length]));
    store.add(batch(0, updateChunks(0, 2)));
    seen.length = 0;
    store.finish();
    assert.deepEqual(seen, [], "nothing was open");
    store.add(batch(2, [["messages", [{ type: "AIMessageChunk", content: "Hi", id: "m1" }, { langgraph_node: "agent" }]]]));
    seen.length = 0;
    store.finish();
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0][0], 0);
    assert.ok(seen[0][1] >= 2, "the node and its message are done now");
    assert.equal(store.items.at(-1).done, true);
    assert.equal(store.items.at(-1).children[0].done, true);
    seen.length = 0;
    store.finish();
    assert.deepEqual(seen, [], "twice is nothing new");
  });

  test("batches that came early are applied in order once the gap is filled, even in a chain", () => {
    const store = new RunStore();
    store.add(batch(6, updateChunks(6, 1)));
    store.add(batch(2, updateChunks(2, 4)));
    store.add(batch(9, updateChunks(9, 1))); // 7..8 still missing: waits
    store.add(batch(0, updateChunks(0, 2)));
    assert.equal(store.count, 7);
    assert.deepEqual([...store.pending.keys()], [9]);
    assert.equal(store.add(batch(7, updateChunks(7, 2))), true);
    assert.equal(store.count, 10);
    assert.equal(store.pending.size, 0);
    assert.deepEqual(store.items.map((i) => i.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(store.batches, 5);
  });
});
