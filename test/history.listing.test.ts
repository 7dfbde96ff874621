// History listing without a server: sessions read from fixture folders (current and legacy
// sidecars, no sidecar, a partial last line, epoch rows of both database eras), local days,
// statistics, daily minutes, find-session and paging. Expected values are recomputed here from
// the fixture's own data and plain date arithmetic.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { localDateKey, localDayBounds, localDaysOf } from '../actors/history/localDays.ts';
import { pageOf, parsePaging, PagingError } from '../actors/history/paging.ts';
import { readCsvTail } from '../actors/history/rawCsvEnds.ts';
import { scanRecordedSessions, sessionAt } from '../actors/history/recordedSessions.ts';
import { dailyRecordingMinutes, historyStats, weekStartUtc } from '../actors/history/recordingStats.ts';
import { summarize } from '../actors/history/sessionSummaries.ts';
import { writeSession } from './helpers/sessionFixture.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'history-list-'));

test('listing: every session, newest first, from current and legacy sidecars and from sidecar-less CSVs', async () => {
  const data = tmp();
  const current = writeSession(data, { start: 1_700_000_000.25, samples: 256 * 31, epochs: 'current' });
  const legacy = writeSession(data, { start: 1_700_100_000, samples: 256 * 22, sidecar: 'legacy', epochs: 'legacy', prefix: 'muse', deviceName: 'Old Muse' });
  const open = writeSession(data, { start: 1_700_200_000, samples: 256 * 9 + 17, sidecar: 'none', partialLastLine: true, epochs: 'current', deviceName: 'Live Muse' });
  // Files that are not sessions, and a folder that is not a day.
  fs.writeFileSync(path.join(current.dayDir, `${current.stem}_metrics.csv`), 'timestamp_s\n');
  fs.writeFileSync(path.join(current.dayDir, 'notes.json'), '{}');
  fs.mkdirSync(path.join(data, 'labels'));
  fs.writeFileSync(path.join(data, 'labels', 'exg_1.csv'), 'x\n');

  const rows = summarize(await scanRecordedSessions(data), data);
  assert.deepEqual(rows.map((r) => r.csv_path), [open.csvPath, legacy.csvPath, current.csvPath]);

  const [o, l, c] = rows as [typeof rows[0], typeof rows[0], typeof rows[0]];
  // This daemon's sidecar: read as written.
  assert.equal(c.session_start_utc, 1_700_000_000);
  assert.equal(c.session_end_utc, Math.floor(current.lastTime));
  assert.equal(c.total_samples, 256 * 31);
  assert.equal(c.sample_rate_hz, 256);
  assert.equal(c.device_name, 'Muse-S 1234');
  assert.equal(c.day, utcDay(1_700_000_000));
  assert.equal(c.end_estimated, false);
  assert.equal(c.file_size_bytes, fs.statSync(current.csvPath).size);
  // Epochs: one per whole 5 s of samples, first/last their timestamps.
  assert.equal(current.epochMs.length, Math.floor((current.lastTime - current.firstTime + 1 / 256) / 5));
  assert.equal(c.n_epochs, current.epochMs.length);
  assert.equal(c.start_utc, Math.floor(current.epochMs[0]! / 1000));
  assert.equal(c.end_utc, Math.floor(current.epochMs.at(-1)! / 1000));

  // Legacy sidecar: strings for numbers, nested device{}; legacy database: only the 17-digit rows count.
  assert.equal(l.session_start_utc, 1_700_100_000);
  assert.equal(l.session_end_utc, Math.floor(legacy.lastTime));
  assert.equal(l.total_samples, 256 * 22);
  assert.equal(l.device_name, 'Old Muse');
  assert.equal(l.serial_number, 'LEG-9');
  assert.equal(l.headset_preset, 'p21');
  assert.equal(l.battery_pct, 55.5);
  assert.equal(l.csv_file, 'muse_1700100000.csv');
  assert.equal(l.n_epochs, legacy.epochMs.length);
  assert.ok(l.n_epochs > 0);
  assert.equal(l.start_utc, Math.floor(legacy.epochMs[0]! / 1000));

  // No sidecar: end from the last complete line (the partial one ignored), names from the header,
  // the device from the epoch rows.
  assert.equal(o.end_estimated, true);
  assert.equal(o.session_end_utc, Math.floor(open.lastTime));
  assert.equal(o.total_samples, null);
  assert.deepEqual(o.channel_names, open.channels);
  assert.equal(o.device_name, 'Live Muse');
  assert.equal(o.n_epochs, open.epochMs.length);
});

