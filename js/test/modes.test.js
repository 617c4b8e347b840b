// RunView with every stream mode: live message bubbles, node panels filled by their update,
// state diffs, the state-snapshot toggle, tasks, custom progress.
import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, FakeModel, batchText, clearDocument, container, pumpFrame, pumpFrames, scheduledFrames, tick, window } from "./setup.js";
import { aiMessage, human, meta, token, tokens, toolMessage } from "./chunks.js";
import { parseBatch } from "../src/protocol.js";
import { RunStore } from "../src/store.js";
import { RunView } from "../src/view.js";
import { runOf } from "../src/widget.js";

const views = [];
afterEach(() => {
  while (views.length) views.pop().destroy();
  clearDocument();
});

function makeView(traits = {}, options) {
  const model = new FakeModel(traits);
  const store = new RunStore();
  const el = container();
  const view = new RunView(el, runOf(model), store, options);
  views.push(view);
  return { el, view, model, store };
}

/** Add one batch of chunks [event, data]; `t` gives each chunk's arrival time (default 10 ms a chunk). */
function send(store, chunks, t = (i) => i * 10) {
  store.add(parseBatch(batchText(store.count, chunks, chunks.map((_, i) => t(store.count + i)))));
}

const top = (el) => $$(el, ".lgw-list > .lgw-panel");
const isOpen = (panel) => panel.classList.contains("lgw-open");
const head = (panel) => panel.querySelector(":scope > .lgw-panel-head");
const titleOf = (panel) => head(panel).querySelector(".lgw-title").textContent;
const metaOf = (panel) => head(panel).querySelector(".lgw-meta").textContent;
const nodeBody = (panel) => panel.querySelector(":scope > .lgw-panel-body > .lgw-node-body");
const bubbles = (panel) => $$(nodeBody(panel), ":scope > .lgw-node-children > .lgw-msg");
const change = (el, type) => el.dispatchEvent(new window.Event(type, { bubbles: true }));
const answer = meta("answer");

describe("message bubbles", () => {
  test("a bubble's text grows across batches: the same element and Text node, longer text", () => {
    const { el, store } = makeView({ stream_mode: ["updates", "messages-tuple"] });
    send(store, [token("The", answer), token(" weather", answer)]);
    pumpFrames();
    const [node] = top(el);
    assert.equal(titleOf(node), "answer");
    assert.ok(isOpen(node), "the node at work is open");
    const [bubble] = bubbles(node);
    const span = bubble.querySelector(".lgw-msg-text");
    const text = span.querySelector(".lgw-msg-part").firstChild;
    assert.equal(text.nodeType, 3, "a Text node");
    assert.equal(text.data, "The weather");
    assert.equal(bubble.querySelector(".lgw-msg-role").textContent, "assistant · streaming…");
    assert.ok(bubble.classList.contains("lgw-live"));

    send(store, [token(" in", answer), token(" Paris", answer)]);
    pumpFrames();
    send(store, [token(" is sunny.", answer)]);
    pumpFrames();
    const [again] = bubbles(node);
    assert.ok(again === bubble, "the bubble element is not replaced");
    assert.ok(span.querySelector(".lgw-msg-part").firstChild === text, "nor its Text node");
    assert.equal(span.childNodes.length, 1);
    assert.equal(text.data, "The weather in Paris is sunny.");
    assert.ok(top(el).length === 1 && top(el)[0] === node, "no new panel");

    send(store, [token("", answer, { last: true })]);
    pumpFrames();
    assert.ok(bubbles(node)[0] === bubble);
    assert.equal(text.data, "The weather in Paris is sunny.");
    assert.equal(bubble.querySelector(".lgw-msg-role").textContent, "assistant");
    assert.ok(!bubble.classList.contains("lgw-live"), "no longer live after the last chunk");
  });

  test("tokens of many batches within one frame are applied in that frame's refresh, once", () => {
    const { el, store, view } = makeView();
    send(store, [token("A", answer)]);
    pumpFrames();
    const message = store.items[0].children[0];
    const bubbleView = view.views.get(message.id);
    let refreshes = 0;
    const refresh = bubbleView.content.refresh;
    bubbleView.content.refresh = () => {
      refreshes += 1;
      refresh();
    };
    const text = bubbles(top(el)[0])[0].querySelector(".lgw-msg-part").firstChild;
    let appends = 0;
    const appendData = text.appendData.bind(text);
    text.appendData = (data) => {
      appends += 1;
      appendData(data);
    };
    const expected = ["A"];
    for (let b = 0; b < 6; b++) {
      const pieces = [` b${b}.0`, ` b${b}.1`, ` b${b}.2`];
      expected.push(...pieces);
      send(store, pieces.map((p) => token(p, answer)));
      assert.equal(text.data, "A", `unchanged before the frame (batch ${b})`);
      assert.equal(scheduledFrames(), 1, "one frame asked for, however many batches");
    }
    assert.equal(refreshes, 0);
    assert.equal(pumpFrame(), 1);
    assert.equal(text.data, expected.join(""));
    assert.equal(refreshes, 1, "one refresh for six batches");
    assert.equal(appends, 1, "one appendData for 18 tokens");
    pumpFrames();
    assert.equal(refreshes, 1, "later frames have nothing to refresh");
    assert.equal(appends, 1);
  });

  test("tool call chunks show as one growing tool-call line", () => {
    const { el, store } = makeView();
    const agent = meta("agent");
    send(store, [token("", agent, { toolCallChunks: [{ name: "get_weather", args: "", id: "call_1", index: 0 }] }), token("", agent, { toolCallChunks: [{ args: '{"city": ', index: 0 }] })]);
    pumpFrames();
    const [bubble] = bubbles(top(el)[0]);
    assert.equal(bubble.querySelector(".lgw-tool-call").textContent, '→ get_weather({"city": )');
    send(store, [token("", agent, { toolCallChunks: [{ args: '"Paris"}', index: 0 }] })]);
    pumpFrames();
    assert.deepEqual($$(bubble, ".lgw-tool-call").map((c) => c.textContent), ['→ get_weather({"city": "Paris"})']);
  });
});

