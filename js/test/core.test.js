// The pure core: no DOM needed.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  RunStore,
  TRUNCATED,
  chunkItems,
  formatBytes,
  formatSeconds,
  isMessage,
  matches,
  messageRole,
  messageText,
  parseBatch,
  splitEvent,
} from "../src/core.js";
import { batchText, updateChunks } from "./batches.js";

const batch = (seq, chunks) => parseBatch(batchText(seq, chunks));

describe("parseBatch", () => {
  test("header and one line per chunk", () => {
    const text = batchText(5, [
      ["updates", { agent: { x: 1 } }],
      ["values", { messages: [] }],
      ["metadata", { run_id: "r1" }],
    ]);
    const b = parseBatch(text);
    assert.equal(b.seq, 5);
    assert.deepEqual(b.events, ["updates", "values", "metadata"]);
    assert.deepEqual(b.t, [50, 60, 70]);
    assert.equal(b.lines.length, 3);
    assert.deepEqual(JSON.parse(b.lines[0]), { agent: { x: 1 } });
    assert.deepEqual(JSON.parse(b.lines[2]), { run_id: "r1" });
  });

  test("header written like Python's json.dumps(separators=(',', ':')) and a trailing empty line", () => {
    const text = '{"seq":0,"events":["custom","custom"],"t":[1,2]}\n{"a": 1}\n';
    const b = parseBatch(text);
    assert.deepEqual(b.lines, ['{"a": 1}', ""]);
  });

  test("strings with newlines are kept on one line (view_line) and survive", () => {
    const b = batch(0, [["custom", { text: "line 1\nline 2" }]]);
    assert.equal(b.lines.length, 1);
    assert.deepEqual(JSON.parse(b.lines[0]), { text: "line 1\nline 2" });
  });
});

describe("splitEvent", () => {
  test("plain mode", () => {
    assert.deepEqual(splitEvent("updates"), { mode: "updates", ns: [], path: [] });
    assert.deepEqual(splitEvent("messages/partial"), { mode: "messages/partial", ns: [], path: [] });
  });

  test("subgraph namespaces: names without the task ids, and the raw path with them", () => {
    assert.deepEqual(splitEvent("updates|tools:abc|inner:def"), {
      mode: "updates",
      ns: ["tools", "inner"],
      path: ["tools:abc", "inner:def"],
    });
    assert.deepEqual(splitEvent("messages|agent:1f0-2a"), { mode: "messages", ns: ["agent"], path: ["agent:1f0-2a"] });
    // two runs of one subgraph node have the same names but different paths
    const a = splitEvent("custom|tools:1f0-aaa");
    const b = splitEvent("custom|tools:1f0-bbb");
    assert.deepEqual(a.ns, b.ns);
    assert.notDeepEqual(a.path, b.path);
  });
});

