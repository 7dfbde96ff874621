// Permutation entropy of order 3, delay 1, normalised by ln 3! to [0, 1]: the Shannon entropy of
// the distribution of ordinal patterns of consecutive sample triples (equal values rank by
// position).
// Source: C. Bandt & B. Pompe, "Permutation entropy: a natural complexity measure for time
// series", Phys. Rev. Lett. 88 (2002) 174102.

const LN_6 = Math.log(6);

/** `counts` (8 entries) is scratch; it is cleared here. */
export function permutationEntropy(x: ArrayLike<number>, n = x.length, counts: Uint32Array = new Uint32Array(8)): number {
  if (n < 3) return 0;
  counts.fill(0);
  // Pattern code from three comparisons; only 6 of the 8 codes are reachable.
  for (let i = 0; i + 2 < n; i++) {
    const a = x[i]!, b = x[i + 1]!, c = x[i + 2]!;
    counts[+(a > b) | (+(b > c) << 1) | (+(a > c) << 2)]!++;
  }
  const total = n - 2;
  let h = 0;
  for (let k = 0; k < 8; k++) {
    const c = counts[k]!;
    if (c > 0) {
      const p = c / total;
      h -= p * Math.log(p);
    }
  }
  return h / LN_6;
}
