import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { inflate } from "../src/decode.js";
import { parseBatch } from "../src/core.js";
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
