// Derived indices and scores: the time-domain measures on signals with known values, the
// spectral-shape descriptors, coherence, asymmetry, and the 0–100 range of every score; the band
// analyzer's time-domain view (the raw window up to 512 samples, decimated to 512 above).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlphaCoherence } from '../actors/signal/alphaCoherence.ts';
import { BandAnalyzer } from '../actors/signal/bandAnalyzer.ts';
import { frontalAlphaAsymmetry, lateralityIndex } from '../actors/signal/asymmetry.ts';
import { BANDS } from '../actors/signal/bandTable.ts';
import { dfaExponent } from '../actors/signal/detrendedFluctuation.ts';
import { cognitiveLoadGroups, hemisphere, indicesIn, LEFT_FRONTAL, RIGHT_FRONTAL } from '../actors/signal/electrodes.ts';
import { higuchiFractalDimension } from '../actors/signal/higuchiFractalDimension.ts';
import { hjorthParameters } from '../actors/signal/hjorth.ts';
import { permutationEntropy } from '../actors/signal/permutationEntropy.ts';
import { RealFft } from '../actors/signal/realFft.ts';
import { SampleEntropyWorkspace, sampleEntropy, sampleEntropyBruteForce } from '../actors/signal/sampleEntropy.ts';
import {
  cognitiveLoadScore,
  drowsinessScore,
  engagementScore,
  focusScore,
  meditationScore,
  relaxationScore,
  sigmoid100,
  type RelativePowers,
} from '../actors/signal/scores.ts';
import { SignalPipeline } from '../actors/signal/signalPipeline.ts';
import { alphaPeakFrequency, bandPowerSlope, spectralCentroid, spectralEdgeFrequency } from '../actors/signal/spectralShape.ts';
import { couplingCoefficients, couplingScratch, thetaGammaCoupling } from '../actors/signal/thetaGammaCoupling.ts';
import type { BandSnapshot } from '../actors/signal/eegBandsPayload.ts';
import { eegFrames, gaussian, seededRandom, syntheticEeg, TEN_TWENTY } from './fixtures/signal/syntheticSignals.ts';

const N = 512;
const white = (seed: number, n = N) => {
  const g = gaussian(seededRandom(seed));
  return Float64Array.from({ length: n }, () => g());
};
const walk = (seed: number) => {
  const w = white(seed);
  for (let i = 1; i < N; i++) w[i] = w[i]! + w[i - 1]!;
  return w;
};
const sine = (hz: number, fs: number, n = N) => Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / fs));

test('sample entropy: the sorted count equals the O(N²) definition', () => {
  const ws = new SampleEntropyWorkspace(N);
  for (let seed = 1; seed <= 12; seed++) {
    // Smooth, noisy and quantised (ties) windows.
    const base = seed % 3 === 0 ? walk(seed) : white(seed);
    const x = seed % 2 ? base.map((v) => Math.round(v * 4) / 4) : base;
    assert.equal(sampleEntropy(x, N, ws), sampleEntropyBruteForce(x), `seed ${seed}`);
  }
  assert.equal(sampleEntropy(new Float64Array(N), N, ws), 0, 'flat window');
  // White noise is irregular (≈2.2 for m = 2, r = 0.2), a sine regular.
  assert.ok(sampleEntropy(white(5), N, ws) > 1.8);
  assert.ok(sampleEntropy(sine(10, 256), N, ws) < 0.4);
});

test('permutation entropy: 1 for white noise, 0 for a monotonic ramp', () => {
  assert.ok(permutationEntropy(white(1)) > 0.98);
  assert.equal(permutationEntropy(Float64Array.from({ length: N }, (_, i) => i)), 0);
});

test('Higuchi FD ≈ 2 for white noise, ≈ 1 for a smooth sine', () => {
  const w = higuchiFractalDimension(white(2));
  assert.ok(w > 1.9 && w < 2.1, `white ${w}`);
  const s = higuchiFractalDimension(sine(4, 256));
  assert.ok(s > 0.95 && s < 1.1, `sine ${s}`);
});

