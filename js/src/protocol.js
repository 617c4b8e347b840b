// What the kernel and the front end say to each other, defined once on this side.
// Keep in sync with lgwidget/_protocol.py (the message kinds) and lgwidget/_transport.py (the
// batch format and the truncation marker).

/** The `type` of a custom message: a batch from the kernel; from the front end a gap, Stop, an
 * answer to an interrupt, a request for the thread's history, a re-run from a checkpoint, a
 * batch's re-run of its failed rows. */
export const MSG = Object.freeze({ BATCH: "batch", SYNC: "sync", STOP: "stop", ANSWER: "answer", HISTORY: "history", RERUN: "rerun", RERUN_FAILED: "rerun_failed" });

/** The key of a chunk the kernel cut short: its value is the chunk's size in bytes. */
export const TRUNCATED = "__lgwidget_truncated__";

// A batch is a zlib blob (Python's zlib.compress) of the text
//   {"seq": first chunk index, "events": [...], "t": [ms since start, ...]}\n
//   <JSON data of chunk seq>\n<JSON data of chunk seq+1>\n...

/** A batch blob (an ArrayBuffer or a view of one, as anywidget hands buffers) as a batch. */
export async function decodeBatch(buffer) {
  return parseBatch(await inflate(buffer));
}

/** Decompress with the browser's own DecompressionStream: no library, off the main thread. */
export async function inflate(buffer) {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).text();
}

/** Split a decompressed batch into its header and one JSON text per chunk. */
export function parseBatch(text) {
  const lines = text.split("\n");
  const header = JSON.parse(lines[0]);
  const count = header.events.length;
  return { seq: header.seq, events: header.events, t: header.t, lines: lines.slice(1, 1 + count) };
}

/**
 * "updates|tools:1f0…|inner:2a…" → { mode: "updates", ns: ["tools", "inner"],
 * path: ["tools:1f0…", "inner:2a…"] }: names to show, and the path that tells two runs apart.
 */
export function splitEvent(event) {
  const [mode, ...path] = String(event).split("|");
  return { mode, ns: path.map(nameOf), path };
}

/** "tools:1f0…" → "tools": a path part without its task id. */
export function nameOf(part) {
  return String(part).split(":")[0];
}

/** A chunk's data; a line that is not JSON stays text (the Python side already reported it). */
export function parse(line) {
  if (line === "" || line === undefined) return null;
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}
