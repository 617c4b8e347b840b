// RunView under happy-dom: windowing, frame budget, lazy panel bodies, filters, header.
import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  $$,
  FakeModel,
  batchText,
  buttonByText,
  clearDocument,
  clock,
  container,
  pumpFrame,
  pumpFrames,
  scheduledFrames,
  sleep,
  updateChunks,
  window,
} from "./setup.js";
import { parseBatch } from "../src/protocol.js";
import { RunStore } from "../src/store.js";
import { FRAME_BUDGET_MS, NODE_OPTIONS, RunView, WINDOW } from "../src/view.js";
import { runOf } from "../src/widget.js";

const views = [];
afterEach(() => {
  while (views.length) views.pop().destroy();
  clearDocument();
});

function makeView({ model = new FakeModel(), store = new RunStore(), options } = {}) {
  const el = container();
  const view = new RunView(el, runOf(model), store, options);
  views.push(view);
  return { el, view, model, store };
}

/** Add `total` update chunks to the store in batches of `size`, pumping `pump` after each. */
function feed(store, total, { size = 250, from = store.count, nodes, pump = () => {} } = {}) {
  for (let seq = from; seq < from + total; seq += size) {
    const n = Math.min(size, from + total - seq);
    store.add(parseBatch(batchText(seq, updateChunks(seq, n, nodes))));
    pump();
  }
}

const panels = (el) => $$(el, ".lgw-panel");
const indices = (el) => panels(el).map((p) => Number(p.dataset.index));
const isOpen = (panel) => panel.classList.contains("lgw-open");
const bodyOf = (panel) => panel.querySelector(":scope > .lgw-panel-body");
const change = (el, type) => el.dispatchEvent(new window.Event(type, { bubbles: true }));

describe("10,000 chunks", () => {
  // One big test rather than several: building panels in happy-dom is what takes the time.
  test("fed in batches: at most WINDOW panels, the newest ones, lazy bodies, Show earlier", () => {
    const { el, store } = makeView();
    assert.equal(WINDOW, 200);
    let most = 0;
    let batches = 0;
    feed(store, 10_000, {
      pump: () => {
        // a frame now and then, each building up to WINDOW panels
        if (++batches % 13 === 0) pumpFrames();
        most = Math.max(most, panels(el).length);
      },
    });
    pumpFrames();
    most = Math.max(most, panels(el).length);
    assert.ok(most <= WINDOW, `at most ${WINDOW} panels, saw ${most}`);
    assert.equal(panels(el).length, WINDOW);
    assert.deepEqual(indices(el), Array.from({ length: WINDOW }, (_, i) => 10_000 - WINDOW + i));
    assert.match(el.querySelector(".lgw-stats").textContent, /10,000 chunks/);

    // the newest is open, the one before closed, and closed panels have no body
    const all = panels(el);
    assert.equal(isOpen(all.at(-1)), true);
    assert.ok(bodyOf(all.at(-1)));
    assert.equal(isOpen(all.at(-2)), false);
    assert.equal($$(el, ".lgw-panel:not(.lgw-open) .lgw-panel-body").length, 0);
    assert.equal($$(el, ".lgw-panel-body").length, 1, "only the open panel's body is built");

    // "Show earlier" says how many are hidden and shows WINDOW more
    const earlier = el.querySelector(".lgw-earlier");
    assert.equal(earlier.hidden, false);
    assert.match(earlier.textContent, /Show earlier \(9,800 more\)/);
    earlier.click();
    pumpFrames();
    assert.equal(panels(el).length, 2 * WINDOW);
    assert.equal(indices(el)[0], 10_000 - 2 * WINDOW);
    assert.equal(indices(el).at(-1), 9_999);
    assert.match(earlier.textContent, /9,600 more/);
  });

  test("in one burst: nothing built before a frame, then each frame appends within its budget", () => {
    const { el, store, view } = makeView();
    feed(store, 10_000);
    assert.equal(panels(el).length, 0, "nothing is built before a frame");
    assert.ok(view.queue.length <= WINDOW, "panels that would scroll away at once are never queued");

    clock.step = 1; // every performance.now() moves the clock 1 ms
    assert.equal(scheduledFrames(), 1);
    pumpFrame();
    const first = panels(el).length;
    assert.ok(first >= 1, "some progress each frame");
    assert.ok(first <= FRAME_BUDGET_MS, `within the ${FRAME_BUDGET_MS} ms budget, got ${first}`);
    assert.ok(view.queue.length > 0, "the rest waits");
    assert.equal(scheduledFrames(), 1, "and another frame is asked for");

    let frames = 1;
    let before = first;
    while (scheduledFrames() > 0) {
      pumpFrame();
      frames += 1;
      const now = panels(el).length;
      assert.ok(now - before <= FRAME_BUDGET_MS, `frame ${frames} appended ${now - before}`);
      before = now;
    }
    assert.equal(panels(el).length, WINDOW);
    assert.ok(frames >= WINDOW / FRAME_BUDGET_MS, `took ${frames} frames`);
  });
});

