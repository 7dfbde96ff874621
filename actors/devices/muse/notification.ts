// One table from characteristic to decoder, shared by the device source and the vector tests,
// so what the tests replay is routed exactly as live notifications are.
import { CLASSIC_PACKET_BYTES } from './classicPacket.ts';
import { controlFragment } from './controlResponse.ts';
import { decodeEegPacket, type EegPacket } from './eegPacket.ts';
import {
  MUSE_ACCELEROMETER, MUSE_CONTROL, MUSE_EEG_CHANNELS, MUSE_GYROSCOPE, MUSE_PPG_CHANNELS, MUSE_TELEMETRY,
  nobleUuid,
} from './gatt.ts';
import { decodeImuPacket, type ImuPacket, type ImuSensor } from './imuPacket.ts';
import { decodePpgPacket, type PpgPacket } from './ppgPacket.ts';
import { decodeTelemetryPacket, type TelemetryPacket } from './telemetryPacket.ts';

export type MuseNotification =
  | { kind: 'eeg'; electrode: number; name: string; packet: EegPacket }
  | { kind: 'ppg'; channel: number; name: string; packet: PpgPacket }
  | { kind: 'imu'; sensor: ImuSensor; packet: ImuPacket }
  | { kind: 'telemetry'; packet: TelemetryPacket }
  | { kind: 'control'; fragment: string }
  | { kind: 'ignored'; reason: string };

type Decoder = (bytes: Uint8Array) => MuseNotification;

/** Classic data packets are exactly 20 bytes; anything else is dropped, not guessed at. */
const classic = (decode: Decoder): Decoder => (bytes) =>
  bytes.byteLength === CLASSIC_PACKET_BYTES
    ? decode(bytes)
    : { kind: 'ignored', reason: `expected ${CLASSIC_PACKET_BYTES} bytes, got ${bytes.byteLength}` };

const routes = new Map<string, Decoder>([
  [MUSE_CONTROL, (bytes) => ({ kind: 'control', fragment: controlFragment(bytes) })],
  [MUSE_TELEMETRY, classic((bytes) => ({ kind: 'telemetry', packet: decodeTelemetryPacket(bytes) }))],
  [MUSE_ACCELEROMETER, classic((bytes) => ({ kind: 'imu', sensor: 'accel', packet: decodeImuPacket(bytes, 'accel') }))],
  [MUSE_GYROSCOPE, classic((bytes) => ({ kind: 'imu', sensor: 'gyro', packet: decodeImuPacket(bytes, 'gyro') }))],
  ...MUSE_EEG_CHANNELS.map(({ name, uuid }, electrode): [string, Decoder] => [
    uuid, classic((bytes) => ({ kind: 'eeg', electrode, name, packet: decodeEegPacket(bytes) })),
  ]),
  ...MUSE_PPG_CHANNELS.map(({ name, uuid }, channel): [string, Decoder] => [
    uuid, classic((bytes) => ({ kind: 'ppg', channel, name, packet: decodePpgPacket(bytes) })),
  ]),
]);

/** Decodes one notification of a classic-firmware Muse; `characteristic` in any UUID spelling. */
export function decodeNotification(characteristic: string, bytes: Uint8Array): MuseNotification {
  const decode = routes.get(nobleUuid(characteristic));
  return decode ? decode(bytes) : { kind: 'ignored', reason: `no decoder for characteristic ${characteristic}` };
}
