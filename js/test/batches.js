// Batches built the way lgwidget/_transport.py builds them. No DOM: the protocol, store and
// timeline tests use these.
import { deflateSync } from "node:zlib";

// -- batches, as lgwidget/_transport.py writes them ----------------------------------------

/** The chunk's JSON text on one line, as `view_line` gives it (without the size cap). */
function lineOf(data) {
  const raw = typeof data === "string" && data.startsWith("RAW:") ? data.slice(4) : JSON.stringify(data);
  return raw.replace(/\r\n/g, " ").replace(/\n/g, " ");
}

/**
 * The text of one batch. `chunks` is a list of [event, data]; data is JSON-encoded, unless it
 * is a string starting with "RAW:" (then the rest is the line as is, e.g. invalid JSON).
 */
export function batchText(seq, chunks, t = chunks.map((_, i) => (seq + i) * 10)) {
  const header = JSON.stringify({ seq, events: chunks.map(([event]) => event), t });
  return [header, ...chunks.map(([, data]) => lineOf(data))].join("\n");
}

/** A batch blob as the kernel sends it: zlib level 1, here as a Buffer. */
export function batchBlob(seq, chunks, t) {
  return deflateSync(Buffer.from(batchText(seq, chunks, t), "utf8"), { level: 1 });
}

/** A blob as anywidget hands buffers to the front end: a DataView. */
export function asDataView(buffer) {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** `n` update chunks starting at chunk `seq`, node names cycling through `nodes`. */
export function updateChunks(seq, n, nodes = ["agent", "tools"]) {
  return Array.from({ length: n }, (_, i) => {
    const node = nodes[(seq + i) % nodes.length];
    return ["updates", { [node]: { step: seq + i, note: `chunk ${seq + i}` } }];
  });
}

