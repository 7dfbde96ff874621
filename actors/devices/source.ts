// What every device source (virtual headset, LSL inlet, Muse over BLE, …) produces, and the
// small interface the device actor drives it through. Sources know nothing of sessions,
// reconnects or the pipeline: they open, stream typed frames, and report when they end.

/** What a source knows about the device once it is open. */
export interface DeviceInfo {
  /** Human-readable name, e.g. "Muse-4A2B" or the LSL stream name. */
  name: string;
  /** Device family tag, e.g. "virtual", "lsl", "muse". */
  kind: string;
  /** Stable id: BLE address/uuid, LSL source_id, "virtual". */
  id: string;
  /** EEG channel labels from the device itself (never a hard-coded list). */
  channelNames: string[];
  eegSampleRateHz: number;
  ppgChannelNames: string[];
  ppgSampleRateHz: number;
  imuChannelNames: string[];
  serialNumber?: string | null;
  firmwareVersion?: string | null;
  hardwareVersion?: string | null;
  macAddress?: string | null;
}

/**
 * Frames are chunks: `channels[c][i]` is sample i of channel c, all channels the same length.
 * `t0Ms` is the unix-ms time of sample 0; sample i is at t0Ms + i·1000/sampleRateHz.
 * EEG is in µV.
 */
export interface EegFrame {
  kind: 'eeg';
  t0Ms: number;
  sampleRateHz: number;
  channels: Float32Array[];
}

/** PPG channels as the device orders them (Muse: ambient, infrared, red). Raw units. */
export interface PpgFrame {
  kind: 'ppg';
  t0Ms: number;
  sampleRateHz: number;
  channels: Float32Array[];
}

/** Accelerometer in g, gyroscope in °/s; `samples[i] = [x, y, z]`. */
export interface ImuFrame {
  kind: 'imu';
  sensor: 'accel' | 'gyro';
  t0Ms: number;
  sampleRateHz: number;
  samples: Array<[number, number, number]>;
}

export interface BatteryFrame {
  kind: 'battery';
  levelPct: number;
  voltageMv?: number;
}

/** Late-arriving device information (firmware version from a control reply, …). */
export interface InfoFrame {
  kind: 'info';
  info: Partial<DeviceInfo>;
}

export type SourceFrame = EegFrame | PpgFrame | ImuFrame | BatteryFrame | InfoFrame;

export interface SourceHandlers {
  frame(frame: SourceFrame): void;
  /** Optional progress while opening: looking for the device, then talking to it. */
  phase?(phase: 'scanning' | 'connecting'): void;
  /** The stream ended by itself (device switched off, outlet gone). `reason` is for the log. */
  ended(reason: string): void;
}

/** An opened device. */
export interface DeviceConnection {
  info: DeviceInfo;
  /** Idempotent; resolves once the device is released. */
  close(): Promise<void>;
}

/**
 * A way to reach one device. `open` resolves once the device is streaming (or rejects with an
 * Error whose message is fit for `device_error`); frames then flow to `handlers` until `close`
 * or `ended`. `signal` aborts a connect in progress.
 */
export interface DeviceSource {
  open(handlers: SourceHandlers, signal: AbortSignal): Promise<DeviceConnection>;
}
