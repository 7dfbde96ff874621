// The live EEG filter: a causal IIR cascade per channel — Butterworth high-pass, Butterworth
// low-pass (order 4 each), then one notch per mains harmonic below Nyquist.
//
// The reference filters with a brick-wall FFT mask over a 256-sample window with a 32-sample hop
// (overlap-save): its output lags by at least one hop (125 ms at 256 Hz) and it rings at the
// mask edges. A causal IIR has no block latency (group delay of a few samples in the pass band)
// and costs a few multiply-adds per sample, so it replaces the mask here.
import { dcGain, packSections, runCascade, steadyState, type Biquad } from './biquad.ts';
import { butterworthSections } from './butterworth.ts';
import { filterConfigFrom, isPassthrough, mainsHz, type FilterConfig } from './filterConfig.ts';
import { harmonicsBelowNyquist, notchSection } from './notch.ts';

export const BUTTERWORTH_ORDER = 4;
/** Raw input kept per channel to warm up sections added by a live reconfiguration. */
export const HISTORY_S = 1;

/**
 * The sections a configuration needs, in processing order. A cutoff at or above Nyquist (a
 * 50 Hz low-pass on a 100 Hz device) cannot be realised and is left out, as is a high-pass at
 * or above Nyquist.
 */
export function filterSections(cfg: FilterConfig): Biquad[] {
  const fs = cfg.sample_rate;
  const sections: Biquad[] = [];
  if (cfg.high_pass_hz !== null && cfg.high_pass_hz < fs / 2) {
    sections.push(...butterworthSections('highpass', BUTTERWORTH_ORDER, cfg.high_pass_hz, fs));
  }
  if (cfg.low_pass_hz !== null && cfg.low_pass_hz < fs / 2) {
    sections.push(...butterworthSections('lowpass', BUTTERWORTH_ORDER, cfg.low_pass_hz, fs));
  }
  if (cfg.notch !== null) {
    // notch_bandwidth_hz is the half-width of the reference's mask ([h − bw, h + bw]); the IIR
    // notch puts its −3 dB points there.
    for (const h of harmonicsBelowNyquist(mainsHz(cfg.notch), fs)) sections.push(notchSection(h, 2 * cfg.notch_bandwidth_hz, fs));
  }
  return sections;
}

type Samples = Float32Array | Float64Array;

export class EegFilter {
  #cfg: FilterConfig;
  #sections: Biquad[];
  #coeffs: Float64Array;
  /** Two DF2T words per section per channel. */
  #state: Float64Array;
  /** The last raw sample of each channel. */
  #lastInput: Float64Array;
  /** The last second of raw input per channel (ring), to warm up sections added live. */
  readonly #history: Float64Array;
  readonly #historyLen: number;
  readonly #historyPos: Int32Array;
  readonly #historyFill: Int32Array;
  /** Channels that have seen a sample; the first one sets the cascade's starting level. */
  #primed: Uint8Array;
  #scratch = new Float64Array(256);
  readonly channelCount: number;

  constructor(channelCount: number, cfg: Partial<FilterConfig> = {}) {
    this.channelCount = channelCount;
    this.#cfg = filterConfigFrom(cfg);
    this.#sections = filterSections(this.#cfg);
    this.#coeffs = packSections(this.#sections);
    this.#state = new Float64Array(channelCount * this.#sections.length * 2);
    this.#lastInput = new Float64Array(channelCount);
    this.#primed = new Uint8Array(channelCount);
    this.#historyLen = Math.max(16, Math.round(HISTORY_S * this.#cfg.sample_rate));
    this.#history = new Float64Array(channelCount * this.#historyLen);
    this.#historyPos = new Int32Array(channelCount);
    this.#historyFill = new Int32Array(channelCount);
  }

