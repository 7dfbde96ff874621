// PPG vitals for the EegBands snapshot: heart rate and HRV from detected beats on the infrared
// channel, respiratory rate from the baseline, SpO₂ and perfusion from the raw window.
//
// The reference buffers 5 s and recomputes everything from it every 5 s (notes §3.6), which is
// too short for most of what it reports (LF needs minutes; 5 beats give a noisy RMSSD). Here
// beats stream in continuously and each measure uses a window fit for it, refreshed every second:
//   hr                       beats of the last 10 s (≥ 3 intervals)
//   rmssd, sdnn, pnn50,      beats of the last 60 s (≥ 5 intervals)
//   stress_index (Baevsky)
//   lf_hf_ratio              beats of the last 120 s, spanning ≥ 60 s
//   respiratory_rate         the last 32 s of baseline (≥ 16 s)
//   spo2_estimate, perfusion the last 5 s of raw samples (as the reference)
// A measure without enough data is null (and left out of the event).
import {
  baevskyStressIndex,
  heartRateBpm,
  lfHfRatio,
  pnn50Pct,
  rmssdMs,
  sdnnMs,
} from './heartRateVariability.ts';
import { PpgBeatDetector } from './ppgBeatDetector.ts';
import { perfusionIndexPct, respiratoryRateBpm, spo2EstimatePct } from './ppgWaveform.ts';

export interface PpgVitals {
  hr: number | null;
  rmssd: number | null;
  sdnn: number | null;
  pnn50: number | null;
  lf_hf_ratio: number | null;
  respiratory_rate: number | null;
  spo2_estimate: number | null;
  perfusion_index: number | null;
  stress_index: number | null;
}

export const NO_VITALS: Readonly<PpgVitals> = Object.freeze({
  hr: null, rmssd: null, sdnn: null, pnn50: null, lf_hf_ratio: null,
  respiratory_rate: null, spo2_estimate: null, perfusion_index: null, stress_index: null,
});

const MAX_BEATS = 1024;
const BASELINE_HZ = 4;
const BASELINE_S = 32;
const RAW_S = 5;

/** Which PPG channel is infrared and which red: by name when the device names them, else Muse order (ambient, IR, red). */
export function ppgChannelRoles(names: readonly string[], count: number): { ir: number; red: number | null } {
  const irByName = names.findIndex((n) => /(^|[^a-z])ir([^a-z]|$)|infra/i.test(n));
  const redByName = names.findIndex((n, i) => i !== irByName && /(^|[^a-z])red([^a-z]|$)/i.test(n));
  const ir = irByName >= 0 ? irByName : count >= 2 ? 1 : 0;
  const red = redByName >= 0 ? redByName : count >= 3 ? 2 : null;
  return { ir, red: red === ir ? null : red };
}

export class PpgAnalyzer {
  readonly fs: number;
  readonly #ir: number;
  readonly #red: number | null;
  readonly #detector: PpgBeatDetector;
  readonly #ibis = new Float64Array(MAX_BEATS);
  readonly #beatAt = new Float64Array(MAX_BEATS);
  #beatStart = 0;
  #beatLen = 0;
  readonly #rawIr: Float64Array;
  readonly #rawRed: Float64Array;
  #rawPos = 0;
  #rawFilled = 0;
  readonly #blockLen: number;
  #blockSum = 0;
  #blockN = 0;
  readonly #baseline = new Float64Array(BASELINE_HZ * BASELINE_S);
  #basePos = 0;
  #baseFilled = 0;
  #sinceUpdate = 0;
  #vitals: PpgVitals = { ...NO_VITALS };

  constructor(fs: number, channelNames: readonly string[], channelCount: number) {
    this.fs = fs;
    const roles = ppgChannelRoles(channelNames, channelCount);
    this.#ir = roles.ir;
    this.#red = roles.red;
    this.#detector = new PpgBeatDetector(fs, (ibi, at) => this.#addBeat(ibi, at));
    const rawLen = Math.max(16, Math.round(RAW_S * fs));
    this.#rawIr = new Float64Array(rawLen);
    this.#rawRed = new Float64Array(rawLen);
    this.#blockLen = Math.max(1, Math.round(fs / BASELINE_HZ));
  }

