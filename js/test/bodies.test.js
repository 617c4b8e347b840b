// What a panel shows, by kind of item (bodies.js), fed items as the timeline makes them.
import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, clearDocument, window } from "./setup.js";
import { CHILD_LIMIT, KINDS, body, kindOf, metaText } from "../src/bodies.js";
import { Timeline } from "../src/timeline.js";

afterEach(() => clearDocument());

/** The items of a timeline fed chunks [event, data], t = 10 ms a chunk. */
function items(chunks) {
  const tl = new Timeline();
  chunks.forEach(([event, data], i) => tl.ingest(i, event, JSON.stringify(data), i * 10));
  return tl.items;
}
const one = (event, data) => items([[event, data]])[0];
const view = (item) => body(item, () => null).el;

describe("the registry", () => {
  test("every kind the timeline makes has an entry, and others show their data", () => {
    for (const kind of ["error", "truncated", "node", "interrupt", "message", "values", "custom", "events", "task"]) {
      assert.ok(KINDS[kind], kind);
    }
    assert.equal(KINDS.toString, undefined, "no prototype: a kind named toString finds nothing");
    const odd = { kind: "constructor", data: { a: 1 }, t: 0 };
    assert.equal(kindOf(odd).body, kindOf({ kind: "update" }).body);
    assert.match(view(odd).textContent, /a: 1/);
    assert.equal(metaText(odd), "+0 ms");
  });

  test("which kinds open by themselves, and which never do", () => {
    const flags = (key) => Object.keys(KINDS).filter((k) => KINDS[k][key]).sort();
    assert.deepEqual(flags("keepOpen"), ["error", "interrupt", "task"]);
    assert.equal(KINDS.task.keepOpen({ interrupts: [] }), false, "a task stays open only when it asks");
    assert.equal(KINDS.task.keepOpen({ interrupts: [{ value: 1 }] }), true);
    assert.deepEqual(flags("quiet"), ["custom", "events", "section"]);
    assert.deepEqual(flags("bare"), ["message"]);
    assert.deepEqual(flags("divider"), ["section"], "a marker between runs, not a panel");
  });
});

describe("meta lines", () => {
  test("chunk number, time, and what the kind adds", () => {
    const [node] = items([["messages", [{ type: "ai", id: "m", content: "a" }, { langgraph_node: "n" }]]]);
    assert.equal(metaText(node), "+0 ms · running…", "a node at work has no chunk of its own yet");
    const [message] = node.children;
    assert.equal(metaText(message), "#0 · +0 ms · 1 chunk");
    message.tokens = 1234;
    assert.equal(metaText(message), "#0 · +0 ms · 1,234 chunks");
    node.done = true;
    assert.equal(metaText(node), "+0 ms");
    assert.equal(metaText({ kind: "update", index: 3, t: 61_000 }), "#3 · +1 min 1 s");
    assert.equal(metaText({ kind: "update", index: 0 }), "#0 · +0 ms", "no time is 0");
  });

  test("values count the keys changed, one or many", () => {
    const [first, second, third] = items([["values", { a: 1 }], ["values", { a: 2 }], ["values", { a: 2 }]]);
    assert.equal(metaText(first), "#0 · +0 ms · 1 key changed");
    assert.equal(metaText(second), "#1 · +10 ms · 1 key changed");
    assert.equal(metaText(third), "#2 · +20 ms · 0 keys changed");
    const [many] = items([["values", { a: 1, b: 2 }]]);
    assert.equal(metaText(many), "#0 · +0 ms · 2 keys changed");
  });

  test("tasks: running, done without times, and their duration", () => {
    const task = { kind: "task", index: 1, t: 0, done: false };
    assert.equal(metaText(task), "#1 · +0 ms · running…");
    task.done = true;
    assert.equal(metaText(task), "#1 · +0 ms · done");
    task.duration = 0;
    assert.equal(metaText(task), "#1 · +0 ms · 0 ms");
  });

  test("custom: a percentage for progress, nothing for other data", () => {
    assert.equal(metaText(one("custom", { progress: 0.426 })), "#0 · +0 ms · 43%");
    assert.equal(metaText(one("custom", { progress: 1 })), "#0 · +0 ms · 100%", "1 is all of it, not 1%");
    assert.equal(metaText(one("custom", { progress: 1.5 })), "#0 · +0 ms · 2%", "above 1 is a percentage");
    assert.equal(metaText(one("custom", { progress: "50%" })), "#0 · +0 ms");
    assert.equal(metaText(one("custom", null)), "#0 · +0 ms");
    assert.equal(metaText(one("custom", [1])), "#0 · +0 ms");
  });
});

