// The anywidget entry with a fake model: snapshot trait, batch messages, sync requests.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, FakeModel, asDataView, batchBlob, clearDocument, container, pumpFrames, sleep, until, updateChunks } from "./setup.js";
import widget from "../src/widget.js";

const cleanups = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()();
  clearDocument();
});

const blob = (seq, n, nodes) => asDataView(batchBlob(seq, updateChunks(seq, n, nodes)));
const indices = (el) => $$(el, ".lgw-panel").map((p) => Number(p.dataset.index));
const chunkCount = (el) => Number((el.querySelector(".lgw-stats").textContent.match(/([\d,]+) chunks/)?.[1] ?? "-1").replace(/,/g, ""));
const syncs = (model) => model.sent.filter((m) => m.type === "sync");
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

/** initialize() then render(), as anywidget does; returns the element rendered into. */
function open(model, { initialize = true } = {}) {
  if (initialize) {
    const stop = widget.initialize({ model });
    if (typeof stop === "function") cleanups.push(stop);
  }
  const el = container();
  const stop = widget.render({ model, el });
  if (typeof stop === "function") cleanups.push(stop);
  return el;
}

/** Let the async decoding run, pumping frames, until the view shows `count` chunks. */
const untilChunks = (el, count) => until(() => chunkCount(el) === count, { message: `${count} chunks (have ${chunkCount(el)})` });

/** Time for any decoding still queued to finish (when nothing more is expected to change). */
async function settle() {
  await sleep(30);
  pumpFrames();
}

test("the snapshot, then batch messages in order, duplicates skipped", async () => {
  const model = new FakeModel({ status: "done", snapshot: [blob(0, 10), blob(10, 10)] });
  const el = open(model);
  await untilChunks(el, 20);
  assert.deepEqual(indices(el), range(0, 20));

  model.sendBatch(10, updateChunks(10, 10)); // already in the snapshot
  model.sendBatch(20, updateChunks(20, 10));
  model.sendBatch(20, updateChunks(20, 10)); // twice
  model.sendBatch(30, updateChunks(30, 5));
  await untilChunks(el, 35);
  await settle();
  assert.equal(chunkCount(el), 35);
  assert.deepEqual(indices(el), range(0, 35));
  assert.deepEqual(syncs(model), []);
});

test("many batches sent at once are applied in the order they came", async () => {
  const model = new FakeModel();
  const el = open(model);
  for (let seq = 0; seq < 100; seq += 10) model.sendBatch(seq, updateChunks(seq, 10));
  await untilChunks(el, 100);
  assert.deepEqual(indices(el), range(0, 100));
  assert.deepEqual(syncs(model), [], "no gap, no sync");
});

test("a batch after a gap asks the kernel for the gap, once", async () => {
  const model = new FakeModel();
  const el = open(model);
  model.sendBatch(0, updateChunks(0, 10));
  model.sendBatch(20, updateChunks(20, 10));
  await until(() => syncs(model).length > 0, { message: "a sync message" });
  assert.deepEqual(syncs(model), [{ type: "sync", have: 10 }]);
  await untilChunks(el, 10);

  model.sendBatch(30, updateChunks(30, 10)); // still the same gap: no second request
  await settle();
  assert.equal(syncs(model).length, 1);

  // the kernel resends from chunk 10 on
  model.sendBatch(10, updateChunks(10, 10));
  model.sendBatch(20, updateChunks(20, 10));
  model.sendBatch(30, updateChunks(30, 10));
  await untilChunks(el, 40);
  assert.deepEqual(indices(el), range(0, 40));

  model.sendBatch(50, updateChunks(50, 10)); // a new gap
  await until(() => syncs(model).length > 1, { message: "a second sync message" });
  assert.deepEqual(syncs(model)[1], { type: "sync", have: 40 });
});

test("opened while running: asks for what it missed after applying the snapshot", async () => {
  const model = new FakeModel({ status: "running", snapshot: [blob(0, 10), blob(10, 5)] });
  const el = open(model);
  await until(() => syncs(model).length > 0, { message: "a sync message" });
  assert.deepEqual(model.sent, [{ type: "sync", have: 15 }]);
  await untilChunks(el, 15);
  assert.equal(el.querySelector(".lgw-stop").hidden, false);
});

