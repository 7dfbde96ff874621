// Accelerometer and gyroscope notifications (protocol reference §6.3): index, then 3 samples
// (oldest first) of x, y, z as signed big-endian int16. About 52 Hz.
import { classicPacketView, sequenceIndex } from './classicPacket.ts';

export const IMU_SAMPLE_RATE_HZ = 52;
export const IMU_SAMPLES_PER_PACKET = 3;
/**
 * The constants muse-js uses (and the test vectors were computed with): ≈ 1/16384 g per count
 * (±2 g full scale) and ≈ 245/32768 °/s per count (±245 dps). 1/16384 would differ by < 1.5e-6 g.
 */
export const ACCEL_G_PER_COUNT = 0.0000610352;
export const GYRO_DPS_PER_COUNT = 0.0074768;

export type ImuSensor = 'accel' | 'gyro';
export type Vector3 = [number, number, number];

export interface ImuPacket {
  index: number;
  /** Signed counts, `[sample][x, y, z]`. */
  raw: Vector3[];
  /** g for the accelerometer, °/s for the gyroscope. */
  samples: Vector3[];
}

export function decodeImuPacket(bytes: Uint8Array, sensor: ImuSensor): ImuPacket {
  const view = classicPacketView(bytes);
  const scale = sensor === 'accel' ? ACCEL_G_PER_COUNT : GYRO_DPS_PER_COUNT;
  const raw: Vector3[] = [];
  for (let at = 2; at < 20; at += 6) {
    raw.push([view.getInt16(at, false), view.getInt16(at + 2, false), view.getInt16(at + 4, false)]);
  }
  const samples = raw.map(([x, y, z]): Vector3 => [x * scale, y * scale, z * scale]);
  return { index: sequenceIndex(view), raw, samples };
}
