// Contact quality thresholds, blink detection on labelled frontal channels, and head pose from
// synthetic IMU streams (a level rest, a tilt, a nod, a head shake).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlinkDetector } from '../actors/signal/blinkDetector.ts';
import { blinkChannels } from '../actors/signal/electrodes.ts';
import { HeadPoseTracker, stillnessScore } from '../actors/signal/headPose.ts';
import { SignalPipeline } from '../actors/signal/signalPipeline.ts';
import { classifyQuality, QualityMonitor } from '../actors/signal/signalQuality.ts';
import { addBlink, eegFrames, gaussian, seededRandom, syntheticEeg } from './fixtures/signal/syntheticSignals.ts';

test('quality thresholds are the reference\'s, spelled no_signal', () => {
  assert.equal(classifyQuality(256, 64, 20, 0), 'good');
  assert.equal(classifyQuality(256, 64, 100, 0), 'good');
  assert.equal(classifyQuality(256, 64, 100.1, 0), 'fair');
  assert.equal(classifyQuality(256, 64, 400.1, 0), 'poor');
  assert.equal(classifyQuality(256, 64, 50, 8), 'poor');
  assert.equal(classifyQuality(256, 64, 50, 7), 'good');
  assert.equal(classifyQuality(256, 64, 4.9, 0), 'no_signal');
  assert.equal(classifyQuality(63, 64, 50, 0), 'no_signal');
});

test('the quality monitor classifies the last second of raw samples', () => {
  const fs = 256;
  const g = gaussian(seededRandom(1));
  const channel = (rms: number, offset = 0) => Float32Array.from({ length: fs * 2 }, () => offset + rms * g());
  const spiky = channel(30);
  for (let i = fs * 2 - 100; i < fs * 2 - 90; i++) spiky[i] = 5000;
  const data = [channel(0.5, 800), channel(20, -3000), channel(200), channel(600), spiky];
  const q = new QualityMonitor(data.length, fs);
  assert.deepEqual(q.quality(), Array(5).fill('no_signal'), 'nothing seen yet');
  for (let i = 0; i < fs * 2; i += 12) q.push(data, i, Math.min(12, fs * 2 - i));
  assert.deepEqual(q.quality(), ['no_signal', 'good', 'fair', 'poor', 'poor']);
  // An old artefact leaves the window after a second.
  const clean = [channel(0.5), channel(20), channel(20), channel(20), channel(20)];
  for (let i = 0; i < fs; i += 16) q.push(clean, i, 16);
  assert.deepEqual(q.quality(), ['no_signal', 'good', 'good', 'good', 'good']);
});

test('blink channels are the frontal sites named by the device', () => {
  assert.deepEqual(blinkChannels(['TP9', 'AF7', 'AF8', 'TP10']), [1, 2]);
  assert.deepEqual(blinkChannels(['O1', 'FP2', 'Fp1', 'AF8']), [2, 1]);
  assert.deepEqual(blinkChannels(['Cz', 'Fpz']), [1]);
  assert.deepEqual(blinkChannels(['Ch1', 'Ch2', 'Ch3']), []);
});

test('blinks on both frontal channels count once each, with the rate per minute', () => {
  const fs = 256, seconds = 30;
  const times = [2, 5.5, 9, 12.2, 15, 15.2 /* inside the 0.3 s refractory */, 21, 27.5];
  const data = syntheticEeg({ channels: 4, fs, seconds, seed: 4, blinkChannels: [1, 2], blinkTimesS: times, blinkUv: 180 });
  const det = new BlinkDetector(blinkChannels(['TP9', 'AF7', 'AF8', 'TP10']), fs);
  for (let i = 0; i < fs * seconds; i += 12) det.push(data, i, 12);
  assert.equal(det.count, times.length - 1);
  assert.equal(det.rate, Math.round(((times.length - 1) * 60 * 10) / seconds) / 10);
});

test('no blinks are found in clean EEG with a large DC offset', () => {
  const fs = 256;
  const data = syntheticEeg({ channels: 2, fs, seconds: 20, seed: 5, backgroundUv: 15 }).map((x) => x.map((v) => v + 2500));
  const det = new BlinkDetector([0, 1], fs);
  for (let i = 0; i < fs * 20; i += 16) det.push(data, i, 16);
  assert.equal(det.count, 0);
  assert.equal(det.rate, 0);
});

test('the pipeline reports blinks only when the montage has frontal channels', () => {
  const fs = 256;
  const data = syntheticEeg({ channels: 2, fs, seconds: 6, seed: 6 });
  addBlink(data[0]!, fs, 3, 250);
  const run = (labels: string[]) => {
    const p = new SignalPipeline({ channelNames: labels, sampleRateHz: fs });
    let last = null;
    for (const f of eegFrames(data, fs, 12)) last = p.pushEeg(f).at(-1) ?? last;
    return last!;
  };
  const frontal = run(['Fp1', 'Fp2']);
  assert.equal(frontal.blink_count, 1);
  assert.ok(frontal.blink_rate! > 0);
  const posterior = run(['O1', 'O2']);
  assert.ok(!('blink_count' in posterior) && !('blink_rate' in posterior));
});

