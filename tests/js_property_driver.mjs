// Drives the front end's pure view model (js/src/protocol.js, store.js, timeline.js) for the
// property tests in tests/test_properties.py. One example per stdin line, one answer per
// stdout line: "ok" or "error: <message and stack>" (on one line).
//
// An example is JSON: {
//   "blobs": [base64 of a batch blob as lgwidget/_transport.py writes it, ...],
//   "order": [indexes into blobs: the order the batches arrive in (duplicates allowed)],
//   "total": number of chunks in all blobs,
//   "filters": [{"node": "", "text": "", "hideValues": false}, ...]  (optional)
// }
// Each blob is inflated with protocol.js (the browser's own DecompressionStream), split with
// parseBatch, and fed to a RunStore in the given order; then every item (nested ones too) is
// tested against every filter with matches(). The store must end with every chunk applied.
//
// A chunk the view cannot read does not throw out of RunStore.add: the store logs it with
// console.error and shows it as an "unreadable" item. So an example also fails on any
// console.error and on any unreadable item, except for a chunk whose line is not JSON (the
// only way an example asks for one: the Python side sends such lines on purpose).
// `"breakIngest": [chunk index, ...]` (optional) makes the timeline throw on those chunks: the
// tests use it to check that these failures are reported.
import { createInterface } from "node:readline";

import { inflate, parseBatch } from "../js/src/protocol.js";
import { RunStore } from "../js/src/store.js";
import { textOf } from "../js/src/text.js";
import { matches } from "../js/src/timeline.js";

function allItems(items, out = []) {
  for (const item of items) {
    out.push(item);
    if (Array.isArray(item.children)) allItems(item.children, out);
  }
  return out;
}

// Everything the front end logs as an error, per example.
const logged = [];
console.error = (...args) => logged.push(args);

/** The indexes of the chunks whose line is not JSON: the only ones that may be unreadable. */
function notJson(batches) {
  const out = new Set();
  for (const batch of batches) {
    batch.lines.forEach((line, i) => {
      try {
        JSON.parse(line);
      } catch {
        out.add(batch.seq + i);
      }
    });
  }
  return out;
}

async function check(example) {
  logged.length = 0;
  const batches = [];
  for (const b64 of example.blobs) batches.push(parseBatch(await inflate(Buffer.from(b64, "base64"))));
  const askedFor = notJson(batches);
  const store = new RunStore();
  const broken = new Set(example.breakIngest ?? []);
  if (broken.size) {
    const ingest = store.timeline.ingest.bind(store.timeline);
    store.timeline.ingest = (index, ...rest) => {
      if (broken.has(index)) throw new Error(`breakIngest: chunk ${index}`);
      return ingest(index, ...rest);
    };
  }
  let notified = 0;
  store.subscribe((added) => {
    if (added !== null) notified += 1;
  });
  for (const i of example.order) store.add(batches[i]);
  if (store.count !== example.total) {
    throw new Error(`store applied ${store.count} of ${example.total} chunks (${store.pending.size} batches pending)`);
  }
  if (store.pending.size !== 0) throw new Error(`${store.pending.size} batches still pending`);
  if (example.total > 0 && notified === 0) throw new Error("no listener call");
  const items = allItems(store.items);
  for (const args of logged) {
    const [what, index] = args;
    if (what === "lgwidget: could not show chunk" && askedFor.has(index)) continue;
    throw new Error(`console.error: ${args.map((a) => String(a?.stack ?? a)).join(" ")}`);
  }
  for (const item of items) {
    if (item.mode === "unreadable" && !askedFor.has(item.index)) {
      throw new Error(`chunk ${item.index} (${item.event}) is shown as unreadable: ${item.data}`);
    }
  }
  const ids = new Set(items.map((item) => item.id));
  if (ids.size !== items.length) throw new Error("two items share an id");
  for (const filter of example.filters ?? []) {
    for (const item of items) {
      const verdict = matches(item, filter);
      if (typeof verdict !== "boolean") throw new Error(`matches() gave ${typeof verdict}`);
    }
  }
  for (const item of items) textOf(item.data);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer = "ok";
  try {
    await check(JSON.parse(line));
  } catch (err) {
    answer = `error: ${String(err?.stack ?? err).replace(/\s+/g, " ")}`;
  }
  process.stdout.write(answer + "\n");
}
