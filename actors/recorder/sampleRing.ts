// The last few seconds of raw EEG per channel, so a finished epoch's samples can be handed to the
// encoder. Samples are indexed by time: sample i of a chunk starting at t0 sits at t0 + i/fs, and
// a slice [fromMs, fromMs + n/fs) is read back by position relative to the newest sample.
export class SampleRing {
  readonly #buf: Float32Array[];
  readonly #cap: number;
  #written = 0;
  /** Unix ms of the newest sample written. */
  #newestMs = -Infinity;

  constructor(
    channels: number,
    readonly sampleRateHz: number,
    seconds: number,
  ) {
    this.#cap = Math.ceil(sampleRateHz * seconds);
    this.#buf = Array.from({ length: channels }, () => new Float32Array(this.#cap));
  }

  push(t0Ms: number, chunk: ArrayLike<number>[]): void {
    const n = chunk[0]?.length ?? 0;
    for (let c = 0; c < this.#buf.length; c++) {
      const src = chunk[c];
      const dst = this.#buf[c]!;
      for (let i = 0; i < n; i++) dst[(this.#written + i) % this.#cap] = src ? src[i]! : 0;
    }
    this.#written += n;
    if (n > 0) this.#newestMs = t0Ms + ((n - 1) * 1000) / this.sampleRateHz;
  }

  /**
   * `count` samples per channel starting at `fromMs`, or null when they are not all in the ring
   * (not yet arrived, or already overwritten).
   */
  slice(fromMs: number, count: number): Float32Array[] | null {
    const behind = Math.round(((this.#newestMs - fromMs) * this.sampleRateHz) / 1000);
    const first = this.#written - 1 - behind;
    if (first < 0 || first < this.#written - this.#cap || first + count > this.#written) return null;
    return this.#buf.map((b) => {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = b[(first + i) % this.#cap]!;
      return out;
    });
  }
}
