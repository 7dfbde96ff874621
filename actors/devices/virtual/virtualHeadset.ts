// The virtual headset: the EEG, PPG, IMU and battery synthesizers on one time line. It is
// driven by stream time, not by a timer: `advanceTo(ms)` emits, as frames, every sample whose
// time is before `ms`. The real-time source calls it from a timer; a recording calls it in a
// loop. Both therefore produce the same samples for the same seed, whatever the chunking.
import type { DeviceInfo, SourceFrame } from '../source.ts';
import { BATTERY_REPORT_MS, batteryAt } from './batteryDrain.ts';
import { eegSynth } from './eegSynth.ts';
import { IMU_CHANNEL_NAMES, IMU_SAMPLE_RATE_HZ, imuSynth } from './imuSynth.ts';
import { PPG_CHANNEL_NAMES, PPG_SAMPLE_RATE_HZ, ppgSynth } from './ppgSynth.ts';
import type { VirtualEventSink } from './virtualEvent.ts';
import type { VirtualSettings } from './virtualOptions.ts';

export interface VirtualHeadset {
  readonly info: DeviceInfo;
  readonly settings: VirtualSettings;
  /** Stream time reached so far, ms since switch-on. */
  readonly streamedMs: number;
  /** Time skipped by `skip`, ms; frame times are start + skipped + sample time. */
  readonly skippedMs: number;
  /** Emits every sample due before `streamMs` (ms of stream time since switch-on). */
  advanceTo(streamMs: number, emit: (frame: SourceFrame) => void): void;
  /**
   * Moves the frame clock forward by `ms` without producing samples: what a real headset's
   * data looks like after the host lost packets. The signal resumes where it was.
   */
  skip(ms: number): void;
  /** Battery level at the current stream time. */
  readonly batteryPct: number;
}

/** The real-time source's tick and a recording's default chunk: 16 samples at 256 Hz. */
export const DEFAULT_CHUNK_MS = 62.5;

export interface HeadsetClock {
  /** Unix ms of the first sample. */
  startMs: number;
  /** Receives blinks, dropouts, beats and nods as they are generated (ground truth). */
  onEvent?: VirtualEventSink;
}

/** Samples of a `rateHz` stream whose time is strictly before `ms`. */
function samplesBefore(ms: number, rateHz: number): number {
  // The epsilon keeps 62.5 ms × 256 Hz = 16 exactly 16 despite float rounding.
  return Math.max(0, Math.ceil((ms * rateHz) / 1000 - 1e-9));
}

export function virtualInfo(s: VirtualSettings): DeviceInfo {
  return {
    name: 'Virtual EEG',
    kind: 'virtual',
    id: 'virtual',
    channelNames: [...s.channelNames],
    eegSampleRateHz: s.sample_rate,
    ppgChannelNames: s.ppg ? [...PPG_CHANNEL_NAMES] : [],
    ppgSampleRateHz: s.ppg ? PPG_SAMPLE_RATE_HZ : 0,
    imuChannelNames: s.imu ? [...IMU_CHANNEL_NAMES] : [],
    serialNumber: null,
    firmwareVersion: 'virtual-1',
    hardwareVersion: `virtual · ${s.template} · ${s.channelNames.length}ch · ${s.sample_rate} Hz · seed ${s.seed}`,
    macAddress: null,
  };
}

export function virtualHeadset(s: VirtualSettings, clock: HeadsetClock): VirtualHeadset {
  const sink: VirtualEventSink = clock.onEvent ?? (() => undefined);
  const eeg = eegSynth(s, sink);
  const ppg = s.ppg ? ppgSynth(s, sink) : null;
  const imu = s.imu ? imuSynth(s, sink) : null;
  const info = virtualInfo(s);
  let streamedMs = 0;
  let skippedMs = 0;
  let nextBatteryMs = 0;
  const t0 = (index: number, rateHz: number) => clock.startMs + skippedMs + (index * 1000) / rateHz;

  return {
    info,
    settings: s,
    get streamedMs() {
      return streamedMs;
    },
    get skippedMs() {
      return skippedMs;
    },
    get batteryPct() {
      return batteryAt(s.battery_start_pct, s.battery_drain_pct_per_hour, streamedMs + skippedMs).levelPct;
    },
    skip(ms) {
      if (ms > 0) skippedMs += ms;
    },
    advanceTo(streamMs, emit) {
      if (streamMs <= streamedMs) return;
      streamedMs = streamMs;
      const eegDue = samplesBefore(streamMs, s.sample_rate) - eeg.position;
      if (eegDue > 0) {
        const at = t0(eeg.position, s.sample_rate);
        emit({ kind: 'eeg', t0Ms: at, sampleRateHz: s.sample_rate, channels: eeg.next(eegDue) });
      }
      if (ppg) {
        const due = samplesBefore(streamMs, PPG_SAMPLE_RATE_HZ) - ppg.position;
        if (due > 0) {
          const at = t0(ppg.position, PPG_SAMPLE_RATE_HZ);
          emit({ kind: 'ppg', t0Ms: at, sampleRateHz: PPG_SAMPLE_RATE_HZ, channels: ppg.next(due) });
        }
      }
      if (imu) {
        const due = samplesBefore(streamMs, IMU_SAMPLE_RATE_HZ) - imu.position;
        if (due > 0) {
          const at = t0(imu.position, IMU_SAMPLE_RATE_HZ);
          const { accel, gyro } = imu.next(due);
          emit({ kind: 'imu', sensor: 'accel', t0Ms: at, sampleRateHz: IMU_SAMPLE_RATE_HZ, samples: accel });
          emit({ kind: 'imu', sensor: 'gyro', t0Ms: at, sampleRateHz: IMU_SAMPLE_RATE_HZ, samples: gyro });
        }
      }
      // Telemetry is a reading "now", at each report time passed. The battery drains during
      // skipped time too (the headset was on); after a long skip only the latest report is sent.
      const onMs = streamMs + skippedMs;
      if (onMs - nextBatteryMs > BATTERY_REPORT_MS) nextBatteryMs = Math.floor(onMs / BATTERY_REPORT_MS) * BATTERY_REPORT_MS;
      while (nextBatteryMs < onMs) {
        const reading = batteryAt(s.battery_start_pct, s.battery_drain_pct_per_hour, nextBatteryMs);
        emit({ kind: 'battery', levelPct: reading.levelPct, voltageMv: reading.voltageMv });
        nextBatteryMs += BATTERY_REPORT_MS;
      }
    },
  };
}