describe("bodies", () => {
  test("progress: a bar kept between 0 and 1, and the other keys as words", () => {
    const row = view(one("custom", { progress: -5, step: "fetching", n: 2, more: { a: 1 } }));
    const bar = row.querySelector("progress");
    assert.equal(bar.value, 0);
    assert.equal(row.querySelector(".lgw-progress-pct").textContent, "0%");
    assert.equal(row.querySelector(".lgw-note").textContent, 'step: fetching · n: 2 · more: {"a":1}');
    assert.equal(view(one("custom", { progress: 250 })).querySelector("progress").value, 1);
    const head = KINDS.custom.head(one("custom", { progress: 0.5 }));
    assert.equal(head.tagName, "PROGRESS");
    assert.equal(head.value, 0.5);
    assert.equal(KINDS.custom.head(one("custom", { progress: "x" })), null);
    assert.equal(KINDS.custom.head({ kind: "custom", data: { progress: Infinity } }), null, "not a finite number");
    assert.equal(KINDS.custom.head({ kind: "custom", data: { progress: NaN } }), null);
    assert.equal(view(one("custom", { step: "no progress" })).querySelector("progress"), null);
  });

  test("an error's message, whatever the error data is", () => {
    assert.equal(view(one("error", { error: "E", message: "bad" })).querySelector(".lgw-error-msg").textContent, "bad");
    assert.equal(view(one("error", { error: "E", message: { code: 1 } })).textContent, '{"code":1}');
    assert.equal(view(one("error", { error: "E" })).textContent, "");
    assert.equal(view({ kind: "error", data: null }).textContent, "");
    const long = view(one("error", { message: "e".repeat(4001) }));
    assert.ok(long.querySelector(".lgw-more"), "past 4,000 characters: show more");
    assert.equal(view(one("error", { message: "e".repeat(4000) })).querySelector(".lgw-more"), null);
  });

  test("an interrupt shows what it asks: each value as text, or the data itself", () => {
    const texts = (item) => $$(view(item), ".lgw-interrupt > *").map((e) => e.textContent);
    assert.deepEqual(texts(one("updates", { __interrupt__: [{ value: "approve?", id: "i1" }, { value: 2 }] })), ["approve?", "2"]);
    assert.deepEqual(texts(one("updates", { __interrupt__: { value: "one" } })), ["one"]);
    assert.deepEqual(texts(one("updates", { __interrupt__: ["no value key", null] })), ["no value key", "null"]);
    assert.deepEqual(texts(one("updates", { __interrupt__: [{ id: "i" }] })), ["id: i"], "no value: the entry itself, as rows");
  });

  test("a truncated chunk: its size, where Python has it, its preview", () => {
    const el = view(one("values", { __lgwidget_truncated__: 2048, preview: "pre" }));
    assert.equal(el.querySelector(".lgw-note").textContent, "This chunk is 2.0 KB; the view shows its start. Python has all of it: w.chunks[0].data");
    assert.equal(el.querySelector(".lgw-pre").textContent, "pre");
    assert.equal(view(one("values", { __lgwidget_truncated__: 1 })).querySelector(".lgw-pre").textContent, "");
  });

  test("a task: its input, then its result or its error; rebuilt when it ends", () => {
    const tl = new Timeline();
    tl.ingest(0, "tasks", JSON.stringify({ id: "t", name: "n" }), 0);
    const [task] = tl.items;
    const { el, refresh } = body(task, () => null);
    assert.equal(el.querySelector(".lgw-task .lgw-note").textContent, "running…");
    assert.deepEqual($$(el, ".lgw-key").map((k) => k.textContent), [], "no input row without an input");
    tl.ingest(1, "tasks", JSON.stringify({ id: "t", result: { r: 1 } }), 5);
    refresh();
    assert.deepEqual($$(el, ".lgw-task > .lgw-row > .lgw-key").map((k) => k.textContent), ["result: "]);
    assert.equal(el.querySelector(".lgw-task .lgw-note"), null);
    tl.ingest(2, "tasks", JSON.stringify({ id: "u", name: "n", input: 0 }), 0);
    tl.ingest(3, "tasks", JSON.stringify({ id: "u", error: { type: "ValueError" } }), 0);
    const failed = view(tl.items[1]);
    assert.equal(failed.querySelector(".lgw-error-msg").textContent, 'error: {"type":"ValueError"}');
    assert.deepEqual($$(failed, ".lgw-key").map((k) => k.textContent), ["input: "]);
    assert.equal(failed.querySelector(".lgw-task .lgw-note"), null);
  });

  test("values: the diff line, the changed keys' values, and the whole state on demand", () => {
    const [, second] = items([["values", { a: 1, gone: 0, same: "s" }], ["values", { a: 2, b: 3, same: "s" }]]);
    const el = view(second);
    assert.deepEqual($$(el, ".lgw-diff > span").map((s) => s.textContent), ["+ b", "~ a", "− gone"]);
    const delta = el.querySelector(".lgw-values > details.lgw-tree");
    assert.deepEqual($$(delta, ".lgw-key").map((k) => k.textContent), ["b: ", "a: "]);
    const whole = $$(el, ".lgw-values > details").at(-1);
    assert.equal(whole.querySelector("summary").textContent, "whole state");
    assert.equal(whole.children.length, 1, "built when opened");
    whole.open = true;
    whole.dispatchEvent(new window.Event("toggle"));
    whole.dispatchEvent(new window.Event("toggle"));
    assert.equal(whole.children.length, 2, "once");
    assert.deepEqual($$(whole, ".lgw-key").map((k) => k.textContent), ["a: ", "b: ", "same: "]);
    const [, unchanged] = items([["values", { a: 1 }], ["values", { a: 1 }]]);
    const quiet = view(unchanged);
    assert.deepEqual($$(quiet, ".lgw-diff > span").map((s) => [s.className, s.textContent]), [["lgw-note", "no change"]]);
    assert.equal(quiet.querySelectorAll(".lgw-values > details").length, 1, "no delta tree");
  });
});

