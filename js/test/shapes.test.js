// Real agent shapes in the Timeline: parallel branches of one node (Send fan-out, parallel tool
// calls), what a values step changed, interrupts reported by several modes. Chunks shaped like
// tests/graphs/shapes.py streams them (langgraph 1.x, langgraph-api 0.16.7 wire format).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Timeline, branchLabel, stepText } from "../src/timeline.js";

import { chunk, human, meta, toolMessage } from "./chunks.js";

function feed(tl, chunks, t = (i) => i * 10) {
  const from = tl.fed ?? 0;
  chunks.forEach(([event, data], i) => tl.ingest(from + i, event, JSON.stringify(data), t(from + i)));
  tl.fed = from + chunks.length;
  return tl;
}

const TASK = (n) => `0000000${n}-5a28-eb85-d65b-ee7b2963bf22`;
const ns = (n) => `summarize:${TASK(n)}`;
const sendMeta = (n, step = 2) => ({ ...meta("summarize", ns(n), step), langgraph_triggers: ["__pregel_push"], langgraph_path: ["__pregel_push", n, false] });
const tok = (n, text, last = false) => ["messages", [chunk(text, { id: `lc_run--m${n}`, last }), sendMeta(n)]];
const textsOf = (node) => node.children.filter((c) => c.kind === "message").map((m) => m.text);

/** Three Send branches whose tokens interleave; branch 2 ends first, then 3, then 1. */
const fanOut = () => [
  ["updates", { plan: null }],
  tok(1, "Summary"), tok(2, "Summary"), tok(2, " of b."), tok(3, "Summary"), tok(1, " of a"),
  tok(2, "", true), tok(3, " of c."), tok(3, "", true), tok(1, ".", true),
  ["updates", { summarize: { summaries: ["Summary of b."] } }],
  ["updates", { summarize: { summaries: ["Summary of c."] } }],
  ["updates", { summarize: { summaries: ["Summary of a."] } }],
  ["updates", { combine: { report: "…" } }],
];

describe("parallel branches (Send fan-out)", () => {
  test("each branch's tokens go to its own panel, by the task in langgraph_checkpoint_ns", () => {
    const tl = feed(new Timeline(), fanOut());
    const branches = tl.items.filter((i) => i.node === "summarize");
    assert.equal(branches.length, 3, "one node item per branch");
    assert.deepEqual(branches.map(textsOf), [["Summary of a."], ["Summary of b."], ["Summary of c."]]);
  });

  test("an update (no task id) goes to the open branch whose stream ended first", () => {
    const tl = feed(new Timeline(), fanOut());
    const branches = tl.items.filter((i) => i.node === "summarize");
    assert.deepEqual(branches.map((b) => b.update.summaries[0]), ["Summary of a.", "Summary of b.", "Summary of c."]);
    assert.ok(branches.every((b) => b.done));
    assert.deepEqual(tl.items.map((i) => i.title), ["plan", "summarize", "summarize", "summarize", "combine"]);
  });

  test("an update holding a streamed message goes to the branch that streamed it", () => {
    const tl = feed(new Timeline(), [
      tok(1, "A", true), tok(2, "B", true),
      // branch 2's update first, though branch 1's stream ended first
      ["updates", { summarize: { messages: [{ type: "ai", content: "B", id: "lc_run--m2" }] } }],
      ["updates", { summarize: { messages: [{ type: "ai", content: "A", id: "lc_run--m1" }] } }],
    ]);
    const [one, two] = tl.items;
    assert.equal(one.update.messages[0].content, "A");
    assert.equal(two.update.messages[0].content, "B");
  });

  test("an update holding the text a branch streamed goes to that branch, whatever ended first", () => {
    const tl = feed(new Timeline(), [
      tok(1, "Summary of a.", true), tok(2, "Summary of b.", true),
      ["updates", { summarize: { summaries: ["Summary of b."] } }],
      ["updates", { summarize: { summaries: ["Summary of a."] } }],
    ]);
    assert.deepEqual(tl.items.map((b) => [textsOf(b)[0], b.update.summaries[0]]), [["Summary of a.", "Summary of a."], ["Summary of b.", "Summary of b."]]);
  });

  test("branches of one step are marked parallel and labelled by their place", () => {
    const tl = feed(new Timeline(), fanOut());
    const branches = tl.items.filter((i) => i.node === "summarize");
    assert.deepEqual(branches.map(stepText), Array(3).fill("step 2 · 3 in parallel"));
    assert.deepEqual(branches.map(branchLabel), ["#1", "#2", "#3"]);
    assert.equal(stepText(tl.items[0]), undefined, "plan: no step known");
  });

  test("with tasks, the task id and Send's argument are explicit: label from the input", () => {
    const start = (n, topic) => ["tasks", { id: TASK(n), name: "summarize", input: { topic }, triggers: ["__pregel_push"] }];
    const result = (n, topic) => ["tasks", { id: TASK(n), name: "summarize", error: null, result: { summaries: [topic] }, interrupts: [] }];
    const tl = feed(new Timeline(), [
      ["tasks", { id: "p", name: "plan", input: {}, triggers: [] }],
      ["tasks", { id: "p", name: "plan", error: null, result: {}, interrupts: [] }],
      start(1, "a"), start(2, "b"),
      tok(2, "B", true), tok(1, "A", true),
      ["updates", { summarize: { summaries: ["b"] } }],
      result(2, "b"),
      ["updates", { summarize: { summaries: ["a"] } }],
      result(1, "a"),
    ]);
    assert.deepEqual(tl.items.map((i) => [i.kind, i.title]), [["task", "plan"], ["task", "summarize"], ["task", "summarize"]],
      "tokens and updates go into the tasks: no second panel");
    const [, a, b] = tl.items;
    assert.deepEqual([textsOf(a), textsOf(b)], [["A"], ["B"]]);
    assert.deepEqual([a.update, b.update], [{ summaries: ["a"] }, { summaries: ["b"] }]);
    assert.deepEqual([branchLabel(a), branchLabel(b)], ['topic: "a"', 'topic: "b"']);
    assert.equal(stepText(a), "step 2 · 2 in parallel", "the step from the messages metadata");
    assert.equal(stepText(tl.items[0]), undefined, "a task alone in its step");
  });

  test("debug: the step and the task id come with every event", () => {
    const ev = (type, n, payload) => ["debug", { type, step: 3, timestamp: `2025-06-01T12:00:0${n}.000000+00:00`, payload: { id: TASK(n), name: "summarize", ...payload } }];
    const tl = feed(new Timeline(), [
      ev("task", 1, { input: { topic: "a" } }), ev("task", 2, { input: { topic: "b" } }),
      ev("task_result", 2, { result: {}, error: null, interrupts: [] }), ev("task_result", 1, { result: {}, error: null, interrupts: [] }),
    ]);
    assert.deepEqual(tl.items.map(stepText), ["step 3 · 2 in parallel", "step 3 · 2 in parallel"]);
    assert.deepEqual(tl.items.map(branchLabel), ['topic: "a"', 'topic: "b"']);
  });

  test("two tool calls of one step (prebuilt ReAct): two tools panels, parallel, named by their tool", () => {
    const toolMeta = (task) => ({ ...meta("tools", `tools:${task}`, 2), langgraph_triggers: ["__pregel_push"] });
    const weather = toolMessage("18 °C", "t-1", "call_weather", "get_weather");
    const time = toolMessage("12:00", "t-2", "call_time", "get_time");
    const tl = feed(new Timeline(), [
      ["messages", [weather, toolMeta("w")]],
      ["messages", [time, toolMeta("t")]],
      ["updates", { tools: { messages: [time] } }],
      ["updates", { tools: { messages: [weather] } }],
    ]);
    assert.deepEqual(tl.items.map((i) => [i.title, branchLabel(i), stepText(i)]), [
      ["tools", "get_weather", "step 2 · 2 in parallel"],
      ["tools", "get_time", "step 2 · 2 in parallel"],
    ]);
    assert.deepEqual(tl.items.map((i) => i.update.messages[0].id), ["t-1", "t-2"], "each update by its message id");
  });

  test("a node seen first by its tokens starts when the step before ended", () => {
    const tl = feed(new Timeline(), fanOut(), (i) => i * 100);
    const [plan, one] = tl.items;
    assert.equal(plan.t, 0);
    assert.equal(one.t, 100, "its first token");
    assert.equal(one.start, 0, "the step before it (plan) ended at 0");
    assert.equal(one.tEnd, 1200, "its update");
  });
});

