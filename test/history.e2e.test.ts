// History routes against the real daemon, over fixture sessions written into its data
// directory: shapes, paging and its 400s, local days, stats, find-session, traversal attempts on
// every path field (403, nothing changed), delete removing every part, and both exports streamed
// and read back (EDF+ by the independent checker).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test as nodeTest } from 'node:test';
import { ROOT, useDaemon } from './helpers/daemonProcess.ts';
import { snapshotTree, writeSession, type WrittenSession } from './helpers/sessionFixture.ts';

const ctx = useDaemon();
const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

let data: string;
let outside: WrittenSession;
let a: WrittenSession; // this daemon's sidecar, epochs, every part
let b: WrittenSession; // legacy sidecar and database, muse_ prefix
let c: WrittenSession; // no sidecar, a line still being written
let d: WrittenSession; // recorded an hour ago

let written = false;
/** Fixtures go in once the daemon is up (hooks of this file may run before useDaemon's). */
function writeFixtures(): void {
  if (written) return;
  written = true;
  data = ctx.daemon.dirs.data;
  outside = writeSession(path.join(ctx.daemon.dirs.root, 'outside'), { start: 1_690_000_000, samples: 100, allParts: true });
  a = writeSession(data, { start: 1_700_000_000.5, samples: 256 * 21 + 30, epochs: 'current', allParts: true });
  b = writeSession(data, { start: 1_700_050_000, samples: 256 * 12, sidecar: 'legacy', epochs: 'legacy', prefix: 'muse' });
  c = writeSession(data, { start: 1_700_090_000, samples: 256 * 7, sidecar: 'none', partialLastLine: true });
  d = writeSession(data, { start: now() - 3600, samples: 256 * 40, rateHz: 256 });
  // Bait: a session-named symlink leading out of the data directory.
  fs.symlinkSync(outside.csvPath, path.join(a.dayDir, 'exg_1690000000.csv'));
}

const test = (name: string, fn: () => Promise<void>) => nodeTest(name, async () => {
  writeFixtures();
  await fn();
});

/** Listed sessions (the bait symlink is not a session). */
const sessions = () => [d, c, b, a];
const end = (s: WrittenSession) => Math.floor(s.lastTime);

/** A GET whose body is kept as bytes. */
function getBytes(p: string, query: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const qs = new URLSearchParams(query).toString();
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: ctx.daemon.port, path: `${p}?${qs}`, headers: { authorization: `Bearer ${ctx.daemon.token}` }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (x: Buffer) => parts.push(x));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

test('GET sessions: every session newest first, with the reference fields and paging headers', async () => {
  const r = await ctx.admin.get('/v1/history/sessions');
  assert.equal(r.status, 200);
  assert.ok(Array.isArray(r.json));
  assert.deepEqual(r.json.map((x: any) => x.csv_path), sessions().map((s) => s.csvPath));
  assert.equal(r.headers['x-total-count'], '4');
  assert.equal(r.headers['x-next-offset'], undefined);
  for (const row of r.json) {
    for (const k of ['csv_path', 'session_start_utc', 'session_end_utc', 'device_name', 'total_samples', 'start_utc', 'end_utc', 'n_epochs', 'day']) assert.ok(k in row, k);
  }
  const [rd, rc, rb, ra] = r.json;
  assert.deepEqual([ra.session_start_utc, ra.session_end_utc, ra.total_samples, ra.day], [1_700_000_000, end(a), 256 * 21 + 30, a.day]);
  assert.equal(ra.n_epochs, a.epochMs.length);
  assert.equal(ra.start_utc, Math.floor(a.epochMs[0]! / 1000));
  assert.deepEqual([rb.session_end_utc, rb.device_name, rb.total_samples, rb.n_epochs], [end(b), 'Muse-S 1234', 256 * 12, b.epochMs.length]);
  assert.deepEqual([rc.end_estimated, rc.session_end_utc, rc.total_samples], [true, end(c), null]);
  assert.equal(rd.session_duration_s, end(d) - d.startFileSecs);
});

