// The batch table and the comparison (batch.js, compare.js): their pure parts, and the DOM fed
// from a fake model: rows updated in place, the progress bar, the buttons, listeners removed.
import { FakeModel } from "./setup.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { MSG } from "../src/protocol.js";
import batchWidget, { cellsOf, progressOf, summaryOf } from "../src/batch.js";
import compareWidget, { changeCounts } from "../src/compare.js";

const row = (index, status, more = {}) => ({ index, input: `{"n": ${index}}`, status, elapsed: null, chunks: 0,
  tokens: null, output: "", error: "", ref: `anywidget:${index}`, ...more });

test("progress counts the finished rows, and the summary says what is left", () => {
  const rows = [row(0, "done"), row(1, "error"), row(2, "running"), row(3, "queued")];
  const progress = progressOf(rows);
  assert.equal(progress.finished, 2);
  assert.equal(progress.fraction, 0.5);
  assert.equal(summaryOf(progress), "2 of 4 finished · 1 running · 1 queued · 1 error");
  assert.deepEqual(cellsOf(row(4, "done", { elapsed: 1.25, chunks: 3, tokens: 12, output: "x" })),
    ["5", '{"n": 4}', "done", "1.3 s", "3", "12", "x", ""]);
  assert.equal(cellsOf(row(0, "idle"))[2], "not run");
});

test("the table updates its rows in place, the bar follows, the buttons send, and it cleans up", () => {
  const model = new FakeModel({ assistant_id: "items", status: "running", rows: [row(0, "running"), row(1, "queued")],
    notes: ["serial"], concurrency: 1 });
  const el = document.createElement("div");
  const cleanup = batchWidget.render({ model, el });
  const trs = el.querySelectorAll(".lgw-batch-row");
  assert.equal(trs.length, 2);
  assert.equal(el.querySelector(".lgw-batch-notes").textContent, "serial");
  model.set("rows", [row(0, "done", { output: "<b>not html</b>" }), row(1, "error", { error: "boom" })]);
  assert.equal(el.querySelectorAll(".lgw-batch-row")[0], trs[0]); // the same element, rewritten
  assert.equal(trs[0].querySelector(".lgw-batch-output").textContent, "<b>not html</b>");
  assert.equal(trs[0].querySelector("b"), null);
  assert.equal(trs[1].dataset.status, "error");
  const bars = [...el.querySelectorAll(".lgw-progress-bar")].map((b) => b.style.width);
  assert.deepEqual(bars, ["50%", "50%"]);
  assert.equal(el.querySelector(".lgw-progress").getAttribute("aria-valuenow"), "2");
  el.querySelector(".lgw-stop").click();
  model.set("status", "done");
  el.querySelector(".lgw-batch-rerun").click();
  assert.deepEqual(model.sent, [{ type: MSG.STOP }, { type: MSG.RERUN_FAILED }]);
  cleanup();
  assert.equal(model.listenerCount("change:rows"), 0);
  assert.equal(el.childElementCount, 0);
});

test("the comparison marks each node row and lists the state's differences as text", () => {
  const model = new FakeModel({ labels: ["a", "b"], node_rows: [
    { change: "changed", node: "double", a: "4", b: "12", changes: [{ path: "result", change: "changed", a: "4", b: "12" }] },
    { change: "added", node: "<img>", a: "", b: "1", changes: [] }],
  state_rows: [{ path: "result", change: "changed", a: "4", b: "12" }] });
  const el = document.createElement("div");
  const cleanup = compareWidget.render({ model, el });
  const rows = [...el.querySelectorAll(".lgw-compare-row")].map((r) => [r.dataset.change, r.children[1].textContent]);
  assert.deepEqual(rows, [["changed", "double"], ["added", "<img>"]]);
  assert.equal(el.querySelector("img"), null);
  assert.match(el.textContent, /Final state: 1 difference/);
  assert.deepEqual(changeCounts(model.get("node_rows")), { same: 0, changed: 1, added: 1, removed: 0 });
  cleanup();
  assert.equal(model.listenerCount("change:node_rows"), 0);
});
