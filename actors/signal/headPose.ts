// Head orientation and movement from the IMU, after the reference's HeadPoseTracker (notes §3.7):
// * pitch/roll: complementary filter, angle ← 0.96·(angle + ω·dt) + 0.04·angle_from_gravity,
//   with pitch_acc = atan2(ax, √(ay² + az²)), roll_acc = atan2(ay, √(ax² + az²)), gyro x → pitch
//   rate and y → roll rate (the reference's Muse axis convention); yaw integrates gyro z alone;
// * stillness 0–100: EMA (τ = 1 s) of |ω| mapped linearly from 3 °/s (100) to 50 °/s (0);
// * nod: pitch swing (max − min) ≥ 12° within 0.6 s; shake: yaw swing ≥ 15° within 0.6 s; each
//   then ignores 1 s and forgets its history.
// Sources: S. Colton, "The balance filter" (MIT, 2007); R. Mahony, T. Hamel & J.-M. Pflimlin,
// "Nonlinear complementary filters on the special orthogonal group", IEEE Trans. Automat.
// Control 53 (2008) 1203–1218.
//
// Accelerometer and gyroscope arrive as separate frames; each gyroscope sample is paired with
// the newest accelerometer sample. A device without a gyroscope still gets pitch/roll (the filter
// then low-passes the gravity angles) but no stillness, nods or shakes.

export const COMPLEMENTARY_ALPHA = 0.96;
export const STILL_TAU_S = 1;
export const STILL_QUIET_DPS = 3;
export const STILL_ACTIVE_DPS = 50;
export const NOD_THRESHOLD_DEG = 12;
export const SHAKE_THRESHOLD_DEG = 15;
export const GESTURE_WINDOW_S = 0.6;
export const GESTURE_REFRACTORY_S = 1;

const DEG = 180 / Math.PI;

export interface HeadPose {
  head_pitch: number;
  head_roll: number;
  /** Null without a gyroscope. */
  stillness: number | null;
  nod_count: number | null;
  shake_count: number | null;
}

/** Pitch and roll (degrees) of the gravity vector. */
export function gravityAngles(ax: number, ay: number, az: number): [number, number] {
  return [Math.atan2(ax, Math.sqrt(ay * ay + az * az)) * DEG, Math.atan2(ay, Math.sqrt(ax * ax + az * az)) * DEG];
}

/** Stillness score for a smoothed angular speed (°/s). */
export function stillnessScore(angularSpeedDps: number): number {
  if (angularSpeedDps <= STILL_QUIET_DPS) return 100;
  if (angularSpeedDps >= STILL_ACTIVE_DPS) return 0;
  return 100 * (1 - (angularSpeedDps - STILL_QUIET_DPS) / (STILL_ACTIVE_DPS - STILL_QUIET_DPS));
}

/** Swing detector over a fixed-length history (a ring of recent angles). */
class SwingDetector {
  readonly #ring: Float64Array;
  #len = 0;
  #pos = 0;
  #hold = 0;
  count = 0;
  constructor(readonly windowSamples: number, readonly refractorySamples: number, readonly thresholdDeg: number) {
    this.#ring = new Float64Array(Math.max(2, windowSamples));
  }
  push(angle: number): void {
    this.#ring[this.#pos] = angle;
    this.#pos = (this.#pos + 1) % this.#ring.length;
    this.#len = Math.min(this.#ring.length, this.#len + 1);
    if (this.#hold > 0) {
      this.#hold--;
      return;
    }
    if (this.#len < 3) return;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < this.#len; i++) {
      const v = this.#ring[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo >= this.thresholdDeg) {
      this.count++;
      this.#hold = this.refractorySamples;
      this.#len = 0;
      this.#pos = 0;
    }
  }
}

export class HeadPoseTracker {
  #pitch = 0;
  #roll = 0;
  #yaw = 0;
  #speedEma = 0;
  #initialised = false;
  #hasGyro = false;
  #accel: [number, number, number] | null = null;
  #fs = 0;
  #nod: SwingDetector | null = null;
  #shake: SwingDetector | null = null;

  /** Accelerometer samples (g). Without a gyroscope they also drive the filter. */
  pushAccel(samples: ReadonlyArray<readonly [number, number, number]>, fs: number): void {
    for (const s of samples) {
      this.#accel = [s[0], s[1], s[2]];
      if (!this.#hasGyro) this.#update(s[0], s[1], s[2], 0, 0, 0, fs, false);
    }
  }

  /** Gyroscope samples (°/s), each fused with the newest accelerometer sample. */
  pushGyro(samples: ReadonlyArray<readonly [number, number, number]>, fs: number): void {
    this.#hasGyro = true;
    if (this.#accel === null) return;
    const [ax, ay, az] = this.#accel;
    for (const s of samples) this.#update(ax, ay, az, s[0], s[1], s[2], fs, true);
  }

  #update(ax: number, ay: number, az: number, gx: number, gy: number, gz: number, fs: number, gyro: boolean): void {
    if (fs !== this.#fs) {
      this.#fs = fs;
      const window = Math.round(GESTURE_WINDOW_S * fs), refractory = Math.round(GESTURE_REFRACTORY_S * fs);
      const nods = this.#nod?.count ?? 0, shakes = this.#shake?.count ?? 0;
      this.#nod = new SwingDetector(window, refractory, NOD_THRESHOLD_DEG);
      this.#shake = new SwingDetector(window, refractory, SHAKE_THRESHOLD_DEG);
      this.#nod.count = nods;
      this.#shake.count = shakes;
    }
    const [accPitch, accRoll] = gravityAngles(ax, ay, az);
    if (!this.#initialised) {
      this.#pitch = accPitch;
      this.#roll = accRoll;
      this.#initialised = true;
      return;
    }
    const dt = 1 / fs;
    this.#pitch = COMPLEMENTARY_ALPHA * (this.#pitch + gx * dt) + (1 - COMPLEMENTARY_ALPHA) * accPitch;
    this.#roll = COMPLEMENTARY_ALPHA * (this.#roll + gy * dt) + (1 - COMPLEMENTARY_ALPHA) * accRoll;
    if (!gyro) return;
    this.#yaw += gz * dt;
    const speed = Math.sqrt(gx * gx + gy * gy + gz * gz);
    this.#speedEma += (1 - Math.exp(-dt / STILL_TAU_S)) * (speed - this.#speedEma);
    this.#nod!.push(this.#pitch);
    this.#shake!.push(this.#yaw);
  }

  /** Null until the first IMU sample. Pitch/roll to 0.1°, stillness to the integer, as the reference. */
  pose(): HeadPose | null {
    if (!this.#initialised) return null;
    return {
      head_pitch: Math.round(this.#pitch * 10) / 10,
      head_roll: Math.round(this.#roll * 10) / 10,
      stillness: this.#hasGyro ? Math.round(stillnessScore(this.#speedEma)) : null,
      nod_count: this.#hasGyro ? (this.#nod?.count ?? 0) : null,
      shake_count: this.#hasGyro ? (this.#shake?.count ?? 0) : null,
    };
  }
}