describe("windowing and budget, small", () => {
  test('"Show earlier" is hidden when everything is shown', () => {
    const { el, store } = makeView();
    feed(store, 30);
    pumpFrames();
    assert.equal(panels(el).length, 30);
    assert.equal(el.querySelector(".lgw-earlier").hidden, true);
  });

  test("a smaller window from the options", () => {
    const { el, store } = makeView({ options: { windowSize: 10 } });
    feed(store, 35, { size: 7, pump: () => pumpFrames() });
    assert.deepEqual(indices(el), [25, 26, 27, 28, 29, 30, 31, 32, 33, 34]);
    assert.match(el.querySelector(".lgw-earlier").textContent, /25 more/);
  });

  test("a custom budget is respected", () => {
    const { el, store } = makeView({ options: { budgetMs: 3 } });
    feed(store, 50);
    clock.step = 1;
    pumpFrame();
    assert.ok(panels(el).length >= 1 && panels(el).length <= 3, `got ${panels(el).length}`);
  });

  test("destroy cancels the pending frame", () => {
    const { el, store, view } = makeView();
    feed(store, 10);
    assert.equal(scheduledFrames(), 1);
    view.destroy();
    views.splice(views.indexOf(view), 1);
    assert.equal(scheduledFrames(), 0);
    assert.equal(panels(el).length, 0);
  });
});