/** IMU frames at `fs`: accel from the pitch angle, gyro = its derivative (+ optional yaw rate). */
function imu(fs: number, seconds: number, pitchDeg: (t: number) => number, yawRate: (t: number) => number = () => 0) {
  const accel: Array<[number, number, number]> = [], gyro: Array<[number, number, number]> = [];
  const rad = Math.PI / 180;
  for (let i = 0; i < seconds * fs; i++) {
    const t = i / fs, p = pitchDeg(t) * rad;
    accel.push([Math.sin(p), 0, Math.cos(p)]);
    gyro.push([(pitchDeg(t + 0.5 / fs) - pitchDeg(t - 0.5 / fs)) * fs, 0, yawRate(t)]);
  }
  return { accel, gyro };
}

function feed(tracker: HeadPoseTracker, fs: number, s: ReturnType<typeof imu>): void {
  for (let i = 0; i < s.accel.length; i += 3) {
    tracker.pushAccel(s.accel.slice(i, i + 3), fs);
    tracker.pushGyro(s.gyro.slice(i, i + 3), fs);
  }
}

test('head pose at rest and tilted: pitch from gravity, full stillness', () => {
  const fs = 52;
  const t = new HeadPoseTracker();
  assert.equal(t.pose(), null);
  feed(t, fs, imu(fs, 3, () => 0));
  assert.deepEqual(t.pose(), { head_pitch: 0, head_roll: 0, stillness: 100, nod_count: 0, shake_count: 0 });
  const tilted = new HeadPoseTracker();
  feed(tilted, fs, imu(fs, 3, () => 30));
  assert.ok(Math.abs(tilted.pose()!.head_pitch - 30) < 0.5);
  assert.equal(stillnessScore(26.5), 50);
});

test('a nod (pitch 0 → 20° → 0 in 0.5 s) counts one nod and no shake; a shake counts one shake', () => {
  const fs = 52;
  const nod = (t: number) => (t > 2 && t < 2.5 ? 20 * Math.sin(Math.PI * ((t - 2) / 0.5)) : 0);
  const t = new HeadPoseTracker();
  feed(t, fs, imu(fs, 5, nod));
  const pose = t.pose()!;
  assert.equal(pose.nod_count, 1);
  assert.equal(pose.shake_count, 0);
  assert.ok(Math.abs(pose.head_pitch) < 1, 'back to level');
  // Yaw 0 → 25° → 0 in 0.5 s.
  const shake = new HeadPoseTracker();
  feed(shake, fs, imu(fs, 5, () => 0, (s) => (s > 2 && s < 2.5 ? 25 * Math.PI * 2 * Math.cos((2 * Math.PI * (s - 2)) / 0.5) : 0)));
  assert.equal(shake.pose()!.shake_count, 1);
  assert.equal(shake.pose()!.nod_count, 0);
  // A slow drift of 20° over 4 s is no nod.
  const drift = new HeadPoseTracker();
  feed(drift, fs, imu(fs, 6, (s) => Math.min(20, 5 * s)));
  assert.equal(drift.pose()!.nod_count, 0);
});

test('the pipeline merges head pose and omits it without an IMU', () => {
  const fs = 256;
  const data = syntheticEeg({ channels: 4, fs, seconds: 4, seed: 7 });
  const p = new SignalPipeline({ channelNames: ['TP9', 'AF7', 'AF8', 'TP10'], sampleRateHz: fs });
  const motion = imu(52, 4, () => 10);
  let first = null, last = null;
  let k = 0;
  for (const f of eegFrames(data, fs, 12)) {
    const out = p.pushEeg(f);
    first ??= out[0] ?? null;
    last = out.at(-1) ?? last;
    if (first === null && k < motion.accel.length) {
      const t0Ms = f.t0Ms;
      p.pushImu({ kind: 'imu', sensor: 'accel', t0Ms, sampleRateHz: 52, samples: motion.accel.slice(k, k + 3) });
      p.pushImu({ kind: 'imu', sensor: 'gyro', t0Ms, sampleRateHz: 52, samples: motion.gyro.slice(k, k + 3) });
      k += 3;
    }
  }
  assert.ok(first && last);
  assert.ok(Math.abs(first.head_pitch! - 10) < 1, `pitch ${first.head_pitch}`);
  assert.equal(first.stillness, 100);
  assert.equal(first.nod_count, 0);
  // IMU stopped two seconds ago: still within the 5 s freshness window.
  assert.ok('head_pitch' in last);
  const noImu = new SignalPipeline({ channelNames: ['Cz'], sampleRateHz: fs });
  const snap = [...eegFrames([data[0]!], fs, 12)].flatMap((f) => noImu.pushEeg(f)).at(-1)!;
  for (const key of ['head_pitch', 'head_roll', 'stillness', 'nod_count', 'shake_count']) assert.ok(!(key in snap), key);
});
