// 20,000 tokens of one message under happy-dom: the text is right, the DOM stays small, and
// each frame's work is bounded (a stepping clock: every performance.now() call is 1 ms).
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { FakeModel, batchText, clearDocument, clock, container, pumpFrame, scheduledFrames } from "./setup.js";
import { meta, token } from "./chunks.js";
import { PART_CHARS } from "../src/dom.js";
import { parseBatch } from "../src/protocol.js";
import { RunStore } from "../src/store.js";
import { FRAME_BUDGET_MS, RunView, WINDOW } from "../src/view.js";
import { runOf } from "../src/widget.js";

const TOKENS = 20_000;
const BATCH = 256;
const answer = meta("answer");
const pieces = Array.from({ length: TOKENS }, (_, i) => (i % 17 === 0 ? `\n${i}` : ` w${i}`));

/** The batches of the stream: BATCH tokens each, the last token marked "last" (built once). */
function batches() {
  if (batches.cache) return batches.cache;
  const out = (batches.cache = []);
  for (let start = 0; start < TOKENS; start += BATCH) {
    const chunks = pieces.slice(start, start + BATCH).map((p, i) => token(p, answer, { last: start + i === TOKENS - 1 }));
    out.push(parseBatch(batchText(start, chunks, chunks.map((_, i) => start + i))));
  }
  return out;
}

const views = [];
afterEach(() => {
  while (views.length) views.pop().destroy();
  clearDocument();
});

function makeView() {
  const model = new FakeModel({ stream_mode: ["updates", "messages-tuple"], status: "running" });
  const store = new RunStore();
  const el = container();
  views.push(new RunView(el, runOf(model), store));
  return { el, store };
}

/**
 * Pump the frames now scheduled (and those they schedule), one at a time; pushes what each
 * cost: clock ticks (performance.now() calls), wall time, and `count()` before minus after.
 */
function pumpAll(costs, count = () => 0) {
  while (scheduledFrames() > 0) {
    const ticks = clock.t;
    const counted = count();
    const start = process.hrtime.bigint();
    pumpFrame();
    costs.push({ ticks: clock.t - ticks, ms: Number(process.hrtime.bigint() - start) / 1e6, count: count() - counted });
  }
}

