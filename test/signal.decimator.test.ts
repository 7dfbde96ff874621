// The decimator behind the time-domain measures' 512-sample view: the anti-alias filter's
// passband and stopband (by its response and by tones through it), straight lines through the
// reflected edges, the identity at factor 1, and buffers made once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { antiAliasMagnitude, antiAliasTaps, Decimator, PASS_EDGE, STOP_EDGE } from '../actors/signal/decimator.ts';

const tone = (hz: number, fs: number, n: number, phase = 0.3) => Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / fs + phase));

/** Outputs at least half the filter length from both edges, where no reflected sample reaches. */
function interior(d: Decimator): [number, number] {
  const edge = Math.ceil((d.taps.length - 1) / d.factor);
  return [edge, d.outputLength - edge];
}

test('factor 1 is the identity: the window itself, not a copy', () => {
  const x = tone(10, 256, 512);
  const d = new Decimator(512, 1);
  assert.equal(d.outputLength, 512, 'output length');
  assert.equal(d.decimate(x), x, 'a whole-array window comes back as the same array');
  const ring = new Float64Array(1024);
  ring.set(x, 100);
  const view = d.decimate(ring, 100);
  assert.equal(view.buffer, ring.buffer, 'a window inside a ring is a view of the ring');
  assert.deepEqual(Array.from(view), Array.from(x), 'the view holds the window\'s samples');
});

test('response: ripple ≤ 0.09 % up to 0.35·fs/k, ≥ 61 dB down from fs/(2k) to fs/2, unit gain at DC', () => {
  for (const k of [2, 4, 8, 16]) {
    const h = antiAliasTaps(k), fs = 1000, fr = fs / k;
    assert.ok(Math.abs(antiAliasMagnitude(h, 0, fs) - 1) < 1e-12, `k = ${k}: DC gain ${antiAliasMagnitude(h, 0, fs)}`);
    let ripple = 0, stop = 0;
    for (let f = 0; f <= PASS_EDGE * fr; f += fr / 4000) ripple = Math.max(ripple, Math.abs(antiAliasMagnitude(h, f, fs) - 1));
    for (let f = STOP_EDGE * fr; f <= fs / 2; f += fr / 4000) stop = Math.max(stop, antiAliasMagnitude(h, f, fs));
    assert.ok(ripple <= 0.0009, `k = ${k}: passband ripple ${(100 * ripple).toFixed(3)} %`);
    assert.ok(-20 * Math.log10(stop) >= 61, `k = ${k}: stopband ${(-20 * Math.log10(stop)).toFixed(1)} dB`);
  }
  assert.equal(2 * antiAliasTaps(4).length - 1, 103, '103 taps at k = 4');
});

test('1000 Hz → 250 Hz: tones up to 87.5 Hz pass within 0.1 %, tones above 125 Hz come out ≥ 60 dB down', () => {
  const fs = 1000, n = 2048, k = 4;
  const d = new Decimator(n, k);
  assert.equal(d.outputLength, 512, 'output length');
  const [lo, hi] = interior(d);
  for (const hz of [3, 10, 40, 50, 80, 87.5]) {
    const y = d.decimate(tone(hz, fs, n));
    let err = 0;
    // Output j is the input at sample k·j + k − 1.
    for (let j = lo; j < hi; j++) err = Math.max(err, Math.abs(y[j]! - Math.sin((2 * Math.PI * hz * (k * j + k - 1)) / fs + 0.3)));
    assert.ok(err < 1e-3, `${hz} Hz: largest error ${err.toExponential(2)} of a unit tone`);
  }
  // Low tones pass edges included (the odd reflection continues them well over the filter's span).
  const y = d.decimate(tone(10, fs, n));
  let err = 0;
  for (let j = 0; j < y.length; j++) err = Math.max(err, Math.abs(y[j]! - Math.sin((2 * Math.PI * 10 * (k * j + k - 1)) / fs + 0.3)));
  assert.ok(err < 1e-3, `10 Hz, edges included: largest error ${err.toExponential(2)}`);
  for (const hz of [125, 150, 180, 240, 300, 420, 499]) {
    const y = d.decimate(tone(hz, fs, n));
    let power = 0;
    for (let j = lo; j < hi; j++) power += y[j]! ** 2;
    const db = 10 * Math.log10(power / (hi - lo) / 0.5);
    assert.ok(db <= -60, `${hz} Hz: ${db.toFixed(1)} dB`);
  }
});

test('a straight line passes unchanged, edges included (odd reflection)', () => {
  for (const k of [2, 4, 8]) {
    const n = 512 * k, d = new Decimator(n, k);
    const x = Float64Array.from({ length: n }, (_, i) => 40 - 0.03 * i);
    const y = d.decimate(x);
    for (let j = 0; j < y.length; j++) {
      const want = 40 - 0.03 * (k * j + k - 1);
      assert.ok(Math.abs(y[j]! - want) < 1e-9, `k = ${k}, output ${j}: ${y[j]} vs ${want}`);
    }
  }
});

test('buffers are made once: every call returns the same output array, and reads x[start…start + n)', () => {
  const fs = 1000, n = 2048, d = new Decimator(n, 4);
  const ring = new Float64Array(2 * n);
  const x = tone(10, fs, n);
  ring.set(x, 700);
  const a = d.decimate(ring, 700);
  const first = Float64Array.from(a);
  const b = d.decimate(x);
  assert.equal(a, b, 'the same output buffer');
  assert.deepEqual(Array.from(b), Array.from(first), 'a window read from inside a ring decimates as the window alone');
});

test('bad factors and windows are refused', () => {
  assert.throws(() => new Decimator(512, 0), RangeError, 'factor 0');
  assert.throws(() => new Decimator(512, 1.5), RangeError, 'fractional factor');
  assert.throws(() => new Decimator(1000, 3), RangeError, 'window not a multiple of the factor');
  assert.throws(() => new Decimator(32, 4), RangeError, 'window shorter than the filter');
  assert.throws(() => antiAliasTaps(1), RangeError, 'taps for factor 1');
});