test('paging: limit/offset on GET and POST; out of range → 400 bad_request', async () => {
  const p1 = await ctx.admin.get('/v1/history/sessions', { query: { limit: '2' } });
  assert.deepEqual(p1.json.map((x: any) => x.csv_path), [d.csvPath, c.csvPath]);
  assert.deepEqual([p1.headers['x-total-count'], p1.headers['x-next-offset']], ['4', '2']);
  const p2 = await ctx.admin.get('/v1/history/sessions', { query: { limit: '2', offset: '2' } });
  assert.deepEqual(p2.json.map((x: any) => x.csv_path), [b.csvPath, a.csvPath]);
  assert.equal(p2.headers['x-next-offset'], undefined);
  assert.deepEqual((await ctx.admin.get('/v1/history/sessions', { query: { offset: '10' } })).json, []);
  for (const query of [{ limit: '-1' }, { limit: '1.5' }, { limit: '10001' }, { limit: '' }, { offset: 'abc' }, { offset: '-2' }, { limit: '1e2' }] as Array<Record<string, string>>) {
    const r = await ctx.admin.get('/v1/history/sessions', { query });
    assert.equal(r.status, 400, JSON.stringify(query));
    assert.equal(r.json.code, 'bad_request');
  }
  const days = await ctx.admin.post('/v1/history/sessions', { tzOffsetSecs: 0, limit: 1 });
  assert.equal(days.json.length, 1);
  assert.ok(Number(days.headers['x-total-count']) >= 2);
  for (const bad of [{ limit: -1 }, { limit: 2.5 }, { limit: 'x' }, { offset: -1 }, { limit: 20_000 }]) {
    const r = await ctx.admin.post('/v1/history/sessions', { tzOffsetSecs: 0, ...bad });
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.json.code, 'bad_request');
  }
});

test('POST sessions: local days for an offset, and each day\'s sessions', async () => {
  const tz = -5 * 3600;
  const key = (secs: number) => new Date((secs + tz) * 1000).toISOString().slice(0, 10);
  const expectedKeys = [...new Set(sessions().map((s) => key(s.startFileSecs)))].sort().reverse();
  const r = await ctx.admin.post('/v1/history/sessions', { tz_offset_secs: tz });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.map((x: any) => x.key), expectedKeys);
  for (const day of r.json) {
    const midnight = Date.parse(`${day.key}T00:00:00Z`) / 1000 - tz;
    assert.deepEqual([day.start_utc, day.end_utc], [midnight, midnight + DAY]);
    const listed = await ctx.admin.post('/v1/history/sessions', { tzOffsetSecs: tz, localKey: day.key });
    assert.deepEqual(
      listed.json.map((x: any) => x.csv_path),
      sessions().filter((s) => key(s.startFileSecs) === day.key).map((s) => s.csvPath),
    );
  }
  assert.deepEqual((await ctx.admin.post('/v1/history/sessions', { tzOffsetSecs: 0, localKey: '1999-01-01' })).json, []);
  assert.equal((await ctx.admin.post('/v1/history/sessions', { tzOffsetSecs: 0, localKey: '2026-02-30' })).status, 422);
  assert.equal((await ctx.admin.post('/v1/history/sessions', { tzOffsetSecs: 999_999 })).status, 422);
});

test('stats, daily minutes and find-session agree with the fixture', async () => {
  const t = now();
  const days = Math.floor(t / DAY);
  const weekday = (new Date(t * 1000).getUTCDay() + 6) % 7; // Monday = 0
  const thisWeek = (days - weekday) * DAY;
  const dur = (s: WrittenSession) => end(s) - s.startFileSecs;
  const inWeek = (s: WrittenSession, from: number, to: number) => s.startFileSecs >= from && s.startFileSecs < to;
  const stats = await ctx.admin.get('/v1/history/stats');
  assert.deepEqual(stats.json, {
    total_sessions: 4,
    total_secs: sessions().reduce((n, s) => n + dur(s), 0),
    this_week_secs: sessions().filter((s) => inWeek(s, thisWeek, Infinity)).reduce((n, s) => n + dur(s), 0),
    last_week_secs: sessions().filter((s) => inWeek(s, thisWeek - 7 * DAY, thisWeek)).reduce((n, s) => n + dur(s), 0),
  });

  const mins = await ctx.admin.post('/v1/history/daily-recording-mins', { days: 3 });
  assert.equal(mins.json.length, 3);
  const today = new Date(t * 1000).toISOString().slice(0, 10);
  assert.equal(mins.json[2].day, today);
  const minutesOn = (iso: string) => Math.floor(sessions().filter((s) => s.day === iso.replace(/-/g, '')).reduce((n, s) => n + dur(s), 0) / 60);
  for (const row of mins.json) assert.equal(row.minutes, minutesOn(row.day), row.day);
  assert.equal((await ctx.admin.post('/v1/history/daily-recording-mins', {})).json.length, 30);
  assert.equal((await ctx.admin.post('/v1/history/daily-recording-mins', { days: 5000 })).json.length, 365);

  const find = (ts: number) => ctx.admin.post('/v1/history/find-session', { timestampUnix: ts });
  assert.deepEqual((await find(1_700_000_010)).json, { csv_path: a.csvPath });
  assert.deepEqual((await find(1_700_050_005)).json, { csv_path: b.csvPath });
  assert.deepEqual((await find(1_700_089_000)).json, { csv_path: c.csvPath }, 'nearest when none contains it');
});

