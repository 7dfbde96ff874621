// EegBands' f32 fields go out as serde writes an f32: the shortest decimal of the same f32.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { f32Shortest, withF32Fields } from '../actors/signal/f32Wire.ts';
import { SignalPipeline } from '../actors/signal/signalPipeline.ts';
import { generate } from '../actors/devices/virtual/virtualRecording.ts';

/** Tries every precision from 1 digit up: slow, but obviously right. */
function shortestByTrial(x: number): number {
  const f = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const v = Number(f.toPrecision(digits));
    if (Math.fround(v) === f) return v;
  }
  throw new Error(`no round trip for ${x}`);
}

test('f32Shortest is the shortest decimal that reads back to the same f32', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 20_000; i++) {
    const x = (rand() - 0.5) * Math.exp(rand() * 40 - 20);
    const y = f32Shortest(x);
    assert.equal(Math.fround(y), Math.fround(x), `${x}`);
    assert.equal(y, shortestByTrial(x), `${x}`);
  }
  assert.equal(f32Shortest(4544.667462411699), 4544.6675);
  assert.equal(f32Shortest(0.1), 0.1);
  assert.equal(f32Shortest(3), 3);
  assert.equal(f32Shortest(-0.0010709058875639072), -0.001070906);
  assert.ok(Number.isNaN(f32Shortest(NaN)));
  assert.equal(f32Shortest(Infinity), Infinity);
});

test('withF32Fields rounds band powers and metrics, not the timestamp or the scores', () => {
  const rec = generate({ channels: 4 }, 4);
  const pipeline = new SignalPipeline({ channelNames: rec.info.channelNames, sampleRateHz: 256 });
  const snapshots = pipeline.pushEeg({ kind: 'eeg', t0Ms: 1_795_000_000_123.4, sampleRateHz: 256, channels: rec.eeg });
  assert.ok(snapshots.length > 0);
  const before = structuredClone(snapshots.at(-1)!);
  const after = withF32Fields(snapshots.at(-1)!);
  assert.equal(after.timestamp, before.timestamp);
  assert.equal(after.focus, before.focus);
  assert.equal(after.meditation, before.meditation);
  let changed = 0;
  for (const [c, ch] of after.channels.entries()) {
    for (const k of ['delta', 'rel_alpha', 'high_gamma'] as const) {
      assert.equal(ch[k], f32Shortest(before.channels[c]![k]));
      if (ch[k] !== before.channels[c]![k]) changed++;
    }
  }
  for (const k of ['faa', 'sef95', 'rel_beta', 'consciousness_integration'] as const) assert.equal(after[k], f32Shortest(before[k]));
  assert.ok(changed > 0, 'an f64 band power keeps more digits than an f32');
  // Shorter on the wire: no number in the rounded channels needs more than 9 significant digits.
  const digits = JSON.stringify(after.channels).match(/-?\d+\.\d+(e-?\d+)?/g)!.map((s) => s.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length);
  assert.ok(Math.max(...digits) <= 9, `${Math.max(...digits)} digits`);
});