  /** Feeds a frame (channels as the device orders them). */
  push(channels: ReadonlyArray<ArrayLike<number>>): void {
    const ir = channels[this.#ir];
    if (!ir) return;
    const red = this.#red === null ? undefined : channels[this.#red];
    const n = ir.length;
    this.#detector.push(ir, 0, n);
    const len = this.#rawIr.length;
    for (let i = 0; i < n; i++) {
      const v = ir[i]!;
      this.#rawIr[this.#rawPos] = v;
      this.#rawRed[this.#rawPos] = red ? red[i]! : 0;
      if (++this.#rawPos === len) this.#rawPos = 0;
      this.#blockSum += v;
      if (++this.#blockN === this.#blockLen) {
        this.#baseline[this.#basePos] = this.#blockSum / this.#blockN;
        this.#basePos = (this.#basePos + 1) % this.#baseline.length;
        this.#baseFilled = Math.min(this.#baseline.length, this.#baseFilled + 1);
        this.#blockSum = 0;
        this.#blockN = 0;
      }
    }
    this.#rawFilled = Math.min(len, this.#rawFilled + n);
    this.#sinceUpdate += n;
    if (this.#sinceUpdate >= this.fs) {
      this.#sinceUpdate = 0;
      this.#vitals = this.#compute();
    }
  }

  get vitals(): PpgVitals {
    return this.#vitals;
  }

  #addBeat(ibi: number, at: number): void {
    const end = (this.#beatStart + this.#beatLen) % MAX_BEATS;
    this.#ibis[end] = ibi;
    this.#beatAt[end] = at;
    if (this.#beatLen < MAX_BEATS) this.#beatLen++;
    else this.#beatStart = (this.#beatStart + 1) % MAX_BEATS;
  }

  /** IBIs and beat times (s) of the beats within the last `seconds`. */
  #recent(seconds: number): { ibis: Float64Array; times: Float64Array } {
    const now = this.#detector.samples;
    const from = now - seconds * this.fs;
    let first = this.#beatLen;
    for (let k = 0; k < this.#beatLen; k++) {
      if (this.#beatAt[(this.#beatStart + k) % MAX_BEATS]! >= from) {
        first = k;
        break;
      }
    }
    const count = this.#beatLen - first;
    const ibis = new Float64Array(count), times = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const idx = (this.#beatStart + first + k) % MAX_BEATS;
      ibis[k] = this.#ibis[idx]!;
      times[k] = this.#beatAt[idx]! / this.fs;
    }
    return { ibis, times };
  }

  #compute(): PpgVitals {
    const short = this.#recent(10);
    const mid = this.#recent(60);
    const long = this.#recent(120);
    const hrv = mid.ibis.length >= 5;
    const ordered = (ring: Float64Array, pos: number, filled: number) => {
      const out = new Float64Array(filled);
      for (let i = 0; i < filled; i++) out[i] = ring[(pos - filled + i + ring.length) % ring.length]!;
      return out;
    };
    const base = ordered(this.#baseline, this.#basePos, this.#baseFilled);
    const ir = ordered(this.#rawIr, this.#rawPos, this.#rawFilled);
    const red = ordered(this.#rawRed, this.#rawPos, this.#rawFilled);
    return {
      hr: short.ibis.length >= 3 ? heartRateBpm(short.ibis) : null,
      rmssd: hrv ? rmssdMs(mid.ibis) : null,
      sdnn: hrv ? sdnnMs(mid.ibis) : null,
      pnn50: hrv ? pnn50Pct(mid.ibis) : null,
      stress_index: hrv ? baevskyStressIndex(mid.ibis) : null,
      lf_hf_ratio: lfHfRatio(long.ibis, long.times),
      respiratory_rate: respiratoryRateBpm(base, base.length, BASELINE_HZ),
      spo2_estimate: this.#red === null ? null : spo2EstimatePct(red, ir, ir.length),
      perfusion_index: perfusionIndexPct(ir),
    };
  }
}
