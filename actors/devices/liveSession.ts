// The open device's frames become live events: the signal pipeline turns EEG into `EegBands`
// and `SignalQuality` about four times a second; raw samples go out as `EegSample` (only to
// clients that asked), `PpgSample`, `ImuSample` and `Battery`; counters feed the status object;
// low battery and lost signal raise a `toast`. Other consumers (the recorder) attach as taps.
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import type { SessionSink } from './deviceActor.ts';
import { noCounters, type DeviceState } from './deviceState.ts';
import type { ChannelQuality } from './deviceStatus.ts';
import type { PairedDevices } from './pairedDevices.ts';
import type { FilterConfig } from '../signal/filterConfig.ts';
import type { EegBandsPayload } from '../signal/eegBandsPayload.ts';
import { withF32Fields } from '../signal/f32Wire.ts';
import type { SignalPipeline } from '../signal/signalPipeline.ts';
import type { DeviceInfo, EegFrame, SourceFrame } from './source.ts';

/** The signal pipeline as a live session uses it: in this thread, or on a worker (async). */
export interface LivePipeline extends Pick<SignalPipeline, 'pushPpg' | 'pushImu' | 'quality' | 'setFilterConfig'> {
  pushEeg(frame: EegFrame): EegBandsPayload[] | Promise<EegBandsPayload[]>;
  close?(): Promise<void>;
}

export type PipelineFactory = (info: DeviceInfo) => LivePipeline;

/** Someone else who wants every frame of the open session (the recorder). */
export interface SessionTap {
  open(target: string, info: DeviceInfo): void;
  frame(frame: SourceFrame): void;
  /** Every band snapshot of the session, as published. */
  bands?(bands: EegBandsPayload): void;
  close(): void;
}

export const LOW_BATTERY_PCT = 15;
const BATTERY_RELATCH_PCT = 25;
/** A signal warning needs ≥ 2 channels that were good, now ≥ 2 poor for this long (notes §2.7). */
const SIGNAL_LOSS_MS = 20_000;

export class LiveSession implements SessionSink {
  private pipeline: LivePipeline | null = null;
  private latest: object | null = null;
  private lowBatteryWarned = false;
  private goodSeen = false;
  private poorSince: number | null = null;
  private signalWarned = false;
  private readonly taps = new Set<SessionTap>();
  private openTarget: string | null = null;

  constructor(
    private readonly state: DeviceState,
    private readonly paired: PairedDevices,
    private readonly bus: EventBus,
    private readonly log: DaemonLog,
    private readonly createPipeline: PipelineFactory,
  ) {}

  /** The last EegBands payload of the open session (null when none: no stale values). */
  get latestBands(): object | null {
    return this.latest;
  }

  tap(t: SessionTap): () => void {
    this.taps.add(t);
    if (this.openTarget && this.state.info) t.open(this.openTarget, this.state.info);
    return () => this.taps.delete(t);
  }

  open(target: string, info: DeviceInfo): void {
    this.state.info = info;
    this.state.live = noCounters();
    this.latest = null;
    this.lowBatteryWarned = false;
    this.goodSeen = false;
    this.poorSince = null;
    this.signalWarned = false;
    this.openTarget = target;
    this.pipeline = this.createPipeline(info);
    if (this.paired.has(target)) this.paired.seen(target, info.name);
    for (const t of this.taps) this.guard(() => t.open(target, info));
  }

  frame(frame: SourceFrame): void {
    for (const t of this.taps) this.guard(() => t.frame(frame));
    switch (frame.kind) {
      case 'eeg':
        return this.eeg(frame);
      case 'ppg':
        this.state.live.ppgSampleCount += frame.channels[0]?.length ?? 0;
        this.pipeline?.pushPpg(frame);
        if (this.bus.wants('PpgSample')) {
          const timestamp = frame.t0Ms / 1000;
          frame.channels.forEach((samples, channel) => this.bus.publish('PpgSample', { channel, samples: Array.from(samples), timestamp }));
        }
        return;
      case 'imu':
        this.state.live.imuSampleCount += frame.samples.length;
        this.pipeline?.pushImu(frame);
        if (this.bus.wants('ImuSample')) this.bus.publish('ImuSample', { sensor: frame.sensor, samples: frame.samples, timestamp: frame.t0Ms / 1000 });
        return;
      case 'battery':
        return this.battery(frame.levelPct);
      case 'info':
        if (this.state.info) this.state.info = { ...this.state.info, ...frame.info };
        return;
    }
  }

