// The virtual headset's EEG: deterministic per seed and independent of chunking; eyes-closed
// alpha, frontal blinks, mains only when asked, dropouts at the requested rate, quality presets.
// Spectra are computed here with a plain DFT so the check does not share code with the generator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../actors/devices/virtual/virtualRecording.ts';
import { dropoutRate } from '../actors/devices/virtual/dropouts.ts';

/** Power of `x[from, from+n)` at `hz` (Hann-windowed single DFT bin, Goertzel-equivalent). */
function powerAt(x: Float32Array, from: number, n: number, fs: number, hz: number): number {
  let re = 0;
  let im = 0;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += x[from + k]!;
  mean /= n;
  for (let k = 0; k < n; k++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (n - 1));
    const v = (x[from + k]! - mean) * w;
    re += v * Math.cos((2 * Math.PI * hz * k) / fs);
    im -= v * Math.sin((2 * Math.PI * hz * k) / fs);
  }
  return (re * re + im * im) / n;
}

function bandPower(x: Float32Array, from: number, n: number, fs: number, lo: number, hi: number): number {
  let p = 0;
  for (let hz = lo; hz <= hi + 1e-9; hz += 0.5) p += powerAt(x, from, n, fs, hz);
  return p;
}

function channel(rec: { eeg: Float32Array[]; info: { channelNames: string[] } }, name: string): Float32Array {
  const i = rec.info.channelNames.indexOf(name);
  assert.ok(i >= 0, `channel ${name} in ${rec.info.channelNames.join(' ')}`);
  return rec.eeg[i]!;
}

test('the same seed gives identical samples, another seed different ones, whatever the chunking', () => {
  const opts = { template: 'muse' as const, seed: 42, dropout_prob: 0.05, line_noise: '50hz' as const };
  const a = generate(opts, 10);
  const b = generate(opts, 10);
  const chunkedOtherwise = generate(opts, 10, { chunkMs: 37 });
  const other = generate({ ...opts, seed: 43 }, 10);
  assert.equal(a.eeg[0]!.length, 2560);
  for (let c = 0; c < 4; c++) {
    assert.deepEqual(a.eeg[c], b.eeg[c], `channel ${c} repeats`);
    assert.deepEqual(a.eeg[c], chunkedOtherwise.eeg[c], `channel ${c} does not depend on chunking`);
    assert.notDeepEqual(a.eeg[c], other.eeg[c], `channel ${c} changes with the seed`);
  }
  assert.deepEqual(a.ppg, b.ppg);
  assert.deepEqual(a.accel, chunkedOtherwise.accel);
  assert.deepEqual(a.events, b.events);
  assert.notDeepEqual(a.ppg, other.ppg);
});

test('artifact settings do not move the other random processes', () => {
  const base = generate({ channels: 8, seed: 7 }, 20);
  const withDropouts = generate({ channels: 8, seed: 7, dropout_prob: 0.3 }, 20);
  const blinks = (r: typeof base) => r.events.filter((e) => e.kind === 'blink');
  assert.ok(blinks(base).length > 0);
  assert.deepEqual(blinks(withDropouts), blinks(base));
  assert.ok(withDropouts.events.some((e) => e.kind === 'dropout'));
});

test('alpha (8–13 Hz) is several times stronger with eyes closed on posterior and temporal channels', () => {
  // 20 s open / 20 s closed blocks; 2 s epochs, skipping the second after each transition.
  const fs = 256;
  const check = (rec: ReturnType<typeof generate>, names: string[], minRatio: number) => {
    for (const name of names) {
      const x = channel(rec, name);
      const open: number[] = [];
      const closed: number[] = [];
      for (let t = 0; t + 2 <= rec.seconds; t += 2) {
        const inBlock = t % 20;
        if (inBlock < 1 || inBlock > 18) continue;
        const p = bandPower(x, t * fs, 2 * fs, fs, 8, 13);
        (Math.floor(t / 20) % 2 === 1 ? closed : open).push(p);
      }
      const mean = (v: number[]) => v.reduce((s, q) => s + q, 0) / v.length;
      const ratio = mean(closed) / mean(open);
      assert.ok(ratio >= minRatio, `${name}: eyes-closed/eyes-open alpha power ${ratio.toFixed(2)} ≥ ${minRatio}`);
    }
  };
  const cap = generate({ channels: 19, seed: 3, ppg: false, imu: false, eyes_closed_schedule: { open_s: 20, closed_s: 20 } }, 120);
  check(cap, ['O1', 'O2', 'P7', 'P8', 'T7', 'T8'], 3);
  const muse = generate({ template: 'muse', seed: 3, ppg: false, imu: false }, 120);
  check(muse, ['TP9', 'TP10'], 3);

  // Alpha is a posterior rhythm: with eyes closed O1 carries more of it than Fp1.
  const closedAlpha = (name: string) => bandPower(channel(cap, name), 22 * fs, 16 * fs, fs, 8, 13);
  assert.ok(closedAlpha('O1') > 2 * closedAlpha('Fp1'), 'alpha larger at O1 than Fp1');
});