describe("a node's body", () => {
  const nodeWith = (n) => items([...Array.from({ length: n }, (_, i) => [`custom|big:1`, { i }])])[0];

  test(`past ${CHILD_LIMIT} children the panel stops growing and says how many more`, () => {
    const node = nodeWith(CHILD_LIMIT + 3);
    const made = [];
    const { el } = body(node, (child) => {
      made.push(child.data.i);
      return { el: document.createElement("i") };
    });
    assert.equal(made.length, CHILD_LIMIT);
    assert.equal(el.querySelectorAll(".lgw-node-children > i").length, CHILD_LIMIT);
    const note = el.querySelector(":scope > .lgw-note");
    assert.equal(note.hidden, false);
    assert.equal(note.textContent, "… and 3 more in this node: filter to find them, or read them in Python (w.chunks)");
  });

  test("at the limit exactly, no note; children the view hides do not count", () => {
    const node = nodeWith(CHILD_LIMIT);
    const { el } = body(node, () => ({ el: document.createElement("i") }));
    assert.equal(el.querySelector(":scope > .lgw-note").hidden, true);
    const hidden = body(nodeWith(3), () => null).el;
    assert.equal(hidden.querySelector(":scope > .lgw-note").hidden, true);
    assert.equal(hidden.querySelectorAll(".lgw-node-children > *").length, 0);
  });

  test("the update minus the streamed messages; what is left, else nothing", () => {
    const tl = new Timeline();
    const meta = { langgraph_node: "a" };
    tl.ingest(0, "messages", JSON.stringify([{ type: "ai", id: "m1", content: "hi" }, meta]), 0);
    tl.ingest(1, "updates", JSON.stringify({ a: { messages: [{ type: "ai", id: "m1", content: "hi" }, { type: "ai", id: "m2", content: "new" }], last: { type: "ai", id: "m1", content: "hi" }, other: [1, { id: "m1" }], n: 1 } }), 0);
    const update = body(tl.items[0], () => null).el.querySelector(".lgw-node-update");
    assert.deepEqual($$(update, ".lgw-key").map((k) => k.textContent).filter((k) => !/^\d/.test(k)), ["messages: ", "other: ", "n: "], "last (a streamed message) is left out");
    assert.deepEqual($$(update, ".lgw-msg-text").map((m) => m.textContent), ["new"]);

    const only = new Timeline();
    only.ingest(0, "messages", JSON.stringify([{ type: "ai", id: "m1", content: "hi" }, meta]), 0);
    only.ingest(1, "updates", JSON.stringify({ a: { messages: [{ type: "ai", id: "m1", content: "hi" }] } }), 0);
    assert.equal(body(only.items[0], () => null).el.querySelector(".lgw-node-update").childNodes.length, 0);

    // nothing streamed: the update as it is, even one that is not an object
    const plain = new Timeline();
    plain.ingest(0, "custom|a:1", "1", 0);
    plain.ingest(1, "updates", JSON.stringify({ a: ["x"] }), 0);
    assert.equal(body(plain.items[0], () => null).el.querySelector(".lgw-node-update").textContent, '[1]0: "x"');
    const keyed = new Timeline();
    keyed.ingest(0, "messages", JSON.stringify([{ type: "ai", id: "m1", content: "hi" }, meta]), 0);
    keyed.ingest(1, "updates", JSON.stringify({ a: "done" }), 0);
    assert.equal(body(keyed.items[0], () => null).el.querySelector(".lgw-node-update").textContent, '"done"');
  });

  test("an update that is a list or null is shown as it is, even after streamed messages; and once", () => {
    const streamedThen = (update) => {
      const tl = new Timeline();
      tl.ingest(0, "messages", JSON.stringify([{ type: "ai", id: "m1", content: "hi" }, { langgraph_node: "a" }]), 0);
      tl.ingest(1, "updates", JSON.stringify({ a: update }), 0);
      return tl.items[0];
    };
    const list = body(streamedThen([1, 2]), () => null);
    assert.equal(list.el.querySelector(".lgw-node-update .lgw-summary").textContent, "[2]");
    list.refresh();
    list.refresh();
    assert.equal(list.el.querySelectorAll(".lgw-node-update > *").length, 1, "the update is drawn once");
    assert.equal(body(streamedThen(null), () => null).el.querySelector(".lgw-node-update").textContent, "null");
  });

  test("a node's update arriving later is drawn by refresh, after the children", () => {
    const tl = new Timeline();
    tl.ingest(0, "custom|a:1", JSON.stringify({ step: 1 }), 0);
    const [node] = tl.items;
    const drawn = [];
    const { el, refresh } = body(node, (child) => {
      drawn.push(child.kind);
      return { el: document.createElement("i") };
    });
    assert.equal(el.querySelector(".lgw-node-update").childNodes.length, 0);
    tl.ingest(1, "custom|a:1", JSON.stringify({ step: 2 }), 0);
    tl.ingest(2, "updates", JSON.stringify({ a: { out: 1 } }), 0);
    assert.equal(refresh(), false, "nothing left for a later frame");
    assert.deepEqual(drawn, ["custom", "custom"], "each child drawn once");
    assert.match(el.querySelector(".lgw-node-update").textContent, /out: 1/);
  });

  test("a key named __proto__ in the update stays a key", () => {
    const tl = new Timeline();
    tl.ingest(0, "messages", JSON.stringify([{ type: "ai", id: "m1", content: "hi" }, { langgraph_node: "a" }]), 0);
    tl.ingest(1, "updates", '{"a": {"__proto__": {"x": 1}, "messages": [{"type": "ai", "id": "m1", "content": "hi"}]}}', 0);
    const update = body(tl.items[0], () => null).el.querySelector(".lgw-node-update");
    assert.deepEqual($$(update, ".lgw-key").map((k) => k.textContent), ["__proto__: ", "x: "]);
  });

  test("only streamed messages are left out of the update: other values, even with a streamed id, stay", () => {
    const tl = new Timeline();
    tl.ingest(0, "updates|a:1", JSON.stringify({ inner: 1 }), 0); // a child that is no message
    tl.ingest(1, "messages", JSON.stringify([{ type: "ai", id: "m1", content: "hi" }, { langgraph_node: "a" }]), 0);
    tl.ingest(2, "updates", JSON.stringify({ a: { meta: { id: "m1" }, nothing: null, empty: [], holes: [null], lone: { type: "ai", content: "no id" }, messages: [{ type: "ai", id: "m1", content: "hi" }] } }), 0);
    const update = body(tl.items[0], () => null).el.querySelector(".lgw-node-update");
    const keys = $$(update, ":scope > details > .lgw-children > .lgw-row > .lgw-key").map((k) => k.textContent);
    assert.deepEqual(keys, ["meta: ", "nothing: ", "empty: ", "holes: ", "lone: "]);
    assert.deepEqual($$(update, ".lgw-msg-text").map((m) => m.textContent), ["no id"]);

    // children that are not messages do not count as streamed messages
    const sub = new Timeline();
    sub.ingest(0, "updates|a:1", JSON.stringify({ inner: 1 }), 0);
    sub.ingest(1, "updates", JSON.stringify({ a: { messages: [{ type: "ai", content: "no id either" }] } }), 0);
    const shown = body(sub.items[0], () => null).el.querySelector(".lgw-node-update");
    assert.deepEqual($$(shown, ".lgw-msg-text").map((m) => m.textContent), ["no id either"]);
  });

  test("past its deadline a refresh still builds one child, and says more are waiting", () => {
    const tl = new Timeline();
    for (let i = 0; i < 3; i++) tl.ingest(i, "custom|a:1", JSON.stringify({ i }), 0);
    const [node] = tl.items;
    let built = 0;
    const content = body(node, () => {
      built += 1;
      return { el: document.createElement("i") };
    });
    assert.equal(built, 3, "no deadline: all at once");
    tl.ingest(3, "custom|a:1", "{}", 0);
    tl.ingest(4, "custom|a:1", "{}", 0);
    assert.equal(content.refresh(-1), true, "one built, one waiting");
    assert.equal(built, 4);
    assert.equal(content.refresh(-1), false);
    assert.equal(built, 5);
  });
});