test('traversal attempts on every path field: 403 forbidden_path, nothing touched', async () => {
  const attempts = [
    path.relative(data, outside.csvPath),
    `../${path.basename(ctx.daemon.dirs.root)}/outside/${outside.day}/${outside.stem}.csv`,
    outside.csvPath,
    '/etc/passwd',
    `${a.day}/../${a.day}/${a.stem}.csv`,
    `${a.csvPath}\u0000`,
    data,
    path.join(a.dayDir, 'eeg.sqlite'),
    path.join(a.dayDir, `${a.stem}_metrics.csv`),
    path.join(a.dayDir, `${a.stem}.json`),
    path.join(a.dayDir, 'exg_1690000000.csv'),
    a.dayDir,
  ];
  // The encoder stays parked (nothing here needs it), so it writes no model file meanwhile:
  // the snapshot sees only what the requests below might change.
  const before = { data: snapshotTree(data), outside: snapshotTree(path.dirname(outside.dayDir)) };
  for (const csvPath of attempts) {
    const del = await ctx.admin.post('/v1/history/sessions/delete', { csvPath });
    assert.equal(del.status, 403, `delete ${JSON.stringify(csvPath)}`);
    assert.equal(del.json.code, 'forbidden_path');
    for (const format of ['edf', 'csv']) {
      const ex = await ctx.admin.get('/v1/history/sessions/export', { query: { csvPath, format } });
      assert.equal(ex.status, 403, `export ${format} ${JSON.stringify(csvPath)}`);
      assert.equal(ex.json.code, 'forbidden_path');
    }
  }
  assert.deepEqual({ data: snapshotTree(data), outside: snapshotTree(path.dirname(outside.dayDir)) }, before);
  const missing = path.join(a.dayDir, 'exg_1700000999.csv');
  assert.equal((await ctx.admin.post('/v1/history/sessions/delete', { csvPath: missing })).status, 404);
  assert.equal((await ctx.admin.get('/v1/history/sessions/export', { query: { csvPath: missing } })).status, 404);
  assert.equal((await ctx.admin.get('/v1/history/sessions/export', { query: { csvPath: a.csvPath, format: 'xlsx' } })).status, 422);
});

