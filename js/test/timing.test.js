// The "Time & tokens" pane (timing.js) in a RunView: its table, its waterfall and its clicks, the
// header's token count and trace link. Runs of tests/graphs/timing.py recorded from a real server.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { $$, FakeModel, batchText, clearDocument, container, pumpFrames, tick } from "./setup.js";
import { parseBatch } from "../src/protocol.js";
import { RunStore } from "../src/store.js";
import { RunView } from "../src/view.js";
import { runOf } from "../src/widget.js";
import { OVERSCAN } from "../src/timing.js";

const views = [];
afterEach(() => {
  while (views.length) views.pop().destroy();
  clearDocument();
});

function recorded(name) {
  const lines = readFileSync(new URL(`fixtures/${name}.jsonl`, import.meta.url), "utf8").trim().split("\n").slice(1);
  const parts = lines.map((line) => JSON.parse(line));
  return { chunks: parts.map((p) => [p.event, p.data]), t: parts.map((p) => p.t) };
}

function viewOf({ chunks, t }, traits = {}, options = {}) {
  const model = new FakeModel({ status: "done", stream_mode: [], ...traits });
  const store = new RunStore();
  const el = container();
  const view = new RunView(el, runOf(model), store, options);
  views.push(view);
  store.add(parseBatch(batchText(0, chunks, t)));
  store.finish();
  pumpFrames();
  return { el, model, store, view };
}

async function openPane(el) {
  const pane = el.querySelector("details.lgw-timing");
  pane.open = true;
  pane.dispatchEvent(new window.Event("toggle"));
  await tick();
  pumpFrames();
  return pane;
}

const cells = (row) => $$(row, "td").map((td) => td.textContent);