describe("class names the style sheet uses", () => {
  test("error, truncated, values and progress bodies", () => {
    assert.equal(view(one("error", { message: "m" })).className, "lgw-error-body");
    assert.equal(view(one("values", { __lgwidget_truncated__: 1, preview: "" })).className, "lgw-truncated");
    const [, second] = items([["values", { a: 1, b: 1, x: 1, y: 1 }], ["values", { a: 2, b: 2, c: 1, d: 1 }]]);
    const el = view(second);
    assert.deepEqual($$(el, ".lgw-diff > span").map((s) => s.textContent), ["+ c, d", "~ a, b", "− x, y"]);
    const whole = $$(el, ".lgw-values > details").at(-1);
    assert.equal(whole.className, "lgw-tree");
    assert.equal(whole.querySelector("summary").className, "lgw-summary");
    assert.equal(KINDS.custom.head(one("custom", { progress: 0.5 })).className, "lgw-progress");
  });

  test("'whole state' is built on the first opening, whatever toggles came before", () => {
    const [state] = items([["values", { a: 1 }]]);
    const whole = $$(view(state), ".lgw-values > details").at(-1);
    whole.dispatchEvent(new window.Event("toggle")); // closed: nothing to build
    assert.equal(whole.children.length, 1);
    whole.open = true;
    whole.dispatchEvent(new window.Event("toggle"));
    assert.equal(whole.children.length, 2);
  });
});
