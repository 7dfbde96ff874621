// Principal-component projection of a handful of embeddings to three dimensions, for the
// interactive search graph's `proj_x/y/z` (and its 3-D drawing). The graph holds tens of points
// of 100+ dimensions, so the eigenvectors come from the small n×n Gram matrix of the centred
// points by power iteration with deflation — exact enough, deterministic, and no dependency.

const ITERATIONS = 200;
const COMPONENTS = 3;

/**
 * Each vector's coordinates on the first three principal axes (all vectors must share one
 * dimension). Axes with no variance give 0. The sign of each axis is fixed (its largest
 * coordinate positive), so the same points always project the same way.
 */
export function project3d(vectors: readonly Float32Array[]): Array<[number, number, number]> {
  const n = vectors.length;
  const out = vectors.map((): [number, number, number] => [0, 0, 0]);
  if (n < 2) return out;
  const dim = vectors[0]!.length;
  const mean = new Float64Array(dim);
  for (const v of vectors) for (let j = 0; j < dim; j++) mean[j]! += v[j]! / n;
  const gram = Array.from({ length: n }, () => new Float64Array(n));
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += (vectors[a]![j]! - mean[j]!) * (vectors[b]![j]! - mean[j]!);
      gram[a]![b] = dot;
      gram[b]![a] = dot;
    }
  }
  for (let c = 0; c < COMPONENTS; c++) {
    const { value, vector } = dominantEigen(gram);
    if (!(value > 1e-12)) break;
    // A point's coordinate on axis c of the centred data is √λ·u (u the unit Gram eigenvector).
    const scale = Math.sqrt(value);
    let peak = 0;
    for (let i = 0; i < n; i++) if (Math.abs(vector[i]!) > Math.abs(peak)) peak = vector[i]!;
    const sign = peak < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) out[i]![c] = sign * scale * vector[i]!;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) gram[a]![b]! -= value * vector[a]! * vector[b]!;
  }
  return out;
}

/** The largest eigenvalue of a symmetric positive semi-definite matrix and its unit eigenvector. */
function dominantEigen(m: readonly Float64Array[]): { value: number; vector: Float64Array } {
  const n = m.length;
  // A fixed, non-symmetric start: never orthogonal to every eigenvector in practice.
  let v = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
  let value = 0;
  for (let it = 0; it < ITERATIONS; it++) {
    const next = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let b = 0; b < n; b++) s += m[a]![b]! * v[b]!;
      next[a] = s;
    }
    const norm = Math.hypot(...next);
    if (!(norm > 0)) return { value: 0, vector: v };
    for (let a = 0; a < n; a++) next[a]! /= norm;
    value = norm;
    v = next;
  }
  return { value, vector: v };
}
