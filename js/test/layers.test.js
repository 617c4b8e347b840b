// The modules of src form a one-way stack: each imports only modules below it, so there is no
// import circle and each layer can be read, and tested, without those above it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

const SRC = new URL("../src/", import.meta.url);

// Bottom first. The store sits above the timeline because a RunStore makes and feeds its own
// Timeline (`new RunStore()` is all its users write); the data still flows protocol → store →
// timeline → bodies → view. A new module gets its place here.
const STACK = ["text.js", "protocol.js", "timeline.js", "graph.js", "store.js", "stats.js", "dom.js", "answer.js", "bodies.js", "thread.js", "timing.js", "diagram.js", "view.js", "batch.js", "compare.js", "widget.js", "graphwidget.js", "page.js"];

// Helpers any layer may use: they import nothing but each other.
const LEAVES = new Set(["text.js", "dom.js"]);

/** The src modules a module imports: its `import … from "./x.js"` and `export … from` lines. */
function importsOf(source) {
  const found = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)) {
    const target = match[1] ?? match[2];
    if (target.startsWith(".")) found.push(target);
  }
  return found;
}

function graph() {
  const modules = readdirSync(SRC).filter((name) => name.endsWith(".js"));
  const edges = new Map();
  for (const name of modules) {
    const targets = importsOf(readFileSync(new URL(name, SRC), "utf8")).map((target) => {
      assert.match(target, /^\.\/[\w-]+\.js$/, `${name} imports ${target}: only ./name.js within src`);
      return target.slice(2);
    });
    edges.set(name, targets);
  }
  return edges;
}

test("the import lines are found, one-line and several-line ones", () => {
  const source = 'import { a } from "./a.js";\nimport {\n  b,\n  c,\n} from "./b.js";\nexport { d } from "./d.js";\nimport "./e.js";\nimport x from "node:fs";\n// import { z } from "./z.js"';
  assert.deepEqual(importsOf(source), ["./a.js", "./b.js", "./d.js", "./e.js"]);
});

test("every module of src has its place in the stack, and every import names one", () => {
  const edges = graph();
  assert.deepEqual([...edges.keys()].sort(), [...STACK].sort());
  for (const [name, targets] of edges) {
    for (const target of targets) assert.ok(edges.has(target), `${name} imports ${target}, which is not in src`);
  }
});

test("no import circle", () => {
  const edges = graph();
  const state = new Map(); // module -> "open" while its imports are walked, then "done"
  const walk = (name, path) => {
    if (state.get(name) === "done") return;
    assert.notEqual(state.get(name), "open", `import circle: ${[...path, name].join(" → ")}`);
    state.set(name, "open");
    for (const target of edges.get(name) ?? []) walk(target, [...path, name]);
    state.set(name, "done");
  };
  for (const name of edges.keys()) walk(name, []);
});

test("a module imports only modules below it; a leaf only leaves", () => {
  for (const [name, targets] of graph()) {
    for (const target of targets) {
      assert.ok(STACK.indexOf(target) < STACK.indexOf(name), `${name} imports ${target}, which is above it in ${STACK.join(" < ")}`);
      if (LEAVES.has(name)) assert.ok(LEAVES.has(target), `the leaf ${name} imports ${target}`);
    }
  }
});
