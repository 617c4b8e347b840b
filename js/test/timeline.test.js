// The Timeline, pure (no DOM): what the chunks of each stream mode become, fed with chunks shaped
// like langgraph-api 0.16.7's wire format.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TRUNCATED, parseBatch } from "../src/protocol.js";
import { RunStore } from "../src/store.js";
import { Timeline, diffState, matches } from "../src/timeline.js";
import { batchText } from "./batches.js";

import { RUN, aiMessage, chunk, human, meta, toolMessage, tokens } from "./chunks.js";

/** Feed chunks [event, data] (data as JSON values, or "RAW:" text) to a timeline, t = 10 ms apart. */
function feed(tl, chunks, { from = feed.next.get(tl) ?? 0, t = (i) => i * 10 } = {}) {
  chunks.forEach(([event, data], i) => {
    const line = typeof data === "string" && data.startsWith("RAW:") ? data.slice(4) : JSON.stringify(data);
    tl.ingest(from + i, event, line, t(from + i));
  });
  feed.next.set(tl, from + chunks.length);
  return tl;
}
feed.next = new WeakMap();

const timeline = (chunks) => feed(new Timeline(), chunks);
const kinds = (items) => items.map((i) => i.kind);

/** The items one chunk makes (nested ones too), without the node items that hold them. */
function chunkItems(index, event, line, t) {
  const tl = new Timeline();
  tl.ingest(index, event, line, t);
  const out = [];
  const walk = (items) => {
    for (const item of items) {
      if (item.kind === "node") walk(item.children);
      else out.push(item);
    }
  };
  walk(tl.items);
  return out;
}

// -- messages (messages-tuple) -----------------------------------------------------------------