test('blinks appear on frontal channels during eyes-open, not on occipital ones', () => {
  const fs = 256;
  const rec = generate({ channels: 32, seed: 11, eyes_closed_schedule: { open_s: 30, closed_s: 30 } }, 60);
  const blinks = rec.events.filter((e) => e.kind === 'blink');
  assert.ok(blinks.length >= 8 && blinks.length <= 20, `${blinks.length} blinks in 30 s eyes-open at ~17/min`);
  assert.ok(blinks.every((b) => b.tMs < 30_000), 'no blink while the eyes are closed');

  // Blink-locked average: value at the blink peak minus the 200 ms before onset.
  const deflection = (name: string) => {
    const x = channel(rec, name);
    let sum = 0;
    for (const b of blinks) {
      const onset = Math.round((b.tMs / 1000) * fs);
      const peak = onset + Math.round(0.4 * (b.durationMs / 1000) * fs);
      let base = 0;
      for (let k = onset - 51; k < onset; k++) base += x[k]!;
      sum += x[peak]! - base / 51;
    }
    return sum / blinks.length;
  };
  for (const name of ['Fp1', 'Fp2']) assert.ok(deflection(name) > 120, `${name}: ${deflection(name).toFixed(0)} µV`);
  for (const name of ['AF3', 'AF4', 'F3', 'Fz']) assert.ok(deflection(name) > 50, `${name}: ${deflection(name).toFixed(0)} µV`);
  for (const name of ['O1', 'O2', 'Oz']) assert.ok(Math.abs(deflection(name)) < 20, `${name}: ${deflection(name).toFixed(0)} µV`);

  // From the signal alone: big slow positive waves at Fp1 only in the eyes-open half.
  const crossings = (name: string, from: number, to: number) => {
    const x = channel(rec, name);
    const win = Math.round(0.05 * fs);
    let n = 0;
    let last = -Infinity;
    let above = false;
    for (let i = from * fs + win; i < to * fs; i++) {
      let m = 0;
      for (let k = i - win; k < i; k++) m += x[k]!;
      const now = m / win > 90;
      if (now && !above && i - last > 0.5 * fs) {
        n++;
        last = i;
      }
      above = now;
    }
    return n;
  };
  const open = crossings('Fp1', 0, 30);
  assert.ok(Math.abs(open - blinks.length) <= Math.max(2, 0.25 * blinks.length), `Fp1 waves ${open} vs ${blinks.length} blinks`);
  assert.ok(crossings('Fp1', 31, 60) <= 1, 'no blink-like waves at Fp1 with eyes closed');
  assert.equal(crossings('O1', 0, 30), 0, 'no blink-like waves at O1');
});

test('mains interference at 50 or 60 Hz only when asked for', () => {
  const fs = 256;
  const peak = (rec: ReturnType<typeof generate>, hz: number) => {
    let ratio = Infinity;
    rec.eeg.forEach((x) => {
      const n = 8 * fs; // 0.125 Hz bins: a steady sinusoid stands well above broadband noise
      let at = 0;
      let side = 0;
      for (let from = 0; from + n <= x.length; from += n) {
        at += powerAt(x, from, n, fs, hz);
        for (const d of [-4, -3, 3, 4]) side += powerAt(x, from, n, fs, hz + d) / 4;
      }
      ratio = Math.min(ratio, at / side);
    });
    return ratio; // the weakest channel's peak-to-neighbours power ratio
  };
  const opts = { template: 'muse' as const, seed: 5 };
  const none = generate(opts, 16);
  const fifty = generate({ ...opts, line_noise: '50hz' }, 16);
  const sixty = generate({ ...opts, line_noise: '60hz' }, 16);
  assert.ok(peak(none, 50) < 3 && peak(none, 60) < 3, `no mains: ${peak(none, 50).toFixed(1)}, ${peak(none, 60).toFixed(1)}`);
  assert.ok(peak(fifty, 50) > 10, `50 Hz: ${peak(fifty, 50).toFixed(1)}`);
  assert.ok(peak(fifty, 60) < 3, '50 Hz mains has nothing at 60 Hz');
  assert.ok(peak(sixty, 60) > 10, `60 Hz: ${peak(sixty, 60).toFixed(1)}`);
  assert.ok(peak(sixty, 50) < 3, '60 Hz mains has nothing at 50 Hz');
});