describe("chunkItems", () => {
  test("updates with one node", () => {
    const line = JSON.stringify({ agent: { messages: ["hi"] } });
    const items = chunkItems(3, "updates", line, 120);
    assert.equal(items.length, 1);
    const [item] = items;
    assert.equal(item.kind, "update");
    assert.equal(item.node, "agent");
    assert.equal(item.title, "agent");
    assert.equal(item.index, 3);
    assert.equal(item.t, 120);
    assert.equal(item.mode, "updates");
    assert.deepEqual(item.ns, []);
    assert.equal(item.bytes, line.length);
    assert.deepEqual(item.data, { messages: ["hi"] });
  });

  test("updates with two nodes give two items of the same chunk", () => {
    const items = chunkItems(7, "updates|sub:1", JSON.stringify({ a: 1, b: { y: 2 } }), 0);
    assert.deepEqual(items.map((i) => [i.kind, i.node, i.index]), [["update", "a", 7], ["update", "b", 7]]);
    assert.deepEqual(items[1].data, { y: 2 });
    assert.deepEqual(items[0].ns, ["sub"]);
  });

  test("__interrupt__ is an interrupt", () => {
    const [item] = chunkItems(0, "updates", JSON.stringify({ __interrupt__: [{ value: "ok?" }] }), 0);
    assert.equal(item.kind, "interrupt");
    assert.equal(item.title, "interrupt");
    assert.deepEqual(item.data, [{ value: "ok?" }]);
  });

  test("error", () => {
    const [item] = chunkItems(9, "error", JSON.stringify({ error: "ValueError", message: "bad" }), 0);
    assert.equal(item.kind, "error");
    assert.equal(item.title, "ValueError");
    assert.equal(item.data.message, "bad");
  });

  test("error that is not an object", () => {
    const [item] = chunkItems(9, "error", JSON.stringify("boom"), 0);
    assert.equal(item.kind, "error");
    assert.equal(item.title, "Error");
    assert.equal(item.data.message, "boom");
  });

  test("metadata gives no item", () => {
    assert.deepEqual(chunkItems(0, "metadata", JSON.stringify({ run_id: "r" }), 0), []);
  });

  test("other modes are generic events here (the Timeline gives them their own kinds)", () => {
    for (const mode of ["values", "messages", "custom", "debug", "events", "tasks"]) {
      const [item] = chunkItems(1, `${mode}|sg:1`, JSON.stringify({ k: mode }), 0);
      assert.equal(item.kind, "event", mode);
      assert.equal(item.title, mode);
      assert.deepEqual(item.ns, ["sg"]);
      assert.deepEqual(item.data, { k: mode });
    }
  });

  test("updates that are empty or not an object are events", () => {
    assert.equal(chunkItems(0, "updates", "{}", 0)[0].kind, "event");
    assert.equal(chunkItems(0, "updates", "[1,2]", 0)[0].kind, "event");
    assert.equal(chunkItems(0, "updates", "null", 0)[0].kind, "event");
  });

  test("truncated marker", () => {
    const line = JSON.stringify({ [TRUNCATED]: 52428800, preview: '{"agent": {"messages": [' });
    for (const mode of ["updates", "values"]) {
      const [item] = chunkItems(2, mode, line, 0);
      assert.equal(item.kind, "truncated", mode);
      assert.equal(item.title, mode);
      assert.equal(item.data[TRUNCATED], 52428800);
      assert.equal(item.data.preview, '{"agent": {"messages": [');
    }
    assert.equal(TRUNCATED, "__lgwidget_truncated__");
  });

  test("a line that is not JSON does not throw and is shown as text", () => {
    const [item] = chunkItems(0, "custom", "{not json", 0);
    assert.equal(item.kind, "event");
    assert.equal(item.data, "{not json");
    assert.equal(chunkItems(0, "updates", "oops", 0)[0].data, "oops");
    assert.equal(chunkItems(0, "error", "Trace…", 0)[0].data.message, "Trace…");
  });

  test("an empty line is null data", () => {
    const [item] = chunkItems(0, "custom", "", 0);
    assert.equal(item.data, null);
    assert.equal(item.bytes, 0);
  });
});

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