test('DFA exponent ≈ 0.5 for white noise and ≈ 1.5 for a random walk', () => {
  const work = new Float64Array(3 * (N + 1));
  const w = dfaExponent(white(3), N, work);
  assert.ok(w > 0.35 && w < 0.65, `white ${w}`);
  const r = dfaExponent(walk(4), N, work);
  assert.ok(r > 1.3 && r < 1.7, `random walk ${r}`);
});

test('Hjorth parameters of a sine: mobility 2·sin(πf/fs), complexity ≈ 1', () => {
  const fs = 256, f = 10;
  const h = hjorthParameters(Float64Array.from({ length: N }, (_, i) => 3 * Math.sin((2 * Math.PI * f * i) / fs)));
  assert.ok(Math.abs(h.activity - 4.5) < 0.1, `activity ${h.activity}`);
  assert.ok(Math.abs(h.mobility - 2 * Math.sin((Math.PI * f) / fs)) < 0.005, `mobility ${h.mobility}`);
  assert.ok(Math.abs(h.complexity - 1) < 0.01, `complexity ${h.complexity}`);
});

test('θ–γ coupling: high when γ bursts ride on θ amplitude, low for independent noise', () => {
  const fs = 256, coeffs = couplingCoefficients(fs);
  const env = (i: number) => 1 + Math.sin((2 * Math.PI * 0.75 * i) / fs);
  const coupled = Float64Array.from({ length: N }, (_, i) => env(i) * (Math.sin((2 * Math.PI * 6 * i) / fs) + 0.5 * Math.sin((2 * Math.PI * 40 * i) / fs)));
  assert.ok(thetaGammaCoupling(coupled, N, coeffs) > 0.8);
  assert.ok(thetaGammaCoupling(white(9), N, coeffs) < 0.8);
});

const TIME_DOMAIN = ['hjorth_activity', 'hjorth_mobility', 'hjorth_complexity', 'permutation_entropy', 'higuchi_fd', 'dfa_exponent', 'sample_entropy', 'pac_theta_gamma'] as const;

/** The analyzer's first snapshot, after exactly one window of `data` (every channel's time-domain measures are computed at it). */
function firstSnapshot(a: BandAnalyzer, data: Float64Array[]): BandSnapshot {
  for (let i = 0; !a.warm; ) {
    const m = a.untilHop;
    a.push(data, i, m);
    i += m;
  }
  const snap = a.snapshot(0);
  assert.ok(snap, 'a snapshot after one window');
  return snap;
}

test('up to 512 samples the time-domain measures are those of the window itself, bit for bit', () => {
  const fs = 256, labels = ['TP9', 'AF7', 'AF8', 'TP10'];
  const data = syntheticEeg({ channels: 4, fs, seconds: 2, seed: 11, blinkChannels: [1], blinkTimesS: [0.7] }).map((x) => Float64Array.from(x));
  const a = new BandAnalyzer(labels, fs);
  assert.equal(a.window, N, 'the reference\'s window at 256 Hz');
  assert.equal(a.timeDomainRate, fs, 'no decimation at 256 Hz');
  const snap = firstSnapshot(a, data);
  const ws = new SampleEntropyWorkspace(N), dfa = new Float64Array(3 * (N + 1)), coeffs = couplingCoefficients(fs, N / 4), scratch = couplingScratch(N, N / 4);
  const want = Object.fromEntries(TIME_DOMAIN.map((k) => [k, 0])) as Record<(typeof TIME_DOMAIN)[number], number>;
  for (const x of data) {
    const w = x.subarray(0, N), h = hjorthParameters(w, N);
    want.hjorth_activity += h.activity;
    want.hjorth_mobility += h.mobility;
    want.hjorth_complexity += h.complexity;
    want.permutation_entropy += permutationEntropy(w, N);
    want.higuchi_fd += higuchiFractalDimension(w, N);
    want.dfa_exponent += dfaExponent(w, N, dfa);
    want.sample_entropy += sampleEntropy(w, N, ws);
    want.pac_theta_gamma += thetaGammaCoupling(w, N, coeffs, scratch);
  }
  for (const k of TIME_DOMAIN) assert.equal(snap[k], want[k] / labels.length, `${k}: the channel mean of the measure on the raw window`);
});

