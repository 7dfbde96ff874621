// A minute of the virtual headset recorded through the real daemon, then the history and analysis
// routes checked against values recomputed here from the session's own CSV files — not from the
// daemon's database — using the documented rules: epochs of 5 s cut from the session start (the
// file name), each the mean of the ~4 Hz snapshots inside it; relative powers = Σ over channels of
// the band's absolute power / Σ of all six bands; sleep stages by the reference's thresholds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnDaemon, type RunningDaemon } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';
import { integrityCheck, rawCsvFiles, readCsv, readJson } from './helpers/recording.ts';

const RECORD_MS = Number(process.env.RECORD_SECS ?? 60) * 1000;
const BANDS = ['delta', 'theta', 'alpha', 'beta', 'gamma', 'high_gamma'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

let daemon: RunningDaemon;
let admin: ReturnType<typeof client>;
let csvPath: string;
let startS: number;
let endS: number;
interface Snap { t: number; rel: Record<string, number>; cols: Record<string, number> }
let snaps: Snap[];
interface Epoch { start: number; rel: Record<string, number>; relaxation: number }
let epochs: Epoch[];

before(async () => {
  // A session over UTC midnight is split in two segments (tested in recorder.unit); keep this one whole.
  const toMidnight = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now();
  if (toMidnight < RECORD_MS + 30_000) await sleep(toMidnight + 1_000);
  daemon = await spawnDaemon();
  admin = client(daemon.port, daemon.token);
  const started = await admin.post('/v1/lsl/virtual-source/start', { template: 'muse', seed: 11, eyes_closed_schedule: { open_s: 10, closed_s: 10, first: 'open' } });
  assert.equal(started.status, 200, started.text);
  assert.equal((await admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200);
  await sleep(RECORD_MS);
  const status = (await admin.get('/v1/status')).json;
  assert.equal(status.recording.state, 'recording');
  assert.ok(status.recording.samples_written > 0);
  csvPath = status.csv_path;
  assert.equal((await admin.post('/v1/control/cancel-session', {})).status, 200);
  for (let i = 0; i < 100 && !fs.existsSync(csvPath.replace(/\.csv$/, '.json')); i++) await sleep(50);

  startS = Number(/exg_(\d+)\.csv$/.exec(csvPath)![1]);
  const metrics = readCsv(csvPath.replace(/\.csv$/, '_metrics.csv'));
  const col = (name: string) => metrics.header.indexOf(name);
  const channels = ['TP9', 'AF7', 'AF8', 'TP10'];
  snaps = metrics.rows.map((r) => {
    const sums = BANDS.map((b) => channels.reduce((a, ch) => a + r[col(`${ch}_${b}`)]!, 0));
    const total = sums.reduce((a, x) => a + x, 0);
    const rel = Object.fromEntries(BANDS.map((b, i) => [b, sums[i]! / total]));
    const cols = Object.fromEntries(metrics.header.map((h, i) => [h, r[i]!]));
    return { t: r[0]!, rel, cols };
  });
  endS = readJson(csvPath.replace(/\.csv$/, '.json')).session_end_utc;
  // Epoch k covers (start + 5k, start + 5k + 5] s; only epochs complete before the session ended exist.
  epochs = [];
  for (let s = startS; ; s += 5) {
    const inside = snaps.filter((x) => x.t * 1000 > s * 1000 && x.t * 1000 <= (s + 5) * 1000);
    const later = snaps.some((x) => x.t >= s + 5);
    if (!later) break;
    if (inside.length === 0) continue;
    const mean = (f: (x: Snap) => number) => inside.reduce((a, x) => a + f(x), 0) / inside.length;
    epochs.push({ start: s, rel: Object.fromEntries(BANDS.map((b) => [b, mean((x) => x.rel[b]!)])), relaxation: mean((x) => x.cols.relaxation!) });
  }
});

after(async () => {
  const exit = await daemon.stop();
  assert.equal(exit.code, 0, exit.stderr);
});

test('the session is on disk: CSVs, sidecar, a sound day database', () => {
  const raw = readCsv(csvPath);
  const side = readJson(csvPath.replace(/\.csv$/, '.json'));
  assert.deepEqual(raw.header, ['timestamp_s', 'TP9', 'AF7', 'AF8', 'TP10']);
  assert.equal(side.total_samples, raw.rows.length);
  assert.ok(Math.abs(raw.rows.length / 256 - RECORD_MS / 1000) < 3, `${raw.rows.length} samples for ${RECORD_MS / 1000} s`);
  assert.equal(side.device_kind, 'virtual');
  assert.equal(side.end_reason, 'disconnected');
  assert.equal(integrityCheck(path.join(path.dirname(csvPath), 'eeg.sqlite')), 'ok');
  assert.ok(snaps.length >= (RECORD_MS / 1000 - 3) * 3.5, `${snaps.length} snapshot rows`);
  assert.ok(epochs.length >= RECORD_MS / 5000 - 2, `${epochs.length} epochs`);
  assert.ok(readCsv(csvPath.replace(/\.csv$/, '_ppg.csv')).rows.length > 0);
  assert.ok(readCsv(csvPath.replace(/\.csv$/, '_imu.csv')).rows.length > 0);
});

test('history lists it, counts it, and finds it by time', async () => {
  const list = await admin.get('/v1/history/sessions');
  assert.equal(list.status, 200);
  assert.equal(list.json.length, 1);
  const s = list.json[0];
  assert.equal(s.csv_path, csvPath);
  assert.equal(s.session_start_utc, startS);
  assert.equal(s.total_samples, readCsv(csvPath).rows.length);
  assert.equal(s.n_epochs, epochs.length);
  const stats = (await admin.get('/v1/history/stats')).json;
  assert.equal(stats.total_sessions, 1);
  assert.ok(Math.abs(stats.total_secs - (endS - startS)) <= 1);
  const found = await admin.post('/v1/history/find-session', { timestampUnix: startS + 20 });
  assert.equal(found.json.csv_path, csvPath);
  const mins = (await admin.post('/v1/history/daily-recording-mins', { days: 2 })).json;
  // Whole minutes per UTC day, rounded down.
  assert.equal(mins.at(-1).minutes, Math.floor((endS - startS) / 60), `daily minutes ${JSON.stringify(mins)}`);
});

test('analysis/metrics averages the 5 s epochs recomputed from the metrics CSV', async () => {
  const res = await admin.post('/v1/analysis/metrics', { startUtc: startS, endUtc: endS + 1 });
  assert.equal(res.status, 200);
  assert.equal(res.json.n_epochs, epochs.length);
  for (const b of ['delta', 'theta', 'alpha', 'beta', 'gamma']) {
    const want = epochs.reduce((a, e) => a + e.rel[b]!, 0) / epochs.length;
    assert.ok(close(res.json[`rel_${b}`], want, 1e-4), `rel_${b}: ${res.json[`rel_${b}`]} vs ${want}`);
  }
  const relax = epochs.reduce((a, e) => a + e.relaxation, 0) / epochs.length;
  assert.ok(close(res.json.relaxation, relax, 1e-4), `relaxation ${res.json.relaxation} vs ${relax}`);
  assert.ok(res.json.relaxation > 0, 'relaxation is read back (not lost to a key spelling)');
});

test('analysis/timeseries has one row per epoch at its start time', async () => {
  const res = await admin.post('/v1/analysis/timeseries', { startUtc: startS, endUtc: endS + 1 });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.map((r: any) => r.t), epochs.map((e) => e.start));
  res.json.forEach((r: any, i: number) => assert.ok(close(r.ra, epochs[i]!.rel.alpha!, 1e-4), `ra at ${r.t}`));
  // Eyes closed from 10 s to 20 s: alpha of that block's epochs is above the open block's.
  const ra = (from: number, to: number) => res.json.filter((r: any) => r.t - startS >= from && r.t - startS < to).map((r: any) => r.ra);
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  assert.ok(mean(ra(10, 20)) > mean(ra(0, 10)), 'alpha rises with the eyes closed');
});

test('analysis/sleep stages each epoch by the documented thresholds', async () => {
  const res = await admin.post('/v1/analysis/sleep', { startUtc: startS, endUtc: endS + 1 });
  assert.equal(res.status, 200);
  const stage = (r: Record<string, number>) =>
    r.alpha! > 0.3 || r.beta! > 0.3 ? 0 : r.theta! > 0.3 && r.alpha! < 0.15 && r.delta! < 0.45 ? 4 : r.delta! > 0.5 ? 3 : r.theta! > 0.25 && r.delta! < 0.5 ? 1 : 2;
  assert.deepEqual(res.json.epochs.map((e: any) => e.stage), epochs.map((e) => stage(e.rel)));
  assert.equal(res.json.summary.total_epochs, epochs.length);
  assert.ok('efficiency_pct' in res.json || 'efficiency_pct' in (res.json.analysis ?? {}), 'extended analysis present');
});

test('csv-metrics and embedding-count agree with the files', async () => {
  const csv = await admin.post('/v1/analysis/csv-metrics', { csvPath });
  assert.equal(csv.status, 200, csv.text);
  assert.equal(csv.json.n_rows, snaps.length);
  const count = await admin.post('/v1/analysis/embedding-count', { startUtc: startS, endUtc: endS + 1 });
  // The encoder embeds every epoch whose whole window of raw samples was recorded: all but the
  // first, which starts at the session's start second, just before the first sample.
  const raw = readCsv(csvPath).rows;
  const firstS = raw[0]![0]!, lastS = raw.at(-1)![0]!;
  const covered = epochs.filter((e) => e.start >= firstS && e.start + 5 <= lastS + 1 / 256).length;
  assert.deepEqual(count.json, { count: epochs.length, embedded: covered });
});

test('the raw CSV export is the file itself', async () => {
  const res = await admin.get(`/v1/history/sessions/export?csvPath=${encodeURIComponent(csvPath)}&format=csv`);
  assert.equal(res.status, 200);
  assert.equal(res.text, fs.readFileSync(csvPath, 'utf8'));
  assert.equal(rawCsvFiles(daemon.dirs.data).length, 1);
});
