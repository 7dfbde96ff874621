// "Recorded" virtual data: the same frames the real-time source emits, produced synchronously
// and without timers, for tests, benchmarks and fixtures. `virtualFrames` is the lazy form,
// `generate` collects a fixed duration and also joins the chunks into continuous arrays.
import type { BatteryFrame, DeviceInfo, SourceFrame } from '../source.ts';
import type { VirtualEvent } from './virtualEvent.ts';
import { DEFAULT_CHUNK_MS, virtualHeadset } from './virtualHeadset.ts';
import { resolveVirtualOptions, type VirtualSettings, type VirtualSourceOptions } from './virtualOptions.ts';

export interface RecordingOptions {
  /** Unix ms of the first sample; 0 by default so recordings are byte-for-byte repeatable. */
  startMs?: number;
  /** Chunk length; 62.5 ms is the real-time source's tick (16 samples at 256 Hz). */
  chunkMs?: number;
  /** Receives ground-truth events as they are generated. */
  onEvent?: (event: VirtualEvent) => void;
}

/** An endless, lazily generated frame sequence, in the order the real-time source emits it. */
export function* virtualFrames(options: VirtualSourceOptions = {}, rec: RecordingOptions = {}): Generator<SourceFrame, never> {
  const headset = virtualHeadset(resolveVirtualOptions(options), { startMs: rec.startMs ?? 0, onEvent: rec.onEvent });
  const chunkMs = rec.chunkMs ?? DEFAULT_CHUNK_MS;
  const pending: SourceFrame[] = [];
  for (let tick = 1; ; tick++) {
    headset.advanceTo(tick * chunkMs, (f) => pending.push(f));
    yield* pending;
    pending.length = 0;
  }
}

export interface VirtualRecording {
  info: DeviceInfo;
  settings: VirtualSettings;
  seconds: number;
  /** The frames as emitted, in order. */
  frames: SourceFrame[];
  /** Ground truth: blinks, dropouts, beats, nods, muscle bursts within the recording. */
  events: VirtualEvent[];
  /** Continuous `[channel][sample]` arrays joined from the frames. */
  eeg: Float32Array[];
  ppg: Float32Array[];
  accel: Array<[number, number, number]>;
  gyro: Array<[number, number, number]>;
  battery: BatteryFrame[];
}

function joinChannels(chunks: Float32Array[][], channelCount: number): Float32Array[] {
  return Array.from({ length: channelCount }, (_, c) => {
    const total = chunks.reduce((n, ch) => n + (ch[c]?.length ?? 0), 0);
    const out = new Float32Array(total);
    let at = 0;
    for (const ch of chunks) {
      const part = ch[c];
      if (!part) continue;
      out.set(part, at);
      at += part.length;
    }
    return out;
  });
}

/** `seconds` of virtual data, generated synchronously. Same options and seed → same data. */
export function generate(options: VirtualSourceOptions = {}, seconds: number, rec: RecordingOptions = {}): VirtualRecording {
  const settings = resolveVirtualOptions(options);
  const events: VirtualEvent[] = [];
  const headset = virtualHeadset(settings, {
    startMs: rec.startMs ?? 0,
    onEvent: (e) => {
      // Beats are generated a little ahead; keep the ground truth inside the recording.
      if (e.tMs < seconds * 1000) events.push(e);
      rec.onEvent?.(e);
    },
  });
  const chunkMs = rec.chunkMs ?? DEFAULT_CHUNK_MS;
  const frames: SourceFrame[] = [];
  const endMs = seconds * 1000;
  for (let t = chunkMs; ; t += chunkMs) {
    headset.advanceTo(Math.min(t, endMs), (f) => frames.push(f));
    if (t >= endMs) break;
  }
  const eegChunks: Float32Array[][] = [];
  const ppgChunks: Float32Array[][] = [];
  const accel: Array<[number, number, number]> = [];
  const gyro: Array<[number, number, number]> = [];
  const battery: BatteryFrame[] = [];
  for (const f of frames) {
    if (f.kind === 'eeg') eegChunks.push(f.channels);
    else if (f.kind === 'ppg') ppgChunks.push(f.channels);
    else if (f.kind === 'imu') for (const v of f.samples) (f.sensor === 'accel' ? accel : gyro).push(v);
    else if (f.kind === 'battery') battery.push(f);
  }
  return {
    info: headset.info,
    settings,
    seconds,
    frames,
    events,
    eeg: joinChannels(eegChunks, settings.channelNames.length),
    ppg: joinChannels(ppgChunks, settings.ppg ? 3 : 0),
    accel,
    gyro,
    battery,
  };
}