test('a session without epochs keeps its own bounds; an empty CSV ends where it starts', async () => {
  const data = tmp();
  const s = writeSession(data, { start: 1_710_000_000, samples: 300 });
  const empty = writeSession(data, { start: 1_710_000_500, samples: 0, sidecar: 'none' });
  const rows = summarize(await scanRecordedSessions(data), data);
  const byPath = new Map(rows.map((r) => [r.csv_path, r]));
  assert.deepEqual(
    [byPath.get(s.csvPath)!.start_utc, byPath.get(s.csvPath)!.end_utc, byPath.get(s.csvPath)!.n_epochs],
    [1_710_000_000, Math.floor(s.lastTime), 0],
  );
  const e = byPath.get(empty.csvPath)!;
  assert.deepEqual([e.session_start_utc, e.session_end_utc, e.session_duration_s], [1_710_000_500, 1_710_000_500, 0]);
});

test('CSV tail: last complete line only, reading a bounded window of a large file', async () => {
  const dir = tmp();
  const file = path.join(dir, 'big.csv');
  const line = (i: number) => `${(1_700_000_000 + i / 256).toFixed(6)},${'1.2345,'.repeat(31)}1.0\n`;
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'timestamp_s,' + Array.from({ length: 32 }, (_, i) => `c${i}`).join(',') + '\n');
  let body = '';
  for (let i = 0; i < 40_000; i++) body += line(i);
  fs.writeSync(fd, body);
  fs.writeSync(fd, '1700000999.000000,3.3'); // a line being written
  fs.closeSync(fd);
  const tail = await readCsvTail(file);
  assert.equal(tail.lastTimestamp, Number((1_700_000_000 + 39_999 / 256).toFixed(6)));
  assert.equal(tail.completeBytes, fs.statSync(file).size - '1700000999.000000,3.3'.length);
  fs.writeFileSync(file, 'timestamp_s,a\n');
  assert.deepEqual(await readCsvTail(file), { size: 14, completeBytes: 14, lastTimestamp: null });
  fs.writeFileSync(file, '');
  assert.deepEqual(await readCsvTail(file), { size: 0, completeBytes: 0, lastTimestamp: null });
});

function utcDay(secs: number): string {
  return new Date(secs * 1000).toISOString().slice(0, 10).replace(/-/g, '');
}

test('local days: keys and bounds for offsets east and west of UTC', () => {
  // 2026-03-01 00:00 UTC.
  const mar1 = Date.UTC(2026, 2, 1) / 1000;
  assert.equal(localDateKey(mar1, -7 * 3600), '2026-02-28');
  assert.equal(localDateKey(mar1 + 12 * 3600, 14 * 3600), '2026-03-02');
  assert.deepEqual(localDayBounds('2026-03-01', -7 * 3600), { key: '2026-03-01', start_utc: mar1 + 7 * 3600, end_utc: mar1 + 31 * 3600 });
  assert.deepEqual(localDayBounds('2026-03-01', 19_800), { key: '2026-03-01', start_utc: mar1 - 19_800, end_utc: mar1 - 19_800 + 86_400 });
  assert.equal(localDayBounds('2026-02-30', 0), null);
  assert.equal(localDayBounds('2026-3-1', 0), null);
  const days = localDaysOf([mar1 + 3600, mar1 + 6 * 3600, mar1 + 8 * 3600, mar1 - 86_400 * 3], -7 * 3600);
  assert.deepEqual(days.map((d) => d.key), ['2026-03-01', '2026-02-28', '2026-02-25']);
});