describe("node panels", () => {
  test('a node panel says "running…" until its update arrives', () => {
    const { el, store } = makeView();
    send(store, tokens(["The", " weather"], answer), () => 1500);
    pumpFrames();
    const [node] = top(el);
    assert.equal(metaOf(node), "+0 ms · running…", "started with the run: nothing ended before it");
    send(store, [["custom|answer:q1", { step: "thinking" }]], () => 1700);
    pumpFrames();
    assert.equal(metaOf(node), "+0 ms · running…", "still at work");
    send(store, [["updates", { answer: { messages: [aiMessage("The weather")] } }]], () => 2500);
    pumpFrames();
    assert.equal(metaOf(node), "#4 · +0 ms · 2.5 s", "its start and duration, not its first token's time");
    assert.doesNotMatch(metaOf(node), /running/);
  });

  test("the update shows after the streamed bubble, without the streamed message again", () => {
    const { el, store } = makeView();
    const final = aiMessage("The weather in Paris is sunny.");
    send(store, tokens(["The weather", " in Paris", " is sunny."], answer));
    pumpFrames();
    send(store, [["updates", { answer: { messages: [final], city: "Paris" } }]]);
    pumpFrames();
    assert.equal(top(el).length, 1, "the update fills the node panel");
    const [node] = top(el);
    const body = nodeBody(node);
    const [list, , update] = body.children; // the bubbles, the "… more" note (hidden), the update
    assert.ok(list.classList.contains("lgw-node-children"));
    assert.ok(update.classList.contains("lgw-node-update"), "the update comes after the bubbles");
    assert.equal($$(body, ".lgw-msg").length, 1, "the streamed message is shown once");
    assert.equal($$(update, ".lgw-msg").length, 0);
    assert.deepEqual($$(update, ".lgw-key").map((k) => k.textContent), ["city: "]);
    assert.equal(node.textContent.split("sunny").length - 1, 1, "the text appears once");
    assert.equal(bubbles(node)[0].querySelector(".lgw-msg-role").textContent, "assistant");
  });

  test("messages of the update that did not stream are shown in it", () => {
    const { el, store } = makeView();
    send(store, [...tokens(["Hi"], answer, "run-1"), ["updates", { answer: { messages: [aiMessage("Hi", "run-1"), aiMessage("Also this", "run-2")] } }]]);
    pumpFrames();
    const update = nodeBody(top(el)[0]).querySelector(".lgw-node-update");
    assert.deepEqual($$(update, ".lgw-msg-text").map((m) => m.textContent), ["Also this"]);
  });

  test("a message sent whole is done when its node's update arrives, and is not repeated", () => {
    const { el, store } = makeView();
    const tool = toolMessage("22 °C and sunny");
    send(store, [["messages", [tool, meta("tools")]]]);
    pumpFrames();
    const [node] = top(el);
    const [bubble] = bubbles(node);
    assert.equal(bubble.querySelector(".lgw-msg-role").textContent, "tool · get_weather · streaming…");
    send(store, [["updates", { tools: { messages: [tool] } }]]);
    pumpFrames();
    assert.ok(bubbles(node)[0] === bubble);
    assert.equal(bubble.querySelector(".lgw-msg-role").textContent, "tool · get_weather");
    assert.ok(bubble.classList.contains("lgw-role-tool"));
    assert.equal(nodeBody(node).querySelector(".lgw-node-update").childNodes.length, 0, "nothing left to show");
    assert.doesNotMatch(metaOf(node), /running/);
  });

  test("a subgraph's panels sit in the parent node's panel; the node opens when it grows", () => {
    const { el, store } = makeView();
    send(store, [["updates", { agent: { x: 1 } }], ["updates|tools:abc", { lookup: { city: "Paris" } }]]);
    pumpFrames();
    const [agent, tools] = top(el);
    assert.equal(titleOf(tools), "tools");
    assert.ok(isOpen(tools) && !isOpen(agent));
    send(store, [["custom|tools:abc", { progress: 0.5 }], ["updates|tools:abc", { format: {} }], ["updates", { tools: { messages: [] } }]]);
    pumpFrames();
    assert.equal(top(el).length, 2);
    const inner = $$(nodeBody(tools), ":scope > .lgw-node-children > .lgw-panel");
    assert.deepEqual(inner.map(titleOf), ["lookup", "custom", "format"]);
    assert.deepEqual(inner.map((p) => isOpen(p)), [false, false, false], "nested panels open on a click only");
    assert.equal(metaOf(tools), "#4 · +0 ms · 40 ms");
  });

  test(
    "with a messages-only stream, node panels stop saying running… when the run ends",
    () => {
      const { el, store, model } = makeView({ stream_mode: ["messages-tuple"], status: "running" });
      send(store, tokens(["Hi"], answer));
      pumpFrames();
      model.set("status", "done");
      store.finish(); // what widget.js does once the run's batches are all decoded
      pumpFrames();
      assert.doesNotMatch(metaOf(top(el)[0]), /running/);
    },
  );
});

