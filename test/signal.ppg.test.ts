// Heart rate and HRV from a synthetic PPG with known beats (test/fixtures/signal/ppg.json from
// scripts/signal-goldens.py), the HRV formulas on hand-made intervals, and the merge into EegBands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { baevskyStressIndex, heartRateBpm, lfHfRatio, pnn50Pct, rmssdMs, sdnnMs } from '../actors/signal/heartRateVariability.ts';
import { PpgAnalyzer, ppgChannelRoles } from '../actors/signal/ppgAnalyzer.ts';
import { SignalPipeline } from '../actors/signal/signalPipeline.ts';
import { eegFrames, syntheticEeg } from './fixtures/signal/syntheticSignals.ts';

interface PpgCase {
  fs: number;
  seconds: number;
  ambient: number[];
  ir: number[];
  red: number[];
  hr_bpm: number;
  rmssd_ms: number;
  sdnn_ms: number;
  respiratory_rate_bpm: number;
}
const golden = JSON.parse(readFileSync(new URL('./fixtures/signal/ppg.json', import.meta.url), 'utf8')) as { cases: PpgCase[] };

function analyse(c: PpgCase, invert = false): PpgAnalyzer {
  const a = new PpgAnalyzer(c.fs, ['ambient', 'infrared', 'red'], 3);
  const chans = [c.ambient, c.ir, c.red].map((x) => Float32Array.from(x, (v) => (invert ? 100_000 - v : v)));
  for (let i = 0; i + 6 <= chans[0]!.length; i += 6) a.push(chans.map((x) => x.subarray(i, i + 6)));
  return a;
}

test('heart rate within 2 bpm of the known beats (52, 75 and 115 bpm), either pulse polarity', () => {
  for (const c of golden.cases) {
    for (const invert of [false, true]) {
      const v = analyse(c, invert).vitals;
      assert.ok(v.hr !== null && Math.abs(v.hr - c.hr_bpm) <= 2, `${c.hr_bpm.toFixed(1)} bpm${invert ? ' (inverted)' : ''}: got ${v.hr}`);
    }
  }
});

test('RMSSD and SDNN within 10 % (or 3 ms) of the known intervals; breathing at 15 /min', () => {
  for (const c of golden.cases) {
    const v = analyse(c).vitals;
    for (const [name, got, want] of [['rmssd', v.rmssd, c.rmssd_ms], ['sdnn', v.sdnn, c.sdnn_ms]] as const) {
      assert.ok(got !== null && Math.abs(got - want) <= Math.max(3, 0.1 * want), `${c.hr_bpm.toFixed(0)} bpm ${name}: ${got} vs ${want.toFixed(1)}`);
    }
    assert.ok(v.respiratory_rate !== null && Math.abs(v.respiratory_rate - c.respiratory_rate_bpm) <= 1.5, `respiration ${v.respiratory_rate}`);
    assert.ok(v.pnn50 !== null && v.pnn50 >= 0 && v.pnn50 <= 100);
    assert.ok(v.stress_index !== null && v.stress_index > 0);
    assert.ok(v.perfusion_index !== null && v.perfusion_index > 0.5 && v.perfusion_index < 5);
    assert.ok(v.spo2_estimate !== null && v.spo2_estimate >= 70 && v.spo2_estimate <= 100);
    // Breathing-rate sinus arrhythmia is high-frequency variability.
    assert.ok(v.lf_hf_ratio !== null && v.lf_hf_ratio < 1, `LF/HF ${v.lf_hf_ratio}`);
  }
});

