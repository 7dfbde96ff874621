// The fixed random projections of the built-in encoders, drawn from a named seeded stream so a
// model rebuilt anywhere has the same weights (the virtual headset's generator, sfc32 + polar
// Box–Muller, see actors/devices/virtual/seededRandom.ts).
import { seededRandom } from '../devices/virtual/seededRandom.ts';

/**
 * `rows × cols` Gaussian entries, N(0, 1/cols), row-major: a Johnson–Lindenstrauss projection
 * (W. B. Johnson & J. Lindenstrauss 1984, Contemp. Math. 26:189–206) for rows ≫ cols.
 */
export function gaussianProjection(rows: number, cols: number, seed: number, stream: string): Float64Array {
  const rng = seededRandom(seed, stream);
  const out = new Float64Array(rows * cols);
  const scale = 1 / Math.sqrt(cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.gaussian() * scale;
  return out;
}

/**
 * `rows × cols` with orthonormal rows (rows ≤ cols): Gaussian rows made orthonormal by modified
 * Gram–Schmidt. x ↦ x·R then preserves lengths and angles exactly, so cosine similarity between
 * embeddings is the cosine similarity between the feature vectors they came from.
 */
export function orthonormalProjection(rows: number, cols: number, seed: number, stream: string): Float64Array {
  if (rows > cols) throw new RangeError(`cannot have ${rows} orthonormal rows of length ${cols}`);
  const r = gaussianProjection(rows, cols, seed, stream);
  for (let i = 0; i < rows; i++) {
    const ri = r.subarray(i * cols, (i + 1) * cols);
    for (let j = 0; j < i; j++) {
      const rj = r.subarray(j * cols, (j + 1) * cols);
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += ri[k]! * rj[k]!;
      for (let k = 0; k < cols; k++) ri[k] = ri[k]! - dot * rj[k]!;
    }
    let norm = 0;
    for (let k = 0; k < cols; k++) norm += ri[k]! * ri[k]!;
    norm = Math.sqrt(norm);
    for (let k = 0; k < cols; k++) ri[k] = ri[k]! / norm;
  }
  return r;
}