describe("values", () => {
  const s0 = { messages: [human("Weather in Paris?")], scratch: "x" };
  const s1 = { messages: [human("Weather in Paris?"), aiMessage("Let me check.")], scratch: "x", city: "Paris" };
  const s2 = { messages: [human("Weather in Paris?"), aiMessage("Let me check.")], city: "Lyon", answer: "sunny" };

  test("a values panel shows the diff line and the changed keys; 'whole state' expands", async () => {
    const { el, store } = makeView({ stream_mode: ["values"] });
    send(store, [["values", s0], ["values", s1], ["values", s2], ["values", s2]]);
    pumpFrames();
    const panels = top(el);
    assert.deepEqual(panels.map(titleOf), ["state (input)", "state", "state", "state"]);
    for (const panel of panels) if (!isOpen(panel)) head(panel).click();
    const diff = (panel) => $$(panel, ".lgw-diff > span").map((s) => [s.className, s.textContent]);
    assert.deepEqual(diff(panels[0]), [["lgw-diff-added", "+ messages, scratch"]]);
    assert.deepEqual(diff(panels[1]), [["lgw-diff-added", "+ city"], ["lgw-diff-changed", "~ messages"]]);
    assert.deepEqual(diff(panels[2]), [["lgw-diff-added", "+ answer"], ["lgw-diff-changed", "~ city"], ["lgw-diff-removed", "− scratch"]]);
    assert.deepEqual(diff(panels[3]), [["lgw-note", "no change"]]);
    assert.equal(metaOf(panels[2]), "#2 · +20 ms · 3 keys changed");
    assert.equal(metaOf(panels[1]), "#1 · +10 ms · 2 keys changed");
    // the changed keys with their new values, not the whole state
    const values = panels[2].querySelector(".lgw-values");
    const [delta, whole] = $$(values, ":scope > details");
    assert.deepEqual($$(delta, ":scope > .lgw-children > .lgw-row > .lgw-key").map((k) => k.textContent), ["answer: ", "city: "]);
    assert.equal(delta.querySelector(".lgw-str").textContent, '"sunny"');
    // the whole state, built when opened
    assert.equal(whole.querySelector("summary").textContent, "whole state");
    assert.equal(whole.open, false);
    assert.equal(whole.children.length, 1, "not built yet");
    whole.open = true;
    await tick();
    const keys = $$(whole, ":scope > details > .lgw-children > .lgw-row > .lgw-key").map((k) => k.textContent);
    assert.deepEqual(keys, ["messages: ", "city: ", "answer: "]);
    assert.equal($$(whole, ".lgw-msg").length, 2, "its messages as bubbles");
    whole.open = false;
    await tick();
    whole.open = true;
    await tick();
    assert.equal(whole.children.length, 2, "built once");
  });

  test("the state snapshots checkbox appears with values items and hides or shows them", () => {
    const { el, store } = makeView({ stream_mode: ["values", "custom"] });
    const label = el.querySelector(".lgw-state-toggle");
    const box = label.querySelector("input[type=checkbox]");
    assert.equal(label.hidden, true, "no values yet");
    send(store, [["custom", { progress: 0.1 }]]);
    pumpFrames();
    assert.equal(label.hidden, true, "still no values");
    send(store, [["values", s0], ["custom", { progress: 0.5 }], ["values", s1]]);
    pumpFrames();
    assert.equal(label.hidden, false);
    assert.equal(box.checked, true, "shown when values is the only state-like mode");
    assert.deepEqual(top(el).map((p) => p.classList[1]), ["lgw-kind-custom", "lgw-kind-values", "lgw-kind-custom", "lgw-kind-values"]);
    box.checked = false;
    change(box, "change");
    pumpFrames();
    assert.deepEqual(top(el).map((p) => p.classList[1]), ["lgw-kind-custom", "lgw-kind-custom"]);
    send(store, [["values", s2]]);
    pumpFrames();
    assert.equal(top(el).length, 2, "new states stay hidden");
    box.checked = true;
    change(box, "change");
    pumpFrames();
    assert.equal(top(el).length, 5);
  });

  test("with updates and values, the state snapshots start hidden", () => {
    const { el, store } = makeView({ stream_mode: ["updates", "values"] });
    send(store, [["values", s0], ["updates", { agent: { messages: [aiMessage("Let me check.")] } }], ["values", s1]]);
    pumpFrames();
    const label = el.querySelector(".lgw-state-toggle");
    const box = label.querySelector("input");
    assert.equal(label.hidden, false);
    assert.equal(box.checked, false);
    assert.deepEqual(top(el).map(titleOf), ["agent"]);
    box.checked = true;
    change(box, "change");
    pumpFrames();
    assert.deepEqual(top(el).map(titleOf), ["state (input)", "agent", "state"]);
  });

  test(
    "hidden state snapshots are hidden inside node panels too",
    () => {
      const { el, store } = makeView({ stream_mode: ["updates", "values"] });
      send(store, [
        ["values", s0],
        ["values|research:r1", { query: "paris" }],
        ["updates|research:r1", { search: { found: 1 } }],
        ["values|research:r1", { query: "paris", found: 1 }],
      ]);
      pumpFrames();
      const [research] = top(el);
      assert.equal(titleOf(research), "research");
      const inner = $$(nodeBody(research), ":scope > .lgw-node-children > .lgw-panel");
      assert.deepEqual(inner.map(titleOf), ["search"]);
    },
  );

  test('"Copy final state" appears with a final state and copies the last root state', async () => {
    const { el, store } = makeView({ stream_mode: ["values"] });
    const button = $$(el, "button").find((b) => b.textContent === "Copy final state");
    assert.equal(button.hidden, true);
    send(store, [["updates", { agent: {} }]]);
    pumpFrames();
    assert.equal(button.hidden, true, "no state yet");
    send(store, [["values", s0], ["values", s1], ["values|research:r1", { query: "paris" }]]);
    pumpFrames();
    assert.equal(button.hidden, false);
    const copied = [];
    const hadNavigator = "navigator" in globalThis;
    const saved = Object.getOwnPropertyDescriptor(globalThis, "navigator");
    Object.defineProperty(globalThis, "navigator", {
      value: { clipboard: { writeText: async (text) => copied.push(text) } },
      configurable: true,
      writable: true,
    });
    try {
      button.click();
      await tick();
    } finally {
      if (hadNavigator) Object.defineProperty(globalThis, "navigator", saved);
      else delete globalThis.navigator;
    }
    assert.equal(copied.length, 1);
    assert.deepEqual(JSON.parse(copied[0]), s1, "the root's last state, not the subgraph's");
    assert.equal(copied[0], JSON.stringify(s1, null, 2));
  });
});