test('dropouts: flat and railing segments at the requested probability per second', () => {
  const fs = 256;
  const seconds = 120;
  const p = 0.1;
  const rec = generate({ channels: 8, seed: 21, dropout_prob: p }, seconds);
  // Find runs of one repeated value of at least 150 ms: real signal never holds a float that long.
  let runs = 0;
  let lostSamples = 0;
  const levels = new Set<number>();
  for (const x of rec.eeg) {
    let start = 0;
    for (let i = 1; i <= x.length; i++) {
      if (i < x.length && x[i] === x[i - 1]) continue;
      if (i - start >= 0.15 * fs) {
        runs++;
        lostSamples += i - start;
        levels.add(x[start]!);
      }
      start = i;
    }
  }
  const contactSeconds = 8 * seconds - lostSamples / fs;
  const expected = dropoutRate(p) * contactSeconds;
  assert.ok(Math.abs(runs - expected) < 0.25 * expected, `${runs} dropouts, expected ${expected.toFixed(0)} ± 25 %`);
  assert.ok(levels.has(0), 'flat segments read 0 µV');
  assert.ok(levels.has(1000) || levels.has(-1000), 'railing segments read ±1000 µV');
  assert.equal(runs, rec.events.filter((e) => e.kind === 'dropout').length, 'every dropout is in the ground truth');

  const clean = generate({ channels: 8, seed: 21 }, 20);
  assert.equal(clean.events.filter((e) => e.kind === 'dropout').length, 0);
  for (const x of clean.eeg) for (let i = 1; i < x.length; i++) assert.notEqual(x[i], x[i - 1]);
});

test('quality presets: poor contact is noisier than good', () => {
  const hf = (quality: 'good' | 'fair' | 'poor') => {
    const rec = generate({ template: 'muse', seed: 9, quality }, 10);
    let s = 0;
    let n = 0;
    for (const x of rec.eeg) for (let i = 1; i < x.length; i++, n++) s += (x[i]! - x[i - 1]!) ** 2;
    return Math.sqrt(s / n);
  };
  const good = hf('good');
  const fair = hf('fair');
  const poor = hf('poor');
  assert.ok(fair > 1.3 * good && poor > 1.5 * fair, `sample-to-sample RMS good ${good.toFixed(1)}, fair ${fair.toFixed(1)}, poor ${poor.toFixed(1)}`);
});

test('amplitude_uv and noise_uv scale the signal in µV', () => {
  const rms = (rec: ReturnType<typeof generate>) => {
    let s = 0;
    let n = 0;
    for (const x of rec.eeg) for (const v of x) { s += v * v; n++; }
    return Math.sqrt(s / n);
  };
  const quiet = { channels: 4, template: 'generic' as const, seed: 2, blinks_per_minute: 0, quality: 'good' as const };
  const onlyNoise = rms(generate({ ...quiet, amplitude_uv: 0, noise_uv: 5 }, 10));
  assert.ok(Math.abs(onlyNoise - Math.hypot(5, 2)) < 1.5, `noise only: ${onlyNoise.toFixed(2)} µV (5 µV noise + 2 µV drift)`);
  const brain = rms(generate({ ...quiet, amplitude_uv: 50, noise_uv: 0 }, 10));
  const brainDouble = rms(generate({ ...quiet, amplitude_uv: 100, noise_uv: 0 }, 10));
  assert.ok(brain > 15 && brain < 45, `50 µV amplitude: ${brain.toFixed(1)} µV RMS`);
  assert.ok(Math.abs(brainDouble / brain - 2) < 0.05, 'amplitude scales linearly');
});

test('neighbouring electrodes are correlated, distant ones much less (volume conduction)', () => {
  const rec = generate({ channels: 32, seed: 13, blinks_per_minute: 0, eyes_closed_schedule: [], ppg: false, imu: false }, 30);
  const r = (a: string, b: string) => {
    const x = channel(rec, a);
    const y = channel(rec, b);
    const mx = x.reduce((s, v) => s + v, 0) / x.length;
    const my = y.reduce((s, v) => s + v, 0) / y.length;
    let xy = 0, xx = 0, yy = 0;
    for (let i = 0; i < x.length; i++) {
      xy += (x[i]! - mx) * (y[i]! - my);
      xx += (x[i]! - mx) ** 2;
      yy += (y[i]! - my) ** 2;
    }
    return xy / Math.sqrt(xx * yy);
  };
  for (const [a, b] of [['F3', 'FC1'], ['P3', 'CP1'], ['O1', 'PO3'], ['F4', 'F8']] as const) {
    assert.ok(r(a, b) > 0.3, `${a}–${b}: r = ${r(a, b).toFixed(2)}`);
  }
  for (const [near, far] of [[['F3', 'FC1'], ['F3', 'O2']], [['O1', 'PO3'], ['O1', 'Fp2']]] as const) {
    const rNear = r(near[0], near[1]);
    const rFar = r(far[0], far[1]);
    assert.ok(rNear > rFar + 0.15, `${near.join('–')} ${rNear.toFixed(2)} vs ${far.join('–')} ${rFar.toFixed(2)}`);
  }
});
