// Reading a run: line breaks, deep values, odd names, and the reader's place when JupyterLab
// wipes the output and renders the widget again.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { $$, FakeModel, asDataView, batchBlob, buttonByText, clearDocument, container, pumpFrames, sleep, until } from "./setup.js";
import { valueNode } from "../src/dom.js";
import widget from "../src/widget.js";

const cleanups = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()();
  clearDocument();
});

function shown(chunks) {
  const model = new FakeModel({ _store_key: `k${Math.random()}`, status: "done", snapshot: [asDataView(batchBlob(0, chunks))] });
  cleanups.push(widget.initialize({ model }));
  const el = container();
  cleanups.push(widget.render({ model, el }));
  return { model, el };
}

test("a multi-line string keeps its line breaks", () => {
  const node = valueNode("line one\nline two\n\n  indented", 0);
  assert.ok(node.classList.contains("lgw-multiline"));
  assert.ok(node.textContent.includes("line one\nline two\n\n  indented"));
});

test("expand all opens a value 30 levels deep in one click", () => {
  let deep = "the leaf";
  for (let level = 30; level >= 1; level--) deep = { [`level_${level}`]: deep };
  const el = container();
  el.append(valueNode(deep, 0));
  assert.ok(!el.textContent.includes("the leaf")); // below the levels opened at first
  buttonByText(el, "expand all").click();
  assert.ok(el.textContent.includes("the leaf"));
  assert.ok($$(el, "details").every((d) => d.open));
});

test("a long node name is cut in its title and whole on hover", async () => {
  const name = "a_node_with_a_name_that_goes_on_".repeat(6) + "and_on";
  const { el } = shown([["updates", { [name]: { x: 1 } }]]);
  await until(() => $$(el, ".lgw-panel").length === 1);
  const title = el.querySelector(".lgw-panel .lgw-title");
  assert.equal(title.textContent, name);
  assert.equal(title.getAttribute("title"), name);
  const option = $$(el, ".lgw-node-filter option").find((o) => o.value === name);
  assert.equal(option.getAttribute("title"), name);
});

test("the text filter finds a name with a zero-width character inside", async () => {
  const { el } = shown([["updates", { "re\u200bview": { ok: true } }], ["updates", { other: { ok: false } }]]);
  await until(() => $$(el, ".lgw-panel").length === 2);
  const input = el.querySelector(".lgw-text-filter");
  input.value = "review";
  input.dispatchEvent(new window.Event("input"));
  await sleep(200); // the filter's debounce
  await until(() => $$(el, ".lgw-panel").length === 1, { message: "one panel" });
  assert.equal(el.querySelector(".lgw-panel").dataset.node, "re\u200bview");
});

test("rendered again where its node was wiped, the same view comes back with the filter's caret", async () => {
  const model = new FakeModel({ _store_key: "wiped", status: "done", snapshot: [asDataView(batchBlob(0, [["updates", { plan: {} }], ["updates", { act: {} }]]))] });
  cleanups.push(widget.initialize({ model }));
  const first = container();
  widget.render({ model, el: first });
  await until(() => $$(first, ".lgw-panel").length === 2);
  const root = first.querySelector(".lgw-root");
  const input = first.querySelector(".lgw-text-filter");
  input.value = "pla";
  input.focus();
  input.setSelectionRange(2, 3);
  input.dispatchEvent(new window.Event("select"));
  first.textContent = ""; // what JupyterLab's widget renderer does before rendering again
  const second = container();
  cleanups.push(widget.render({ model, el: second }));
  pumpFrames();
  assert.equal(second.querySelector(".lgw-root"), root); // moved, not rebuilt
  assert.equal(document.activeElement, input);
  assert.deepEqual([input.selectionStart, input.selectionEnd], [2, 3]);
});
