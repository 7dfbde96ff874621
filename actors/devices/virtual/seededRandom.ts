// Seeded pseudo-random numbers for the virtual headset. Every random process of the headset
// (background, blinks, dropouts, heart beats, head motion, …) draws from its own named stream,
// so turning one artifact on or off never shifts the samples of another: the same seed and a
// different `dropout_prob` give the same blinks at the same instants.
//
// Generator: sfc32, the "Small Fast Counting" generator of Chris Doty-Humphrey's PractRand suite
// (passes PractRand and BigCrush; 128-bit state, 32-bit output). Its four state words are
// filled by splitmix32 from the seed mixed with an FNV-1a hash of the stream name.
// Normal deviates: Marsaglia & Bray's polar form (1964, SIAM Rev. 6:260–264) of Box–Muller
// (Box & Muller 1958, Ann. Math. Statist. 29:610–611).

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal deviate. */
  gaussian(): number;
  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number;
}

/** FNV-1a, 32 bit: turns a stream name into a seed offset. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function seededRandom(seed: number, stream: string): SeededRandom {
  const init = splitmix32((seed >>> 0) ^ fnv1a(stream));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  // sfc32's first outputs still carry the seeding pattern; its author discards a dozen or so.
  for (let i = 0; i < 15; i++) nextUint();

  const next = (): number => nextUint() / 4294967296;
  let spare: number | null = null;
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    gaussian: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // Marsaglia's polar form of Box–Muller: no sin/cos, at the price of rejecting 21 % of
      // the uniform pairs; the synthesizers draw several normals per sample, so this matters.
      let u: number;
      let v: number;
      let q: number;
      do {
        u = 2 * next() - 1;
        v = 2 * next() - 1;
        q = u * u + v * v;
      } while (q >= 1 || q === 0);
      const f = Math.sqrt((-2 * Math.log(q)) / q);
      spare = v * f;
      return u * f;
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
  };
}
