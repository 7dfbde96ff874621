// SignalPipeline as the device session uses it: snapshot cadence and timestamps (≈4 Hz at any
// rate), any montage from 1 to 64 channels at 128–2000 Hz, the payload's shape, live filter
// settings, bad frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandGeometry } from '../actors/signal/bandAnalyzer.ts';
import type { EegBandsPayload } from '../actors/signal/eegBandsPayload.ts';
import { SignalPipeline } from '../actors/signal/signalPipeline.ts';
import { eegFrames, MUSE_LABELS, syntheticEeg, TEN_TWENTY, tones } from './fixtures/signal/syntheticSignals.ts';

const CORE_FIELDS = [
  'timestamp', 'channels', 'faa', 'tar', 'bar', 'dtr', 'pse', 'apf', 'bps', 'snr', 'coherence', 'mu_suppression', 'mood', 'tbr',
  'sef95', 'spectral_centroid', 'hjorth_activity', 'hjorth_mobility', 'hjorth_complexity', 'permutation_entropy', 'higuchi_fd',
  'dfa_exponent', 'sample_entropy', 'pac_theta_gamma', 'laterality_index', 'headache_index', 'migraine_index', 'consciousness_lzc',
  'consciousness_wakefulness', 'consciousness_integration', 'rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta', 'rel_gamma',
  'focus', 'relaxation', 'engagement', 'meditation', 'cognitive_load', 'drowsiness',
];

function runAll(labels: readonly string[], fs: number, seconds: number, chunk: number, seed = 1): EegBandsPayload[] {
  const data = syntheticEeg({ channels: labels.length, fs, seconds, seed });
  const p = new SignalPipeline({ channelNames: labels, sampleRateHz: fs });
  return [...eegFrames(data, fs, chunk)].flatMap((f) => p.pushEeg(f));
}

test('the first snapshot follows a full window, then one per 64 samples, stamped with the last sample\'s time', () => {
  const fs = 256, t0 = 1_700_000_000_000;
  const { window: BAND_WINDOW, hop: BAND_HOP } = bandGeometry(fs);
  assert.deepEqual([BAND_WINDOW, BAND_HOP], [512, 64]);
  const data = syntheticEeg({ channels: 4, fs, seconds: 10, seed: 2 });
  const p = new SignalPipeline({ channelNames: MUSE_LABELS, sampleRateHz: fs });
  const snaps: EegBandsPayload[] = [];
  let samples = 0;
  for (const f of eegFrames(data, fs, 12, t0)) {
    const out = p.pushEeg(f);
    samples += 12;
    if (snaps.length === 0 && out.length > 0) assert.ok(samples >= BAND_WINDOW && samples - 12 < BAND_WINDOW, 'first after 512 samples');
    snaps.push(...out);
  }
  assert.equal(snaps.length, Math.floor((samples - BAND_WINDOW) / BAND_HOP) + 1);
  snaps.forEach((s, i) => assert.ok(Math.abs(s.timestamp - (t0 + ((BAND_WINDOW - 1 + i * BAND_HOP) * 1000) / fs) / 1000) < 1e-6));
  assert.equal(p.latest, snaps.at(-1));
});

test('a chunk spanning several hops returns every snapshot it completed', () => {
  const fs = 256;
  const data = syntheticEeg({ channels: 2, fs, seconds: 4, seed: 3 });
  const p = new SignalPipeline({ channelNames: ['C3', 'C4'], sampleRateHz: fs });
  const out = p.pushEeg({ kind: 'eeg', t0Ms: 0, sampleRateHz: fs, channels: data });
  const { window, hop } = bandGeometry(fs);
  assert.equal(out.length, (fs * 4 - window) / hop + 1);
  // Same as feeding small chunks.
  const small = runAll(['C3', 'C4'], fs, 4, 8, 3);
  assert.equal(JSON.stringify(out.map((s) => s.channels)), JSON.stringify(small.map((s) => s.channels)));
});

test('at 500 and 1000 Hz: ≈4 snapshots a second over a ≈2 s window, the first after one window, and a 10 Hz tone in alpha', () => {
  for (const [fs, window, hop] of [[500, 1024, 125], [1000, 2048, 250]] as const) {
    assert.deepEqual(bandGeometry(fs), { window, hop });
    const seconds = 12, t0 = 1_700_000_000_000;
    const labels = ['O1', 'Oz', 'O2'];
    const data = labels.map((_, c) => tones(fs, fs * seconds, [{ hz: 10, uv: 30 }, { hz: 20, uv: 3 }, { hz: 5, uv: 3 }], 2, c + 1));
    const p = new SignalPipeline({ channelNames: labels, sampleRateHz: fs });
    const snaps: EegBandsPayload[] = [];
    let samples = 0;
    for (const f of eegFrames(data, fs, fs / 20, t0)) {
      const out = p.pushEeg(f);
      samples += f.channels[0]!.length;
      // The hop does not divide the window, yet the first snapshot ends exactly one window in.
      if (snaps.length === 0 && out.length > 0) assert.ok(Math.abs(out[0]!.timestamp - (t0 + ((window - 1) * 1000) / fs) / 1000) < 1e-6, `${fs} Hz: first snapshot`);
      snaps.push(...out);
    }
    assert.equal(samples, fs * seconds);
    assert.equal(snaps.length, Math.floor((samples - window) / hop) + 1, `${fs} Hz: snapshot count`);
    const perSecond = (snaps.length - 1) / (snaps.at(-1)!.timestamp - snaps[0]!.timestamp);
    assert.ok(Math.abs(perSecond - 4) < 0.01, `${fs} Hz: ${perSecond} snapshots/s`);
    assert.ok(snaps.length / seconds > 3 && snaps.length / seconds <= 4, `${fs} Hz: ${snaps.length} in ${seconds} s of data`);
    for (const s of snaps) {
      for (const ch of s.channels) {
        assert.equal(ch.dominant, 'alpha', `${fs} Hz ${ch.channel}`);
        assert.ok(ch.rel_alpha > 0.8, `${fs} Hz ${ch.channel}: rel_alpha ${ch.rel_alpha}`);
      }
      assert.ok(Math.abs(s.apf - 10) <= fs / window, `${fs} Hz: apf ${s.apf}`);
      for (const [k, v] of Object.entries(s)) if (typeof v === 'number') assert.ok(Number.isFinite(v), `${fs} Hz: ${k} = ${v}`);
    }
  }
});