describe("values: what changed", () => {
  const msgs = (n, from = 0) => Array.from({ length: n }, (_, i) => human(`m${from + i}`, `id-${from + i}`));

  test("items appended to a list are counted; the nodes that ended before the state name it", () => {
    const tl = feed(new Timeline(), [
      ["values", { messages: msgs(1) }],
      ["updates", { step_0: { messages: msgs(10, 1) } }],
      ["values", { messages: msgs(11) }],
      ["values", { messages: msgs(21), extra: 1 }],
    ]);
    const states = tl.items.filter((i) => i.kind === "values");
    assert.deepEqual(states.map((s) => s.label), [undefined, "after step_0", "step 2"]);
    assert.deepEqual(states.map((s) => s.appended), [{}, { messages: 10 }, { messages: 10 }]);
    assert.deepEqual(states[2].diff, { added: ["extra"], changed: ["messages"], removed: [] });
    assert.equal(states[2].before.messages.length, 11, "the state before, for old and new values");
  });

  test("a list that changed in the middle is changed, not appended", () => {
    const tl = feed(new Timeline(), [["values", { xs: [1, 2] }], ["values", { xs: [1, 3, 4] }]]);
    assert.deepEqual(tl.items[1].appended, {});
    assert.deepEqual(tl.items[1].diff.changed, ["xs"]);
  });

  test("__interrupt__ in a state is an interrupt card, not a key; each interrupt shown once", () => {
    const entry = { value: { question: "Ship it?" }, id: "i-1" };
    const tl = feed(new Timeline(), [
      ["values", { request: "x" }],
      ["updates", { __interrupt__: [entry] }],
      ["values", { request: "x", __interrupt__: [entry] }],
      ["tasks", { id: "t", name: "ask", error: null, result: {}, interrupts: [entry] }],
    ]);
    assert.deepEqual(tl.items.filter((i) => i.kind === "interrupt").length, 1);
    const last = tl.items.filter((i) => i.kind === "values").pop();
    assert.deepEqual(last.diff, { added: [], changed: [], removed: [] });
    assert.equal("__interrupt__" in tl.finalState, false);
  });

  test("values alone: an interrupt in the state is still a card", () => {
    const tl = feed(new Timeline(), [["values", { a: 1 }], ["values", { a: 1, __interrupt__: [{ value: "ok?", id: "i" }] }]]);
    assert.deepEqual(tl.items.map((i) => i.kind), ["values", "values", "interrupt"]);
    assert.deepEqual(tl.items[2].data, [{ value: "ok?", id: "i" }]);
  });
});