test('32 ch @ 1000 Hz: the time-domain measures see 512 samples at 250 Hz, finite, ordering white noise above a sine', () => {
  const fs = 1000, labels = TEN_TWENTY.slice(0, 32);
  const noise = labels.map((_, c) => white(c + 1, 2048).map((v) => 10 * v));
  const sines = labels.map((_, c) => Float64Array.from({ length: 2048 }, (_, i) => 20 * Math.sin((2 * Math.PI * 10 * i) / fs + c)));
  const a = new BandAnalyzer(labels, fs);
  assert.equal(a.window, 2048, 'window');
  assert.equal(a.timeDomainRate, 250, 'decimated by 4');
  const w = firstSnapshot(a, noise), s = firstSnapshot(new BandAnalyzer(labels, fs), sines);
  for (const k of TIME_DOMAIN) assert.ok(Number.isFinite(w[k]) && Number.isFinite(s[k]), `${k}: noise ${w[k]}, sine ${s[k]}`);
  assert.ok(w.sample_entropy > 1.8 && s.sample_entropy < 0.4, `sample entropy: noise ${w.sample_entropy}, sine ${s.sample_entropy}`);
  assert.ok(w.permutation_entropy > 0.95 && s.permutation_entropy < 0.7, `permutation entropy: noise ${w.permutation_entropy}, sine ${s.permutation_entropy}`);
  assert.ok(w.higuchi_fd > 1.8 && s.higuchi_fd < 1.1, `Higuchi FD: noise ${w.higuchi_fd}, sine ${s.higuchi_fd}`);
  assert.ok(w.dfa_exponent > 0.35 && w.dfa_exponent < 0.7, `DFA of noise ${w.dfa_exponent}`);
  // Activity is the variance in µV²: a 20 µV sine keeps its 200 µV²; white noise keeps only the
  // share of its power below the cutoff, ≈ 0.425·250/500 of σ² = 100 µV².
  assert.ok(Math.abs(s.hjorth_activity - 200) < 2, `sine activity ${s.hjorth_activity}`);
  assert.ok(Math.abs(w.hjorth_activity - 21.25) < 2, `noise activity ${w.hjorth_activity}`);
  // Mobility is per sample of the view: 2·sin(π·10/250) for the sine, as at 250 Hz.
  assert.ok(Math.abs(s.hjorth_mobility - 2 * Math.sin((Math.PI * 10) / 250)) < 0.005, `sine mobility ${s.hjorth_mobility}`);
});

test('the same EEG recorded at 250 and at 1000 Hz gives the same time-domain measures (within 0.2 %)', () => {
  // 45 tones of 1–46 Hz with 1/√f amplitudes: one band-limited signal, sampled at both rates. The
  // 1000 Hz recording starts 3 ms earlier, so its decimated view falls on the 250 Hz samples.
  const rand = seededRandom(5);
  const parts = Array.from({ length: 45 }, (_, i) => ({ hz: i + 1 + 0.37 * rand(), uv: 30 / Math.sqrt(i + 1), phase: 2 * Math.PI * rand() }));
  const eeg = (t: number) => parts.reduce((v, p) => v + p.uv * Math.sin(2 * Math.PI * p.hz * t + p.phase), 0);
  const at250 = firstSnapshot(new BandAnalyzer(['Cz'], 250), [Float64Array.from({ length: 512 }, (_, i) => eeg(i / 250))]);
  const at1000 = firstSnapshot(new BandAnalyzer(['Cz'], 1000), [Float64Array.from({ length: 2048 }, (_, i) => eeg((i - 3) / 1000))]);
  for (const k of TIME_DOMAIN) {
    const rel = Math.abs(at1000[k] - at250[k]) / Math.abs(at250[k]);
    assert.ok(rel < 0.002, `${k}: ${at1000[k]} at 1000 Hz vs ${at250[k]} at 250 Hz (${(100 * rel).toFixed(3)} %)`);
  }
});

