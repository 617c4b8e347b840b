// The run's numbers (stats.js), pure: fed with runs of tests/graphs/timing.py `timed` recorded from
// a real `langgraph dev` (w.save(), js/test/fixtures), and with hand-made chunks for the edges.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Timeline } from "../src/timeline.js";
import { runStats, tokenTotals, STATE } from "../src/stats.js";
import { aiMessage, meta, tokens } from "./chunks.js";

/** A recorded run file through a Timeline, as the view reads it. */
function recorded(name) {
  const lines = readFileSync(new URL(`fixtures/${name}.jsonl`, import.meta.url), "utf8").trim().split("\n").slice(1);
  const tl = new Timeline();
  lines.forEach((line, i) => {
    const { event, data, t } = JSON.parse(line);
    tl.ingest(i, event, JSON.stringify(data), t);
  });
  tl.finish();
  return tl;
}

function fed(chunks, t = (i) => i * 10) {
  const tl = new Timeline();
  chunks.forEach(([event, data], i) => tl.ingest(i, event, JSON.stringify(data), t(i)));
  tl.finish();
  return tl;
}

const row = (stats, key) => stats.rows.find((r) => r.key === key);
// tests/graphs/timing.py: seconds each node sleeps, tokens each reports.
const SLEEP = { plan: 100, research: 300, "review › check": 100, "review › polish": 50, write: 200 };
const TOKENS = { plan: [10, 5], research: [60, 21], "review › check": [30, 11], write: [100, 40] };

for (const name of ["timed-tasks", "timed-debug", "timed-approx"]) {
  describe(`a recorded run (${name})`, () => {
    const stats = runStats(recorded(name).items);

    test("tokens per node and in total are exact, each message once", () => {
      for (const [key, [input, output]] of Object.entries(TOKENS)) assert.deepEqual([row(stats, key).input, row(stats, key).output], [input, output], key);
      assert.deepEqual(stats.totals, { input: 200, output: 77 });
      assert.equal(row(stats, "write").costliest, true);
      assert.equal(stats.rows.filter((r) => r.costliest).length, 1);
    });

    test("one bar per node run, a subgraph's under its parent", () => {
      assert.deepEqual(stats.bars.map((b) => b.key), ["plan", "research", "research", "research", "review", "review › check", "review › polish", "write"]);
      const check = stats.bars.find((b) => b.key === "review › check");
      assert.equal(check.depth, 1);
      assert.equal(check.parent.key, "review");
    });

    test("the fan-out's branches overlap, each in a lane of its own", () => {
      const research = stats.bars.filter((b) => b.key === "research");
      assert.deepEqual(research.map((b) => b.lane).sort(), [0, 1, 2]);
      assert.ok(Math.max(...research.map((b) => b.start)) < Math.min(...research.map((b) => b.end)), "they run at the same time");
      assert.ok(research.every((b) => b.label), "each says which branch it is");
    });
  });
}

for (const name of ["timed-tasks", "timed-debug"]) {
  test(`${name}: durations are the tasks' own, near the sleeps; the slowest node is marked`, () => {
    const stats = runStats(recorded(name).items);
    assert.equal(stats.exact, true);
    for (const [key, sleep] of Object.entries(SLEEP)) {
      const took = row(stats, key).max;
      assert.ok(took >= sleep * 0.9 && took < sleep + 250, `${key}: ${took} ms for a ${sleep} ms sleep`);
    }
    assert.equal(row(stats, "research").runs, 3);
    assert.equal(row(stats, "research").slowest, true);
    assert.equal(stats.rows.filter((r) => r.slowest).length, 1);
    assert.ok(row(stats, "research").share > 0.5, "three 0.3 s branches: more time than the run took");
  });
}

test("without tasks or debug the numbers are approximate", () => {
  const stats = runStats(recorded("timed-approx").items);
  assert.equal(stats.exact, false);
  assert.ok(stats.bars.every((b) => !b.exact));
});

test("the critical path runs from the last run back through what each waited for", () => {
  const stats = runStats(recorded("timed-tasks").items);
  const critical = stats.bars.filter((b) => b.critical).map((b) => b.key);
  // plan → the research branch that ended last → review (check, polish) → write.
  assert.deepEqual(critical, ["plan", "research", "review", "review › check", "review › polish", "write"]);
  const research = stats.bars.filter((b) => b.key === "research");
  const last = research.reduce((a, b) => (b.end > a.end ? b : a));
  assert.equal(last.critical, true);
});

test("a message in tuples, an update and a state counts once, for the node that made it", () => {
  const m = meta("agent");
  const usage = { input_tokens: 12, output_tokens: 7, total_tokens: 19 };
  const streamed = tokens(["Hel", "lo"], m, "run-9");
  streamed[streamed.length - 1][1][0].usage_metadata = usage;
  const tl = fed([
    ["values", { messages: [] }],
    ...streamed,
    ["updates", { agent: { messages: [aiMessage("Hello", "run-9")] } }],
    ["values", { messages: [aiMessage("Hello", "run-9")] }],
    ["values", { messages: [aiMessage("Hello", "run-9"), aiMessage("Bye", "run-10", { usage_metadata: { input_tokens: 3, output_tokens: 2 } })] }],
  ]);
  const stats = runStats(tl.items);
  assert.deepEqual([row(stats, "agent").input, row(stats, "agent").output], [12, 7]);
  // A message seen only in a state, after no node's update: no node can be named.
  assert.deepEqual([row(stats, STATE).input, row(stats, STATE).output], [3, 2]);
  assert.deepEqual(tokenTotals(tl.items), { input: 15, output: 9 });
});

test("a run still going: its open bar reaches the newest chunk", () => {
  const tl = new Timeline();
  tl.ingest(0, "tasks", JSON.stringify({ id: "t1", name: "slow", input: {}, triggers: [] }), 100);
  tl.ingest(1, "custom", JSON.stringify({ progress: 0.5 }), 900);
  const [bar] = runStats(tl.items).bars;
  assert.equal(bar.running, true);
  assert.equal(bar.end, 900);
});

test("no runs, no numbers", () => {
  const stats = runStats([]);
  assert.deepEqual([stats.bars, stats.rows, stats.span, stats.exact], [[], [], 0, false]);
});

test("messages-tuple alone: the usage on a message's last chunk counts for its node", () => {
  const streamed = tokens(["Hi"], meta("agent"), "run-7");
  streamed[streamed.length - 1][1][0].usage_metadata = { input_tokens: 4, output_tokens: 1, total_tokens: 5 };
  const stats = runStats(fed(streamed).items);
  assert.deepEqual([row(stats, "agent").input, row(stats, "agent").output], [4, 1]);
});
