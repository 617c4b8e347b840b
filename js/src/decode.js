// Decompress a batch blob (zlib, as Python's zlib.compress writes it) with the browser's own
// DecompressionStream: no library, and the work happens off the main thread.

export async function inflate(buffer) {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).text();
}