describe("messages-tuple tokens", () => {
  const answer = meta("answer");

  test("tokens of one message id grow one message item under a node item", () => {
    const tl = timeline([["metadata", { run_id: RUN, attempt: 1 }], ...tokens(["The", " weather", " in", " Paris", " is", " sunny."], answer)]);
    assert.equal(tl.items.length, 1, "one top-level item");
    const [node] = tl.items;
    assert.deepEqual([node.kind, node.title, node.node, node.done], ["node", "answer", "answer", false]);
    assert.equal(node.children.length, 1);
    const [message] = node.children;
    assert.equal(message.kind, "message");
    assert.equal(message.messageId, "run-1");
    assert.equal(message.text, "The weather in Paris is sunny.");
    assert.equal(message.tokens, 7, "six text chunks and the last, empty one");
    assert.equal(message.done, true, "chunk_position last");
    assert.equal(message.role, "AIMessageChunk");
    assert.equal(message.t, 10, "when the first token came");
    assert.equal(message.tEnd, 70, "when the last token came");
    assert.deepEqual(message.data, { type: "AIMessageChunk", content: "The weather in Paris is sunny." });
    assert.deepEqual(message.ns, []);
    assert.deepEqual(Object.fromEntries(tl.nodes), { answer: 1 });
  });

  test("not done before the last chunk", () => {
    const tl = timeline(tokens(["The", " weather"], answer).slice(0, 2));
    const [message] = tl.items[0].children;
    assert.equal(message.text, "The weather");
    assert.equal(message.done, false);
  });

  test("two messages of one node are two message items in the same node item", () => {
    const tl = timeline([...tokens(["Hi"], answer, "run-1"), ...tokens(["Bye"], answer, "run-2")]);
    assert.equal(tl.items.length, 1);
    assert.deepEqual(tl.items[0].children.map((m) => [m.messageId, m.text]), [["run-1", "Hi"], ["run-2", "Bye"]]);
  });

  test("the node's update fills the same node item: no second top-level item", () => {
    const final = aiMessage("The weather in Paris is sunny.");
    const tl = timeline([
      ...tokens(["The", " weather in Paris", " is sunny."], answer),
      ["updates", { answer: { messages: [final] } }],
    ]);
    assert.equal(tl.items.length, 1);
    const [node] = tl.items;
    assert.equal(node.kind, "node");
    assert.equal(node.done, true);
    assert.deepEqual(node.update, { messages: [final] });
    assert.deepEqual(node.data, { messages: [final] });
    assert.equal(node.index, 4, "the update's chunk");
    assert.equal(node.t, 0, "when the node was first seen");
    assert.equal(node.tEnd, 40, "when its update came");
    assert.equal(node.children.length, 1, "the update adds no child");
    assert.deepEqual(Object.fromEntries(tl.nodes), { answer: 1 });
  });

  test("a later run of the same node is a new node item", () => {
    const agent = meta("agent");
    const tl = timeline([
      ...tokens(["Let me check."], agent, "run-1"),
      ["updates", { agent: { messages: [aiMessage("Let me check.", "run-1")] } }],
      ["updates", { tools: { messages: [] } }],
      ...tokens(["Sunny."], meta("agent", "agent:2", 3), "run-2"),
      ["updates", { agent: { messages: [aiMessage("Sunny.", "run-2")] } }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title, i.done]), [["node", "agent", true], ["update", "tools", undefined], ["node", "agent", true]]);
    assert.equal(tl.items[2].children[0].text, "Sunny.");
    assert.deepEqual(Object.fromEntries(tl.nodes), { agent: 2, tools: 1 });
  });

  test("a message sent whole (no last chunk) is done when its node's update arrives", () => {
    const tool = toolMessage("22 °C and sunny");
    const tl = timeline([["messages", [tool, meta("tools")]]]);
    const [node] = tl.items;
    const [message] = node.children;
    assert.equal(message.text, "22 °C and sunny");
    assert.equal(message.role, "tool");
    assert.equal(message.name, "get_weather");
    assert.equal(message.toolCallId, "call_Ab12");
    assert.equal(message.done, false, "a whole message has no last chunk");
    assert.deepEqual(message.data, { type: "tool", content: "22 °C and sunny", name: "get_weather", tool_call_id: "call_Ab12" });
    feed(tl, [["updates", { tools: { messages: [tool] } }]]);
    assert.equal(message.done, true);
    assert.equal(node.done, true);
    assert.equal(tl.items.length, 1);
  });

  test("tool_call_chunks merge by index into name and args", () => {
    const agent = meta("agent");
    const call = (parts, extra = {}) => ["messages", [chunk("", { toolCallChunks: parts, ...extra }), agent]];
    const tl = timeline([
      call([{ name: "get_weather", args: "", id: "call_Ab12", index: 0 }], { tool_calls: [{ name: "get_weather", args: {}, id: "call_Ab12", type: "tool_call" }] }),
      call([{ args: '{"ci', index: 0 }]),
      call([{ name: "get_time", args: "", id: "call_Cd34", index: 1 }]),
      call([{ args: 'ty": "Par', index: 0 }]),
      call([{ args: '{"tz": "CET"}', index: 1 }]),
      call([{ args: 'is"}', index: 0 }]),
      ["messages", [chunk("", { last: true }), agent]],
    ]);
    const [message] = tl.items[0].children;
    assert.deepEqual(message.toolCalls, [
      { name: "get_weather", args: '{"city": "Paris"}', id: "call_Ab12" },
      { name: "get_time", args: '{"tz": "CET"}', id: "call_Cd34" },
    ]);
    assert.equal(message.done, true);
    assert.deepEqual(message.data.tool_calls.map((c) => c.name), ["get_weather", "get_time"]);
    assert.deepEqual(JSON.parse(message.toolCalls[0].args), { city: "Paris" });
  });

  test("tool_calls of a whole message are taken as they are", () => {
    const tl = timeline([["messages", [chunk("", { type: "ai", tool_calls: [{ name: "search", args: { q: "paris" }, id: "c1", type: "tool_call" }] }), meta("agent")]]]);
    assert.deepEqual(tl.items[0].children[0].toolCalls, [{ name: "search", args: '{"q":"paris"}', id: "c1" }]);
  });

  test("content as a list of blocks counts only its text", () => {
    const tl = timeline([
      ["messages", [chunk([{ type: "text", text: "Hel", index: 0 }]), meta("agent")]],
      ["messages", [chunk([{ type: "tool_use", id: "tu", name: "x", input: {}, index: 1 }]), meta("agent")]],
      ["messages", [chunk([{ type: "text", text: "lo", index: 0 }]), meta("agent")]],
    ]);
    assert.equal(tl.items[0].children[0].text, "Hello");
  });

  test("tokens from a node inside a subgraph land inside the subgraph's parent node item", () => {
    const ns = "research:0d1c2b3a-aaaa-bbbb-cccc-000000000001|call_tool:0d1c2b3a-aaaa-bbbb-cccc-000000000002";
    const tl = timeline([
      ["updates|research:0d1c2b3a-aaaa-bbbb-cccc-000000000001", { plan: { steps: ["search"] } }],
      ...tokens(["Searching", "…"], meta("call_tool", ns, 2)),
      ["updates|research:0d1c2b3a-aaaa-bbbb-cccc-000000000001", { call_tool: { messages: [aiMessage("Searching…")] } }],
      ["updates", { research: { notes: "done" } }],
    ]);
    assert.equal(tl.items.length, 1, "everything inside the research node");
    const [research] = tl.items;
    assert.deepEqual([research.kind, research.title, research.done], ["node", "research", true]);
    assert.deepEqual(research.update, { notes: "done" });
    assert.deepEqual(research.children.map((c) => [c.kind, c.title]), [["update", "plan"], ["node", "call_tool"]]);
    const callTool = research.children[1];
    assert.equal(callTool.done, true, "filled by the subgraph's update of call_tool");
    assert.deepEqual(callTool.update, { messages: [aiMessage("Searching…")] });
    assert.deepEqual(callTool.children.map((c) => [c.kind, c.text, c.done]), [["message", "Searching…", true]]);
    assert.deepEqual(callTool.children[0].ns, ["research"]);
    assert.deepEqual(research.children[0].ns, ["research"]);
  });

  test("tokens from a subgraph node before any subgraph event make the parent node item too", () => {
    const ns = "research:r1|call_tool:c1";
    const tl = timeline(tokens(["Hi"], meta("call_tool", ns)));
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["node", "research"]]);
    assert.deepEqual(tl.items[0].children.map((i) => [i.kind, i.title]), [["node", "call_tool"]]);
    // the subgraph's events (same task id) then go to the same parent node item
    feed(tl, [["custom|research:r1", { progress: 0.5 }]]);
    assert.equal(tl.items.length, 1);
    assert.deepEqual(kinds(tl.items[0].children), ["node", "custom"]);
  });
});

// -- messages mode (metadata, partial, complete) ------------------------------------------------

