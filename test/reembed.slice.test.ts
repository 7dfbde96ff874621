// Cutting stored epochs' 5 s windows out of raw session CSVs: the window equals a plain scan of
// the rows written, at any position in a file of many megabytes, while reading a small fraction
// of it; relative device clocks, empty cells, files still growing, partial last lines; the
// covering file among several, in the day before, by device; the rate from the sidecar or the
// timestamps; and what a file cannot give.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EpochWindows } from '../actors/reembed/epochWindows.ts';
import { parseDecimal } from '../actors/reembed/decimalField.ts';
import { estimateRate, RawCsvReader } from '../actors/reembed/rawCsvReader.ts';
import { expectedWindow } from './helpers/epochWindowReference.ts';
import { writeSession } from './helpers/sessionFixture.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-reembed-slice-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('windows anywhere in a 30-minute, 4-channel file equal a plain scan, reading a small part of the file', async () => {
  const s = writeSession(path.join(tmp, 'big'), { start: 1_700_000_000.25, rateHz: 256, samples: 256 * 1800, missingEvery: 97 });
  const size = fs.statSync(s.csvPath).size;
  assert.ok(size > 20e6, `file is ${size} bytes`);
  const reader = await RawCsvReader.open(s.csvPath);
  try {
    assert.deepEqual(reader.channelNames, s.channels);
    assert.equal(reader.estimatedRateHz, 256);
    assert.deepEqual(reader.span, { first: s.firstTime, last: s.lastTime });
    // Random places, then a run of consecutive epochs as a reembed run reads them.
    const starts = [0, 1, 17.3, 901.5, 1794.9, 555, 1200.001].map((x) => (s.firstTime + x) * 1000);
    for (let k = 0; k < 60; k++) starts.push((s.firstTime + 300 + 5 * k) * 1000);
    for (const startMs of starts) {
      const got = await reader.window({ startMs, samples: 1280, sampleRateHz: 256 });
      const want = expectedWindow(s, startMs, 256)!;
      assert.ok(got.ok, `window at ${startMs}`);
      for (let c = 0; c < 4; c++) assert.deepEqual(got.channels[c], want[c], `channel ${c} at ${startMs}`);
    }
    // About what the windows hold, not the file: 5 s of this file is size / 360 bytes.
    const windowBytes = (starts.length * size) / 360;
    assert.ok(reader.bytesRead < 2 * windowBytes, `read ${reader.bytesRead} bytes of ${size} for ${starts.length} windows of ${Math.round(windowBytes)} bytes in all`);
    assert.deepEqual(await reader.window({ startMs: (s.firstTime - 2) * 1000, samples: 1280, sampleRateHz: 256 }), { ok: false, reason: 'before_start' });
    assert.deepEqual(await reader.window({ startMs: (s.lastTime - 4) * 1000, samples: 1280, sampleRateHz: 256 }), { ok: false, reason: 'after_end' });
  } finally {
    await reader.close();
  }
});

test('a relative device clock counts from the file name; a gap inside the window makes it incomplete; rows appended later are found', async () => {
  const dir = path.join(tmp, 'relative');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'exg_1700000100.csv');
  const rows = ['timestamp_s,Fp1,Fp2'];
  for (let i = 0; i < 250 * 12; i++) {
    const t = i / 250 + (i >= 250 * 8 ? 3 : 0); // 3 s dropout after 8 s
    rows.push(`${t.toFixed(6)},${(i % 50).toFixed(4)},${(-i % 7).toFixed(4)}`);
  }
  fs.writeFileSync(file, rows.join('\n') + '\n12.5,1'); // a partial last line
  const reader = await RawCsvReader.open(file);
  try {
    assert.equal(reader.estimatedRateHz, 250);
    assert.deepEqual(reader.span, { first: 1_700_000_100, last: 1_700_000_100 + (250 * 12 - 1) / 250 + 3 });
    const ok = await reader.window({ startMs: 1_700_000_101_000, samples: 1250, sampleRateHz: 250 });
    assert.ok(ok.ok);
    assert.equal(ok.channels[0]![0], 250 % 50);
    assert.deepEqual(await reader.window({ startMs: 1_700_000_105_000, samples: 1250, sampleRateHz: 250 }), { ok: false, reason: 'incomplete' });
    // The session goes on: the rows after the partial line become readable.
    fs.appendFileSync(file, '0\n' + Array.from({ length: 2000 }, (_, i) => `${(15 + i / 250).toFixed(6)},1.0000,2.0000`).join('\n') + '\n');
    const late = await reader.window({ startMs: 1_700_000_116_000, samples: 1250, sampleRateHz: 250 });
    assert.ok(late.ok, 'a window in rows appended after opening');
    assert.ok(late.channels[1]!.every((v) => v === 2));
  } finally {
    await reader.close();
  }
});