test("the table: a row per node, the slowest and the costliest marked, the run's totals", async () => {
  const { el } = viewOf(recorded("timed-tasks"));
  const pane = await openPane(el);
  const rows = $$(pane, ".lgw-timing-table tbody tr");
  assert.deepEqual(rows.map((r) => r.querySelector(".lgw-timing-node").firstChild.textContent),
    ["plan", "research", "review", "review › check", "review › polish", "write"]);
  const research = rows[1];
  assert.equal(research.querySelector(".lgw-mark-slow")?.textContent, "slowest");
  assert.equal(cells(research)[1], "3");
  assert.deepEqual(cells(research).slice(5), ["60", "21"]);
  assert.equal(rows[5].querySelector(".lgw-mark-cost")?.textContent, "most tokens");
  assert.equal($$(pane, ".lgw-mark").length, 2);
  assert.deepEqual(cells(pane.querySelector("tfoot tr")).slice(5), ["200", "77"]);
  assert.match(pane.querySelector(".lgw-timing-exact").textContent, /tasks' own/);
  assert.match(pane.querySelector(".lgw-timing-note").textContent, /277 tokens · exact/);
});

test("without tasks the pane says its durations are approximate", async () => {
  const { el } = viewOf(recorded("timed-approx"));
  const pane = await openPane(el);
  assert.match(pane.querySelector(".lgw-timing-exact").textContent, /^Approximate/);
  assert.match(pane.querySelector(".lgw-timing-note").textContent, /approximate/);
});

test("the waterfall: a bar per run, branches side by side, the subgraph under its parent, the critical path", async () => {
  const { el } = viewOf(recorded("timed-tasks"));
  const pane = await openPane(el);
  const rows = $$(pane, ".lgw-wf-row");
  assert.deepEqual(rows.map((r) => r.getAttribute("data-node")), ["plan", "research", "research", "research", "review", "review › check", "review › polish", "write"]);
  assert.deepEqual(rows.filter((r) => r.getAttribute("data-node") === "research").map((r) => r.getAttribute("data-lane")).sort(), ["0", "1", "2"]);
  const left = (row) => parseFloat(row.querySelector(".lgw-wf-bar").style.left);
  const width = (row) => parseFloat(row.querySelector(".lgw-wf-bar").style.width);
  const research = rows.slice(1, 4);
  assert.ok(Math.max(...research.map(left)) < Math.min(...research.map((r) => left(r) + width(r))), "the branches overlap in time");
  assert.ok(left(rows[7]) > left(rows[0]) + width(rows[0]), "write comes after plan");
  const indent = (row) => parseFloat(row.querySelector(".lgw-wf-label").style.paddingLeft);
  assert.ok(indent(rows[5]) > indent(rows[4]), "check sits under review");
  assert.equal($$(pane, ".lgw-wf-bar.lgw-critical").length, 6);
  assert.ok(rows.every((r) => r.querySelector(".lgw-wf-time").textContent.endsWith("ms")));
});

test("a click on a bar opens that run's panel, inside its subgraph's panel", async () => {
  const { el } = viewOf(recorded("timed-tasks"));
  const pane = await openPane(el);
  const check = $$(pane, ".lgw-wf-row").find((r) => r.getAttribute("data-node") === "review › check");
  check.click();
  pumpFrames();
  const review = $$(el, ".lgw-list > .lgw-panel").find((p) => p.getAttribute("data-node") === "review");
  assert.ok(review.classList.contains("lgw-open"));
  const inner = $$(review, ".lgw-panel").find((p) => p.getAttribute("data-node") === "check");
  assert.ok(inner.classList.contains("lgw-open"));
  assert.ok(inner.classList.contains("lgw-flash"));
});

test("a click on a bar whose panel is hidden (filtered, or before the window) brings it back", async () => {
  const { el, view } = viewOf(recorded("timed-tasks"), {}, { windowSize: 2 });
  view.setFilter({ node: "write" });
  pumpFrames();
  assert.equal($$(el, ".lgw-list > .lgw-panel").length, 1);
  const pane = await openPane(el);
  $$(pane, ".lgw-wf-row")[0].click(); // plan
  pumpFrames();
  const plan = $$(el, ".lgw-list > .lgw-panel").find((p) => p.getAttribute("data-node") === "plan");
  assert.ok(plan, "the first panel is laid out again");
  assert.ok(plan.classList.contains("lgw-open") && plan.classList.contains("lgw-flash"));
  assert.equal(view.ui.filter.node, "");
});

test("300 steps: the waterfall lays out only the rows in sight", async () => {
  const chunks = Array.from({ length: 300 }, (_, i) => ["updates", { step: { i: i + 1 } }]);
  const { el } = viewOf({ chunks, t: chunks.map((_, i) => i * 5) });
  const pane = await openPane(el);
  assert.equal(pane.querySelector(".lgw-wf-rows").style.height, `${300 * 20}px`);
  const shown = $$(pane, ".lgw-wf-row").length;
  assert.ok(shown > 0 && shown <= 12 + 2 * OVERSCAN, `${shown} rows in the DOM`);
  assert.equal(cells($$(pane, ".lgw-timing-table tbody tr")[0])[1], "300");
});

test("the header counts the run's tokens, each message once", () => {
  const { el } = viewOf(recorded("timed-approx"));
  assert.match(el.querySelector(".lgw-stats").textContent, /277 tokens$/);
});

test("the trace link: an http(s) trace_url only, in a new tab without access to this page", () => {
  const url = "https://smith.langchain.com/o/org-1/projects/p/proj-2/r/run-3?poll=true";
  const { el, model } = viewOf(recorded("timed-approx"), { trace_url: url });
  const link = el.querySelector(".lgw-trace a");
  assert.equal(link.getAttribute("href"), url);
  assert.equal(link.getAttribute("target"), "_blank");
  assert.match(link.getAttribute("rel"), /noopener/);
  for (const bad of ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " https://x", null]) {
    model.set("trace_url", bad);
    assert.equal(el.querySelector(".lgw-trace a"), null, String(bad));
  }
});
