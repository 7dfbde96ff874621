// The IIR filter against scipy (test/fixtures/signal/filters.json from scripts/signal-goldens.py):
// magnitude responses, a time-domain run, passthrough, and glitch-free live reconfiguration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cascadeMagnitude } from '../actors/signal/biquad.ts';
import { butterworthSections } from '../actors/signal/butterworth.ts';
import { EegFilter, filterSections } from '../actors/signal/eegFilter.ts';
import { filterConfigFrom, type FilterConfig } from '../actors/signal/filterConfig.ts';

interface FilterCase {
  config: FilterConfig;
  butter_sos: number[][];
  freqs: number[];
  butter_db: number[];
  chain_db: number[];
  input: number[];
  output: number[];
}
const golden = JSON.parse(readFileSync(new URL('./fixtures/signal/filters.json', import.meta.url), 'utf8')) as { cases: FilterCase[] };

const db = (m: number) => 20 * Math.log10(Math.max(m, 1e-300));
const label = (c: FilterConfig) => `${c.sample_rate} Hz hp=${c.high_pass_hz} lp=${c.low_pass_hz} notch=${c.notch}±${c.notch_bandwidth_hz}`;

test('Butterworth poles match scipy.signal.butter (denominators of every section)', () => {
  for (const c of golden.cases) {
    const cfg = c.config;
    const ours = [
      ...(cfg.high_pass_hz !== null ? butterworthSections('highpass', 4, cfg.high_pass_hz, cfg.sample_rate) : []),
      ...(cfg.low_pass_hz !== null ? butterworthSections('lowpass', 4, cfg.low_pass_hz, cfg.sample_rate) : []),
    ];
    assert.equal(ours.length, c.butter_sos.length, label(cfg));
    // scipy orders and scales sections differently; the set of denominators is the same.
    for (const row of c.butter_sos) {
      const best = Math.min(...ours.map((s) => Math.abs(s.a1 - row[4]!) + Math.abs(s.a2 - row[5]!)));
      assert.ok(best < 1e-5, `${label(cfg)}: no section with a1=${row[4]} a2=${row[5]} (closest off by ${best})`);
    }
  }
});

test('magnitude response within 0.5 dB of scipy in the pass band (and in the transition band)', () => {
  let worst = 0;
  for (const c of golden.cases) {
    const cfg = filterConfigFrom(c.config);
    const butter = filterSections({ ...cfg, notch: null });
    const chain = filterSections(cfg);
    c.freqs.forEach((f, i) => {
      for (const [sections, ref] of [[butter, c.butter_db[i]!], [chain, c.chain_db[i]!]] as const) {
        if (ref < -60) continue; // deep stop band: both are ~0
        const ours = db(cascadeMagnitude(sections, f, cfg.sample_rate));
        const tol = ref >= -3 ? 0.5 : 1;
        worst = Math.max(worst, Math.abs(ours - ref));
        assert.ok(Math.abs(ours - ref) <= tol, `${label(cfg)} at ${f} Hz: ${ours.toFixed(3)} dB vs scipy ${ref.toFixed(3)} dB`);
      }
    });
  }
  assert.ok(worst < 0.05, `largest difference ${worst} dB (scipy's coefficients are the same design)`);
});

test('filtering matches scipy.signal.sosfilt sample by sample', () => {
  for (const c of golden.cases) {
    const f = new EegFilter(1, c.config);
    const x = Float32Array.from(c.input);
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i += 13) f.process(0, x, i, y, i, Math.min(13, x.length - i));
    const peak = Math.max(...c.output.map(Math.abs));
    let err = 0;
    for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(y[i]! - c.output[i]!));
    assert.ok(err <= 1e-4 * peak + 1e-4, `${label(c.config)}: max error ${err} (peak ${peak})`);
  }
});

