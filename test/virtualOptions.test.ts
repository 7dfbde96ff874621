// Options of the virtual headset: the reference's body fields and defaults, bounds, templates
// and channel layouts, and the eyes-closed schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveVirtualOptions, virtualSourceOptionsSchema } from '../actors/devices/virtual/virtualOptions.ts';
import { channelNamesFor } from '../actors/devices/virtual/channelLayout.ts';
import { eyesClosedAt } from '../actors/devices/virtual/eyesSchedule.ts';
import { channelWeights, scalpPosition } from '../actors/devices/virtual/scalpPosition.ts';

test('an empty body gets the reference defaults', () => {
  const o = virtualSourceOptionsSchema.parse({});
  assert.equal(o.sample_rate, 256);
  assert.equal(o.quality, 'good');
  assert.equal(o.amplitude_uv, 50);
  assert.equal(o.noise_uv, 5);
  assert.equal(o.line_noise, 'none');
  assert.equal(o.dropout_prob, 0);
  const s = resolveVirtualOptions({});
  assert.equal(s.channelNames.length, 32, 'channels = 32 like the reference');
  assert.equal(s.lineNoiseHz, 0);
  assert.deepEqual(s.eyesClosedSchedule, { open_s: 20, closed_s: 20, first: 'open' });
});

test('the reference body fields are accepted and bounded', () => {
  const body = { channels: 8, sample_rate: 500, template: '10-20', quality: 'poor', amplitude_uv: 80, noise_uv: 10, line_noise: '60hz', dropout_prob: 0.2 } as const;
  const s = resolveVirtualOptions(body);
  assert.deepEqual(s.channelNames, ['Fp1', 'Fp2', 'F7', 'F3', 'Fz', 'F4', 'F8', 'T7']);
  assert.equal(s.lineNoiseHz, 60);
  assert.equal(s.preset.noiseScale > 1, true);
  const bad: object[] = [
    { channels: 0 }, { channels: 65 }, { channels: 2.5 }, { sample_rate: 63 }, { sample_rate: 2001 },
    { quality: 'excellent' }, { line_noise: '55hz' }, { dropout_prob: 1.5 }, { amplitude_uv: -1 },
    { template: 'emotiv' }, { template: 'muse', channels: 8 }, { heart_rate_bpm: 10 },
    { eyes_closed_schedule: [{ start_s: 5, end_s: 2 }] }, { eyes_closed_schedule: { open_s: 0, closed_s: 0 } },
  ];
  for (const b of bad) assert.equal(virtualSourceOptionsSchema.safeParse(b).success, false, JSON.stringify(b));
  assert.equal(virtualSourceOptionsSchema.safeParse({ template: 'muse', channels: 4 }).success, true);
});

test('templates: Muse, 10-20 up to 64 channels, and Ch<n>', () => {
  assert.deepEqual(resolveVirtualOptions({ template: 'muse' }).channelNames, ['TP9', 'AF7', 'AF8', 'TP10']);
  assert.deepEqual(channelNamesFor('10-20', 19).slice(-2), ['O1', 'O2']);
  const sixtyFour = channelNamesFor('10-20', 64);
  assert.equal(new Set(sixtyFour).size, 64, 'no duplicate labels');
  for (const name of sixtyFour) assert.ok(scalpPosition(name).known, `${name} is a 10-10 position`);
  for (const name of ['Oz', 'Iz', 'Fpz', 'POz', 'AF7', 'TP8']) assert.ok(sixtyFour.includes(name));
  assert.deepEqual(channelNamesFor('generic', 3), ['Ch1', 'Ch2', 'Ch3']);
  assert.equal(scalpPosition('Ch3').known, false);
});

test('electrode positions weight blinks to the front and alpha to the back', () => {
  const w = (name: string) => channelWeights(scalpPosition(name));
  for (const front of ['Fp1', 'Fp2', 'AF7', 'AF8', 'F3', 'Fz']) {
    for (const back of ['O1', 'O2', 'Oz', 'PO3', 'TP9']) {
      assert.ok(w(front).blink > 5 * w(back).blink, `blink ${front} ≫ ${back}`);
      assert.ok(w(back).alpha > w(front).alpha, `alpha ${back} > ${front}`);
    }
  }
  assert.ok(scalpPosition('TP9').x < 0 && scalpPosition('TP10').x > 0, 'odd left, even right');
});

test('eyes-closed schedules: alternating blocks or explicit intervals', () => {
  const alt = eyesClosedAt({ open_s: 20, closed_s: 20 });
  assert.deepEqual([0, 19.9, 20, 39.9, 40, 60].map(alt), [false, false, true, true, false, true]);
  const closedFirst = eyesClosedAt({ open_s: 10, closed_s: 5, first: 'closed' });
  assert.deepEqual([0, 4.9, 5, 14.9, 15].map(closedFirst), [true, true, false, false, true]);
  const explicit = eyesClosedAt([{ start_s: 3, end_s: 4 }, { start_s: 10, end_s: 12 }]);
  assert.deepEqual([2, 3, 3.9, 4, 11, 12].map(explicit), [false, true, true, false, true, false]);
  assert.equal(eyesClosedAt([])(5), false);
});