function spectrum(x: Float64Array): Float64Array {
  const fft = new RealFft(x.length);
  fft.forward(x);
  return Float64Array.from({ length: x.length / 2 + 1 }, (_, k) => fft.re[k]! ** 2 + fft.im[k]! ** 2);
}

test('spectral shape: alpha peak, slope, edge frequency and centroid', () => {
  const fs = 256, binHz = fs / N;
  assert.equal(alphaPeakFrequency(spectrum(sine(10.5, fs)), binHz), 10.5);
  assert.equal(alphaPeakFrequency(spectrum(sine(20, fs)).map((v, k) => (k * binHz >= 8 && k * binHz <= 13 ? 0 : v)), binHz), null);
  // A 1/f² (random walk) spectrum falls with slope ≈ −2; white noise is flat.
  const slopeWalk = bandPowerSlope(spectrum(walk(1)), binHz)!;
  assert.ok(slopeWalk < -1.5 && slopeWalk > -2.5, `walk slope ${slopeWalk}`);
  const whiteAvg = new Float64Array(N / 2 + 1);
  for (let seed = 1; seed <= 16; seed++) spectrum(white(seed)).forEach((v, k) => (whiteAvg[k] = whiteAvg[k]! + v));
  assert.ok(Math.abs(bandPowerSlope(whiteAvg, binHz)!) < 0.2, 'white noise is flat');
  const p = spectrum(sine(12, fs));
  assert.ok(Math.abs(spectralEdgeFrequency(p, binHz, 0.95) - 12) <= 1);
  assert.ok(Math.abs(spectralCentroid(p, binHz) - 12) < 1);
});

test('alpha coherence: ≈1 for channels sharing a rhythm, low for independent noise', () => {
  const fs = 256;
  const fft = new RealFft(N);
  const shared = new AlphaCoherence(3, fs, N), independent = new AlphaCoherence(3, fs, N);
  let cs = 0, ci = 0;
  for (let w = 0; w < 40; w++) {
    const common = white(100 + w);
    for (let c = 0; c < 3; c++) {
      const own = white(1000 * (c + 1) + w);
      fft.forward(common.map((v, i) => (1 + c) * v + 0.1 * own[i]!));
      shared.setSpectrum(c, fft.re, fft.im);
      fft.forward(own);
      independent.setSpectrum(c, fft.re, fft.im);
    }
    cs = shared.update();
    ci = independent.update();
  }
  assert.ok(cs > 0.9, `shared ${cs}`);
  assert.ok(ci < 0.35, `independent ${ci}`);
  assert.equal(new AlphaCoherence(1, fs, N).update(), 0);
});

test('frontal alpha asymmetry and laterality resolve sides from the labels', () => {
  const labels = ['TP9', 'AF7', 'AF8', 'TP10'];
  const left = indicesIn(labels, LEFT_FRONTAL), right = indicesIn(labels, RIGHT_FRONTAL);
  assert.deepEqual([left, right], [[1], [2]]);
  assert.ok(Math.abs(frontalAlphaAsymmetry([1, 10, 20, 1], left, right) - Math.log(2)) < 1e-12);
  // Case-insensitive labels; generic labels fall back to channels 1 vs 2 with ≥ 3 channels, else 0.
  assert.deepEqual(indicesIn(['fp1', 'FP2'], LEFT_FRONTAL), [0]);
  assert.ok(Math.abs(frontalAlphaAsymmetry([5, 10, 20], [], []) - Math.log(2)) < 1e-12);
  assert.equal(frontalAlphaAsymmetry([5, 10], [], []), 0);
  assert.deepEqual(['O1', 'O2', 'Cz', 'TP10', 'X'].map(hemisphere), ['left', 'right', null, 'right', null]);
  assert.ok(Math.abs(lateralityIndex([1, 3, 100], ['left', 'right', null]) - 0.5) < 1e-12);
  assert.ok(Math.abs(lateralityIndex([1, 3], [null, null]) - 0.5) < 1e-12, 'halves by index without labels');
});

