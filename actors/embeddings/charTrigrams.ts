// The text side of the built-in text encoder: a string becomes a fixed-size vector of hashed
// character 3-gram counts, which `skill-text-ngram-v1.onnx` turns into an embedding.
//
// Normalisation: Unicode NFKC, lower case, runs of whitespace collapsed to one space, trimmed,
// then one space added at each end so word starts and ends make their own 3-grams
// ("eyes" → " ey", "eye", "yes", "es "). 3-grams are taken over code points (not UTF-16 units),
// encoded as UTF-8 and hashed with 32-bit FNV-1a (G. Fowler, L. C. Noll, K.-P. Vo); the bucket
// is hash mod 4096 — the "hashing trick" of K. Weinberger et al., ICML 2009. Empty or
// whitespace-only text has no 3-grams and gives the zero vector.
//
// This is a lexical model: texts sharing spellings are near each other; synonyms are not.

export const TRIGRAM_BUCKETS = 4096;

const utf8 = new TextEncoder();

export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** FNV-1a, 32 bit, over bytes. */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function charTrigrams(text: string): string[] {
  const norm = normaliseText(text);
  if (norm === '') return [];
  const cps = Array.from(` ${norm} `);
  const out: string[] = [];
  for (let i = 0; i + 3 <= cps.length; i++) out.push(cps[i]! + cps[i + 1]! + cps[i + 2]!);
  return out;
}

/** Counts of each text's 3-grams per bucket, written into row `row` of `out` ([rows × 4096]). */
export function trigramCounts(text: string, out: Float32Array = new Float32Array(TRIGRAM_BUCKETS), row = 0): Float32Array {
  const base = row * TRIGRAM_BUCKETS;
  for (const g of charTrigrams(text)) out[base + (fnv1a32(utf8.encode(g)) % TRIGRAM_BUCKETS)]! += 1;
  return out;
}
