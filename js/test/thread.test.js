// Runs on a thread in the view: answer slots in interrupt cards, markers between runs streamed
// into one view, the thread's checkpoints and re-runs, Continue at a breakpoint. Through the
// anywidget entry with a fake model, as the kernel would drive it.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, FakeModel, asDataView, batchBlob, clearDocument, container, pumpFrames, until } from "./setup.js";
import widget from "../src/widget.js";
import { NEEDS_THREAD, NO_KERNEL, waits } from "../src/thread.js";

const $ = (root, selector) => root.querySelector(selector);
const cleanups = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()();
  clearDocument();
});

function open(model) {
  const stop = widget.initialize({ model });
  if (typeof stop === "function") cleanups.push(stop);
  const el = container();
  const end = widget.render({ model, el });
  if (typeof end === "function") cleanups.push(end);
  return el;
}

const ASK = { value: "Ship it?", id: "a".repeat(32) };
const asked = [["metadata", { run_id: "r1" }], ["updates", { prepare: { request: "x" } }], ["updates", { __interrupt__: [ASK] }]];
const blob = (seq, chunks) => asDataView(batchBlob(seq, chunks));

/** A run stopped at an interrupt, as the kernel leaves the traits. */
function interrupted(traits = {}) {
  return new FakeModel({ status: "interrupted", snapshot: [blob(0, asked)], sections: [{ kind: "run", start: 0, status: "interrupted" }],
    pending: [ASK.id], answered: [], thread_id: "t-1", checkpoints: [], notes: [], ...traits });
}

const answers = (model) => model.sent.filter((m) => m.type === "answer");
async function until$(el, selector) {
  await until(() => $(el, selector), { message: selector });
  return $(el, selector);
}

test("an interrupt on a thread gets a form; its answer goes to the kernel once", async () => {
  const model = interrupted();
  const el = open(model);
  await until$(el, ".lgw-icard .lgw-answer");
  const box = $(el, ".lgw-answer textarea");
  box.value = "ship it";
  box.dispatchEvent(new window.Event("input", { bubbles: true }));
  $(el, ".lgw-answer-submit").click();
  assert.deepEqual(answers(model), [{ type: "answer", id: ASK.id, value: "ship it" }]);
  $(el, ".lgw-answer-submit").click();
  assert.equal(answers(model).length, 1, "sent once");
  // The kernel resumes: the card says what was answered.
  model.set("status", "running");
  model.set("pending", []);
  assert.match($(el, ".lgw-icard-answer").textContent, /answered: ship it/);
  assert.equal($(el, ".lgw-answer"), null);
});

test("an interrupt in a task's result (stream mode tasks) gets its form too", async () => {
  const schema = { type: "object", properties: { approved: { type: "boolean" } }, required: ["approved"] };
  const entry = { value: { question: "Ship it?" }, id: "c".repeat(32), response_schema: schema };
  const chunks = [["metadata", { run_id: "r" }], ["tasks", { id: "t2", name: "ask", input: {}, triggers: [], metadata: {} }],
    ["tasks", { id: "t2", name: "ask", error: null, result: {}, interrupts: [entry] }]];
  const model = interrupted({ snapshot: [blob(0, chunks)], pending: [entry.id], stream_mode: ["tasks"] });
  const el = open(model);
  await until$(el, ".lgw-kind-task .lgw-answer");
  $(el, ".lgw-answer-checkbox").click();
  $(el, ".lgw-answer-submit").click();
  assert.deepEqual(answers(model), [{ type: "answer", id: entry.id, value: { approved: true } }]);
});

test("an answer the kernel never takes up says so under the form", async () => {
  const wait = waits.kernelMs;
  waits.kernelMs = 20;
  try {
    const model = interrupted();
    const el = open(model);
    await until$(el, ".lgw-answer");
    $(el, ".lgw-answer textarea").value = "ship it";
    $(el, ".lgw-answer-submit").click();
    const shown = await until$(el, ".lgw-answer-waiting");
    assert.equal(shown.textContent, NO_KERNEL);
    // A kernel that does answer: the run resumes and the card moves on, with no such line.
    const live = interrupted();
    const el2 = open(live);
    await until$(el2, ".lgw-answer");
    $(el2, ".lgw-answer textarea").value = "ok";
    $(el2, ".lgw-answer-submit").click();
    live.set("status", "running");
    live.set("pending", []);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal($(el2, ".lgw-answer-waiting"), null);
  } finally {
    waits.kernelMs = wait;
  }
});

test("a stateless run's card says how to get a thread, and offers no form", async () => {
  const el = open(interrupted({ thread_id: null }));
  await until$(el, ".lgw-answer-stateless");
  assert.equal($(el, ".lgw-answer-stateless").textContent, NEEDS_THREAD);
  assert.equal($(el, ".lgw-answer"), null);
});

test("a saved page with no kernel shows the card without a form", async () => {
  const el = open(interrupted({ offline: true }));
  await until$(el, ".lgw-icard");
  pumpFrames();
  assert.equal($(el, ".lgw-answer"), null);
  assert.ok($(el, ".lgw-history-toggle").hidden, "no history to ask for");
});

test("the kernel's refusal shows under the form, which can be sent again", async () => {
  const model = interrupted();
  const el = open(model);
  await until$(el, ".lgw-answer");
  model.set("answer_error", { id: ASK.id, message: "approved must be boolean, not string" });
  assert.equal($(el, ".lgw-answer-refused").textContent, "approved must be boolean, not string");
  assert.equal($(el, ".lgw-answer-submit").disabled, false);
});