describe("matches", () => {
  const [agent] = chunkItems(0, "updates", JSON.stringify({ agent: { messages: [{ type: "ai", content: "The Weather In Paris" }] } }), 0);
  const [tools] = chunkItems(1, "updates", JSON.stringify({ tools: { result: 42 } }), 0);
  const [values] = chunkItems(2, "values", JSON.stringify({ x: 1 }), 0);

  test("no filter matches everything", () => {
    for (const item of [agent, tools, values]) assert.equal(matches(item, { node: "", text: "" }), true);
  });

  test("by node", () => {
    assert.equal(matches(agent, { node: "agent", text: "" }), true);
    assert.equal(matches(tools, { node: "agent", text: "" }), false);
    assert.equal(matches(values, { node: "agent", text: "" }), false);
  });

  test("by text, case-insensitive, in the title and in the data", () => {
    assert.equal(matches(agent, { node: "", text: "weather in" }), true);
    assert.equal(matches(agent, { node: "", text: "PARIS" }), true);
    assert.equal(matches(agent, { node: "", text: "AGE" }), true); // the title
    assert.equal(matches(tools, { node: "", text: "paris" }), false);
    assert.equal(matches(tools, { node: "", text: "42" }), true);
  });

  test("node and text together", () => {
    assert.equal(matches(agent, { node: "agent", text: "paris" }), true);
    assert.equal(matches(agent, { node: "tools", text: "paris" }), false);
  });

  test(
    "text with quotes or backslashes is found as the user sees it",

    () => {
      const [item] = chunkItems(0, "updates", JSON.stringify({ agent: { text: 'say "hi" from C:\\temp' } }), 0);
      assert.equal(matches(item, { node: "", text: 'say "hi"' }), true);
      assert.equal(matches(item, { node: "", text: "c:\\temp" }), true);
    },
  );
});

describe("messages", () => {
  test("isMessage", () => {
    assert.equal(isMessage({ type: "human", content: "hi" }), true);
    assert.equal(isMessage({ role: "user", content: "hi" }), true);
    assert.equal(isMessage({ type: "AIMessageChunk", content: [] }), true);
    assert.equal(isMessage({ type: "human" }), false);
    assert.equal(isMessage({ content: "x" }), false);
    assert.equal(isMessage([{ type: "human", content: "x" }]), false);
    assert.equal(isMessage(null), false);
    assert.equal(isMessage("hi"), false);
  });

  test("messageRole", () => {
    assert.equal(messageRole({ type: "human", content: "" }), "user");
    assert.equal(messageRole({ type: "ai", content: "" }), "assistant");
    assert.equal(messageRole({ type: "tool", content: "" }), "tool");
    assert.equal(messageRole({ type: "system", content: "" }), "system");
    assert.equal(messageRole({ type: "AIMessageChunk", content: "" }), "assistant");
    assert.equal(messageRole({ type: "AIMessage", content: "" }), "assistant");
    assert.equal(messageRole({ type: "HumanMessage", content: "" }), "user");
    assert.equal(messageRole({ type: "ToolMessage", content: "" }), "tool");
    assert.equal(messageRole({ role: "user", content: "" }), "user");
    assert.equal(messageRole({ role: "assistant", content: "" }), "assistant");
  });

  test(
    "messageRole of a type that is also an Object.prototype name is a string",

    () => {
      for (const type of ["constructor", "toString", "valueOf", "hasOwnProperty"]) {
        assert.equal(typeof messageRole({ type, content: "" }), "string", type);
      }
    },
  );

  test("messageText", () => {
    assert.equal(messageText({ type: "ai", content: "hello" }), "hello");
    assert.equal(
      messageText({
        type: "ai",
        content: [
          { type: "text", text: "Hello " },
          { type: "tool_use", id: "t1", name: "search", input: {} },
          "plain ",
          { type: "text", text: "world" },
          null,
        ],
      }),
      "Hello plain world",
    );
    assert.equal(messageText({ type: "ai", content: null }), "");
    assert.equal(messageText({ type: "ai", content: { a: 1 } }), '{"a":1}');
  });
});

test(
  "formatSeconds never says 60 s",
  () => {
    assert.equal(formatSeconds(119_700), "2 min 0 s");
  },
);

test("formatBytes and formatSeconds", () => {
  assert.equal(formatBytes(10), "10 B");
  assert.equal(formatBytes(2048), "2.0 KB");
  assert.equal(formatBytes(52428800), "50.0 MB");
  assert.equal(formatSeconds(12), "12 ms");
  assert.equal(formatSeconds(1500), "1.5 s");
  assert.equal(formatSeconds(125000), "2 min 5 s");
});
