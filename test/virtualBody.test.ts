// The virtual headset's non-EEG streams: PPG heart rate and variability, IMU nods, battery drain.
// Heart rate and nods are recovered from the signals with simple detectors written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../actors/devices/virtual/virtualRecording.ts';

const PPG_FS = 64;
const IMU_FS = 52;
/** Keep the EEG side cheap: these tests look at the other streams. */
const lean = { template: 'generic' as const, channels: 1 };

/** Pulse times from the infrared channel: light dips with each pulse, so find the troughs. */
function pulseTimes(ir: Float32Array): number[] {
  // Remove the baseline with a 1 s moving average, then take local minima below −0.6·SD
  // with a 0.3 s refractory period (the reference's analyzer uses the same limits, notes §3.6).
  const n = ir.length;
  const half = PPG_FS / 2;
  const detrended = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (let k = Math.max(0, i - half); k < Math.min(n, i + half); k++, c++) s += ir[k]!;
    detrended[i] = ir[i]! - s / c;
  }
  let sd = 0;
  for (const v of detrended) sd += v * v;
  sd = Math.sqrt(sd / n);
  const times: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    const v = detrended[i]!;
    if (v < -0.6 * sd && v <= detrended[i - 1]! && v < detrended[i + 1]!) {
      // Parabolic interpolation of the trough between samples.
      const a = detrended[i - 1]!;
      const b = detrended[i + 1]!;
      const offset = (a - b) / (2 * (a - 2 * v + b));
      const t = (i + offset) / PPG_FS;
      if (times.length === 0 || t - times[times.length - 1]! > 0.3) times.push(t);
    }
  }
  return times;
}

test('PPG: the set heart rate is recovered from the infrared pulses within 2 bpm', () => {
  for (const bpm of [48, 72, 110]) {
    const rec = generate({ ...lean, seed: bpm, heart_rate_bpm: bpm }, 60);
    assert.equal(rec.ppg.length, 3);
    assert.equal(rec.ppg[1]!.length, 60 * PPG_FS);
    const beats = pulseTimes(rec.ppg[1]!);
    const measured = (60 * (beats.length - 1)) / (beats[beats.length - 1]! - beats[0]!);
    assert.ok(Math.abs(measured - bpm) <= 2, `set ${bpm} bpm, measured ${measured.toFixed(1)} bpm`);
  }
});

test('PPG: channels are ambient, infrared and red, with red pulsing half as deep as infrared', () => {
  const rec = generate({ ...lean, seed: 4 }, 60);
  assert.deepEqual(rec.info.ppgChannelNames, ['ambient', 'infrared', 'red']);
  assert.equal(rec.info.ppgSampleRateHz, 64);
  // AC/DC the way an oximeter takes it: the pulsatile part around a 1 s moving baseline.
  const stats = (x: Float32Array) => {
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const half = PPG_FS / 2;
    const pulsatile: number[] = [];
    for (let i = half; i < x.length - half; i++) {
      let base = 0;
      for (let k = i - half; k < i + half; k++) base += x[k]!;
      pulsatile.push(x[i]! - base / PPG_FS);
    }
    return { mean, ac: Math.sqrt(pulsatile.reduce((s, v) => s + v * v, 0) / pulsatile.length) / mean };
  };
  const [ambient, ir, red] = rec.ppg.map(stats) as [ReturnType<typeof stats>, ReturnType<typeof stats>, ReturnType<typeof stats>];
  assert.ok(ir.mean > 100_000 && ir.mean < 2 ** 24, 'infrared in 24-bit ADC counts');
  assert.ok(ambient.mean < ir.mean / 10, 'ambient light is far below the LED channels');
  const ratio = red.ac / ir.ac;
  assert.ok(ratio > 0.35 && ratio < 0.65, `red/IR modulation ratio ${ratio.toFixed(2)} (SpO₂ ≈ 97 %)`);
  // Changes over 1/16 s: the pulse dominates them in the LED channels, if anywhere.
  const correlation = (a: Float32Array, b: Float32Array) => {
    const da = a.slice(4).map((v, i) => v - a[i]!);
    const db = b.slice(4).map((v, i) => v - b[i]!);
    let ab = 0, aa = 0, bb = 0;
    da.forEach((v, i) => { ab += v * db[i]!; aa += v * v; bb += db[i]! ** 2; });
    return ab / Math.sqrt(aa * bb);
  };
  const [ambientX, irX, redX] = rec.ppg as [Float32Array, Float32Array, Float32Array];
  const ambientCorr = correlation(ambientX, irX);
  assert.ok(Math.abs(ambientCorr) < 0.1, `ambient light carries no pulse (correlation with infrared ${ambientCorr.toFixed(3)})`);
  const redCorr = correlation(redX, irX);
  assert.ok(redCorr > 0.9, `red and infrared pulse together (correlation ${redCorr.toFixed(3)})`);
});

