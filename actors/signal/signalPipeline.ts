// The live signal pipeline of one device session: raw EEG chunks in, `EegBands` payloads out
// (about 4 per second at 256 Hz), with PPG vitals, head pose and blinks merged into each payload
// when the device provides them (the reference computes those but never merges them — notes
// §3.6, §3.7, QUIRK 7).
//
// Per chunk, split at the band analyzer's hop boundaries so every snapshot sees exactly the
// samples before it: raw → quality monitor and blink detector; raw → IIR filter → band analyzer;
// at a hop → snapshot → scores. Nothing is allocated per sample: ring buffers and scratch arrays
// are made once (the filter's output buffers grow only when a longer chunk than any before
// arrives); each snapshot allocates its payload.
import type { DeviceInfo, EegFrame, ImuFrame, PpgFrame } from '../devices/source.ts';
import { BandAnalyzer } from './bandAnalyzer.ts';
import { BlinkDetector } from './blinkDetector.ts';
import type { BandSnapshot, EegBandsPayload } from './eegBandsPayload.ts';
import { EegFilter } from './eegFilter.ts';
import { blinkChannels, cognitiveLoadGroups } from './electrodes.ts';
import type { FilterConfig } from './filterConfig.ts';
import { HeadPoseTracker } from './headPose.ts';
import { PpgAnalyzer } from './ppgAnalyzer.ts';
import {
  cognitiveLoadScore,
  drowsinessScore,
  engagementScore,
  focusScore,
  meditationScore,
  relaxationScore,
  round1,
} from './scores.ts';
import { QualityMonitor, type ChannelQuality } from './signalQuality.ts';

export interface SignalPipelineOptions {
  /** EEG channel labels as the device reports them (they pick frontal/parietal sites). */
  channelNames: readonly string[];
  sampleRateHz: number;
  /** PPG channel names (finds the infrared and red channels; else Muse order ambient, IR, red). */
  ppgChannelNames?: readonly string[];
  /** Filter settings; `sample_rate` is always the device's. Defaults: the reference's. */
  filter?: Partial<FilterConfig>;
}

/** PPG vitals older than this (by frame time) are left out of snapshots. */
export const PPG_STALE_MS = 15_000;
/** Head pose older than this is left out. */
export const IMU_STALE_MS = 5_000;

export class SignalPipeline {
  readonly channelNames: readonly string[];
  #fs: number;
  #filter: EegFilter;
  #bands: BandAnalyzer;
  #quality: QualityMonitor;
  #blinks: BlinkDetector;
  #filtered: Float64Array[];
  readonly #groups: { frontal: number[]; parietal: number[] };
  readonly #ppgNames: readonly string[];
  #ppg: PpgAnalyzer | null = null;
  #ppgAtMs = -Infinity;
  readonly #pose = new HeadPoseTracker();
  #imuAtMs = -Infinity;
  #latest: EegBandsPayload | null = null;

  constructor(options: SignalPipelineOptions) {
    const n = options.channelNames.length;
    if (n < 1) throw new RangeError('a signal pipeline needs at least one EEG channel');
    if (!(options.sampleRateHz > 0)) throw new RangeError(`sample rate must be > 0, got ${options.sampleRateHz}`);
    this.channelNames = [...options.channelNames];
    this.#fs = options.sampleRateHz;
    this.#ppgNames = options.ppgChannelNames ?? [];
    this.#groups = cognitiveLoadGroups(this.channelNames);
    this.#filter = new EegFilter(n, { ...options.filter, sample_rate: this.#fs });
    this.#bands = new BandAnalyzer(this.channelNames, this.#fs);
    this.#quality = new QualityMonitor(n, this.#fs);
    this.#blinks = new BlinkDetector(blinkChannels(this.channelNames), this.#fs);
    this.#filtered = this.channelNames.map(() => new Float64Array(64));
  }

  /** A pipeline for an opened device. */
  static forDevice(info: DeviceInfo, filter?: Partial<FilterConfig>): SignalPipeline {
    return new SignalPipeline({
      channelNames: info.channelNames,
      sampleRateHz: info.eegSampleRateHz,
      ppgChannelNames: info.ppgChannelNames,
      ...(filter ? { filter } : {}),
    });
  }

  get sampleRateHz(): number {
    return this.#fs;
  }