describe("messages mode: metadata, partial, complete", () => {
  const partial = (content, extra = {}) => [{ ...aiMessage(content, "run-7"), response_metadata: {}, usage_metadata: null, ...extra }];

  test("partial replaces the text with the whole text so far; complete ends it", () => {
    const tl = timeline([
      ["messages/metadata", { "run-7": { metadata: meta("answer") } }],
      ["messages/partial", partial("The")],
      ["messages/partial", partial("The weather")],
      ["messages/partial", partial("The weather is sunny.")],
    ]);
    assert.equal(tl.items.length, 1);
    const [node] = tl.items;
    assert.deepEqual([node.kind, node.title], ["node", "answer"]);
    const [message] = node.children;
    assert.equal(message.text, "The weather is sunny.", "not 'TheThe weatherThe weather is sunny.'");
    assert.equal(message.tokens, 3);
    assert.equal(message.done, false);
    assert.equal(message.role, "ai");
    feed(tl, [["messages/complete", partial("The weather is sunny.", { response_metadata: { finish_reason: "stop" } })]]);
    assert.equal(message.done, true);
    assert.equal(message.text, "The weather is sunny.");
    assert.equal(node.children.length, 1);
    assert.ok(!tl.modes.has("messages"), "the modes seen are named as sent");
    assert.ok(tl.modes.has("messages/partial") && tl.modes.has("messages/metadata"));
  });

  test("a message sent whole comes as complete only, under its node, with its tool calls", () => {
    const tool = { content: "22 °C", type: "tool", name: "get_weather", id: "tm-1", tool_call_id: "call_1", artifact: null, status: "success", additional_kwargs: {}, response_metadata: {} };
    const ai = aiMessage("", "run-8", { tool_calls: [{ name: "get_weather", args: { city: "Paris" }, id: "call_1", type: "tool_call" }] });
    const tl = timeline([
      ["messages/metadata", { "run-8": { metadata: meta("agent") } }],
      ["messages/complete", [ai]],
      ["updates", { agent: { messages: [ai] } }],
      ["messages/metadata", { "tm-1": { metadata: meta("tools") } }],
      ["messages/complete", [tool]],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title, i.done]), [["node", "agent", true], ["node", "tools", false]]);
    assert.deepEqual(tl.items[0].children[0].toolCalls, [{ name: "get_weather", args: '{"city":"Paris"}', id: "call_1" }]);
    assert.deepEqual(tl.items[1].children.map((m) => [m.role, m.text, m.done, m.toolCallId]), [["tool", "22 °C", true, "call_1"]]);
  });

  test("partial in a subgraph node: under the parent node, from the metadata's checkpoint ns", () => {
    const tl = timeline([
      ["messages/metadata", { "run-9": { metadata: meta("call_tool", "research:r1|call_tool:c1") } }],
      ["messages/partial", [{ ...aiMessage("Hi", "run-9") }]],
    ]);
    assert.deepEqual(tl.items.map((i) => i.title), ["research"]);
    assert.equal(tl.items[0].children[0].title, "call_tool");
    assert.equal(tl.items[0].children[0].children[0].text, "Hi");
  });

  test("partial without metadata is a message item of its own", () => {
    const tl = timeline([["messages/partial", [aiMessage("Hi", "lonely")]]]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title, i.text]), [["message", "message", "Hi"]]);
  });
});

// -- values ------------------------------------------------------------------------------------

describe("values", () => {
  const s0 = { messages: [human("Weather in Paris?")], scratch: "x" };
  const s1 = { messages: [human("Weather in Paris?"), aiMessage("Let me check.")], scratch: "x", city: "Paris" };
  const s2 = { messages: [human("Weather in Paris?"), aiMessage("Let me check.")], city: "Lyon", answer: "sunny" };

  test("the first state is the input; then each state has its diff with the one before", () => {
    const tl = timeline([["values", s0], ["values", s1], ["values", s2], ["values", s2]]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["values", "state (input)"], ["values", "state"], ["values", "state"], ["values", "state"]]);
    assert.deepEqual(tl.items.map((i) => i.diff), [
      { added: ["messages", "scratch"], changed: [], removed: [] },
      { added: ["city"], changed: ["messages"], removed: [] },
      { added: ["answer"], changed: ["city"], removed: ["scratch"] },
      { added: [], changed: [], removed: [] },
    ]);
    assert.deepEqual(tl.items[2].data, s2);
    assert.equal(tl.finalState, tl.items[3].data);
    assert.deepEqual(tl.finalState, s2);
    assert.equal(tl.nodes.size, 0, "states are no nodes");
  });

  test("finalState is the last root state, not a subgraph's", () => {
    const tl = timeline([
      ["values", s0],
      ["values|research:r1", { query: "paris", results: [] }],
      ["values", s1],
      ["values|research:r1", { query: "paris", results: ["sunny"] }],
    ]);
    assert.deepEqual(tl.finalState, s1);
  });

  test("a subgraph's states go inside its group, with their own diff chain", () => {
    const tl = timeline([
      ["values", s0],
      ["values|research:r1", { query: "paris" }],
      ["values|research:r1", { query: "paris", results: ["sunny"] }],
      ["values", s1],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["values", "state (input)"], ["node", "research"], ["values", "state"]]);
    const inner = tl.items[1].children;
    assert.deepEqual(inner.map((i) => [i.kind, i.title, i.ns]), [["values", "state (input)", ["research"]], ["values", "state", ["research"]]]);
    assert.deepEqual(inner[1].diff, { added: ["results"], changed: [], removed: [] });
    assert.deepEqual(tl.items[2].diff, { added: ["city"], changed: ["messages"], removed: [] }, "the root chain skips the subgraph's states");
  });

  test("hideValues hides the state items", () => {
    const tl = timeline([["values", s0], ["updates", { agent: { x: 1 } }]]);
    const [state, update] = tl.items;
    assert.equal(matches(state, { node: "", text: "", hideValues: true }), false);
    assert.equal(matches(state, { node: "", text: "", hideValues: false }), true);
    assert.equal(matches(state, { node: "", text: "" }), true);
    assert.equal(matches(update, { node: "", text: "", hideValues: true }), true);
  });

  test("diffState compares values, not references", () => {
    assert.deepEqual(diffState({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), { added: [], changed: [], removed: [] });
    assert.deepEqual(diffState({ a: [1] }, { a: [1, 2] }), { added: [], changed: ["a"], removed: [] });
    assert.deepEqual(diffState(undefined, { a: 1 }), { added: ["a"], changed: [], removed: [] });
  });
});

// -- tasks and debug ---------------------------------------------------------------------------