test('PPG: beat-to-beat variability follows hrv_rmssd_ms', () => {
  const rmssd = (opts: object) => {
    const rec = generate({ ...lean, seed: 8, imu: false, ...opts }, 240);
    const t = rec.events.filter((e) => e.kind === 'beat').map((e) => e.tMs);
    const ibi = t.slice(1).map((v, i) => v - t[i]!);
    const d = ibi.slice(1).map((v, i) => v - ibi[i]!);
    return Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
  };
  const forty = rmssd({ hrv_rmssd_ms: 40 });
  assert.ok(forty > 35 && forty < 45, `RMSSD ${forty.toFixed(1)} ms for 40 ms`);
  const twenty = rmssd({ hrv_rmssd_ms: 20, heart_rate_bpm: 90 });
  assert.ok(twenty > 17 && twenty < 23, `RMSSD ${twenty.toFixed(1)} ms for 20 ms`);
  assert.ok(rmssd({ hrv_rmssd_ms: 0 }) < 1, 'no variability when asked for none');
});

test('IMU: gravity on z when level, and every nod is a 15–20° pitch swing within half a second', () => {
  const rec = generate({ ...lean, seed: 12, nods_per_minute: 6 }, 60);
  assert.deepEqual(rec.info.imuChannelNames, ['accel_x', 'accel_y', 'accel_z', 'gyro_x', 'gyro_y', 'gyro_z']);
  assert.equal(rec.accel.length, 60 * IMU_FS);
  assert.equal(rec.gyro.length, 60 * IMU_FS);
  for (const [x, y, z] of rec.accel) assert.ok(Math.abs(Math.hypot(x, y, z) - 1) < 0.03, '|a| ≈ 1 g');

  // Pitch (nose down positive) from gravity, as a head-pose tracker computes it.
  const pitch = rec.accel.map(([x, y, z]) => (Math.atan2(-x, Math.hypot(y, z)) * 180) / Math.PI);
  // The reference's rule: a nod is a pitch swing ≥ 12° within 0.6 s, with a 1 s refractory period.
  const window = Math.round(0.6 * IMU_FS);
  const detected: number[] = [];
  for (let i = window; i < pitch.length; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = i - window; k <= i; k++) {
      lo = Math.min(lo, pitch[k]!);
      hi = Math.max(hi, pitch[k]!);
    }
    if (hi - lo >= 12 && (detected.length === 0 || i - detected[detected.length - 1]! > IMU_FS)) detected.push(i);
  }
  const nods = rec.events.filter((e) => e.kind === 'nod');
  assert.ok(nods.length >= 3, `${nods.length} nods in a minute at 6/min`);
  assert.equal(detected.length, nods.length, 'the pitch-swing rule counts exactly the nods');
  for (const nod of nods) {
    const from = Math.round((nod.tMs / 1000) * IMU_FS);
    const to = from + Math.round((nod.durationMs / 1000) * IMU_FS);
    const swing = Math.max(...pitch.slice(from, to)) - pitch[from]!;
    assert.ok(swing > 13 && swing < 22, `nod swing ${swing.toFixed(1)}° (${nod.pitchDeg.toFixed(1)}° asked)`);
    const peakRate = Math.max(...rec.gyro.slice(from, to).map((g) => Math.abs(g[1])));
    assert.ok(peakRate > 40, `pitch rate during the nod ${peakRate.toFixed(0)} °/s on gyro y`);
  }
  // Between nods the head is still: a few °/s at most.
  const still = rec.gyro.filter((_, i) => nods.every((n) => Math.abs(i / IMU_FS - n.tMs / 1000 - 0.5) > 1.5));
  const speed = still.reduce((s, [x, y, z]) => s + Math.hypot(x, y, z), 0) / still.length;
  assert.ok(speed < 3, `still head: mean angular speed ${speed.toFixed(2)} °/s`);
});

test('battery: a report every 5 s, draining at the configured rate', () => {
  const quick = { ...lean, sample_rate: 64, ppg: false, imu: false };
  const rec = generate({ ...quick, battery_start_pct: 80, battery_drain_pct_per_hour: 60 }, 600);
  assert.equal(rec.battery.length, 120);
  assert.equal(rec.battery[0]!.levelPct, 80);
  for (let i = 1; i < rec.battery.length; i++) assert.ok(rec.battery[i]!.levelPct <= rec.battery[i - 1]!.levelPct);
  const last = rec.battery[rec.battery.length - 1]!;
  assert.ok(Math.abs(last.levelPct - (80 - (60 * 595) / 3600)) < 0.1, `after 595 s: ${last.levelPct} %`);
  assert.ok(last.voltageMv! < rec.battery[0]!.voltageMv!, 'voltage falls with the charge');

  const defaults = generate(quick, 1200);
  const drop = defaults.battery[0]!.levelPct - defaults.battery[defaults.battery.length - 1]!.levelPct;
  assert.ok(Math.abs(drop - 2) < 0.15, `default drain ≈ 1 % per 10 min (dropped ${drop.toFixed(2)} % in 20 min)`);
});
