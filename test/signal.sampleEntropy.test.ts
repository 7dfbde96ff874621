// Sample entropy: the sorted bit-set count equals the O(N²) definition exactly, on smooth and
// noisy windows, on windows whose SD a blink or a spike inflates (nearly every pair a candidate),
// with ties, at lengths that are not multiples of the 32-bit word, and reusing one workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../actors/devices/virtual/virtualRecording.ts';
import { EegFilter } from '../actors/signal/eegFilter.ts';
import { SampleEntropyWorkspace, sampleEntropy, sampleEntropyBruteForce } from '../actors/signal/sampleEntropy.ts';
import { gaussian, seededRandom } from './fixtures/signal/syntheticSignals.ts';

const N = 512;

function filteredVirtualWindows(): Float64Array[] {
  const rec = generate({ template: 'muse', sample_rate: 256, seed: 11, blinks_per_minute: 30 }, 20);
  const windows: Float64Array[] = [];
  rec.eeg.forEach((raw, ch) => {
    const filter = new EegFilter(1, { sample_rate: 256 });
    const y = new Float64Array(raw.length);
    filter.process(0, raw, 0, y, 0, raw.length);
    for (let end = 1024 + ch * 128; end + N <= y.length; end += 640) windows.push(y.slice(end, end + N));
  });
  return windows;
}

test('sample entropy equals the O(N²) definition on EEG-like, spiky, noisy and tied windows', () => {
  const ws = new SampleEntropyWorkspace(N);
  const g = gaussian(seededRandom(3));
  const white = () => Float64Array.from({ length: N }, () => g());
  const cases: Array<[string, Float64Array]> = filteredVirtualWindows().map((w, i) => [`virtual EEG ${i}`, w]);
  for (let i = 0; i < 4; i++) {
    const spiky = white();
    spiky[50 + 90 * i] = 400;
    spiky[300 - 40 * i] = -250;
    cases.push([`spikes ${i}`, spiky]);
    cases.push([`white ${i}`, white()]);
    cases.push([`ties ${i}`, white().map((v) => Math.round(v * (i + 1)) / (i + 1))]);
  }
  const walk = white();
  for (let i = 1; i < N; i++) walk[i] = walk[i]! + walk[i - 1]!;
  cases.push(['random walk', walk]);
  cases.push(['a flat stretch', white().map((v, i) => (i > 100 && i < 400 ? 1 : v))]);
  for (const [name, x] of cases) assert.equal(sampleEntropy(x, N, ws), sampleEntropyBruteForce(x), name);
  assert.ok(cases.length > 30, `${cases.length} cases`);
});

test('sample entropy at any length up to the workspace, and its edge cases', () => {
  const ws = new SampleEntropyWorkspace(N);
  const g = gaussian(seededRandom(9));
  for (const n of [4, 5, 31, 32, 33, 34, 63, 64, 65, 100, 257, 511]) {
    const x = Float64Array.from({ length: n }, () => Math.round(g() * 3) / 3);
    assert.equal(sampleEntropy(x, n, ws), sampleEntropyBruteForce(x), `n = ${n}`);
  }
  assert.equal(sampleEntropy(new Float64Array(N), N, ws), 0, 'flat window');
  assert.equal(sampleEntropy(Float64Array.of(1, 2, 3), 3, ws), 0, 'too short');
  const withNaN = Float64Array.from({ length: 64 }, () => g());
  withNaN[10] = Number.NaN;
  assert.equal(sampleEntropy(withNaN, 64, ws), 0, 'a NaN sample: 0, as for a flat window');
  assert.equal(sampleEntropyBruteForce(withNaN), 0);
  assert.throws(() => sampleEntropy(new Float64Array(N + 1), N + 1, ws), RangeError);
});