test(`${TOKENS.toLocaleString()} tokens in batches of ${BATCH}, frames in between`, (t) => {
  const { el, store } = makeView();
  const root = el.querySelector(".lgw-root");
  clock.step = 1;
  const costs = [];
  let bubble = null;
  let appends = 0;
  let mostElements = 0;
  // Count appendData calls on any Text node: the bubble's text is cut into blocks.
  const proto = Object.getPrototypeOf(document.createTextNode(""));
  const appendData = proto.appendData;
  proto.appendData = function (data) {
    appends += 1;
    return appendData.call(this, data);
  };
  const frozen = new Map(); // block element -> its text when the next block began
  try {
    for (const batch of batches()) {
      store.add(batch);
      pumpAll(costs, () => appends);
      bubble ??= root.querySelector(".lgw-node-children > .lgw-msg");
      const parts = [...bubble.querySelectorAll(".lgw-msg-part")];
      for (const part of parts.slice(0, -1)) {
        if (!frozen.has(part)) frozen.set(part, part.textContent);
        assert.equal(part.textContent, frozen.get(part), "a finished block is never touched again");
      }
      mostElements = Math.max(mostElements, root.querySelectorAll("*").length);
    }
  } finally {
    proto.appendData = appendData;
  }

  // the text is the concatenation, cut into blocks after newlines once a block is long
  const expected = pieces.join("");
  const box = bubble.querySelector(".lgw-msg-text");
  assert.ok(box.textContent === expected, "final text equals the concatenation of the tokens");
  assert.ok(root.querySelector(".lgw-node-children > .lgw-msg") === bubble, "the bubble was never replaced");
  const parts = [...box.querySelectorAll(".lgw-msg-part")];
  assert.ok(parts.length > expected.length / (2 * PART_CHARS), `${parts.length} blocks`);
  for (const part of parts.slice(0, -1)) {
    assert.ok(part.textContent.endsWith("\n") && part.textContent.length <= 2 * PART_CHARS);
  }
  assert.equal(bubble.querySelector(".lgw-msg-role").textContent, "assistant", "done after the last chunk");
  const message = store.items[0].children[0];
  assert.equal(message.tokens, TOKENS);
  assert.equal(store.items.length, 1);

  // the DOM stays small: one node panel and one bubble, whatever the number of tokens
  assert.equal(root.querySelectorAll(".lgw-panel").length, 1);
  assert.equal(root.querySelectorAll(".lgw-msg").length, 1);
  // (the fixed chrome: header, toolbar, the History, graph and time panes, about 85 elements)
  assert.ok(mostElements < 100 + parts.length, `the widget root holds ${mostElements} elements`);

  // each frame: one appendData at most, and no more clock than the budget (+ the first and last reads)
  const frames = costs.length;
  const mostTicks = Math.max(...costs.map((c) => c.ticks));
  t.diagnostic(`${frames} frames, most ticks ${mostTicks}, slowest frame ${Math.max(...costs.map((c) => c.ms)).toFixed(1)} ms`);
  const batchCount = Math.ceil(TOKENS / BATCH);
  assert.ok(frames >= batchCount && frames <= 2 * batchCount, `${frames} frames for ${batchCount} batches`);
  const mostAppends = Math.max(...costs.map((c) => c.count));
  assert.ok(mostAppends <= 1, `${mostAppends} appendData calls in a frame`);
  assert.ok(appends >= batchCount - 1 && appends <= batchCount, `${appends} appendData calls for ${batchCount} batches`);
  void WINDOW;
  assert.ok(mostTicks <= FRAME_BUDGET_MS + 2, `a frame read the clock ${mostTicks} times`);
});

test(`${TOKENS.toLocaleString()} tokens arriving before any frame are shown in one frame`, () => {
  const { el, store } = makeView();
  clock.step = 1;
  for (const batch of batches()) store.add(batch);
  const root = el.querySelector(".lgw-root");
  assert.equal(root.querySelectorAll(".lgw-panel").length, 0, "nothing built before a frame");
  assert.equal(scheduledFrames(), 1);
  const first = clock.t;
  pumpFrame();
  assert.ok(clock.t - first <= FRAME_BUDGET_MS + 2);
  const box = root.querySelector(".lgw-node-children > .lgw-msg .lgw-msg-text");
  assert.ok(box.textContent === pieces.join(""), "the whole text after the first frame");
  const before = [...box.childNodes];
  // later frames (scrolling after the change) have nothing more to write
  const costs = [];
  pumpAll(costs);
  assert.ok(costs.length <= 1, `${costs.length} more frames`);
  assert.ok(costs.every((c) => c.ticks <= FRAME_BUDGET_MS + 2));
  assert.deepEqual([...box.childNodes], before);
  assert.ok(box.textContent === pieces.join(""));
});

test(
  "a subgraph's many items inside one node panel are windowed and built within the frame budget",
  () => {
    const { el, store } = makeView();
    store.add(parseBatch(batchText(0, [["custom|research:r1", { progress: 0 }]])));
    pumpAll([]);
    const node = el.querySelector(".lgw-list > .lgw-panel.lgw-kind-node");
    assert.ok(node.classList.contains("lgw-open"));
    clock.step = 1;
    const n = WINDOW + 100; // more than the window, kept small: this is slow while the bug is there
    store.add(parseBatch(batchText(1, Array.from({ length: n }, (_, i) => ["custom|research:r1", { progress: (i + 1) / n }]))));
    const nested = () => node.querySelectorAll(".lgw-node-children > .lgw-panel").length;
    pumpFrame();
    assert.ok(nested() - 1 <= FRAME_BUDGET_MS, `one frame built ${nested() - 1} nested panels`);
    pumpAll([]);
    assert.ok(nested() <= WINDOW, `${nested()} nested panels in the DOM`);
  },
);
