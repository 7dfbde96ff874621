// The status object of `GET /v1/status` and the `status` event (notes §2.7), with the values
// it has while no device is connected. The device actor fills it in once there is one.
import type { ChannelQuality } from '../signal/signalQuality.ts';

export type { ChannelQuality };

export interface PairedDevice {
  id: string;
  name: string;
  last_seen: number;
}

/** The recorder's part of the status: what it writes, and whether the disk keeps up. */
export interface RecordingStatus {
  state: 'idle' | 'recording' | 'backlogged' | 'failed';
  csv_path: string | null;
  /** Segments written this session (a new one at UTC midnight and after a disk error). */
  segments: number;
  samples_written: number;
  /** Bytes handed to the writer thread and not yet on disk. */
  backlog_bytes: number;
  /** Samples dropped because the disk fell too far behind. */
  dropped_samples: number;
  error: string | null;
  error_code: string | null;
}

export const idleRecording = (): RecordingStatus => ({
  state: 'idle', csv_path: null, segments: 0, samples_written: 0, backlog_bytes: 0, dropped_samples: 0, error: null, error_code: null,
});

export interface DeviceStatus {
  state: 'disconnected' | 'scanning' | 'connecting' | 'connected' | 'streaming';
  device_name: string | null;
  device_kind: string | null;
  device_id: string | null;
  sample_count: number;
  battery: number | null;
  device_error: string | null;
  target_name: string | null;
  target_id: string | null;
  target_display_name: string | null;
  retry_attempt: number;
  retry_countdown_secs: number;
  paired_devices: PairedDevice[];
  csv_path: string | null;
  channel_names: string[];
  ppg_channel_names: string[];
  imu_channel_names: string[];
  fnirs_channel_names: string[];
  eeg_channel_count: number;
  eeg_sample_rate_hz: number;
  channel_quality: ChannelQuality[];
  serial_number: string | null;
  mac_address: string | null;
  firmware_version: string | null;
  hardware_version: string | null;
  has_ppg: boolean;
  has_imu: boolean;
  has_central_electrodes: boolean;
  has_full_montage: boolean;
  ppg_sample_count: number;
  imu_sample_count: number;
  phone_info: unknown | null;
  iroh_client_name: string | null;
  iroh_tunnel_online: boolean;
  iroh_connected_peers: number;
  iroh_remote_device_connected: boolean;
  iroh_streaming_active: boolean;
  iroh_eeg_streaming_active: boolean;
  recording: RecordingStatus;
}

export function idleStatus(paired: PairedDevice[] = []): DeviceStatus {
  return {
    state: 'disconnected',
    device_name: null,
    device_kind: null,
    device_id: null,
    sample_count: 0,
    battery: null,
    device_error: null,
    target_name: null,
    target_id: null,
    target_display_name: null,
    retry_attempt: 0,
    retry_countdown_secs: 0,
    paired_devices: paired,
    csv_path: null,
    channel_names: [],
    ppg_channel_names: [],
    imu_channel_names: [],
    fnirs_channel_names: [],
    eeg_channel_count: 0,
    eeg_sample_rate_hz: 0,
    channel_quality: [],
    serial_number: null,
    mac_address: null,
    firmware_version: null,
    hardware_version: null,
    has_ppg: false,
    has_imu: false,
    has_central_electrodes: false,
    has_full_montage: false,
    ppg_sample_count: 0,
    imu_sample_count: 0,
    phone_info: null,
    iroh_client_name: null,
    iroh_tunnel_online: false,
    iroh_connected_peers: 0,
    iroh_remote_device_connected: false,
    iroh_streaming_active: false,
    iroh_eeg_streaming_active: false,
    recording: idleRecording(),
  };
}
