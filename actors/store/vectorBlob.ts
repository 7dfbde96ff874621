// Embedding vectors as stored in SQLite: little-endian f32, the reference's blob format (and the
// native order of every x86/ARM host, so no byte swapping is needed).

/** The blob of a vector (a view of its bytes, no copy). */
export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** The vector in a blob, or null when it is missing, empty or not a whole number of f32s. */
export function blobToVector(blob: Uint8Array | null | undefined): Float32Array | null {
  if (!blob || blob.byteLength < 4 || blob.byteLength % 4 !== 0) return null;
  // Copied: SQLite's buffer may not be 4-byte aligned, and a Float32Array view needs that.
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}