test('all-null configuration passes samples through unchanged', () => {
  const f = new EegFilter(2, { sample_rate: 256, low_pass_hz: null, high_pass_hz: null, notch: null });
  assert.equal(f.sectionCount, 0);
  assert.ok(f.passthrough);
  const x = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) * 50 + 300);
  const y = new Float64Array(100);
  f.process(1, x, 0, y, 0, 100);
  assert.deepEqual(Array.from(y), Array.from(x));
});

test('notches sit on every mains harmonic below Nyquist and cut it by more than 40 dB', () => {
  const cfg = filterConfigFrom({ sample_rate: 1000, notch: 'Hz50', low_pass_hz: null, high_pass_hz: null });
  const sections = filterSections(cfg);
  assert.equal(sections.length, 9); // 50 … 450 Hz
  for (let h = 50; h < 500; h += 50) assert.ok(db(cascadeMagnitude(sections, h, 1000)) < -40, `${h} Hz not notched`);
  assert.ok(Math.abs(db(cascadeMagnitude(sections, 75, 1000))) < 0.5, '75 Hz should pass');
});

function run(f: EegFilter, x: Float32Array, from: number, to: number, y: Float64Array): void {
  for (let i = from; i < to; i += 16) f.process(0, x, i, y, i, Math.min(16, to - i));
}

test('a DC offset at the first sample does not ring through the high-pass', () => {
  const fs = 256;
  const x = Float32Array.from({ length: fs * 2 }, (_, i) => 800 + 10 * Math.sin((2 * Math.PI * 10 * i) / fs));
  const y = new Float64Array(x.length);
  run(new EegFilter(1, { sample_rate: fs }), x, 0, x.length, y);
  const early = y.subarray(0, fs / 4).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  assert.ok(early < 15, `first 250 ms peak ${early} µV (a zero-state filter starts near 800)`);
});

test('live reconfiguration joins the new filter\'s output without a step or a gap', () => {
  const fs = 256, n = fs * 8, at = fs * 4;
  const x = Float32Array.from({ length: n }, (_, i) => 300 + 20 * Math.sin((2 * Math.PI * 10 * i) / fs) + 5 * Math.sin((2 * Math.PI * 60 * i) / fs));
  const scenarios: Array<[string, Partial<FilterConfig>, Partial<FilterConfig>]> = [
    ['notch 60 → 50 Hz and low-pass 50 → 40 Hz', {}, { notch: 'Hz50', low_pass_hz: 40 }],
    ['high-pass switched on over a 300 µV offset', { high_pass_hz: null }, { high_pass_hz: 0.5 }],
    ['everything switched off', {}, { high_pass_hz: null, low_pass_hz: null, notch: null }],
  ];
  for (const [name, before, after] of scenarios) {
    const live = new EegFilter(1, { sample_rate: fs, ...before });
    const y = new Float64Array(n);
    run(live, x, 0, at, y);
    live.reconfigure(after);
    run(live, x, at, n, y);
    // What the new settings would have produced had they been there from the start.
    const ideal = new Float64Array(n);
    run(new EegFilter(1, { sample_rate: fs, ...before, ...after }), x, 0, n, ideal);
    let worst = 0;
    for (let i = at; i < at + fs / 2; i++) worst = Math.max(worst, Math.abs(y[i]! - ideal[i]!));
    // A reset to zero state misses by the whole 20 µV rhythm (or the 300 µV offset).
    assert.ok(worst < 1, `${name}: ${worst.toFixed(3)} µV from the settled output in the first 500 ms`);
  }
});

test('invalid configurations are refused', () => {
  assert.throws(() => filterConfigFrom({ low_pass_hz: -1 }), RangeError);
  assert.throws(() => filterConfigFrom({ notch: 'Hz55' as never }), RangeError);
  assert.throws(() => filterConfigFrom({ notch_bandwidth_hz: 0 }), RangeError);
  // A cutoff above Nyquist is left out rather than refused (a 50 Hz low-pass on a 90 Hz device).
  assert.equal(filterSections(filterConfigFrom({ sample_rate: 90, low_pass_hz: 50, notch: null, high_pass_hz: null })).length, 0);
});