test('export: EDF+ streamed with its length and read back; CSV up to the last complete line', async () => {
  const edf = await getBytes('/v1/history/sessions/export', { csvPath: a.csvPath, format: 'edf' });
  assert.equal(edf.status, 200);
  assert.equal(edf.headers['content-type'], 'application/octet-stream');
  assert.equal(edf.headers['content-disposition'], `attachment; filename="${a.stem}.edf"`);
  assert.equal(Number(edf.headers['content-length']), edf.body.length);
  const head = await ctx.admin.call('HEAD', '/v1/history/sessions/export', { query: { csvPath: a.csvPath } });
  assert.equal(head.headers['content-length'], edf.headers['content-length']);
  const file = path.join(ctx.daemon.dirs.root, 'a.edf');
  fs.writeFileSync(file, edf.body);
  const checked = JSON.parse(execFileSync('python3', [path.join(ROOT, 'scripts', 'edf-check.py'), file, '--values'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  assert.deepEqual(checked.signals.map((x: any) => x.label), [...a.channels.map((ch) => `EEG ${ch}`), 'EDF Annotations']);
  assert.equal(checked.n_records, Math.ceil((256 * 21 + 30) / 256));
  assert.equal(checked.onsets[0], 0.5);
  a.channels.forEach((ch, i) => {
    const sig = checked.signals[i];
    const step = (sig.pmax - sig.pmin) / (sig.dmax - sig.dmin);
    const got: number[] = checked.values[`EEG ${ch}`];
    a.values[i]!.forEach((v, k) => assert.ok(Math.abs(got[k]! - v) <= step, `${ch}[${k}]`));
  });

  const csv = await getBytes('/v1/history/sessions/export', { csvPath: c.csvPath, format: 'csv' });
  assert.equal(csv.status, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  const onDisk = fs.readFileSync(c.csvPath, 'latin1');
  assert.equal(csv.body.toString('latin1'), onDisk.slice(0, onDisk.lastIndexOf('\n') + 1));
  assert.equal(Number(csv.headers['content-length']), csv.body.length);
});

test('delete: every part of the session goes, the rest stays', async () => {
  const others = [b, c, d].flatMap((s) => s.files);
  const r = await ctx.admin.post('/v1/history/sessions/delete', { csvPath: a.csvPath });
  assert.equal(r.status, 200);
  assert.equal(r.json.ok, true);
  assert.deepEqual(r.json.deleted.sort(), a.files.map((f) => path.basename(f)).sort());
  for (const f of a.files) assert.ok(!fs.existsSync(f), f);
  for (const f of [...others, ...outside.files, path.join(a.dayDir, 'eeg.sqlite')]) assert.ok(fs.existsSync(f), f);
  const list = await ctx.admin.get('/v1/history/sessions');
  assert.deepEqual(list.json.map((x: any) => x.csv_path), [d.csvPath, c.csvPath, b.csvPath]);
  assert.equal((await ctx.admin.post('/v1/history/sessions/delete', { csvPath: a.csvPath })).status, 404);
});

/** Polls `fn` until it returns a value (not undefined) or `ms` pass. */
async function until<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a live recording: listed while it records, not deletable (409), exportable; complete once ended', async () => {
  const since = now() - 1;
  assert.equal((await ctx.admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200);
  const live = await until(async () => {
    const rows = (await ctx.admin.get('/v1/history/sessions')).json as any[];
    return rows.find((r) => r.session_start_utc >= since && r.end_estimated && r.session_duration_s >= 6);
  }, 30_000, 'the live session to be listed with 6 s recorded');
  assert.equal(live.end_estimated, true);

  const del = await ctx.admin.post('/v1/history/sessions/delete', { csvPath: live.csv_path });
  assert.equal(del.status, 409);
  assert.ok(fs.existsSync(live.csv_path));

  const csv = await getBytes('/v1/history/sessions/export', { csvPath: live.csv_path, format: 'csv' });
  assert.equal(csv.status, 200);
  const text = csv.body.toString('latin1');
  assert.ok(text.endsWith('\n'), 'only complete lines');
  const lines = text.trimEnd().split('\n');
  const width = lines[0]!.split(',').length;
  assert.ok(lines.every((l) => l.split(',').length === width));

  const edf = await getBytes('/v1/history/sessions/export', { csvPath: live.csv_path, format: 'edf' });
  assert.equal(edf.status, 200);
  assert.equal(Number(edf.headers['content-length']), edf.body.length);
  const file = path.join(ctx.daemon.dirs.root, 'live.edf');
  fs.writeFileSync(file, edf.body);
  const checked = JSON.parse(execFileSync('python3', [path.join(ROOT, 'scripts', 'edf-check.py'), file], { encoding: 'utf8' }));
  assert.ok(checked.n_records >= 5);
  assert.deepEqual(checked.signals.slice(0, -1).map((x: any) => x.label), lines[0]!.split(',').slice(1).map((ch) => `EEG ${ch}`.slice(0, 16)));

  assert.equal((await ctx.admin.post('/v1/control/cancel-session')).status, 200);
  const done = await until(async () => {
    const rows = (await ctx.admin.get('/v1/history/sessions')).json as any[];
    return rows.find((r) => r.csv_path === live.csv_path && !r.end_estimated);
  }, 15_000, 'the sidecar of the ended session');
  assert.ok(done.total_samples > 0);
  assert.ok(done.n_epochs >= 1, 'epoch rows were joined');
  assert.equal((await ctx.admin.post('/v1/history/sessions/delete', { csvPath: live.csv_path })).status, 200);
});