test('cognitive-load groups come from the labels, else halves of the montage', () => {
  assert.deepEqual(cognitiveLoadGroups(['TP9', 'AF7', 'AF8', 'TP10']), { frontal: [1, 2], parietal: [0, 3] });
  assert.deepEqual(cognitiveLoadGroups(['Ch1', 'Ch2', 'Ch3', 'Ch4']), { frontal: [0, 1], parietal: [2, 3] });
  assert.deepEqual(cognitiveLoadGroups(['Cz']), { frontal: [], parietal: [] });
  assert.equal(cognitiveLoadScore([], []), 50);
});

const rel = (d: number, t: number, a: number, b: number): RelativePowers => ({ rel_delta: d, rel_theta: t, rel_alpha: a, rel_beta: b });

test('focus and engagement are different formulas (mean of ratios vs ratio of means)', () => {
  const one = [rel(0.1, 0.2, 0.3, 0.3)];
  assert.equal(focusScore(one), engagementScore(one), 'identical on a single channel');
  const two = [rel(0.1, 0.05, 0.05, 0.6), rel(0.1, 0.4, 0.4, 0.05)];
  // Focus: mean(0.6/0.1, 0.05/0.8) = 3.03; engagement: 0.325/0.45 = 0.72.
  assert.ok(Math.abs(focusScore(two) - sigmoid100((6 + 0.0625) / 2, 2, 0.8)) < 1e-9);
  assert.ok(Math.abs(engagementScore(two) - sigmoid100(0.325 / 0.45, 2, 0.8)) < 1e-9);
  assert.ok(focusScore(two) - engagementScore(two) > 40);
});

test('every score stays within 0–100 for arbitrary band distributions', () => {
  const rand = seededRandom(17);
  for (let i = 0; i < 500; i++) {
    const chans = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => {
      const w = BANDS.map(() => rand() ** 3);
      const s = w.reduce((a, b) => a + b, 0) || 1;
      return rel(w[0]! / s, w[1]! / s, w[2]! / s, w[3]! / s);
    });
    const tar = rand() * 20, stillness = rand() * 100, rmssd = rand() * 300;
    for (const [name, v] of [
      ['focus', focusScore(chans)],
      ['engagement', engagementScore(chans)],
      ['relaxation', relaxationScore(chans)],
      ['meditation', meditationScore(chans, stillness, rmssd)],
      ['meditation without PPG/IMU', meditationScore(chans, null, null)],
      ['cognitive load', cognitiveLoadScore(chans.slice(0, 1), chans.slice(1))],
      ['drowsiness', drowsinessScore(tar, chans[0]!.rel_alpha)],
    ] as const) {
      assert.ok(v >= 0 && v <= 100 && Number.isFinite(v), `${name} = ${v}`);
    }
  }
});

test('the pipeline\'s scores and bounded indices stay within range on varied recordings', () => {
  for (const [seed, nch, fs] of [[1, 4, 256], [2, 8, 500], [3, 2, 128]] as const) {
    const labels = TEN_TWENTY.slice(0, nch);
    const data = syntheticEeg({ channels: nch, fs, seconds: 10, seed, alphaUv: seed * 8, betaUv: 12 / seed });
    const p = new SignalPipeline({ channelNames: labels, sampleRateHz: fs });
    let count = 0;
    for (const f of eegFrames(data, fs, 10)) {
      for (const s of p.pushEeg(f)) {
        count++;
        for (const k of ['focus', 'relaxation', 'engagement', 'meditation', 'cognitive_load', 'drowsiness', 'mood', 'headache_index', 'migraine_index', 'consciousness_lzc', 'consciousness_wakefulness', 'consciousness_integration'] as const) {
          assert.ok(s[k] >= 0 && s[k] <= 100, `${k} = ${s[k]}`);
        }
        for (const k of ['pse', 'permutation_entropy', 'coherence', 'pac_theta_gamma'] as const) assert.ok(s[k] >= 0 && s[k] <= 1 + 1e-12, `${k} = ${s[k]}`);
        assert.ok(s.mu_suppression >= 0 && s.mu_suppression <= 5);
        assert.ok(Math.abs(s.laterality_index) <= 1);
      }
    }
    assert.ok(count > 10);
  }
});