describe("tasks and debug", () => {
  const taskId = "8b2a0c7e-5f0d-5c0a-a2b1-6f1e2d3c4b5a";

  test("tasks: start and result join in one task item, with the duration from arrival times", () => {
    const tl = feed(new Timeline(), [
      ["tasks", { id: taskId, name: "agent", input: { messages: [human("hi")] }, triggers: ["branch:to:agent"] }],
      ["updates", { agent: { messages: [aiMessage("hello")] } }],
      ["tasks", { id: taskId, name: "agent", error: null, interrupts: [], result: { messages: [aiMessage("hello")] } }],
    ], { t: (i) => [100, 900, 1350][i] });
    const tasks = tl.items.filter((i) => i.kind === "task");
    assert.equal(tasks.length, 1);
    const [task] = tasks;
    assert.equal(task.title, "agent");
    assert.equal(task.node, "agent");
    assert.equal(task.done, true);
    assert.equal(task.duration, 1250);
    assert.equal(task.error, null);
    assert.deepEqual(task.data, { input: { messages: [human("hi")] }, result: { messages: [aiMessage("hello")] } });
    assert.equal(task.index, 0, "the start's chunk");
  });

  test("tasks: a running task, then an error and interrupts", () => {
    const tl = feed(new Timeline(), [["tasks", { id: taskId, name: "tools", input: {}, triggers: [] }]], { t: () => 50 });
    const [task] = tl.items;
    assert.equal(task.done, false);
    assert.equal(task.duration, undefined);
    feed(tl, [["tasks", { id: taskId, name: "tools", error: "ValueError('bad city')", interrupts: [{ value: "ok?", id: "i1" }], result: null }]], { t: () => 80 });
    assert.equal(tl.items.length, 1);
    assert.equal(task.done, true);
    assert.equal(task.duration, 30);
    assert.equal(task.error, "ValueError('bad city')");
    assert.equal(task.data.error, "ValueError('bad city')");
    assert.deepEqual(task.data.interrupts, [{ value: "ok?", id: "i1" }]);
  });

  test("debug: task and task_result join with the duration from their timestamps", () => {
    const tl = timeline([
      ["debug", { type: "task", timestamp: "2025-06-01T12:00:00.100000+00:00", step: 1, payload: { id: taskId, name: "agent", input: { messages: [] }, triggers: ["branch:to:agent"] } }],
      ["debug", { type: "task_result", timestamp: "2025-06-01T12:00:01.350000+00:00", step: 1, payload: { id: taskId, name: "agent", error: null, result: [["messages", [aiMessage("hi")]]], interrupts: [] } }],
    ]);
    assert.equal(tl.items.length, 1);
    const [task] = tl.items;
    assert.deepEqual([task.kind, task.title, task.done, task.duration], ["task", "agent", true, 1250]);
    assert.deepEqual(task.data.result, [["messages", [aiMessage("hi")]]]);
  });

  test(
    "debug: checkpoint events are ignored",
    () => {
      const tl = timeline([
        ["debug", { type: "checkpoint", timestamp: "2025-06-01T12:00:00.000000+00:00", step: -1, payload: { config: {}, parent_config: null, values: {}, metadata: { source: "input", step: -1 }, next: ["__start__"], tasks: [] } }],
        ["debug", { type: "task", timestamp: "2025-06-01T12:00:00.100000+00:00", step: 1, payload: { id: taskId, name: "agent", input: {}, triggers: [] } }],
        ["debug", { type: "checkpoint", timestamp: "2025-06-01T12:00:00.200000+00:00", step: 1, payload: { config: {}, values: { x: 1 }, metadata: { source: "loop", step: 1 }, next: [], tasks: [] } }],
      ]);
      assert.deepEqual(kinds(tl.items), ["task"]);
    },
  );

  test("tasks in a subgraph go inside its group", () => {
    const tl = timeline([["tasks|research:r1", { id: "t9", name: "search", input: {}, triggers: [] }]]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["node", "research"]]);
    assert.deepEqual(tl.items[0].children.map((i) => [i.kind, i.title]), [["task", "search"]]);
  });
});

// -- custom, events ----------------------------------------------------------------------------