test('every reference field is present and finite; optional ones are absent, never null', () => {
  const snaps = runAll(MUSE_LABELS, 256, 5, 12);
  for (const s of snaps) {
    for (const k of CORE_FIELDS) assert.ok(k in s, `missing ${k}`);
    for (const [k, v] of Object.entries(s)) {
      assert.notEqual(v, null, k);
      if (typeof v === 'number') assert.ok(Number.isFinite(v), `${k} = ${v}`);
    }
    for (const k of ['hr', 'rmssd', 'head_pitch', 'stillness', 'temperature_raw', 'gpu_overall']) assert.ok(!(k in s), `${k} present without a source`);
    assert.ok('blink_count' in s, 'AF7/AF8 give blink detection');
  }
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(snaps.at(-1))));
});

test('1 to 64 channels at 128 to 2000 Hz', () => {
  for (const [nch, fs] of [[1, 128], [1, 2000], [3, 250], [16, 500], [32, 1000], [64, 256], [8, 2000]] as const) {
    const labels = TEN_TWENTY.slice(0, nch);
    const seconds = Math.max(1.5, (3 * bandGeometry(fs).window) / fs);
    const snaps = runAll(labels, fs, seconds, Math.max(1, Math.round(fs / 50)), nch);
    assert.ok(snaps.length >= 2, `${nch} ch @ ${fs} Hz: ${snaps.length} snapshots`);
    const s = snaps.at(-1)!;
    assert.equal(s.channels.length, nch);
    assert.deepEqual(s.channels.map((c) => c.channel), labels);
    for (const [k, v] of Object.entries(s)) if (typeof v === 'number') assert.ok(Number.isFinite(v), `${nch} ch @ ${fs} Hz: ${k} = ${v}`);
  }
});

test('filter settings change live; the sample rate stays the device\'s; bad settings throw', () => {
  const fs = 500;
  const p = new SignalPipeline({ channelNames: ['Cz'], sampleRateHz: fs, filter: { notch: 'Hz50', sample_rate: 256 } });
  assert.equal(p.filterConfig.sample_rate, fs);
  assert.equal(p.filterConfig.notch, 'Hz50');
  const data = syntheticEeg({ channels: 1, fs, seconds: 8, seed: 5, mainsHz: 50, mainsUv: 40 });
  const frames = [...eegFrames(data, fs, 10)];
  const before = frames.slice(0, 300).flatMap((f) => p.pushEeg(f)).at(-1)!;
  p.setFilterConfig({ notch: null, low_pass_hz: null, sample_rate: 1 });
  assert.deepEqual({ ...p.filterConfig }, { sample_rate: fs, low_pass_hz: null, high_pass_hz: 0.5, notch: null, notch_bandwidth_hz: 1 });
  const after = frames.slice(300).flatMap((f) => p.pushEeg(f)).at(-1)!;
  // 40 µV of 50 Hz hum now reaches the analysis (the high_gamma band starts at 50 Hz).
  assert.ok(after.channels[0]!.high_gamma > 100 * before.channels[0]!.high_gamma, `${before.channels[0]!.high_gamma} → ${after.channels[0]!.high_gamma}`);
  assert.throws(() => p.setFilterConfig({ high_pass_hz: -2 }), RangeError);
  assert.equal(p.filterConfig.notch, null, 'a refused change leaves the settings as they were');
});

test('frames that do not match the montage are refused', () => {
  const p = new SignalPipeline({ channelNames: ['C3', 'C4'], sampleRateHz: 256 });
  assert.throws(() => p.pushEeg({ kind: 'eeg', t0Ms: 0, sampleRateHz: 256, channels: [new Float32Array(4)] }), RangeError);
  assert.throws(() => p.pushEeg({ kind: 'eeg', t0Ms: 0, sampleRateHz: 256, channels: [new Float32Array(4), new Float32Array(5)] }), RangeError);
  assert.throws(() => new SignalPipeline({ channelNames: [], sampleRateHz: 256 }), RangeError);
  assert.deepEqual(p.quality(), ['no_signal', 'no_signal']);
});

test('SignalPipeline.forDevice takes labels and rates from the device info', () => {
  const p = SignalPipeline.forDevice({
    name: 'Muse-1234', kind: 'muse', id: 'x', channelNames: MUSE_LABELS, eegSampleRateHz: 256,
    ppgChannelNames: ['ambient', 'infrared', 'red'], ppgSampleRateHz: 64, imuChannelNames: [],
  }, { notch: 'Hz50' });
  assert.deepEqual(p.channelNames, MUSE_LABELS);
  assert.equal(p.sampleRateHz, 256);
  assert.equal(p.filterConfig.notch, 'Hz50');
});