describe("panels", () => {
  test("when a newer panel arrives, the previously newest closes", () => {
    const { el, store } = makeView();
    feed(store, 5);
    pumpFrames();
    const oldNewest = panels(el).at(-1);
    assert.equal(isOpen(oldNewest), true);
    feed(store, 3);
    pumpFrames();
    const all = panels(el);
    assert.equal(all.length, 8);
    assert.equal(isOpen(all.at(-1)), true);
    assert.equal(isOpen(oldNewest), false);
    assert.equal(bodyOf(oldNewest).hidden, true);
    assert.equal($$(el, ".lgw-panel.lgw-open").length, 1);
  });

  test(
    "the previously newest closes for other stream modes too (values, messages, custom)",

    () => {
      const { el, store } = makeView();
      for (let seq = 0; seq < 5; seq++) {
        store.add(parseBatch(batchText(seq, [["values", { messages: [], step: seq }]])));
        pumpFrames();
      }
      assert.equal($$(el, ".lgw-panel.lgw-open").length, 1);
      assert.equal(isOpen(panels(el).at(-1)), true);
    },
  );

  test("errors and interrupts open by themselves and stay open", () => {
    const { el, store } = makeView();
    store.add(
      parseBatch(
        batchText(0, [
          ["updates", { __interrupt__: [{ value: "approve?" }] }],
          ["updates", { agent: { x: 1 } }],
          ["error", { error: "ValueError", message: "bad input" }],
          ["updates", { agent: { x: 2 } }],
        ]),
      ),
    );
    pumpFrames();
    const [interrupt, first, error, last] = panels(el);
    assert.ok(interrupt.classList.contains("lgw-kind-interrupt"));
    assert.ok(error.classList.contains("lgw-kind-error"));
    assert.equal(isOpen(interrupt), true);
    assert.equal(isOpen(error), true);
    assert.equal(isOpen(first), false);
    assert.equal(isOpen(last), true);
    assert.equal(error.querySelector(".lgw-title").textContent, "ValueError");
    assert.equal(error.querySelector(".lgw-error-msg").textContent, "bad input");
  });

  test("panel title, namespace path and meta: a subgraph's panels nest in their parent node's panel", () => {
    const { el, store } = makeView();
    store.add(parseBatch(batchText(0, [["updates|tools:abc|inner:def", { search: { q: 1 } }]], [1500])));
    pumpFrames();
    const title = (panel) => panel.querySelector(":scope > .lgw-panel-head > .lgw-title").textContent;
    const meta = (panel) => panel.querySelector(":scope > .lgw-panel-head > .lgw-meta").textContent;
    const nested = (panel) => $$(panel, ":scope > .lgw-panel-body .lgw-node-children > .lgw-panel");
    // one top-level panel, for the parent node, running until its own update arrives
    const top = $$(el, ".lgw-list > .lgw-panel");
    assert.equal(top.length, 1);
    const [tools] = top;
    assert.ok(tools.classList.contains("lgw-kind-node"));
    assert.equal(title(tools), "tools");
    assert.equal(meta(tools), "+0 ms · running…");
    assert.equal(tools.dataset.node, "tools");
    assert.equal(isOpen(tools), true, "the newest panel opens");
    // inside it the subgraph node "inner", and inside that the update of "search": no path in the titles
    const [inner] = nested(tools);
    assert.equal(title(inner), "inner");
    assert.equal(meta(inner), "+0 ms · running…");
    inner.querySelector(".lgw-panel-head").click();
    const [search] = nested(inner);
    assert.equal(title(search), "search");
    assert.equal(meta(search), "#0 · +1.5 s");
    assert.equal(search.dataset.node, "search");
    assert.ok(!$$(el, ".lgw-title").some((t) => t.textContent.includes("›")), "no flat 'tools › inner › search' panel");

    // the updates of the parents fill their node panels in place
    store.add(parseBatch(batchText(1, [["updates|tools:abc", { inner: { found: 2 } }], ["updates", { tools: { done: 3 } }]], [1600, 2500])));
    pumpFrames();
    assert.equal($$(el, ".lgw-list > .lgw-panel").length, 1, "no second panel for the parents' updates");
    assert.equal(meta(tools), "#2 · +0 ms · 2.5 s");
    assert.equal(meta(inner), "#1 · +0 ms · 1.6 s");
    assert.match(tools.querySelector(":scope > .lgw-panel-body > .lgw-node-body > .lgw-node-update").textContent, /done: 3/);
    assert.match(inner.querySelector(".lgw-node-update").textContent, /found: 2/);
  });

  test("truncated chunk shows a note and the preview", () => {
    const { el, store } = makeView();
    store.add(parseBatch(batchText(0, [["values", { __lgwidget_truncated__: 52428800, preview: '{"messages": [' }]])));
    pumpFrames();
    const [panel] = panels(el);
    assert.ok(panel.classList.contains("lgw-kind-truncated"));
    assert.match(panel.querySelector(".lgw-note").textContent, /50\.0 MB.*w\.chunks\[0\]\.data/);
    assert.equal(panel.querySelector(".lgw-pre").textContent, '{"messages": [');
  });

  test("clicking a panel head toggles it and builds the body once", () => {
    const { el, store } = makeView();
    feed(store, 5);
    pumpFrames();
    const panel = panels(el)[1];
    const head = panel.querySelector(".lgw-panel-head");
    assert.equal(isOpen(panel), false);
    assert.ok(bodyOf(panel) === null);
    head.click();
    assert.equal(isOpen(panel), true);
    const body = bodyOf(panel);
    assert.ok(body);
    assert.equal(body.hidden, false);
    assert.match(body.textContent, /chunk 1/);
    head.click();
    assert.equal(isOpen(panel), false);
    assert.equal(body.hidden, true);
    head.click();
    assert.ok(bodyOf(panel) === body, "built only once");
    assert.equal($$(panel, ".lgw-panel-body").length, 1);
  });

  test("Enter on a focused head toggles it", () => {
    const { el, store } = makeView();
    feed(store, 3);
    pumpFrames();
    const panel = panels(el)[0];
    panel.querySelector(".lgw-panel-head").dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    assert.equal(isOpen(panel), true);
  });

  test("a panel the user opened stays open when newer ones arrive", () => {
    const { el, store } = makeView();
    feed(store, 5);
    pumpFrames();
    const newest = panels(el).at(-1);
    const other = panels(el)[0];
    other.querySelector(".lgw-panel-head").click();
    // the user also keeps the newest one open by closing and opening it again
    newest.querySelector(".lgw-panel-head").click();
    newest.querySelector(".lgw-panel-head").click();
    feed(store, 5);
    pumpFrames();
    assert.equal(isOpen(other), true);
    assert.equal(isOpen(newest), true);
  });

  test("Expand all and Collapse all", () => {
    const { el, store } = makeView();
    feed(store, 40);
    pumpFrames();
    buttonByText(el, "Expand all").click();
    assert.equal($$(el, ".lgw-panel.lgw-open").length, 40);
    assert.equal($$(el, ".lgw-panel-body").length, 40);
    assert.equal($$(el, ".lgw-panel-body[hidden]").length, 0);
    buttonByText(el, "Collapse all").click();
    assert.equal($$(el, ".lgw-panel.lgw-open").length, 0);
    assert.equal($$(el, ".lgw-panel-body:not([hidden])").length, 0);
  });

  test("the store's reset (a new run) empties the list", () => {
    const { el, store } = makeView();
    feed(store, 30);
    pumpFrames();
    store.reset();
    pumpFrames();
    assert.equal(panels(el).length, 0);
    assert.equal(el.querySelector(".lgw-earlier").hidden, true);
    feed(store, 4, { nodes: ["planner"] });
    pumpFrames();
    assert.deepEqual(indices(el), [0, 1, 2, 3]);
    assert.deepEqual([...el.querySelector(".lgw-node-filter").options].map((o) => o.value), ["", "planner"]);
  });

  test(
    "after a reset the new run's panels do not inherit the old run's open/closed choices",

    () => {
      const { el, store } = makeView();
      feed(store, 10);
      pumpFrames();
      buttonByText(el, "Collapse all").click();
      store.reset();
      feed(store, 10);
      pumpFrames();
      assert.equal(isOpen(panels(el).at(-1)), true);
    },
  );
});