test("with two interrupts pending, an answer is kept until the other has one", async () => {
  const other = { value: "And this?", id: "b".repeat(32) };
  const model = interrupted({ snapshot: [blob(0, [...asked.slice(0, 2), ["updates", { __interrupt__: [ASK, other] }]])], pending: [ASK.id, other.id] });
  const el = open(model);
  await until(() => $$(el, ".lgw-answer").length === 2);
  model.set("answered", [ASK.id]);
  assert.match($$(el, ".lgw-icard-answer")[0].textContent, /answer kept; the run resumes when the 1 other interrupt is answered/);
  assert.equal($$(el, ".lgw-answer").length, 1);
});

test("a resumed run streams after a marker saying what it was", async () => {
  const model = interrupted();
  const el = open(model);
  await until$(el, ".lgw-icard");
  model.set("sections", [{ kind: "run", start: 0 }, { kind: "resume", start: 3, label: "yes" }]);
  model.set("status", "running");
  model.sendBatch(3, [["metadata", { run_id: "r2" }], ["updates", { ask: { answer: "yes" } }]]);
  await until(() => $$(el, ".lgw-panel").length === 3, { message: "three panels" });
  const order = $$(el, ".lgw-list > *").map((p) => (p.classList.contains("lgw-section") ? `— ${p.textContent}` : p.dataset.node));
  assert.deepEqual(order, ["prepare", "__interrupt__", "— yes", "ask"].map((x) => (x === "__interrupt__" ? order[1] : x)));
  assert.equal($(el, ".lgw-section").getAttribute("role"), "separator");
});

test("markers come back with the snapshot of a saved run", async () => {
  const chunks = [...asked, ["metadata", { run_id: "r2" }], ["updates", { ask: { answer: 1 } }]];
  const model = new FakeModel({ status: "done", snapshot: [blob(0, chunks)],
    sections: [{ kind: "run", start: 0 }, { kind: "resume", start: 3, label: "resumed with 1" }] });
  const el = open(model);
  await until$(el, ".lgw-section");
  assert.equal($$(el, ".lgw-section").length, 1);
  assert.equal($(el, ".lgw-section").textContent, "resumed with 1");
});

test("History lists the checkpoints and re-runs from one, with input checked as JSON", async () => {
  const model = interrupted();
  const el = open(model);
  const toggle = await until$(el, ".lgw-history-toggle");
  assert.equal(toggle.hidden, false);
  toggle.click();
  assert.deepEqual(model.sent.at(-1), { type: "history", limit: 20 });
  model.set("checkpoints", [
    { checkpoint_id: "c2", step: 1, source: "loop", next: ["ask"], created_at: "2026-12-01T10:00:00Z", interrupts: 1 },
    { checkpoint_id: "c1", step: -1, source: "input", next: ["__start__"], created_at: "2026-12-01T09:59:59Z", interrupts: 0 },
  ]);
  const rows = $$(el, ".lgw-history-row");
  assert.equal(rows.length, 2);
  assert.match(rows[0].textContent, /step 1.*loop · next: ask · 1 interrupt/);
  $(rows[0], ".lgw-rerun").click();
  assert.deepEqual(model.sent.at(-1), { type: "rerun", checkpoint_id: "c2", input: null });
  const editor = $(rows[1], ".lgw-history-editor");
  $$(rows[1], "button").find((b) => b.textContent === "with input…").click();
  assert.equal(editor.hidden, false);
  $(editor, "textarea").value = "{not json";
  $(editor, "button").click();
  assert.match($(editor, ".lgw-answer-error").textContent, /^not JSON/);
  assert.equal(model.sent.at(-1).checkpoint_id, "c2", "nothing sent");
  $(editor, "textarea").value = '{"request": "again"}';
  $(editor, "button").click();
  assert.deepEqual(model.sent.at(-1), { type: "rerun", checkpoint_id: "c1", input: { request: "again" } });
  // While a run goes on, nothing can be re-run; when it ends, the list is asked for again.
  model.set("status", "running");
  assert.ok($$(el, ".lgw-rerun").every((b) => b.disabled));
  const asks = model.sent.filter((m) => m.type === "history").length;
  model.set("status", "done");
  assert.equal(model.sent.filter((m) => m.type === "history").length, asks + 1);
});

test("a stateless run has no History", async () => {
  const el = open(interrupted({ thread_id: null }));
  await until$(el, ".lgw-icard");
  assert.ok($(el, ".lgw-history-toggle").hidden);
});

test("Continue goes on from a breakpoint (interrupted, nothing to answer)", async () => {
  const model = interrupted({ pending: [], snapshot: [blob(0, [...asked.slice(0, 2), ["updates", { __interrupt__: [] }]])] });
  const el = open(model);
  const button = await until$(el, ".lgw-continue");
  assert.equal(button.hidden, false);
  button.click();
  assert.deepEqual(answers(model), [{ type: "answer", id: "", value: null }]);
  model.set("status", "done");
  assert.ok(button.hidden);
  model.set("thread_id", null);
  model.set("status", "interrupted");
  assert.ok(button.hidden, "a stateless run cannot go on");
});

test("the thread and the notes show in the header", async () => {
  const el = open(interrupted({ notes: ["the graph has no checkpointer: an in-memory one was added"] }));
  await until$(el, ".lgw-thread");
  pumpFrames();
  assert.equal($(el, ".lgw-thread").textContent, "thread t-1");
  assert.match($(el, ".lgw-notes").textContent, /in-memory one was added/);
});