test("opened while running with no snapshot yet asks from 0", async () => {
  const model = new FakeModel({ status: "running" });
  open(model);
  await until(() => syncs(model).length > 0, { message: "a sync message" });
  assert.deepEqual(model.sent, [{ type: "sync", have: 0 }]);
});

test("not running: no sync", async () => {
  const model = new FakeModel({ status: "done", snapshot: [blob(0, 3)] });
  const el = open(model);
  await untilChunks(el, 3);
  await settle();
  assert.deepEqual(model.sent, []);
});

test("render without initialize", async () => {
  const model = new FakeModel({ snapshot: [blob(0, 4)] });
  const el = open(model, { initialize: false });
  await untilChunks(el, 4);
  model.sendBatch(4, updateChunks(4, 2));
  await untilChunks(el, 6);
});

test("two views of one model share one store", async () => {
  const model = new FakeModel({ snapshot: [blob(0, 4)] });
  const a = open(model);
  const b = open(model, { initialize: false });
  model.sendBatch(4, updateChunks(4, 4));
  await untilChunks(a, 8);
  await untilChunks(b, 8);
  assert.deepEqual(indices(a), range(0, 8));
  assert.deepEqual(indices(b), range(0, 8));
});

test("a later snapshot adds only the batches the messages did not bring", async () => {
  const model = new FakeModel({ status: "running" });
  const el = open(model);
  model.sendBatch(0, updateChunks(0, 10));
  model.sendBatch(10, updateChunks(10, 10));
  await untilChunks(el, 20);
  model.set("snapshot", [blob(0, 10), blob(10, 10), blob(20, 10)]);
  await untilChunks(el, 30);
  await settle();
  assert.deepEqual(indices(el), range(0, 30));
});

test("an empty snapshot after a run (a new run) clears the view", async () => {
  const model = new FakeModel({ status: "done", snapshot: [blob(0, 10)] });
  const el = open(model);
  await untilChunks(el, 10);
  model.set("snapshot", []);
  model.set("status", "running");
  await untilChunks(el, 0);
  assert.equal($$(el, ".lgw-panel").length, 0);
  model.sendBatch(0, updateChunks(0, 3, ["fresh"]));
  await untilChunks(el, 3);
  assert.deepEqual($$(el, ".lgw-panel").map((p) => p.dataset.node), ["fresh", "fresh", "fresh"]);
});

test(
  "a new run right after the old run's final snapshot shows only the new run",
  async () => {
    const model = new FakeModel({ status: "running" });
    const el = open(model);
    model.sendBatch(0, updateChunks(0, 10));
    await untilChunks(el, 10);
    // `await w.run(); await w.run()`: the final snapshot of run 1, then run 2 starts
    model.set("snapshot", [blob(0, 10), blob(10, 10)]);
    model.set("snapshot", []);
    model.set("status", "running");
    model.sendBatch(0, updateChunks(0, 3, ["fresh"]));
    // Not `chunkCount >= 3`: the old run's 10 chunks pass that before anything is decoded.
    const nodes = () => $$(el, ".lgw-panel").map((p) => p.dataset.node).join();
    await until(() => chunkCount(el) === 3 && nodes() === "fresh,fresh,fresh", { message: "the new run alone" });
    await settle();
    assert.equal(chunkCount(el), 3);
    assert.deepEqual($$(el, ".lgw-panel").map((p) => p.dataset.node), ["fresh", "fresh", "fresh"]);
  },
);

test("a batch that cannot be read is reported and the next ones still apply", async (t) => {
  const errors = [];
  t.mock.method(console, "error", (...args) => errors.push(args));
  const model = new FakeModel();
  const el = open(model);
  model.sendBatch(0, updateChunks(0, 5));
  model.emit("msg:custom", { type: "batch", seq: 5 }, [new DataView(new Uint8Array([1, 2, 3, 4]).buffer)]);
  model.sendBatch(5, updateChunks(5, 5));
  await untilChunks(el, 10);
  assert.equal(errors.length, 1);
});