describe("tasks and custom", () => {
  test('a task panel says "running…", then its duration', () => {
    const { el, store } = makeView({ stream_mode: ["tasks"] });
    const id = "8b2a0c7e-5f0d-5c0a-a2b1-6f1e2d3c4b5a";
    send(store, [["tasks", { id, name: "agent", input: { messages: [human("hi")] }, triggers: ["branch:to:agent"] }]], () => 100);
    pumpFrames();
    const [task] = top(el);
    assert.equal(titleOf(task), "agent");
    assert.ok(task.classList.contains("lgw-kind-task"));
    assert.equal(metaOf(task), "#0 · +100 ms · running…");
    assert.ok(isOpen(task));
    assert.equal(task.querySelector(".lgw-task .lgw-note").textContent, "running…");
    send(store, [["tasks", { id, name: "agent", error: null, interrupts: [], result: { messages: [aiMessage("hello")] } }]], () => 1600);
    pumpFrames();
    assert.equal(top(el).length, 1, "the result joins its start");
    assert.equal(metaOf(task), "#0 · +100 ms · 1.5 s");
    assert.equal(task.querySelector(".lgw-task .lgw-note"), null);
    assert.deepEqual($$(task, ".lgw-task > .lgw-row > .lgw-key").map((k) => k.textContent), ["input: ", "result: "]);
    assert.deepEqual($$(task, ".lgw-task .lgw-msg-text").map((m) => m.textContent), ["hi", "hello"]);
  });

  test("a debug task with an error: its duration from the timestamps and the error", () => {
    const { el, store } = makeView({ stream_mode: ["debug"] });
    send(store, [
      ["debug", { type: "task", timestamp: "2025-06-01T12:00:00.000000+00:00", step: 1, payload: { id: "t1", name: "tools", input: {}, triggers: [] } }],
      ["debug", { type: "task_result", timestamp: "2025-06-01T12:00:00.420000+00:00", step: 1, payload: { id: "t1", name: "tools", error: "ValueError('bad city')", result: [], interrupts: [] } }],
    ]);
    pumpFrames();
    const [task] = top(el);
    assert.equal(metaOf(task), "#0 · +0 ms · 420 ms");
    assert.equal(task.querySelector(".lgw-error-msg").textContent, "error: ValueError('bad city')");
  });

  test("custom progress shows a <progress> with the right value", () => {
    const { el, store } = makeView({ stream_mode: ["custom"] });
    send(store, [["custom", { progress: 0.4, step: "fetching forecast" }], ["custom", { progress: 75, step: "parsing" }], ["custom", { note: "no progress here" }]]);
    pumpFrames();
    const [a, b, c] = top(el);
    const bar = head(a).querySelector("progress");
    assert.ok(bar, "in the head, readable without opening");
    assert.equal(bar.value, 0.4);
    assert.equal(bar.getAttribute("max"), "1");
    assert.equal(head(b).querySelector("progress").value, 0.75, "a percentage");
    assert.equal(head(c).querySelector("progress"), null);
    assert.equal(metaOf(a), "#0 · +0 ms · 40%");
    assert.equal(metaOf(b), "#1 · +10 ms · 75%");
    // custom items never take the open panel: open one to see its body
    head(a).click();
    const row = a.querySelector(".lgw-progress-row");
    assert.equal(row.querySelector("progress").value, 0.4);
    assert.equal(row.querySelector(".lgw-progress-pct").textContent, "40%");
    assert.equal(row.querySelector(".lgw-note").textContent, "step: fetching forecast");
  });

  test("custom progress in a subgraph sits in its node panel", () => {
    const { el, store } = makeView({ stream_mode: ["custom", "updates"] });
    send(store, [["custom|tools:abc", { progress: 0.2, step: "calling" }], ["custom|tools:abc", { progress: 1, step: "done" }]]);
    pumpFrames();
    const [tools] = top(el);
    assert.equal(top(el).length, 1);
    const inner = $$(nodeBody(tools), ":scope > .lgw-node-children > .lgw-panel");
    assert.deepEqual(inner.map((p) => head(p).querySelector("progress").value), [0.2, 1]);
  });

  test("events are compact panels: collapsed, even the newest, and they never close the open one", () => {
    const { el, store } = makeView({ stream_mode: ["events", "updates"] });
    const event = (name) => ["events", { event: "on_chain_start", data: { input: {} }, name, tags: [], run_id: "r", metadata: {}, parent_ids: [] }];
    send(store, [event("LangGraph")]);
    pumpFrames();
    const [first] = top(el);
    assert.ok(first.classList.contains("lgw-kind-events"));
    assert.equal(titleOf(first), "on_chain_start · LangGraph");
    assert.equal(isOpen(first), false, "the newest panel, and still collapsed");
    assert.equal(first.querySelector(".lgw-panel-body"), null, "its body is not even built");
    send(store, [["updates", { agent: { x: 1 } }]]);
    pumpFrames();
    send(store, [event("agent"), event("ChatOpenAI")]);
    pumpFrames();
    const [, update, ...events] = top(el);
    assert.equal(titleOf(update), "agent");
    assert.equal(isOpen(update), true, "the update the events came after stays open");
    assert.deepEqual(events.map(titleOf), ["on_chain_start · agent", "on_chain_start · ChatOpenAI"]);
    assert.deepEqual(events.map(isOpen), [false, false]);
    // one click opens an event like any panel
    head(events[1]).click();
    assert.equal(isOpen(events[1]), true);
    assert.match(events[1].querySelector(".lgw-panel-body").textContent, /ChatOpenAI/);
  });

  test("Copy JSON puts the item's data on the clipboard as JSON, without toggling the panel", async (t) => {
    const { el, store } = makeView({ stream_mode: ["updates"] });
    const update = { messages: [human("hi")], note: "é ✓", n: 2 };
    send(store, [["updates", { agent: update }], ["updates", { tools: { result: [1, 2] } }]]);
    pumpFrames();
    const [agent, tools] = top(el);
    const copy = (panel) => head(panel).querySelector(".lgw-copy");
    const copied = [];
    let fail = false;
    const saved = Object.getOwnPropertyDescriptor(globalThis, "navigator");
    Object.defineProperty(globalThis, "navigator", {
      value: { clipboard: { writeText: async (text) => (fail ? Promise.reject(new Error("denied")) : copied.push(text)) } },
      configurable: true,
      writable: true,
    });
    t.mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const wasOpen = [isOpen(agent), isOpen(tools)];
      assert.equal(copy(agent).textContent, "Copy JSON");
      copy(agent).click();
      await tick();
      assert.deepEqual(copied, [JSON.stringify(update, null, 2)], "the update's data, not the chunk");
      assert.equal(copy(agent).textContent, "Copied");
      assert.deepEqual([isOpen(agent), isOpen(tools)], wasOpen, "the click stays on the button");
      t.mock.timers.tick(1200);
      assert.equal(copy(agent).textContent, "Copy JSON");
      copy(tools).click();
      await tick();
      assert.deepEqual(JSON.parse(copied[1]), { result: [1, 2] });
      fail = true;
      copy(tools).click();
      await tick();
      assert.equal(copied.length, 2);
      assert.equal(copy(tools).textContent, "Copy failed");
    } finally {
      if (saved) Object.defineProperty(globalThis, "navigator", saved);
      else delete globalThis.navigator;
    }
  });
});

describe("filters on growing items", () => {
  test("a node panel passes the node filter when a child of that node is in it", () => {
    const { el, store, view } = makeView();
    send(store, [["updates|tools:abc", { lookup: { city: "Paris" } }], ["updates", { agent: { x: 1 } }]]);
    pumpFrames();
    view.setFilter({ node: "lookup" });
    pumpFrames();
    assert.deepEqual(top(el).map(titleOf), ["tools"]);
    view.setFilter({ node: "agent" });
    pumpFrames();
    assert.deepEqual(top(el).map(titleOf), ["agent"]);
  });

  test(
    "a panel that comes to match the filter while it grows is shown",
    () => {
      const { el, store, view } = makeView();
      view.setFilter({ text: "paris" });
      send(store, [token("The weather", answer)]);
      pumpFrames();
      send(store, [token(" in Paris", answer)]);
      pumpFrames();
      assert.deepEqual(top(el).map(titleOf), ["answer"]);
    },
  );
});
