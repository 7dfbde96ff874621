// Synthetic head motion at the Muse's ~52 Hz (notes §2.2): accelerometer in g, gyroscope in °/s.
//
// Axes (head frame, right-handed): x forward (out of the nose), y to the left ear, z up.
// Pitch θ is a rotation about y, positive nose-down; roll φ about x, positive left ear up.
// At rest the accelerometer reads the reaction to gravity, (−sin θ, cos θ·sin φ, cos θ·cos φ) g,
// so a level head reads (0, 0, 1) g. The gyroscope reads the angular rates (dφ/dt, dθ/dt, dψ/dt).
//
// Posture sways slowly by a degree or two; every so often the wearer nods: the head pitches
// down 15–20° and comes back within about half a second each way. The reference's head-pose
// tracker counts a nod when pitch swings ≥ 12° within 0.6 s (notes §3.7), so every virtual nod
// is one it should count.
import { seededRandom, type SeededRandom } from './seededRandom.ts';
import { slowWander } from './slowWander.ts';
import type { VirtualEventSink } from './virtualEvent.ts';
import type { VirtualSettings } from './virtualOptions.ts';

export const IMU_SAMPLE_RATE_HZ = 52;
export const IMU_CHANNEL_NAMES = ['accel_x', 'accel_y', 'accel_z', 'gyro_x', 'gyro_y', 'gyro_z'];

export const NOD_PITCH_DEG: readonly [number, number] = [15, 20];
/** Whole nod, down and back up. */
export const NOD_DURATION_S: readonly [number, number] = [0.7, 1.0];
/**
 * Sensor noise plus the micro-movement of a worn headset: a few mg and a few tenths of °/s RMS.
 * (The chip's own noise, for a consumer 6-axis MEMS part at 52 Hz, is about ten times lower.)
 */
const ACCEL_NOISE_G = 0.003;
const GYRO_NOISE_DPS = 0.3;
const GYRO_BIAS_DPS = 0.4;
const DEG = Math.PI / 180;

export interface ImuChunk {
  accel: Array<[number, number, number]>;
  gyro: Array<[number, number, number]>;
}

export interface ImuSynth {
  readonly position: number;
  next(n: number): ImuChunk;
}

/**
 * Postural sway in degrees: a slow random wander (SD `sdDeg`, ~4 s correlation) smoothed twice
 * with a 0.5 s low-pass. The wander alone is rough at short time scales and its derivative —
 * what the gyroscope reads — would be noise of tens of °/s; the smoothing leaves the slow,
 * fraction-of-a-degree-per-second drift of someone sitting still.
 */
function sway(sdDeg: number, sampleRateHz: number, rng: SeededRandom) {
  const wander = slowWander(sdDeg, 4, sampleRateHz, rng);
  const a = 1 - Math.exp(-1 / (0.5 * sampleRateHz));
  let y1 = wander.value;
  let y2 = wander.value;
  return {
    get value() {
      return y2;
    },
    step() {
      y1 += (wander.step() - y1) * a;
      y2 += (y1 - y2) * a;
      return y2;
    },
  };
}

/** Nod pitch profile over u ∈ [0, 1]: 0 → peak → 0, smooth (zero rate) at both ends. */
function nodProfile(u: number): number {
  return u <= 0 || u >= 1 ? 0 : Math.sin(Math.PI * u) ** 2;
}

export function imuSynth(s: VirtualSettings, sink: VirtualEventSink): ImuSynth {
  const fs = IMU_SAMPLE_RATE_HZ;
  const rng = seededRandom(s.seed, 'imu');
  const nodRng = seededRandom(s.seed, 'imu.nods');
  const pitchSway = sway(1.5, fs, rng);
  const rollSway = sway(1.0, fs, rng);
  const yawSway = sway(2.0, fs, rng);
  const pitchOffset = rng.uniform(-5, 10); // how the headset sits: a little forward, usually
  const bias = [0, 0, 0].map(() => rng.uniform(-GYRO_BIAS_DPS, GYRO_BIAS_DPS)) as [number, number, number];
  const meanGapS = s.nods_per_minute > 0 ? 60 / s.nods_per_minute : Infinity;
  let nextNod = s.nods_per_minute > 0 ? Math.round(nodRng.exponential(meanGapS) * fs) : Infinity;
  let nodStart = 0;
  let nodLength = 0;
  let nodDeg = 0;

  const nodAt = (i: number) => (nodLength > 0 ? nodDeg * nodProfile((i - nodStart) / nodLength) : 0);
  let i = 0;
  let prev = { pitch: pitchOffset + pitchSway.value, roll: rollSway.value, yaw: yawSway.value };
  return {
    get position() {
      return i;
    },
    next(n) {
      const accel: Array<[number, number, number]> = [];
      const gyro: Array<[number, number, number]> = [];
      for (let k = 0; k < n; k++, i++) {
        if (i >= nextNod) {
          nodStart = i;
          nodLength = Math.round(nodRng.uniform(NOD_DURATION_S[0], NOD_DURATION_S[1]) * fs);
          nodDeg = nodRng.uniform(NOD_PITCH_DEG[0], NOD_PITCH_DEG[1]);
          nextNod = i + nodLength + Math.round(nodRng.exponential(meanGapS) * fs);
          sink({ kind: 'nod', tMs: (i * 1000) / fs, durationMs: (nodLength * 1000) / fs, pitchDeg: nodDeg });
        }
        const pose = { pitch: pitchOffset + pitchSway.step() + nodAt(i), roll: rollSway.step(), yaw: yawSway.step() };
        const th = pose.pitch * DEG;
        const ph = pose.roll * DEG;
        accel.push([
          -Math.sin(th) + ACCEL_NOISE_G * rng.gaussian(),
          Math.cos(th) * Math.sin(ph) + ACCEL_NOISE_G * rng.gaussian(),
          Math.cos(th) * Math.cos(ph) + ACCEL_NOISE_G * rng.gaussian(),
        ]);
        // Backward difference: the rate over the last sample interval.
        gyro.push([
          (pose.roll - prev.roll) * fs + bias[0] + GYRO_NOISE_DPS * rng.gaussian(),
          (pose.pitch - prev.pitch) * fs + bias[1] + GYRO_NOISE_DPS * rng.gaussian(),
          (pose.yaw - prev.yaw) * fs + bias[2] + GYRO_NOISE_DPS * rng.gaussian(),
        ]);
        prev = pose;
      }
      return { accel, gyro };
    },
  };
}