describe("filters", () => {
  test("the node filter lists node names and filters", () => {
    const { el, store } = makeView();
    feed(store, 30, { size: 10, nodes: ["agent", "tools", "critic"], pump: () => pumpFrames() });
    const select = el.querySelector(".lgw-node-filter");
    assert.deepEqual([...select.options].map((o) => [o.value, o.textContent]), [
      ["", "All nodes"],
      ["agent", "agent"],
      ["tools", "tools"],
      ["critic", "critic"],
    ]);
    select.value = "tools";
    change(select, "change");
    pumpFrames();
    assert.equal(panels(el).length, 10);
    assert.ok(panels(el).every((p) => p.dataset.node === "tools"));
    // new chunks go through the filter too
    feed(store, 6, { nodes: ["agent", "tools", "critic"] });
    pumpFrames();
    assert.equal(panels(el).length, 12);
    assert.ok(panels(el).every((p) => p.dataset.node === "tools"));
    select.value = "";
    change(select, "change");
    pumpFrames();
    assert.equal(panels(el).length, 36);
  });

  test(`the node filter lists ${NODE_OPTIONS} names, then one "… N more: use the text filter" option`, () => {
    const { el, store } = makeView();
    const select = el.querySelector(".lgw-node-filter");
    const names = Array.from({ length: NODE_OPTIONS + 5 }, (_, i) => `node-${i}`);
    feed(store, NODE_OPTIONS - 1, { nodes: names });
    pumpFrames();
    assert.equal(select.options.length, NODE_OPTIONS, "All nodes and 99 names: no note yet");
    assert.ok(![...select.options].some((o) => o.disabled));
    feed(store, 1, { nodes: names });
    pumpFrames();
    assert.equal(select.options.length, NODE_OPTIONS + 1, `exactly ${NODE_OPTIONS} names: still no note`);
    feed(store, 4, { nodes: names });
    pumpFrames();
    const options = [...select.options];
    assert.deepEqual(options.slice(0, 3).map((o) => o.value), ["", "node-0", "node-1"]);
    assert.deepEqual(options.slice(1, -1).map((o) => o.value), names.slice(0, NODE_OPTIONS));
    const note = options.at(-1);
    assert.equal(note.textContent, "… 4 more: use the text filter");
    assert.equal(note.disabled, true);
    assert.equal(options.length, NODE_OPTIONS + 2);
    // more names later: the one note says how many, and the list does not grow
    feed(store, 1, { nodes: names });
    pumpFrames();
    const again = [...select.options];
    assert.equal(again.length, NODE_OPTIONS + 2);
    assert.deepEqual(again.filter((o) => o.disabled).map((o) => o.textContent), ["… 5 more: use the text filter"]);
    // a name past the cap is still found with the text filter
    const view = views.at(-1);
    view.setFilter({ text: "node-104" });
    pumpFrames();
    assert.deepEqual(panels(el).map((p) => p.dataset.node), ["node-104"]);
  });

  test("the text filter applies after its debounce", async () => {
    const { el, store } = makeView();
    const chunks = Array.from({ length: 20 }, (_, i) => ["updates", { [i % 2 ? "agent" : "tools"]: { text: i % 5 === 0 ? `The NEEDLE ${i}` : `hay ${i}` } }]);
    store.add(parseBatch(batchText(0, chunks)));
    pumpFrames();
    assert.equal(panels(el).length, 20);
    const input = el.querySelector(".lgw-text-filter");
    input.value = "nee";
    change(input, "input");
    input.value = "needle";
    change(input, "input");
    pumpFrames();
    assert.equal(panels(el).length, 20, "not before the debounce");
    await sleep(100);
    pumpFrames();
    assert.equal(panels(el).length, 20, "not before 150 ms");
    await sleep(70);
    pumpFrames();
    assert.deepEqual(indices(el), [0, 5, 10, 15]);
  });

  test("the filter is kept by a second view of the same store", () => {
    const store = new RunStore();
    const first = makeView({ store });
    feed(store, 9, { nodes: ["a", "b", "c"] });
    pumpFrames();
    const select = first.el.querySelector(".lgw-node-filter");
    select.value = "b";
    change(select, "change");
    pumpFrames();
    const second = makeView({ store });
    pumpFrames();
    assert.equal(second.el.querySelector(".lgw-node-filter").value, "b");
    assert.equal(panels(second.el).length, 3);
  });
});