  /** New filter settings reach the open session at once. */
  setFilterConfig(cfg: Partial<FilterConfig>): void {
    this.pipeline?.setFilterConfig(cfg);
  }

  close(): void {
    for (const t of this.taps) this.guard(() => t.close());
    this.pipeline?.close?.().catch((err: Error) => this.log.warn('session', `closing the signal worker: ${err.message}`));
    this.pipeline = null;
    this.latest = null;
    this.openTarget = null;
    this.state.info = null;
    this.state.live = noCounters();
  }

  private eeg(frame: EegFrame): void {
    const n = frame.channels[0]?.length ?? 0;
    this.state.live.sampleCount += n;
    if (this.bus.wants('EegSample')) {
      const step = 1000 / frame.sampleRateHz;
      for (let i = 0; i < n; i++) {
        this.bus.publish('EegSample', { channels: frame.channels.map((c) => c[i]!), timestamp: (frame.t0Ms + i * step) / 1000 });
      }
    }
    const pipeline = this.pipeline;
    if (!pipeline) return;
    const result = pipeline.pushEeg(frame);
    // In this thread the f32 fields are rounded here; a worker pipeline sends them rounded.
    if (Array.isArray(result)) return this.publishBands(pipeline, result.map(withF32Fields), frame.t0Ms);
    // On a worker: results come back in order; drop them if the session has moved on.
    result.then(
      (snapshots) => {
        if (this.pipeline === pipeline) this.publishBands(pipeline, snapshots, frame.t0Ms);
      },
      (err: Error) => {
        if (this.pipeline === pipeline) this.log.error('session', `signal worker failed: ${err.message}`);
      },
    );
  }

  private publishBands(pipeline: LivePipeline, snapshots: EegBandsPayload[], atMs: number): void {
    if (snapshots.length === 0) return;
    const quality = pipeline.quality();
    this.state.live.channelQuality = quality;
    for (const bands of snapshots) {
      this.latest = bands;
      for (const t of this.taps) if (t.bands) this.guard(() => t.bands!(bands));
      this.bus.publish('EegBands', bands);
      this.bus.publish('SignalQuality', { quality });
    }
    this.watchSignal(quality, atMs);
  }

  private battery(level: number): void {
    this.state.live.battery = level;
    this.bus.publish('Battery', { level_pct: level });
    if (level > 0 && level <= LOW_BATTERY_PCT && !this.lowBatteryWarned) {
      this.lowBatteryWarned = true;
      this.toast('Low battery', `${this.state.info?.name ?? 'The headset'} is at ${Math.round(level)} %.`);
    } else if (level >= BATTERY_RELATCH_PCT) {
      this.lowBatteryWarned = false;
    }
  }

  private watchSignal(quality: ChannelQuality[], nowMs: number): void {
    const good = quality.filter((q) => q === 'good').length;
    const poor = quality.filter((q) => q === 'poor' || q === 'no_signal').length;
    if (good >= 2) this.goodSeen = true;
    if (!this.goodSeen || poor < 2) {
      this.poorSince = null;
      this.signalWarned = false;
      return;
    }
    this.poorSince ??= nowMs;
    if (!this.signalWarned && nowMs - this.poorSince >= SIGNAL_LOSS_MS) {
      this.signalWarned = true;
      this.toast('Signal lost', `${poor} channels have had poor or no signal for ${Math.round(SIGNAL_LOSS_MS / 1000)} s; check the headset's fit.`);
    }
  }

  private toast(title: string, message: string): void {
    this.bus.publish('toast', { level: 'warning', title, message });
  }

  /** A failing tap must not stop the live stream. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('session', `session tap failed: ${(err as Error).stack ?? err}`);
    }
  }
}