  /** Feeds one EEG chunk; returns the snapshots it completed, oldest first. */
  pushEeg(frame: EegFrame): EegBandsPayload[] {
    const chans = frame.channels;
    const nch = this.channelNames.length;
    if (chans.length !== nch) throw new RangeError(`EEG frame has ${chans.length} channels, the pipeline ${nch}`);
    const n = chans[0]!.length;
    for (let c = 1; c < nch; c++) if (chans[c]!.length !== n) throw new RangeError('EEG frame channels differ in length');
    if (frame.sampleRateHz > 0 && frame.sampleRateHz !== this.#fs) this.#rebuild(frame.sampleRateHz);
    if (this.#filtered[0]!.length < n) this.#filtered = this.#filtered.map(() => new Float64Array(Math.max(n, 2 * this.#filtered[0]!.length)));
    const out: EegBandsPayload[] = [];
    const filtered = this.#filtered;
    let i = 0;
    while (i < n) {
      const k = Math.min(n - i, this.#bands.untilHop);
      this.#quality.push(chans, i, k);
      this.#blinks.push(chans, i, k);
      for (let c = 0; c < nch; c++) this.#filter.process(c, chans[c]!, i, filtered[c]!, i, k);
      const hop = this.#bands.push(filtered, i, k);
      i += k;
      if (hop) {
        const atMs = frame.t0Ms + ((i - 1) * 1000) / this.#fs;
        const snap = this.#bands.snapshot(atMs / 1000);
        if (snap) out.push(this.#enrich(snap, atMs));
      }
    }
    if (out.length > 0) this.#latest = out[out.length - 1]!;
    return out;
  }

  pushPpg(frame: PpgFrame): void {
    if (frame.channels.length === 0 || !(frame.sampleRateHz > 0)) return;
    if (!this.#ppg || this.#ppg.fs !== frame.sampleRateHz) {
      this.#ppg = new PpgAnalyzer(frame.sampleRateHz, this.#ppgNames, frame.channels.length);
    }
    this.#ppg.push(frame.channels);
    this.#ppgAtMs = frame.t0Ms + (frame.channels[0]!.length * 1000) / frame.sampleRateHz;
  }

  pushImu(frame: ImuFrame): void {
    if (frame.samples.length === 0 || !(frame.sampleRateHz > 0)) return;
    if (frame.sensor === 'accel') this.#pose.pushAccel(frame.samples, frame.sampleRateHz);
    else this.#pose.pushGyro(frame.samples, frame.sampleRateHz);
    this.#imuAtMs = frame.t0Ms + (frame.samples.length * 1000) / frame.sampleRateHz;
  }

  /** Contact quality per channel over the last second of raw samples. */
  quality(): ChannelQuality[] {
    return this.#quality.quality();
  }

  /** The newest payload, or null before the first (2 s at 256 Hz). */
  get latest(): EegBandsPayload | null {
    return this.#latest;
  }

  get filterConfig(): FilterConfig {
    return this.#filter.config;
  }

  /** Applies filter settings live (sample_rate stays the device's); sections that do not change keep their state. */
  setFilterConfig(cfg: Partial<FilterConfig>): void {
    this.#filter.reconfigure({ ...cfg, sample_rate: this.#fs });
  }

  /** A device that changes its rate mid-stream starts over at the new rate (keeping the filter settings). */
  #rebuild(fs: number): void {
    const cfg = this.#filter.config;
    const n = this.channelNames.length;
    this.#fs = fs;
    this.#filter = new EegFilter(n, { ...cfg, sample_rate: fs });
    this.#bands = new BandAnalyzer(this.channelNames, fs);
    this.#quality = new QualityMonitor(n, fs);
    this.#blinks = new BlinkDetector(blinkChannels(this.channelNames), fs);
  }

  #enrich(snap: BandSnapshot, atMs: number): EegBandsPayload {
    const ch = snap.channels;
    const pick = (idx: number[]) => idx.map((i) => ch[i]!);
    const meanRelAlpha = ch.reduce((s, c) => s + c.rel_alpha, 0) / ch.length;
    const vitals = this.#ppg && atMs - this.#ppgAtMs < PPG_STALE_MS ? this.#ppg.vitals : null;
    const pose = atMs - this.#imuAtMs < IMU_STALE_MS ? this.#pose.pose() : null;
    // The snapshot is this pipeline's own fresh object: extend it rather than copy it.
    const payload = snap as EegBandsPayload;
    payload.focus = focusScore(ch);
    payload.relaxation = relaxationScore(ch);
    payload.engagement = engagementScore(ch);
    payload.meditation = round1(meditationScore(ch, pose?.stillness ?? null, vitals?.rmssd ?? null));
    payload.cognitive_load = round1(cognitiveLoadScore(pick(this.#groups.frontal), pick(this.#groups.parietal)));
    payload.drowsiness = round1(drowsinessScore(snap.tar, meanRelAlpha));
    if (vitals) {
      for (const key of ['hr', 'rmssd', 'sdnn', 'pnn50', 'lf_hf_ratio', 'respiratory_rate', 'spo2_estimate', 'perfusion_index', 'stress_index'] as const) {
        const v = vitals[key];
        if (v !== null && Number.isFinite(v)) payload[key] = v;
      }
    }
    if (this.#blinks.active) {
      payload.blink_count = this.#blinks.count;
      payload.blink_rate = this.#blinks.rate;
    }
    if (pose) {
      payload.head_pitch = pose.head_pitch;
      payload.head_roll = pose.head_roll;
      if (pose.stillness !== null) payload.stillness = pose.stillness;
      if (pose.nod_count !== null) payload.nod_count = pose.nod_count;
      if (pose.shake_count !== null) payload.shake_count = pose.shake_count;
    }
    return payload;
  }
}
