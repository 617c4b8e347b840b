// The wire format: batch blobs, their text, event names.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { MSG, TRUNCATED, decodeBatch, inflate, nameOf, parse, parseBatch, splitEvent } from "../src/protocol.js";
import { batchBlob, batchText, updateChunks } from "./batches.js";

const text = batchText(0, [...updateChunks(0, 20), ["custom", { s: "é ✓ 😀 " + "x".repeat(5000) }]]);
const blob = deflateSync(Buffer.from(text, "utf8"), { level: 1 });

test("inflate a DataView", async () => {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  assert.equal(await inflate(view), text);
});

test("inflate a DataView that starts inside a larger buffer", async () => {
  const big = new ArrayBuffer(blob.byteLength + 20);
  new Uint8Array(big).fill(0xff);
  new Uint8Array(big, 7, blob.byteLength).set(blob);
  assert.equal(await inflate(new DataView(big, 7, blob.byteLength)), text);
});

test("inflate an ArrayBuffer", async () => {
  const buffer = new Uint8Array(blob).buffer.slice(0); // exactly the blob's bytes
  assert.equal(buffer.byteLength, blob.byteLength);
  assert.equal(await inflate(buffer), text);
});

test("inflate then parseBatch gives the chunks back", async () => {
  const b = parseBatch(await inflate(batchBlob(40, updateChunks(40, 3))));
  assert.equal(b.seq, 40);
  assert.equal(b.lines.length, 3);
  assert.deepEqual(JSON.parse(b.lines[2]), { agent: { step: 42, note: "chunk 42" } });
});

test("a blob that is not zlib rejects", async () => {
  await assert.rejects(inflate(new TextEncoder().encode("not zlib at all").buffer));
});

const batch = (seq, chunks) => parseBatch(batchText(seq, chunks));

test("the message kinds are the kernel's (lgwidget/_protocol.py), and cannot be changed here", () => {
  const python = readFileSync(new URL("../../lgwidget/_protocol.py", import.meta.url), "utf8");
  const kinds = Object.fromEntries([...python.matchAll(/^([A-Z_]+) = "(\w+)"$/gm)].map((m) => [m[1], m[2]]));
  assert.ok(Object.keys(kinds).length >= 6, "the kinds were read from _protocol.py");
  assert.deepEqual({ ...MSG }, kinds);
  assert.ok(Object.isFrozen(MSG));
});

describe("parseBatch", () => {
  test("header and one line per chunk", () => {
    const text = batchText(5, [
      ["updates", { agent: { x: 1 } }],
      ["values", { messages: [] }],
      ["metadata", { run_id: "r1" }],
    ]);
    const b = parseBatch(text);
    assert.equal(b.seq, 5);
    assert.deepEqual(b.events, ["updates", "values", "metadata"]);
    assert.deepEqual(b.t, [50, 60, 70]);
    assert.equal(b.lines.length, 3);
    assert.deepEqual(JSON.parse(b.lines[0]), { agent: { x: 1 } });
    assert.deepEqual(JSON.parse(b.lines[2]), { run_id: "r1" });
  });

  test("header written like Python's json.dumps(separators=(',', ':')) and a trailing empty line", () => {
    const text = '{"seq":0,"events":["custom","custom"],"t":[1,2]}\n{"a": 1}\n';
    const b = parseBatch(text);
    assert.deepEqual(b.lines, ['{"a": 1}', ""]);
  });

  test("strings with newlines are kept on one line (view_line) and survive", () => {
    const b = batch(0, [["custom", { text: "line 1\nline 2" }]]);
    assert.equal(b.lines.length, 1);
    assert.deepEqual(JSON.parse(b.lines[0]), { text: "line 1\nline 2" });
  });
});

describe("splitEvent", () => {
  test("plain mode", () => {
    assert.deepEqual(splitEvent("updates"), { mode: "updates", ns: [], path: [] });
    assert.deepEqual(splitEvent("messages/partial"), { mode: "messages/partial", ns: [], path: [] });
  });

  test("subgraph namespaces: names without the task ids, and the raw path with them", () => {
    assert.deepEqual(splitEvent("updates|tools:abc|inner:def"), {
      mode: "updates",
      ns: ["tools", "inner"],
      path: ["tools:abc", "inner:def"],
    });
    assert.deepEqual(splitEvent("messages|agent:1f0-2a"), { mode: "messages", ns: ["agent"], path: ["agent:1f0-2a"] });
    // two runs of one subgraph node have the same names but different paths
    const a = splitEvent("custom|tools:1f0-aaa");
    const b = splitEvent("custom|tools:1f0-bbb");
    assert.deepEqual(a.ns, b.ns);
    assert.notDeepEqual(a.path, b.path);
  });
});

describe("chunk lines and names", () => {
  test("parse: JSON, an empty or missing line as null, anything else as its text", () => {
    assert.deepEqual(parse('{"a": [1, null]}'), { a: [1, null] });
    assert.equal(parse("0"), 0);
    assert.equal(parse('""'), "");
    assert.equal(parse("null"), null);
    assert.equal(parse(""), null);
    assert.equal(parse(undefined), null);
    assert.equal(parse("nope"), "nope");
    assert.equal(parse("{"), "{");
    assert.equal(parse("NaN"), "NaN");
  });

  test("nameOf drops the task id after the first colon", () => {
    assert.equal(nameOf("tools:1f0-aaa"), "tools");
    assert.equal(nameOf("tools:a:b"), "tools");
    assert.equal(nameOf("plain"), "plain");
    assert.equal(nameOf(":id"), "");
    assert.equal(nameOf(7), "7");
  });

  test("splitEvent takes any value as an event name", () => {
    assert.deepEqual(splitEvent(undefined), { mode: "undefined", ns: [], path: [] });
    assert.deepEqual(splitEvent(5), { mode: "5", ns: [], path: [] });
    assert.deepEqual(splitEvent("custom|"), { mode: "custom", ns: [""], path: [""] });
  });

  test("the truncation marker is the kernel's (lgwidget/_transport.py)", () => {
    assert.equal(TRUNCATED, "__lgwidget_truncated__");
  });
});

test("decodeBatch inflates and splits a blob as anywidget hands it", async () => {
  const b = batchBlob(7, [["updates", { a: 1 }], ["custom", "RAW:not json"]], [3, 4]);
  const batch = await decodeBatch(new DataView(b.buffer, b.byteOffset, b.byteLength));
  assert.deepEqual(batch, { seq: 7, events: ["updates", "custom"], t: [3, 4], lines: ['{"a":1}', "not json"] });
});

test("parseBatch keeps only as many lines as the header has events", () => {
  const b = parseBatch('{"seq":2,"events":["custom"],"t":[0]}\n"one"\n"two"\n');
  assert.deepEqual(b.lines, ['"one"']);
  assert.deepEqual(parseBatch('{"seq":0,"events":[],"t":[]}').lines, []);
});
