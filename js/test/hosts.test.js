// Hosts that lose or hold back messages (marimo, a view opened late): the view must not stall
// behind a gap. anywidget drops custom messages sent before the front end listens (anywidget
// issue #436), and marimo handles a front end's request (our `sync`) only when no cell runs.
// The kernel puts its first batch into the snapshot trait at once; that must be enough.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, FakeModel, asDataView, batchBlob, clearDocument, container, sleep, pumpFrames, until, updateChunks } from "./setup.js";
import widget from "../src/widget.js";

const cleanups = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()();
  clearDocument();
});

const blob = (seq, n) => asDataView(batchBlob(seq, updateChunks(seq, n)));
const indices = (el) => $$(el, ".lgw-panel").map((p) => Number(p.dataset.index));
const chunkCount = (el) => Number((el.querySelector(".lgw-stats").textContent.match(/([\d,]+) chunks/)?.[1] ?? "-1").replace(/,/g, ""));
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);
const untilChunks = (el, count) => until(() => chunkCount(el) === count, { message: `${count} chunks (have ${chunkCount(el)})` });

function open(model) {
  cleanups.push(widget.initialize({ model }));
  const el = container();
  cleanups.push(widget.render({ model, el }));
  return el;
}

/** A model whose `sync` requests are never answered (the host holds them until the run ends). */
class DeafModel extends FakeModel {
  send(content) {
    super.send(content); // recorded, never answered
  }
}

test("the first batch message is lost: the snapshot fills the gap and the run goes on live", async () => {
  const model = new DeafModel({ status: "running" });
  const el = open(model);
  // Batch 0 was sent before the listener existed: only batches 1 and 2 arrive.
  model.sendBatch(10, updateChunks(10, 10));
  model.sendBatch(20, updateChunks(20, 10));
  await sleep(20);
  pumpFrames();
  assert.equal(chunkCount(el), 0, "nothing to show before chunk 0");
  // The kernel published the first batch as the snapshot at once.
  model.set("snapshot", [blob(0, 10)]);
  await untilChunks(el, 30);
  assert.deepEqual(indices(el), range(0, 30));
  // Later batches are applied as they come, with no request answered.
  model.sendBatch(30, updateChunks(30, 10));
  await untilChunks(el, 40);
  model.sendBatch(40, updateChunks(40, 5));
  await untilChunks(el, 45);
  assert.deepEqual(indices(el), range(0, 45));
  model.set("status", "done");
  await until(() => el.querySelector(".lgw-badge").textContent === "done", { message: "done" });
});

test("the snapshot comes before the later batches: they apply on top of it", async () => {
  const model = new DeafModel({ status: "running" });
  const el = open(model);
  model.set("snapshot", [blob(0, 10)]); // batch 0's message was lost, its snapshot came first
  await untilChunks(el, 10);
  model.sendBatch(10, updateChunks(10, 10));
  await untilChunks(el, 20);
  assert.deepEqual(indices(el), range(0, 20));
});

test("sync is never answered: a view opened late shows every chunk once the snapshot comes", async () => {
  // Opened while running (a marimo cell displayed during the run): the view asks for the gap.
  const model = new DeafModel({ status: "running" });
  const el = open(model);
  await until(() => model.sent.some((m) => m.type === "sync"), { message: "a sync request" });
  // The request is held by the host; batches sent meanwhile wait behind the gap ...
  model.sendBatch(30, updateChunks(30, 10));
  model.sendBatch(40, updateChunks(40, 10));
  await sleep(20);
  assert.equal(chunkCount(el), 0);
  // ... until a snapshot brings batches 0..2 (the one after the doubling rule, say).
  model.set("snapshot", [blob(0, 10), blob(10, 10), blob(20, 10)]);
  await untilChunks(el, 50);
  assert.deepEqual(indices(el), range(0, 50));
  model.sendBatch(50, updateChunks(50, 10));
  await untilChunks(el, 60);
  assert.deepEqual(indices(el), range(0, 60));
  // The held request is answered at last (the cell ended): the resent batches change nothing.
  for (let seq = 0; seq < 60; seq += 10) model.sendBatch(seq, updateChunks(seq, 10));
  model.set("status", "done");
  await sleep(20);
  pumpFrames();
  assert.equal(chunkCount(el), 60);
  assert.deepEqual(indices(el), range(0, 60));
});

test("a snapshot that fills only part of the gap applies that part, the rest waits", async () => {
  const model = new DeafModel({ status: "running" });
  const el = open(model);
  model.sendBatch(30, updateChunks(30, 10));
  model.set("snapshot", [blob(0, 10), blob(10, 10)]);
  await untilChunks(el, 20);
  model.set("snapshot", [blob(0, 10), blob(10, 10), blob(20, 10)]);
  await untilChunks(el, 40);
  assert.deepEqual(indices(el), range(0, 40));
});

test("every batch message is lost: each snapshot shows the run so far", async () => {
  const model = new DeafModel({ status: "running" });
  const el = open(model);
  const blobs = [];
  for (let seq = 0; seq < 50; seq += 10) {
    blobs.push(blob(seq, 10));
    model.set("snapshot", [...blobs]);
    await untilChunks(el, seq + 10);
  }
  assert.deepEqual(indices(el), range(0, 50));
});
