// A small seeded random generator (mulberry32, Tommy Ettinger's public-domain 32-bit mixer) for
// computations whose results must repeat exactly: the UMAP projection draws its initial layout
// and its negative samples from it, so the same epochs and parameters give the same points.

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