test("other custom messages are ignored", async () => {
  const model = new FakeModel();
  const el = open(model);
  model.emit("msg:custom", { type: "something-else" }, []);
  model.emit("msg:custom", null, []);
  await settle();
  assert.equal(chunkCount(el), 0);
});

test("cleanup stops listening to the model", async () => {
  const model = new FakeModel();
  open(model);
  assert.ok(model.listenerCount("msg:custom") > 0);
  while (cleanups.length) cleanups.pop()();
  assert.equal(model.listenerCount("msg:custom"), 0);
  assert.equal(model.listenerCount("change:snapshot"), 0);
  assert.equal(model.listenerCount("change:status"), 0);
});

/** Count the blobs inflated (protocol.js makes one DecompressionStream per blob) while `body` runs. */
async function countingInflates(body) {
  const Original = globalThis.DecompressionStream;
  let made = 0;
  globalThis.DecompressionStream = class extends Original {
    constructor(...args) {
      super(...args);
      made += 1;
    }
  };
  try {
    await body();
  } finally {
    globalThis.DecompressionStream = Original;
  }
  return made;
}

test("initialize and render get different model objects: one store, decoded once", async () => {
  // anywidget gives each of initialize() and render() a model proxy of its own; the store is
  // found again through the widget's _store_key trait. Keyed by the model object, render()
  // would make a second store and decode the whole snapshot again.
  const traits = { status: "running", _store_key: "w-42", snapshot: [blob(0, 4), blob(4, 3)] };
  const first = new FakeModel(traits);
  let stop;
  const inflated = await countingInflates(async () => {
    stop = widget.initialize({ model: first });
    first.sendBatch(7, updateChunks(7, 5));
    const second = new FakeModel(first.traits); // another proxy of the same widget
    const el = container();
    cleanups.push(widget.render({ model: second, el }));
    const again = container(); // and a second output showing the same widget
    cleanups.push(widget.render({ model: new FakeModel(first.traits), el: again }));
    await untilChunks(el, 12);
    await untilChunks(again, 12);
    await settle();
    assert.equal($$(el, ".lgw-panel").length, 12);
    assert.deepEqual(indices(again), range(0, 12));
    // the kernel's final snapshot holds every batch: those the view has are not decoded again
    first.set("snapshot", [...traits.snapshot, blob(7, 5)]);
    await settle();
    assert.equal(chunkCount(el), 12);
  });
  assert.equal(inflated, 3, "two snapshot blobs and one batch message, each inflated once");
  stop();
});

test("the status can come before the last batch is decoded: the last update still lands", async () => {
  const model = new FakeModel({ status: "running" });
  const el = open(model);
  const chunk = { type: "AIMessageChunk", content: "Hi", id: "m1" };
  model.sendBatch(0, [["messages", [chunk, { langgraph_node: "answer" }]]]);
  model.sendBatch(1, [["updates", { answer: { messages: [{ type: "ai", content: "Hi", id: "m1" }], note: "kept" } }]]);
  model.set("status", "done"); // sent after the batches, applied before they are decoded
  await untilChunks(el, 2);
  await until(() => { pumpFrames(); return /#1/.test(el.querySelector(".lgw-panel .lgw-meta").textContent); },
    { message: "the node panel names its update's chunk" });
  const panel = el.querySelector(".lgw-panel");
  assert.doesNotMatch(panel.querySelector(".lgw-meta").textContent, /running/);
  assert.match(panel.textContent, /kept/);
});

test("the offline page's model holds the saved run and its blobs as bytes", async () => {
  const { savedModel } = await import("../src/page.js");
  const model = savedModel({ status: "done", snapshot: [btoa("ab")] });
  assert.equal(model.get("status"), "done");
  const [blob] = model.get("snapshot");
  assert.ok(blob instanceof DataView);
  assert.deepEqual([...new Uint8Array(blob.buffer)], [97, 98]);
  model.send({ type: "stop" }); // nothing to send to: no kernel, no error
});