test('HRV formulas on hand-made intervals', () => {
  const ibis = [0.8, 0.9, 0.7, 1.0, 0.85];
  assert.equal(heartRateBpm(ibis), 60 / 0.85);
  assert.ok(Math.abs(rmssdMs(ibis)! - Math.sqrt((100 ** 2 + 200 ** 2 + 300 ** 2 + 150 ** 2) / 4)) < 1e-9);
  assert.ok(Math.abs(sdnnMs(ibis)! - Math.sqrt((50 ** 2 + 50 ** 2 + 150 ** 2 + 150 ** 2 + 0) / 5)) < 1e-9);
  assert.equal(pnn50Pct(ibis), 100);
  assert.equal(pnn50Pct([0.8, 0.82, 0.8]), 0);
  assert.equal(rmssdMs([0.8]), null);
  assert.equal(heartRateBpm([]), null);
  assert.equal(baevskyStressIndex([0.8, 0.8, 0.8]), null, 'no spread');
  // Mode bin [0.8, 0.85) holds 3 of 5 → AMo 60 %, Mo 0.825 s, range 0.2 s.
  assert.ok(Math.abs(baevskyStressIndex([0.8, 0.81, 0.82, 0.9, 1.0])! - 60 / (2 * 0.825 * 0.2)) < 1e-9);
});

test('LF/HF follows where the tachogram oscillates', () => {
  const series = (hz: number) => {
    const ibis: number[] = [], times: number[] = [];
    let t = 0;
    while (t < 150) {
      const ibi = 0.9 + 0.05 * Math.sin(2 * Math.PI * hz * t);
      t += ibi;
      ibis.push(ibi);
      times.push(t);
    }
    return lfHfRatio(ibis, times)!;
  };
  assert.ok(series(0.1) > 5, `0.1 Hz: ${series(0.1)}`);
  assert.ok(series(0.3) < 0.2, `0.3 Hz: ${series(0.3)}`);
  assert.equal(lfHfRatio([0.8, 0.8, 0.8, 0.8, 0.8], [0.8, 1.6, 2.4, 3.2, 4.0]), null, 'too short for LF');
});

test('PPG channel roles come from names, else the Muse order (ambient, IR, red)', () => {
  assert.deepEqual(ppgChannelRoles(['ambient', 'infrared', 'red'], 3), { ir: 1, red: 2 });
  assert.deepEqual(ppgChannelRoles(['PPG_RED', 'PPG_IR'], 2), { ir: 1, red: 0 });
  assert.deepEqual(ppgChannelRoles([], 3), { ir: 1, red: 2 });
  assert.deepEqual(ppgChannelRoles([], 1), { ir: 0, red: null });
});

test('the pipeline merges fresh PPG vitals into EegBands and omits them otherwise', () => {
  const c = golden.cases[0]!;
  const fs = 256, seconds = 40;
  const eeg = syntheticEeg({ channels: 4, fs, seconds, seed: 8 });
  const p = new SignalPipeline({ channelNames: ['TP9', 'AF7', 'AF8', 'TP10'], sampleRateHz: fs, ppgChannelNames: ['ambient', 'infrared', 'red'] });
  const ppg = [c.ambient, c.ir, c.red].map((x) => Float32Array.from(x));
  const t0 = 1_700_000_000_000;
  let ppgAt = 0, first = null, last = null;
  for (const f of eegFrames(eeg, fs, 16, t0)) {
    // PPG arrives in step with the EEG clock (6 samples per frame at 64 Hz).
    while (t0 + (ppgAt * 1000) / c.fs < f.t0Ms && ppgAt + 6 <= ppg[0]!.length) {
      p.pushPpg({ kind: 'ppg', t0Ms: t0 + (ppgAt * 1000) / c.fs, sampleRateHz: c.fs, channels: ppg.map((x) => x.subarray(ppgAt, ppgAt + 6)) });
      ppgAt += 6;
    }
    const out = p.pushEeg(f);
    first ??= out[0] ?? null;
    last = out.at(-1) ?? last;
  }
  assert.ok(first && last);
  assert.ok(!('hr' in first), 'no heart rate before enough beats');
  assert.ok(!Object.values(first).some((v) => v === null || v === undefined), 'no null fields');
  assert.ok(Math.abs(last.hr! - c.hr_bpm) <= 2, `hr ${last.hr}`);
  assert.ok(last.rmssd! > 0 && last.stress_index! > 0);
  // The HRV term of meditation uses RMSSD: min(RMSSD/100·20, 20) instead of 10.
  assert.ok(typeof last.meditation === 'number');
});
