// 1/f ("pink") background noise. The resting EEG spectrum falls roughly as 1/f^β with β ≈ 1
// over about 1–40 Hz (Pritchard 1992, Int. J. Neurosci. 66:119–129; He 2014, Trends Cogn. Sci.
// 18:480–487), so the virtual background is white noise through a pink filter.
//
// Filter: Paul Kellet's "refined" pink filter (musicdsp.org, 2000), seven first-order sections
// whose poles are fractions of the sample rate; it is within ±0.05 dB of −3 dB/octave above
// fs/4800 (0.05 Hz at 256 Hz). A first-order high-pass at 0.3 Hz follows, like the AC coupling of
// an EEG amplifier, so the output is stationary and has a finite, known RMS.

const HIGH_PASS_HZ = 0.3;

export interface PinkFilter {
  /** Feeds one white sample (unit variance) and returns one pink sample with unit RMS. */
  step(white: number): number;
}

function rawFilter(sampleRateHz: number): PinkFilter {
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  const rc = 1 / (2 * Math.PI * HIGH_PASS_HZ);
  const hp = rc / (rc + 1 / sampleRateHz);
  let prevIn = 0;
  let out = 0;
  return {
    step(white) {
      b0 = 0.99886 * b0 + white * 0.0555179;
      b1 = 0.99332 * b1 + white * 0.0750759;
      b2 = 0.969 * b2 + white * 0.153852;
      b3 = 0.8665 * b3 + white * 0.3104856;
      b4 = 0.55 * b4 + white * 0.5329522;
      b5 = -0.7616 * b5 - white * 0.016898;
      const pink = b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362;
      b6 = white * 0.115926;
      out = hp * (out + pink - prevIn);
      prevIn = pink;
      return out;
    },
  };
}

/** Samples until both the slowest pink pole and the high-pass have settled to < e^-6. */
function settleSamples(sampleRateHz: number): number {
  const pinkTau = 1 / (1 - 0.99886);
  const hpTau = sampleRateHz / (2 * Math.PI * HIGH_PASS_HZ);
  return Math.ceil(6 * Math.max(pinkTau, hpTau));
}

const gainCache = new Map<number, number>();

/**
 * 1 / RMS of the filter driven by unit white noise = 1 / sqrt(Σ h[n]²), from its impulse
 * response. Exact for the filter as written, at any sample rate, with no empirical constant.
 */
function unitRmsGain(sampleRateHz: number): number {
  const cached = gainCache.get(sampleRateHz);
  if (cached !== undefined) return cached;
  const f = rawFilter(sampleRateHz);
  let energy = 0;
  const n = settleSamples(sampleRateHz);
  for (let i = 0; i < n; i++) energy += f.step(i === 0 ? 1 : 0) ** 2;
  const gain = 1 / Math.sqrt(energy);
  gainCache.set(sampleRateHz, gain);
  return gain;
}

/**
 * A unit-RMS pink filter, already run for its settling time on `white()` so the first output
 * sample is drawn from the stationary process rather than from a quiet start-up transient.
 */
export function pinkFilter(sampleRateHz: number, white: () => number): PinkFilter {
  const f = rawFilter(sampleRateHz);
  const gain = unitRmsGain(sampleRateHz);
  const warmup = settleSamples(sampleRateHz);
  for (let i = 0; i < warmup; i++) f.step(white());
  return { step: (w) => gain * f.step(w) };
}