test('stats: weeks start Monday 00:00 UTC; sessions count for the week they started in', () => {
  // Wednesday 2026-03-04 15:00 UTC; that week's Monday is 2026-03-02.
  const now = Date.UTC(2026, 2, 4, 15) / 1000;
  const monday = Date.UTC(2026, 2, 2) / 1000;
  assert.equal(weekStartUtc(now), monday);
  assert.equal(weekStartUtc(monday), monday);
  assert.equal(weekStartUtc(monday - 1), monday - 7 * 86_400);
  const sessions = [
    { day: '20260302', startSecs: monday + 10, endSecs: monday + 610 }, // this week, 600 s
    { day: '20260301', startSecs: monday - 100, endSecs: monday + 200 }, // last week (started Sunday), 300 s
    { day: '20260223', startSecs: monday - 7 * 86_400, endSecs: monday - 7 * 86_400 + 50 }, // last week's Monday, 50 s
    { day: '20260222', startSecs: monday - 7 * 86_400 - 1, endSecs: monday - 7 * 86_400 + 99 }, // before, 100 s
    { day: '20260304', startSecs: now, endSecs: now - 5 }, // clock went backwards: 0 s
  ];
  assert.deepEqual(historyStats(sessions, now), { total_sessions: 5, total_secs: 1050, this_week_secs: 600, last_week_secs: 350 });
});

test('daily minutes: the last N UTC days oldest first, seconds summed per day folder before flooring', () => {
  const now = Date.UTC(2026, 2, 4, 15) / 1000;
  const sessions = [
    { day: '20260304', startSecs: 0, endSecs: 90 },
    { day: '20260304', startSecs: 0, endSecs: 90 }, // 180 s → 3 min, not 1 + 1
    { day: '20260302', startSecs: 0, endSecs: 59 },
    { day: '20260201', startSecs: 0, endSecs: 6000 }, // outside the window
  ];
  assert.deepEqual(dailyRecordingMinutes(sessions, 3, now), [
    { day: '2026-03-02', minutes: 0 },
    { day: '2026-03-03', minutes: 0 },
    { day: '2026-03-04', minutes: 3 },
  ]);
  assert.equal(dailyRecordingMinutes(sessions, 365, now).length, 365);
  assert.deepEqual(dailyRecordingMinutes(sessions, 0, now), []);
});

test('find-session: containing, else nearest, else null', () => {
  const s = [{ startSecs: 100, endSecs: 200 }, { startSecs: 300, endSecs: 400 }];
  assert.equal(sessionAt(s, 150), s[0]);
  assert.equal(sessionAt(s, 300), s[1]);
  assert.equal(sessionAt(s, 240), s[0]);
  assert.equal(sessionAt(s, 270), s[1]);
  assert.equal(sessionAt(s, 10_000), s[1]);
  assert.equal(sessionAt([], 1), null);
});

test('paging: integers or their decimal text within range; anything else refused', () => {
  assert.deepEqual(parsePaging(undefined, undefined), { limit: null, offset: 0 });
  assert.deepEqual(parsePaging('10', '5'), { limit: 10, offset: 5 });
  assert.deepEqual(parsePaging(0, 0), { limit: 0, offset: 0 });
  assert.deepEqual(parsePaging(10_000, null), { limit: 10_000, offset: 0 });
  for (const [limit, offset] of [[-1, 0], ['-1', 0], [1.5, 0], ['1.5', 0], ['', 0], ['1e3', 0], [10_001, 0], ['abc', 0], [true, 0], [[1], 0], [1, -3], [1, 'x'], [1, 0.5]]) {
    assert.throws(() => parsePaging(limit, offset), PagingError, `${JSON.stringify([limit, offset])}`);
  }
  const all = Array.from({ length: 7 }, (_, i) => i);
  assert.deepEqual(pageOf(all, { limit: 3, offset: 2 }), { items: [2, 3, 4], total: 7, nextOffset: 5 });
  assert.deepEqual(pageOf(all, { limit: 3, offset: 6 }), { items: [6], total: 7, nextOffset: null });
  assert.deepEqual(pageOf(all, { limit: null, offset: 9 }), { items: [], total: 7, nextOffset: null });
  assert.deepEqual(pageOf(all, { limit: 0, offset: 0 }), { items: [], total: 7, nextOffset: 0 });
});
