// Eye-blink detection on up to two frontal channels (chosen by label, see electrodes.ts), on raw
// samples, after the reference's ArtifactDetector (notes §3.5): per channel, threshold =
// max(80 µV, 4 × an EMA (τ = 2 s) of |amplitude|, initialised to 20 µV); a rising edge over the
// threshold is a blink; refractory 0.3 s; rate = blinks in the last 60 s per minute (over the
// elapsed time while shorter than 60 s), one decimal.
// Source: blinks are 100–300 µV, 200–400 ms deflections largest at Fp1/Fp2 — G. Gratton, M. G. H.
// Coles & E. Donchin, "A new method for off-line removal of ocular artifact", Electroencephalogr.
// Clin. Neurophysiol. 55 (1983) 468–484.
//
// Differences from the reference, deliberately:
// * amplitude is taken about a slow EMA of the signal (τ = 2 s) rather than about 0, so a DC
//   offset from a DC-coupled amplifier does not read as a permanent blink;
// * the channels are combined: a blink starts when ANY channel goes over its threshold while none
//   was, so a blink seen on both sides counts once (the reference counts it per channel, twice);
// * the detector re-arms only after every channel is back under its threshold, so a blink longer
//   than the refractory period is not counted again.

export const BLINK_MIN_THRESHOLD_UV = 80;
export const BLINK_BASELINE_FACTOR = 4;
export const BLINK_REFRACTORY_S = 0.3;
export const BLINK_RATE_WINDOW_S = 60;
const BASELINE_INIT_UV = 20;
const TAU_S = 2;
const MAX_RECENT = 1024;

export class BlinkDetector {
  readonly #channels: readonly number[];
  readonly #fs: number;
  readonly #alpha: number;
  readonly #refractory: number;
  readonly #dc: Float64Array;
  readonly #baseline: Float64Array;
  #above = false;
  #primed = false;
  #hold = 0;
  #count = 0;
  #samples = 0;
  /** Sample indices of recent blinks (ring). */
  readonly #recent = new Float64Array(MAX_RECENT);
  #recentStart = 0;
  #recentLen = 0;

  /** `channels`: indices into each frame's channel list (empty → the detector is inactive). */
  constructor(channels: readonly number[], fs: number) {
    this.#channels = channels;
    this.#fs = fs;
    this.#alpha = 1 / (fs * TAU_S);
    this.#refractory = Math.round(BLINK_REFRACTORY_S * fs);
    this.#dc = new Float64Array(channels.length);
    this.#baseline = new Float64Array(channels.length).fill(BASELINE_INIT_UV);
  }

  get active(): boolean {
    return this.#channels.length > 0;
  }

  push(frame: ReadonlyArray<ArrayLike<number>>, offset: number, n: number): void {
    const nc = this.#channels.length;
    if (nc === 0) return;
    if (!this.#primed) {
      for (let j = 0; j < nc; j++) this.#dc[j] = frame[this.#channels[j]!]![offset]!;
      this.#primed = true;
    }
    const alpha = this.#alpha;
    for (let i = 0; i < n; i++) {
      let above = false;
      for (let j = 0; j < nc; j++) {
        const v = frame[this.#channels[j]!]![offset + i]!;
        const dc = this.#dc[j]! + alpha * (v - this.#dc[j]!);
        this.#dc[j] = dc;
        const amp = Math.abs(v - dc);
        const base = this.#baseline[j]! + alpha * (amp - this.#baseline[j]!);
        this.#baseline[j] = base;
        if (amp > Math.max(BLINK_MIN_THRESHOLD_UV, BLINK_BASELINE_FACTOR * base)) above = true;
      }
      const rising = above && !this.#above;
      this.#above = above;
      if (this.#hold > 0) this.#hold--;
      else if (rising) {
        this.#count++;
        this.#hold = this.#refractory;
        this.#remember(this.#samples);
      }
      this.#samples++;
    }
  }

  #remember(at: number): void {
    const end = (this.#recentStart + this.#recentLen) % MAX_RECENT;
    this.#recent[end] = at;
    if (this.#recentLen < MAX_RECENT) this.#recentLen++;
    else this.#recentStart = (this.#recentStart + 1) % MAX_RECENT;
  }

  get count(): number {
    return this.#count;
  }

  /** Blinks per minute over the last 60 s (or the elapsed time, when shorter). */
  get rate(): number {
    if (this.#samples === 0) return 0;
    const window = BLINK_RATE_WINDOW_S * this.#fs;
    while (this.#recentLen > 0 && this.#recent[this.#recentStart]! < this.#samples - window) {
      this.#recentStart = (this.#recentStart + 1) % MAX_RECENT;
      this.#recentLen--;
    }
    const seconds = Math.min(BLINK_RATE_WINDOW_S, this.#samples / this.#fs);
    return Math.round(((this.#recentLen * 60) / seconds) * 10) / 10;
  }
}