test('the covering file: among several, by device, in the day before; the rate from the sidecar or estimated', async () => {
  const data = path.join(tmp, 'cover');
  // Two devices recording at the same time, one day folder.
  const a = writeSession(data, { start: 1_700_000_000, rateHz: 256, samples: 256 * 30, deviceName: 'Muse-A' });
  const b = writeSession(data, { start: 1_700_000_002, rateHz: 500, samples: 500 * 30, deviceName: 'Headset-B', channels: ['C3', 'C4', 'Cz'], sidecar: 'none' });
  // A session that started just before UTC midnight; its epoch rows may sit in the next day's database.
  const midnight = Date.UTC(2023, 10, 16) / 1000;
  const c = writeSession(data, { start: midnight - 10, rateHz: 128, samples: 128 * 40, sidecar: 'legacy' });
  const windows = new EpochWindows();
  try {
    const byA = await windows.window(a.dayDir, (a.firstTime + 10) * 1000, 'Muse-A');
    assert.ok(byA.ok && byA.sampleRateHz === 256 && byA.csvPath === a.csvPath && byA.channels.length === 4);
    assert.deepEqual(byA.channels, expectedWindow(a, (a.firstTime + 10) * 1000, 256));
    const byB = await windows.window(b.dayDir, (b.firstTime + 10) * 1000, 'Headset-B');
    // No sidecar: the device name is unknown, so the latest-started covering file is taken, at its estimated rate.
    assert.ok(byB.ok && byB.csvPath === b.csvPath && byB.sampleRateHz === 500 && byB.channels.length === 3);
    assert.deepEqual(byB.channels, expectedWindow(b, (b.firstTime + 10) * 1000, 500));
    const named = await windows.window(a.dayDir, (a.firstTime + 10) * 1000, 'Muse-A');
    assert.ok(named.ok && named.csvPath === a.csvPath, 'the sidecar naming the row\'s device wins');

    const nextDay = path.join(data, '20231116');
    const late = await windows.window(nextDay, (midnight + 5) * 1000, null);
    assert.ok(late.ok && late.csvPath === c.csvPath && late.sampleRateHz === 128, 'found in the day before');
    assert.deepEqual(late.channels, expectedWindow(c, (midnight + 5) * 1000, 128));

    assert.deepEqual(await windows.window(a.dayDir, (a.firstTime - 100) * 1000, null), { ok: false, reason: 'no_raw_data' });
    assert.deepEqual(await windows.window(a.dayDir, (a.lastTime + 100) * 1000, null), { ok: false, reason: 'no_raw_data' });
    assert.ok(windows.bytesRead > 0);
  } finally {
    await windows.close();
  }
});

test('rate estimates snap to a whole rate within 0.5 %', () => {
  assert.equal(estimateRate(Array.from({ length: 100 }, (_, i) => 10 + i / 256)), 256);
  assert.equal(estimateRate(Array.from({ length: 100 }, (_, i) => 10 + i / 255.9)), 256);
  assert.equal(estimateRate(Array.from({ length: 100 }, (_, i) => i / 60.5)), 60.5);
  assert.equal(estimateRate([1, 2, 3]), null);
  assert.equal(estimateRate(Array.from({ length: 20 }, () => 5)), null);
});

test('fields are read in place as exactly the double Number() gives', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const texts = ['0', '-0.0000', '12.3456', '-812.0001', '1700000000.123456', '9007199254740991', '9007199254740993', '1e3', ' 4.5', 'NaN', '1.2.3', '+7.25', '-', '.5', '5.'];
  for (let i = 0; i < 20_000; i++) {
    texts.push(((rand() - 0.5) * 10 ** Math.floor(rand() * 6)).toFixed(Math.floor(rand() * 7)));
    texts.push((1.6e9 + rand() * 2e8).toFixed(6));
  }
  for (const t of texts) {
    const line = `x,${t},y`;
    const got = parseDecimal(line, 2, 2 + t.length);
    const want = t.trim() === '' || t === '-' ? NaN : Number(t);
    assert.ok(Object.is(got, want) || (got === 0 && want === 0), `${JSON.stringify(t)}: ${got} vs ${want}`);
  }
  assert.ok(Number.isNaN(parseDecimal('a,,b', 2, 2)), 'an empty field is missing');
});