describe("custom and events", () => {
  test("custom: progress-like dicts and anything else, in the timeline", () => {
    const tl = timeline([
      ["custom", { progress: 0.25, step: "fetching forecast" }],
      ["custom", { progress: 75, step: "parsing" }],
      ["custom", "just a string"],
      ["custom", ["a", 1]],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), Array(4).fill(["custom", "custom"]));
    assert.deepEqual(tl.items.map((i) => i.data), [{ progress: 0.25, step: "fetching forecast" }, { progress: 75, step: "parsing" }, "just a string", ["a", 1]]);
  });

  test("custom|tools:abc goes inside the tools node item, which its update fills", () => {
    const tl = timeline([
      ["custom|tools:abc", { progress: 0.5, step: "calling get_weather" }],
      ["custom|tools:abc", { progress: 1, step: "done" }],
      ["updates", { tools: { messages: [] } }],
    ]);
    assert.equal(tl.items.length, 1);
    const [tools] = tl.items;
    assert.deepEqual([tools.kind, tools.title, tools.done], ["node", "tools", true]);
    assert.deepEqual(tools.children.map((c) => [c.kind, c.data.step, c.ns]), [["custom", "calling get_weather", ["tools"]], ["custom", "done", ["tools"]]]);
  });

  test("events: compact items titled 'event · name'", () => {
    const tl = timeline([
      ["events", { event: "on_chain_start", data: { input: { messages: [] } }, name: "LangGraph", tags: [], run_id: RUN, metadata: {}, parent_ids: [] }],
      ["events", { event: "on_chat_model_stream", data: { chunk: chunk("Hi") }, name: "ChatOpenAI", tags: ["seq:step:1"], run_id: "r2", metadata: meta("agent"), parent_ids: [RUN] }],
      ["events", { event: "on_chain_end", data: { output: {} }, run_id: RUN, metadata: {}, parent_ids: [] }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [
      ["events", "on_chain_start · LangGraph"],
      ["events", "on_chat_model_stream · ChatOpenAI"],
      ["events", "on_chain_end"],
    ]);
    assert.equal(tl.nodes.size, 0);
  });
});

// -- subgraphs, drain, filter, odd chunks -------------------------------------------------------

describe("subgraph nesting", () => {
  test("a namespace path of two makes nested node items; each parent's update closes the right one", () => {
    const tl = timeline([
      ["updates|research:r1|search:s1", { fetch: { pages: 3 } }],
      ["updates|research:r1|search:s1", { rank: { best: 1 } }],
      ["updates|research:r1", { search: { found: ["sunny"] } }],
      ["updates|research:r1", { summarize: { summary: "sunny" } }],
      ["updates", { research: { notes: "sunny" } }],
    ]);
    assert.equal(tl.items.length, 1);
    const [research] = tl.items;
    assert.deepEqual([research.kind, research.title, research.done, research.update], ["node", "research", true, { notes: "sunny" }]);
    assert.deepEqual(research.children.map((c) => [c.kind, c.title]), [["node", "search"], ["update", "summarize"]]);
    const [search] = research.children;
    assert.deepEqual([search.done, search.update, search.index], [true, { found: ["sunny"] }, 2]);
    assert.deepEqual(search.children.map((c) => [c.kind, c.title, c.ns]), [["update", "fetch", ["research", "search"]], ["update", "rank", ["research", "search"]]]);
    assert.deepEqual(Object.fromEntries(tl.nodes), { research: 1, search: 1, fetch: 1, rank: 1, summarize: 1 });
  });

  test(
    "the parent's update also ends its subgraph's node items still at work (no subgraph updates streamed)",
    () => {
      // stream_subgraphs off: the subgraph's tokens come (messages-tuple) but never its updates
      const tl = timeline([
        ["messages", [chunk("Searching…", { id: "m1", type: "ai" }), meta("call_tool", "research:r1|call_tool:c1")]],
        ["updates", { research: { notes: "x" } }],
      ]);
      const [research] = tl.items;
      const [callTool] = research.children;
      assert.equal(research.done, true);
      assert.equal(callTool.done, true, "call_tool is not at work any more: its parent has finished");
      assert.equal(callTool.children[0].done, true, "nor is its message");
    },
  );

  test(
    "two parallel runs of one subgraph node (Send, different task ids) are two node items",
    () => {
      const tl = timeline([
        ["updates|worker:task-a", { step: { n: "a" } }],
        ["updates|worker:task-b", { step: { n: "b" } }],
        ["updates", { worker: { r: "a" } }],
        ["updates", { worker: { r: "b" } }],
      ]);
      assert.deepEqual(tl.items.map((i) => [i.kind, i.title, i.done]), [["node", "worker", true], ["node", "worker", true]]);
      assert.deepEqual(tl.items.map((i) => i.children.map((c) => c.data.n)), [["a"], ["b"]]);
    },
  );

  test("two runs of one subgraph node one after the other are two node items", () => {
    const tl = timeline([
      ["updates|research:r1", { plan: {} }],
      ["updates", { research: { notes: "x" } }],
      ["updates|research:r2", { plan: {} }],
      ["updates", { research: { notes: "y" } }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title, i.done, i.children.length]), [["node", "research", true, 1], ["node", "research", true, 1]]);
    assert.deepEqual(tl.items.map((i) => i.update.notes), ["x", "y"]);
  });

  test("an update with two nodes fills each open node", () => {
    const tl = timeline([
      ["custom|a:1", { step: "a" }],
      ["custom|b:2", { step: "b" }],
      ["updates", { a: { x: 1 }, b: { y: 2 } }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.title, i.done, i.update]), [["a", true, { x: 1 }], ["b", true, { y: 2 }]]);
  });

  test("an error and an interrupt stay top-level items", () => {
    const tl = timeline([
      ["updates|tools:abc", { lookup: {} }],
      ["updates", { __interrupt__: [{ value: "approve?", id: "i1" }] }],
      ["error", { error: "ValueError", message: "bad city" }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["node", "tools"], ["interrupt", "interrupt"], ["error", "ValueError"]]);
  });
});

describe("drain()", () => {
  test("added holds only top-level items; changed holds grown items and containers that got children", () => {
    const tl = new Timeline();
    const answer = meta("answer");
    assert.deepEqual(tl.drain(), { added: [], changed: [] });

    feed(tl, [["messages", [chunk("The"), answer]], ["messages", [chunk(" weather"), answer]]]);
    let out = tl.drain();
    const [node] = tl.items;
    const [message] = node.children;
    assert.deepEqual(out.added, [node], "the node item, not its message");
    assert.ok(out.changed.includes(node), "the node got a child");
    assert.ok(out.changed.includes(message), "the message grew after it was made");

    assert.deepEqual(tl.drain(), { added: [], changed: [] }, "drained");

    feed(tl, [["messages", [chunk(" is"), answer]]]);
    out = tl.drain();
    assert.deepEqual(out, { added: [], changed: [message] }, "a grown message alone; its node did not change");

    feed(tl, [["custom|answer:6c1f0e52-2b7e-5a0d-9c3f-1f0a9b2c77aa", { progress: 0.5 }]]);
    out = tl.drain();
    assert.deepEqual(out.added, []);
    assert.deepEqual(out.changed, [node], "the container that got a child");
    assert.equal(node.children.length, 2);

    feed(tl, [["updates", { answer: { messages: [aiMessage("The weather is")] } }], ["updates", { tools: {} }]]);
    out = tl.drain();
    assert.deepEqual(out.added, [tl.items[1]], "the new top-level update only");
    assert.equal(tl.items[1].title, "tools");
    assert.ok(out.changed.includes(node), "filled by its update");
    assert.ok(out.changed.includes(message), "its unfinished message is done now");
    assert.equal(message.done, true);
  });

  test("a nested node's growth marks the nested node and its new container, not the top item again", () => {
    const tl = timeline([["updates|research:r1|search:s1", { fetch: {} }]]);
    const [research] = tl.items;
    const [search] = research.children;
    let out = tl.drain();
    assert.deepEqual(out.added, [research]);
    assert.ok(out.changed.includes(research) && out.changed.includes(search));
    feed(tl, [["updates|research:r1|search:s1", { rank: {} }]]);
    out = tl.drain();
    assert.deepEqual(out, { added: [], changed: [search] });
  });

  test("RunStore hands each batch's drain to its listeners", () => {
    const store = new RunStore();
    const seen = [];
    store.subscribe((added, changed) => seen.push([added.map((i) => i.title), changed.map((i) => `${i.kind}:${i.title}`)]));
    const answer = meta("answer");
    store.add(parseBatch(batchText(0, [["messages", [chunk("Hi"), answer]]])));
    store.add(parseBatch(batchText(1, [["messages", [chunk(" there"), answer]], ["messages", [chunk("", { last: true }), answer]]])));
    store.add(parseBatch(batchText(3, [["updates", { answer: { messages: [aiMessage("Hi there")] } }]])));
    assert.deepEqual(seen, [
      [["answer"], ["node:answer"]],
      [[], ["message:answer"]],
      [[], ["node:answer"]],
    ]);
  });
});

describe("filter", () => {
  const tl = timeline([
    ["updates|tools:abc", { lookup: { city: "Paris" } }],
    ["updates", { agent: { x: 1 } }],
    ...tokens(["Sunny in Lyon"], meta("answer")),
  ]);
  const [tools, agent, answer] = tl.items;
  const f = (filter) => ({ node: "", text: "", ...filter });

  test("a node item matches the node filter when one of its children does", () => {
    assert.equal(tools.kind, "node");
    assert.equal(matches(tools, f({ node: "lookup" })), true);
    assert.equal(matches(tools, f({ node: "tools" })), true, "its own name");
    assert.equal(matches(tools, f({ node: "agent" })), false);
    assert.equal(matches(agent, f({ node: "lookup" })), false);
  });

  test("and the text filter when a child's data or a message's text has it", () => {
    assert.equal(matches(tools, f({ text: "paris" })), true);
    assert.equal(matches(tools, f({ text: "lyon" })), false);
    assert.equal(matches(answer, f({ text: "LYON" })), true);
    assert.equal(matches(answer, f({ node: "answer", text: "sunny" })), true);
    assert.equal(matches(answer, f({ node: "tools", text: "sunny" })), false);
  });

  test("a growing message is searched afresh", () => {
    const t2 = timeline([["messages", [chunk("Sun"), meta("answer")]]]);
    const [node] = t2.items;
    assert.equal(matches(node, f({ text: "sunny" })), false);
    feed(t2, [["messages", [chunk("ny"), meta("answer")]]]);
    assert.equal(matches(node, f({ text: "sunny" })), true);
  });
});

describe("odd chunks", () => {
  test("metadata, truncated, unknown modes and broken JSON", () => {
    const tl = timeline([
      ["metadata", { run_id: RUN, attempt: 1 }],
      ["values", { __lgwidget_truncated__: 52428800, preview: '{"messages": [' }],
      ["checkpoints", { config: {} }],
      ["custom", "RAW:{not json"],
      ["messages", "RAW:[1, 2]"],
      ["tasks", { no_id: true }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [
      ["truncated", "values"],
      ["event", "checkpoints"],
      ["custom", "custom"],
      ["event", "messages"],
      ["event", "tasks"],
    ]);
    assert.equal(tl.items[2].data, "{not json");
    assert.equal(tl.finalState, undefined, "a truncated state is no state");
  });
});

// -- the kind of any chunk, and the filter -------------------------------------------------

describe("the kind of a chunk", () => {
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

  test("a mode without a kind of its own, or data not shaped like its mode, is a generic event", () => {
    for (const mode of ["messages", "debug", "tasks", "a-mode-to-come"]) {
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
    assert.equal(item.kind, "custom");
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

// -- edges found by mutation testing (npm run mutation) ----------------------------------------

describe("edges", () => {
  test("tokens without an id: each chunk is a message of its own, named after its node and chunk", () => {
    const tl = timeline([
      ["messages", [{ type: "AIMessageChunk", content: "a" }, { langgraph_node: "agent" }]],
      ["messages", [{ type: "AIMessageChunk", content: "b" }, { langgraph_node: "agent" }]],
      ["messages", [{ type: "AIMessageChunk", content: "c" }, {}]],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["node", "agent"], ["message", "message"]]);
    assert.deepEqual(tl.items[0].children.map((m) => [m.messageId, m.text]), [["agent:0", "a"], ["agent:1", "b"]]);
    assert.equal(tl.items[1].messageId, "model:2");
    assert.equal(tl.items[1].role, "AIMessageChunk");
  });

  test("a message item keeps role, name and tool call id, and its data names only what it has", () => {
    const tl = timeline([
      ["messages", [{ role: "tool", type: "ai", name: "lookup", tool_call_id: "c1", id: "m1", content: "22" }, { langgraph_node: 3 }]],
      ["messages", [{ type: "ai", name: "", id: "m2", content: "x", chunk_position: "last" }, { langgraph_node: "b" }]],
    ]);
    const [node3, b] = tl.items;
    assert.equal(node3.title, "3", "a node name that is not a string, as text");
    const [m1] = node3.children;
    assert.deepEqual([m1.role, m1.name, m1.toolCallId, m1.done], ["tool", "lookup", "c1", false]);
    assert.deepEqual(m1.data, { type: "tool", content: "22", name: "lookup", tool_call_id: "c1" });
    const [m2] = b.children;
    assert.deepEqual(m2.data, { type: "ai", content: "x" }, "an empty name, no tool calls: not in the data");
    assert.equal(m2.done, true);
    assert.equal(tl.nodes.get("3"), 1);
  });

  test("a chunk not marked last, or marked otherwise, leaves the message open", () => {
    const tl = timeline([["messages", [{ type: "ai", id: "m", content: "x", chunk_position: "first" }, { langgraph_node: "a" }]]]);
    assert.equal(tl.items[0].children[0].done, false);
  });

  test("tool call chunks: a missing or odd index starts the next call; a past-the-end one too; the first id stays", () => {
    const agent = { langgraph_node: "agent" };
    const call = (parts) => ["messages", [{ type: "AIMessageChunk", id: "m", content: "", tool_call_chunks: parts }, agent]];
    const tl = timeline([
      call([{ name: "a", args: "{", id: "id-a", index: 0 }]),
      call([{ args: "}", id: "other", index: 0 }]),
      call([{ name: "b", args: "1" }]), // no index: the next call
      call([{ name: "c", index: 99 }]), // past the end: the next call, not a sparse array
      call([{ name: "d", index: -1 }]), // negative: the next call
      call([{ name: "e", index: 1.5 }]), // not an integer: the next call
      call([{ args: 2, index: 1 }]), // args that are not text, as text
      call([null]),
    ]);
    const [message] = tl.items[0].children;
    assert.deepEqual(message.toolCalls.map((c) => [c.name, c.args, c.id]), [
      ["a", "{}", "id-a"],
      ["b", "12", undefined],
      ["c", "", undefined],
      ["d", "", undefined],
      ["e", "", undefined],
      ["", "", undefined],
    ]);
    assert.equal(message.toolCalls.length, 6);
    assert.ok(message.toolCalls.every((c) => c !== undefined), "no hole");
  });

  test("empty tool_call_chunks fall back to the chunk's tool_calls; without either, calls stay", () => {
    const agent = { langgraph_node: "agent" };
    const tl = timeline([
      ["messages", [{ type: "ai", id: "m", content: "", tool_call_chunks: [], tool_calls: [{ name: "s", args: "raw text", id: "1" }, { args: null }, null] }, agent]],
      ["messages", [{ type: "ai", id: "m", content: "", tool_call_chunks: [], tool_calls: [] }, agent]],
    ]);
    const [message] = tl.items[0].children;
    assert.deepEqual(message.toolCalls, [
      { name: "s", args: "raw text", id: "1" },
      { name: "", args: "{}", id: undefined },
      { name: "", args: "{}", id: undefined },
    ]);
  });

  test("messages/partial without an id, without tool calls, and tool calls that replace the earlier ones", () => {
    const tl = timeline([
      ["messages/partial", [{ type: "ai", content: "a" }, "not a message"]],
      ["messages/partial", [{ type: "ai", content: "b" }]],
      ["messages/partial", [{ type: "ai", id: "p", content: "x", tool_calls: [{ name: "one", args: {} }] }]],
      ["messages/partial", [{ type: "ai", id: "p", content: "xy", tool_calls: "not a list" }]],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.messageId, i.text]), [["partial:0", "a"], ["partial:1", "b"], ["p", "xy"]]);
    const p = tl.items.at(-1);
    assert.deepEqual(p.toolCalls.map((c) => c.name), ["one"], "kept when the next has none");
    assert.equal(p.tokens, 2);
    assert.equal(p.done, false);
  });

  test("messages/metadata: only entries naming a node, and the node as text", () => {
    const tl = timeline([
      ["messages/metadata", { m1: { metadata: { langgraph_node: "" } }, m2: null, m3: { metadata: { langgraph_node: 7 } } }],
      ["messages/partial", [{ type: "ai", id: "m1", content: "1" }, { type: "ai", id: "m3", content: "3" }]],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["message", "message"], ["node", "7"]]);
    assert.equal(tl.items[1].children[0].text, "3");
  });

  test("a checkpoint namespace that is not text, or empty, is no path", () => {
    for (const ns of [undefined, "", 5, ["a:1", "b:2"]]) {
      const tl = timeline([["messages", [{ type: "ai", id: "m", content: "x" }, { langgraph_node: "n", langgraph_checkpoint_ns: ns }]]]);
      assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["node", "n"]], String(ns));
    }
    const tl = timeline([["messages", [{ type: "ai", id: "m", content: "x" }, { langgraph_node: "c", langgraph_checkpoint_ns: "p:1|q:2|c:3" }]]]);
    assert.deepEqual([tl.items[0].title, tl.items[0].children[0].title, tl.items[0].children[0].children[0].title], ["p", "q", "c"]);
  });

  test("events: the title from event and name, whatever they are; 'event' when both are empty", () => {
    const tl = timeline([
      ["events", { event: "", name: "" }],
      ["events", {}],
      ["events", { name: "only name" }],
      ["events", { event: 0, name: { n: 1 } }],
    ]);
    assert.deepEqual(tl.items.map((i) => i.title), ["event", "event", "only name", '{"n":1}']);
  });

  test("an error event: the type as text, and data that is not an object as the message", () => {
    const titles = [["error", { error: { code: 1 }, message: "m" }], ["error", { message: "no type" }], ["error", "RAW:"], ["error", 42]];
    const tl = timeline(titles);
    assert.deepEqual(tl.items.map((i) => i.title), ['{"code":1}', "Error", "Error", "Error"]);
    assert.deepEqual(tl.items.map((i) => i.data.message), ["m", "no type", "null", "42"]);
  });

  test("tasks: ids made from the name when missing, names as text, input that comes late, errors as data", () => {
    const tl = feed(new Timeline(), [
      ["tasks", { id: "t1", name: 5 }],
      ["tasks", { id: "t1", input: { late: true } }],
      ["tasks", { name: "anon" }],
      ["debug", { type: "task", timestamp: "nope", payload: { name: "d" } }],
      ["debug", { type: "task_result", timestamp: "2025-01-01T00:00:00Z", payload: { name: "d", result: 1 } }],
      ["tasks", { id: "t1", result: 2, error: "", interrupts: [] }],
    ], { t: (i) => i * 100 });
    const [t1, anon, d0, d1] = tl.items;
    assert.equal(tl.items.length, 4, "a debug task without id does not find its result");
    assert.deepEqual([t1.kind, t1.title, t1.node], ["task", "5", "5"]);
    assert.deepEqual(t1.data, { input: { late: true }, result: 2 }, "no error key for an empty error, no interrupts key for none");
    assert.equal(t1.done, true);
    assert.equal(t1.error, "");
    assert.equal(t1.duration, 500);
    assert.deepEqual([anon.kind, anon.title], ["event", "tasks"], "a tasks chunk without an id is no task");
    assert.deepEqual([d0.kind, d0.title, d0.done, d0.messageId], ["task", "d", false, undefined]);
    assert.equal(d0.started, NaN, "a timestamp that is no date");
    assert.deepEqual([d1.title, d1.done, d1.error, d1.duration], ["d", true, null, 0]);
    assert.deepEqual(d1.data, { input: undefined, result: 1 });
  });

  test("a debug result without a usable start time has no duration", () => {
    const tl = timeline([
      ["debug", { type: "task", timestamp: "nope", payload: { id: "x", name: "n" } }],
      ["debug", { type: "task_result", timestamp: "2025-01-01T00:00:01Z", payload: { id: "x", name: "n", result: 1 } }],
      ["debug", { type: "task", timestamp: "2025-01-01T00:00:00Z", payload: { id: "y", name: "n" } }],
      ["debug", { type: "task_result", timestamp: "never", payload: { id: "y", name: "n", result: 1 } }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.done, i.duration]), [[true, undefined], [true, undefined]]);
  });

  test("a task without a name is titled 'task' and is no node", () => {
    const tl = timeline([["tasks", { id: "x" }]]);
    assert.deepEqual([tl.items[0].title, tl.items[0].node], ["task", undefined]);
    assert.equal(tl.nodes.size, 0);
  });

  test("the run's end closes what streams; an update after that still fills the node and is found by the filter", () => {
    const tl = timeline([["messages", [{ type: "ai", id: "m", content: "Hi" }, { langgraph_node: "answer" }]]]);
    tl.drain();
    const { added, changed } = tl.finish();
    const [node] = tl.items;
    assert.deepEqual(added, []);
    assert.ok(changed.includes(node) && changed.includes(node.children[0]));
    assert.equal(node.done, true);
    assert.equal(matches(node, { node: "", text: "needle" }), false);
    feed(tl, [["updates", { answer: { note: "needle" } }]]);
    assert.equal(tl.items.length, 1, "the same node item");
    assert.deepEqual(node.update, { note: "needle" });
    assert.deepEqual(tl.drain().changed, [node]);
    assert.equal(matches(node, { node: "", text: "needle" }), true, "searched afresh, not from before the update");
  });
});

describe("more edges", () => {
  test("data shaped like another mode's stays what its own mode makes", () => {
    const tl = timeline([
      ["custom", { type: "checkpoint" }],
      ["custom", { payload: { id: "p", name: "n" } }],
      ["custom", { id: "t", name: "n" }],
    ]);
    assert.deepEqual(kinds(tl.items), ["custom", "custom", "custom"]);
  });

  test("messages/metadata entries without metadata are skipped", () => {
    const tl = timeline([["messages/metadata", { m1: {}, m2: { metadata: null } }], ["messages/partial", [{ type: "ai", id: "m1", content: "x" }]]]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["message", "message"]]);
  });

  test("a task's input stays when a later chunk of it has none", () => {
    const tl = timeline([["tasks", { id: "t", name: "n", input: { a: 1 } }], ["tasks", { id: "t", name: "n" }]]);
    assert.deepEqual(tl.items[0].data, { input: { a: 1 } });
  });

  test("a parent's update ends its nodes and messages, not a task still running inside it", () => {
    const tl = timeline([["tasks|sub:1", { id: "t", name: "inner" }], ["updates|sub:1", { step: {} }], ["updates", { sub: {} }]]);
    const [sub] = tl.items;
    assert.equal(sub.done, true);
    assert.deepEqual(sub.children.map((c) => [c.kind, c.done]), [["task", false], ["update", undefined]]);
  });

  test("the run's end closes a message that is no node's, at the top of the timeline", () => {
    const tl = timeline([["messages/partial", [{ type: "ai", id: "p", content: "x" }]]]);
    assert.equal(tl.items[0].done, false);
    tl.finish();
    assert.equal(tl.items[0].done, true);
  });

  test("items other than nodes hold no children", () => {
    const tl = timeline([["updates", { a: {} }], ["custom", 1], ["values", {}], ["messages/partial", [{ type: "ai", id: "p", content: "x" }]]]);
    assert.deepEqual(tl.items.map((i) => i.children), [undefined, undefined, undefined, undefined]);
  });

  test("namespace paths are told apart part by part", () => {
    const tl = timeline([
      ["custom|x:1|y:2", { a: 1 }],
      ["custom|x:1y:2", { b: 1 }],
      ["values|x:1|y:2", { s: 1 }],
      ["values|x:1y:2", { s: 2 }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["node", "x"], ["node", "x"]]);
    const [first, second] = tl.items;
    assert.deepEqual(first.children.map((c) => c.title), ["y"]);
    assert.deepEqual(second.children.map((c) => c.title), ["custom", "state (input)"]);
  });

  test("the node filter: a node with one matching child of several; an interrupt by its node name", () => {
    const tl = timeline([["updates|tools:1", { lookup: {} }], ["custom|tools:1", { n: 1 }], ["updates", { __interrupt__: [{ value: "ok?" }] }]]);
    const [tools, interrupt] = tl.items;
    assert.equal(tools.children.length, 2);
    assert.equal(matches(tools, { node: "lookup", text: "" }), true);
    assert.equal(matches(interrupt, { node: "__interrupt__", text: "" }), true);
    assert.equal(matches(interrupt, { node: "interrupt", text: "" }), true, "or by its title");
  });

  test("the text filter reads a message's text, not its data's keys, and never across values", () => {
    const tl = timeline([["messages/partial", [{ type: "ai", id: "p", content: "hello" }]], ["updates", { a: { k: "xy", l: "zw" } }]]);
    const [message, update] = tl.items;
    assert.equal(matches(message, { node: "", text: "hello" }), true);
    assert.equal(matches(message, { node: "", text: "content" }), false);
    assert.equal(matches(message, { node: "", text: "ai" }), false);
    assert.equal(matches(update, { node: "", text: "xy" }), true);
    assert.equal(matches(update, { node: "", text: "xyl" }), false);
  });
});