describe("header", () => {
  test("status, run id, chunk count; Stop only while running", () => {
    const model = new FakeModel({ status: "idle", assistant_id: "my-agent" });
    const { el, store } = makeView({ model });
    const stop = el.querySelector(".lgw-stop");
    const badge = el.querySelector(".lgw-badge");
    assert.equal(badge.textContent, "idle");
    assert.equal(stop.hidden, true);
    assert.equal(el.querySelector(".lgw-assistant").textContent, "my-agent");

    model.set("run_id", "1ef-run-42");
    model.set("started_at", Date.now() / 1000 - 2);
    model.set("status", "running");
    assert.equal(badge.textContent, "running");
    assert.ok(badge.classList.contains("lgw-status-running"));
    assert.equal(el.querySelector(".lgw-runid").textContent, "run 1ef-run-42");
    assert.equal(stop.hidden, false);

    feed(store, 1234, { size: 300 });
    pumpFrames();
    assert.match(el.querySelector(".lgw-stats").textContent, /1,234 chunks/);
    assert.match(el.querySelector(".lgw-stats").textContent, /KB/);

    stop.click();
    assert.deepEqual(model.sent, [{ type: "stop" }]);

    model.set("ended_at", model.get("started_at") + 3);
    model.set("status", "done");
    assert.equal(stop.hidden, true);
    assert.equal(badge.textContent, "done");
    assert.match(el.querySelector(".lgw-stats").textContent, /^3\.0 s · /);
  });

  test("the run's error is shown on its own line", () => {
    const model = new FakeModel();
    const { el } = makeView({ model });
    const line = el.querySelector(".lgw-error-line");
    assert.equal(line.hidden, true);
    model.set("error", { error: "GraphRecursionError", message: "Recursion limit of 25 reached" });
    model.set("status", "error");
    assert.equal(line.hidden, false);
    assert.equal(line.textContent, "GraphRecursionError: Recursion limit of 25 reached");
  });

  test("the view needs no model: a plain run object gives it traits and takes Stop", () => {
    const traits = { status: "running", assistant_id: "plain", run_id: "r-1" };
    let stops = 0;
    let watching = 0;
    const run = {
      get: (name) => traits[name],
      watch: () => {
        watching += 1;
        return () => { watching -= 1; };
      },
      stop: () => { stops += 1; },
    };
    const el = container();
    const view = new RunView(el, run, new RunStore());
    assert.equal(el.querySelector(".lgw-assistant").textContent, "plain");
    assert.equal(el.querySelector(".lgw-runid").textContent, "run r-1");
    el.querySelector(".lgw-stop").click();
    assert.equal(stops, 1);
    assert.equal(watching, 1);
    view.destroy();
    assert.equal(watching, 0);
  });

  test("destroy stops listening to the model", () => {
    const model = new FakeModel();
    const { view } = makeView({ model });
    assert.ok(model.listenerCount("change:status") > 0);
    view.destroy();
    views.splice(views.indexOf(view), 1);
    assert.equal(model.listenerCount("change:status"), 0);
  });
});
