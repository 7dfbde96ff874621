// The device as clients see it: the statechart's current state and context, what the open
// source said about itself, and live counters, folded into the reference's status object
// (notes §2.7) and its reconnect state (§2.4).
import type { DeviceContext } from '../../machines/device.ts';
import { idleRecording, idleStatus, type ChannelQuality, type DeviceStatus, type RecordingStatus } from './deviceStatus.ts';
import type { PairedDevices } from './pairedDevices.ts';
import type { DeviceInfo } from './source.ts';

export interface LiveCounters {
  sampleCount: number;
  ppgSampleCount: number;
  imuSampleCount: number;
  battery: number | null;
  channelQuality: ChannelQuality[];
  csvPath: string | null;
}

export const noCounters = (): LiveCounters => ({
  sampleCount: 0, ppgSampleCount: 0, imuSampleCount: 0, battery: null, channelQuality: [], csvPath: null,
});

export interface ReconnectState {
  pending: boolean;
  attempt: number;
  countdown: number;
}

/** The wire `state` for a statechart value. Streaming is reported as `connected`, as the reference does. */
export function wireState(value: unknown): DeviceStatus['state'] {
  if (typeof value === 'string') return 'disconnected';
  const session = (value as { session?: unknown })?.session;
  if (session === undefined) return 'disconnected';
  if (typeof session === 'object' && session !== null && 'connecting' in session) {
    return (session as { connecting: string }).connecting === 'scanning' ? 'scanning' : 'connecting';
  }
  return 'connected';
}

export class DeviceState {
  value: unknown = 'disconnected';
  context: DeviceContext | null = null;
  info: DeviceInfo | null = null;
  live: LiveCounters = noCounters();
  /** Filled in by the recorder. */
  recording: () => RecordingStatus = idleRecording;

  constructor(private readonly paired: PairedDevices) {}

  reconnectState(): ReconnectState {
    const pending = typeof this.value === 'object' && this.value !== null && 'reconnecting' in this.value;
    return { pending, attempt: this.context?.attempt ?? 0, countdown: pending ? this.context?.countdown ?? 0 : 0 };
  }

  status(): DeviceStatus {
    const s = idleStatus(this.paired.all());
    const c = this.context;
    const target = c?.target ?? null;
    const pairedTarget = target ? s.paired_devices.find((d) => d.id === target) : undefined;
    s.state = wireState(this.value);
    s.device_error = c?.deviceError ?? null;
    s.target_id = target;
    s.target_name = pairedTarget?.name ?? target;
    s.target_display_name = pairedTarget?.name ?? target;
    const r = this.reconnectState();
    s.retry_attempt = r.attempt;
    s.retry_countdown_secs = r.countdown;
    s.recording = this.recording();
    const info = s.state === 'connected' ? this.info : null;
    if (info) {
      s.device_name = info.name;
      s.device_kind = info.kind;
      s.device_id = info.id;
      s.channel_names = info.channelNames;
      s.ppg_channel_names = info.ppgChannelNames;
      s.imu_channel_names = info.imuChannelNames;
      s.eeg_channel_count = info.channelNames.length;
      s.eeg_sample_rate_hz = info.eegSampleRateHz;
      s.serial_number = info.serialNumber ?? null;
      s.mac_address = info.macAddress ?? null;
      s.firmware_version = info.firmwareVersion ?? null;
      s.hardware_version = info.hardwareVersion ?? null;
      s.has_ppg = info.ppgChannelNames.length > 0;
      s.has_imu = info.imuChannelNames.length > 0;
      s.has_central_electrodes = info.channelNames.some((n) => /^(C[z3-4]|Cz|FCz|CPz)$/i.test(n));
      s.has_full_montage = info.channelNames.length >= 19;
      s.sample_count = this.live.sampleCount;
      s.ppg_sample_count = this.live.ppgSampleCount;
      s.imu_sample_count = this.live.imuSampleCount;
      s.battery = this.live.battery;
      s.channel_quality = this.live.channelQuality;
      s.csv_path = this.live.csvPath;
    }
    return s;
  }
}