  get config(): FilterConfig {
    return { ...this.#cfg };
  }

  get sectionCount(): number {
    return this.#sections.length;
  }

  get sections(): readonly Biquad[] {
    return this.#sections;
  }

  /**
   * Filters `n` samples of channel `ch` from `input[inOffset…]` into `output[outOffset…]`
   * (which may be the same array). Channels are independent; call in any order.
   */
  process(ch: number, input: Samples, inOffset: number, output: Samples, outOffset: number, n: number): void {
    if (n <= 0) return;
    if (!this.#primed[ch]) {
      // Start as if the first sample had always been there (scipy's lfilter_zi·x[0]): a DC
      // offset of hundreds of µV would otherwise ring through the 0.5 Hz high-pass for seconds.
      this.#primed[ch] = 1;
      this.#settle(ch, 0, input[inOffset]!);
    }
    this.#lastInput[ch] = input[inOffset + n - 1]!;
    this.#remember(ch, input, inOffset, n);
    if (this.#sections.length === 0) {
      if (input !== output || inOffset !== outOffset) output.set(input.subarray(inOffset, inOffset + n), outOffset);
      return;
    }
    const stateOffset = ch * this.#sections.length * 2;
    if (output instanceof Float64Array) {
      // Filter in place in the caller's double-precision buffer.
      if (input !== output || inOffset !== outOffset) for (let i = 0; i < n; i++) output[outOffset + i] = input[inOffset + i]!;
      runCascade(this.#coeffs, this.#state, stateOffset, output, outOffset, n);
      return;
    }
    if (this.#scratch.length < n) this.#scratch = new Float64Array(Math.max(n, this.#scratch.length * 2));
    const buf = this.#scratch;
    for (let i = 0; i < n; i++) buf[i] = input[inOffset + i]!;
    runCascade(this.#coeffs, this.#state, stateOffset, buf, 0, n);
    for (let i = 0; i < n; i++) output[outOffset + i] = buf[i]!;
  }

  /**
   * Applies a new configuration without a glitch. Sections identical to the current ones at the
   * same position (from the start of the cascade) keep their state. The new cascade is then run
   * over the last second of input, starting from the steady state of its first sample, and every
   * section from the first change on takes the state it ends with — as if it had been there all
   * along (to within its settling over that second), so neither a DC offset nor an ongoing
   * oscillation turns into a step or a gap at the output.
   */
  reconfigure(partial: Partial<FilterConfig>): void {
    const cfg = filterConfigFrom({ ...this.#cfg, ...partial });
    if (cfg.sample_rate !== this.#cfg.sample_rate) throw new RangeError('the sample rate of a filter cannot change; make a new one');
    const next = filterSections(cfg);
    const prev = this.#sections;
    let same = 0;
    while (same < prev.length && same < next.length && sectionsEqual(prev[same]!, next[same]!)) same++;
    const oldState = this.#state;
    this.#cfg = cfg;
    this.#sections = next;
    this.#coeffs = packSections(next);
    this.#state = new Float64Array(this.channelCount * next.length * 2);
    if (next.length === 0) return;
    const buf = new Float64Array(this.#historyLen);
    for (let ch = 0; ch < this.channelCount; ch++) {
      if (!this.#primed[ch]) continue;
      const base = ch * next.length * 2;
      const fill = this.#historyFill[ch]!;
      const start = (this.#historyPos[ch]! - fill + this.#historyLen) % this.#historyLen;
      for (let i = 0; i < fill; i++) buf[i] = this.#history[ch * this.#historyLen + ((start + i) % this.#historyLen)]!;
      this.#settle(ch, 0, fill > 0 ? buf[0]! : this.#lastInput[ch]!);
      runCascade(this.#coeffs, this.#state, base, buf, 0, fill);
      this.#state.set(oldState.subarray(ch * prev.length * 2, ch * prev.length * 2 + same * 2), base);
    }
  }

  #remember(ch: number, input: Samples, offset: number, n: number): void {
    const len = this.#historyLen, base = ch * len;
    let p = this.#historyPos[ch]!;
    for (let i = Math.max(0, n - len); i < n; i++) {
      this.#history[base + p] = input[offset + i]!;
      if (++p === len) p = 0;
    }
    this.#historyPos[ch] = p;
    this.#historyFill[ch] = Math.min(len, this.#historyFill[ch]! + n);
  }

  /** Puts sections `from…` of channel `ch` in the steady state for a constant input `x`. */
  #settle(ch: number, from: number, x: number): void {
    const base = ch * this.#sections.length * 2;
    let level = x;
    for (let s = 0; s < from; s++) level *= dcGain(this.#sections[s]!);
    for (let s = from; s < this.#sections.length; s++) {
      const section = this.#sections[s]!;
      const [z1, z2] = steadyState(section, level);
      this.#state[base + 2 * s] = z1;
      this.#state[base + 2 * s + 1] = z2;
      level *= dcGain(section);
    }
  }

  /** Forgets all history (a new recording). */
  reset(): void {
    this.#state.fill(0);
    this.#lastInput.fill(0);
    this.#primed.fill(0);
    this.#historyPos.fill(0);
    this.#historyFill.fill(0);
  }

  get passthrough(): boolean {
    return isPassthrough(this.#cfg);
  }
}

function sectionsEqual(a: Biquad, b: Biquad): boolean {
  return a.b0 === b.b0 && a.b1 === b.b1 && a.b2 === b.b2 && a.a1 === b.a1 && a.a2 === b.a2;
}
