// Cosine similarity of two vectors, for the few places that compare vectors outside an HNSW
// index (the search graph, the command palette).

/** cos(a, b); null when the lengths differ or either vector is zero (no direction to compare). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number | null {
  if (a.length !== b.length) return null;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : null;
}
