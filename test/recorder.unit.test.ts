// The recorder without a daemon: epoching, a session crossing UTC midnight on a simulated clock,
// repair of an unfinished segment, a writer that cannot write, and the backlog bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActor, SimulatedClock } from 'xstate';
import { Epocher } from '../actors/recorder/epocher.ts';
import { createRecorder } from '../actors/recorder/recorderActor.ts';
import { RecordingWriter } from '../actors/recorder/recordingWriter.ts';
import { segmentCsvPath, SegmentWriter } from '../actors/recorder/segmentWriter.ts';
import { repairUnfinishedSessions } from '../actors/recorder/sessionRepair.ts';
import { RETRY_AFTER_MS } from '../machines/recorder.ts';
import { EPOCH_METRIC_KEYS, type EpochMetrics } from '../actors/store/epochMetrics.ts';
import type { EegBandsPayload } from '../actors/signal/eegBandsPayload.ts';
import { integrityCheck, rawCsvFiles, readCsv, readJson } from './helpers/recording.ts';
import Database from 'better-sqlite3';
import { TEST_HEADSET } from './helpers/testHeadset.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'skill-rec-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const info = TEST_HEADSET;
const metricsWith = (alpha: number): EpochMetrics => {
  const m = {} as EpochMetrics;
  for (const k of EPOCH_METRIC_KEYS) m[k] = 0;
  return { ...m, rel_alpha: alpha, rel_delta: 0.2, rel_theta: 0.1, blink_count: alpha * 10 };
};

test('epochs are 5 s long, hop by 5 s minus the overlap, and average the snapshots inside them', () => {
  const e = new Epocher(1_000_000, 0);
  const done: ReturnType<Epocher['add']> = [];
  // Snapshots every 250 ms for 11 s; alpha = seconds since start.
  for (let t = 250; t <= 11_000; t += 250) done.push(...e.add(1_000_000 + t, metricsWith(t / 1000)));
  assert.deepEqual(done.map((d) => d.startMs - 1_000_000), [0, 5000]);
  // Epoch [0, 5 s]: snapshots 0.25 … 5.0 → mean 2.625; blink_count is the running total at its end.
  assert.equal(done[0]!.snapshots, 20);
  assert.ok(Math.abs(done[0]!.metrics.rel_alpha - 2.625) < 1e-12);
  assert.equal(done[0]!.metrics.blink_count, 50);
  assert.ok(Math.abs(done[1]!.metrics.rel_alpha - 7.625) < 1e-12);

  const overlapped = new Epocher(0, 2.5);
  assert.equal(overlapped.hopMs, 2500);
  const starts = [];
  for (let t = 250; t <= 10_000; t += 250) starts.push(...overlapped.add(t, metricsWith(1)).map((d) => d.startMs));
  assert.deepEqual(starts, [0, 2500, 5000]);
  assert.equal(new Epocher(0, 99).hopMs, 500, 'overlap clamped to 4.5 s');
  assert.equal(new Epocher(0, -3).hopMs, 5000, 'negative overlap clamped to 0');
});

function bands(tMs: number, alpha: number): EegBandsPayload {
  const ch = (channel: string) => ({
    channel, delta: 1, theta: 1, alpha, beta: 1, gamma: 1, high_gamma: 1,
    rel_delta: 0.2, rel_theta: 0.1, rel_alpha: alpha, rel_beta: 0.1, rel_gamma: 0.05, rel_high_gamma: 0.05,
    dominant: 'alpha', dominant_symbol: 'α', dominant_color: '#fff',
  });
  return { ...metricsWith(alpha), timestamp: tMs / 1000, channels: [ch('TP9'), ch('AF7')], focus: 50, relaxation: 60, engagement: 40 } as unknown as EegBandsPayload;
}

test('a session crossing UTC midnight is split into one segment per day folder', { timeout: 20_000 }, async () => {
  const dataDir = tmp();
  const midnight = Date.UTC(2026, 10, 27);
  let now = midnight - 3_000;
  const recorder = createRecorder({ dataDir, overlapSecs: () => 0, endState: () => ({ batteryPct: 80, channelQuality: ['good', 'good'] }), onRepaired: () => {}, now: () => now });
  await recorder.writer.start();
  const actor = createActor(recorder.logic).start();
  recorder.link.open('virtual', info);
  let fed = 0;
  // 6 s of EEG in 250 ms chunks (64 samples), each channel a ramp so rows can be checked.
  for (let t = midnight - 3_000; t < midnight + 3_000; t += 250) {
    now = t;
    const ramp = Float32Array.from({ length: 64 }, (_, i) => fed + i);
    recorder.link.frame({ kind: 'eeg', t0Ms: t, sampleRateHz: 256, channels: [ramp, ramp.map((v) => -v)] });
    recorder.link.bands(bands(t + 250, 0.3));
    fed += 64;
  }
  assert.equal((actor.getSnapshot().context as any).segments >= 0, true);
  await sleep(300);
  recorder.link.close('user_cancel');
  await sleep(300);
  actor.stop();
  await recorder.writer.close();

  const csvs = rawCsvFiles(dataDir);
  assert.deepEqual(csvs.map((f) => path.basename(path.dirname(f))), ['20261126', '20261127']);
  const [first, second] = csvs.map((f) => ({ csv: readCsv(f), sidecar: readJson(f.replace(/\.csv$/, '.json')) }));
  assert.equal(first!.sidecar.end_reason, 'day_rollover');
  assert.equal(second!.sidecar.end_reason, 'user_cancel');
  assert.equal(second!.sidecar.continues_from, csvs[0]);
  assert.equal(second!.sidecar.session_start_utc, midnight / 1000);
  assert.equal(first!.csv.rows.length + second!.csv.rows.length, fed, 'no sample lost or doubled at the split');
  assert.ok(first!.csv.rows.every((r) => r[0]! < midnight / 1000));
  assert.ok(second!.csv.rows.every((r) => r[0]! >= midnight / 1000));
  assert.deepEqual(first!.csv.header, ['timestamp_s', 'TP9', 'AF7']);
  assert.equal(first!.sidecar.total_samples, first!.csv.rows.length);
  assert.deepEqual(first!.sidecar.channel_quality, ['good', 'good']);
  // Values survive the CSV round trip: channel 2 is minus channel 1.
  for (const r of second!.csv.rows) assert.equal(r[2], -r[1]!);
  for (const f of csvs) {
    const dbFile = path.join(path.dirname(f), 'eeg.sqlite');
    assert.equal(integrityCheck(dbFile), 'ok');
    const db = new Database(dbFile, { readonly: true });
    const snaps = db.prepare('SELECT COUNT(*) AS n FROM band_snapshots').get() as { n: number };
    assert.ok(snaps.n >= 10, `${snaps.n} snapshot rows in ${dbFile}`);
    db.close();
  }
});

test('the next start finishes an unfinished segment: partial lines cut, sidecar rebuilt', () => {
  const dataDir = tmp();
  const t0 = Date.UTC(2026, 0, 2, 10);
  const { csvPath } = segmentCsvPath(dataDir, t0, fs.existsSync);
  const w = new SegmentWriter({ id: 1, csvPath, startMs: t0, info, continuesFrom: null });
  w.write({ eeg: [{ t0Ms: t0, rateHz: 256, channels: [new Float32Array(512).fill(1), new Float32Array(512).fill(2)] }], ppg: [], imu: [], snapshots: [], epochs: [] });
  w.abandon();
  fs.appendFileSync(w.csvPath, '1767348002.003906,1.0');
  fs.appendFileSync(w.csvPath.replace(/\.csv$/, '_metrics.csv'), '17673480');
  const repaired = repairUnfinishedSessions(dataDir);
  assert.deepEqual(repaired, [w.csvPath]);
  const csv = readCsv(w.csvPath);
  assert.equal(csv.partialTail, '');
  assert.equal(csv.rows.length, 512);
  const side = readJson(w.csvPath.replace(/\.csv$/, '.json'));
  assert.equal(side.recovered, true);
  assert.equal(side.total_samples, 512);
  assert.equal(side.sample_rate_hz, 256);
  assert.equal(side.device_name, 'Test headset');
  assert.deepEqual(side.channel_names, ['TP9', 'AF7']);
  assert.equal(side.session_start_utc, t0 / 1000);
  assert.ok(Math.abs(side.session_end_utc - (t0 + 511_000 / 256) / 1000) < 1);
  assert.equal(readCsv(w.csvPath.replace(/\.csv$/, '_metrics.csv')).partialTail, '');
  assert.deepEqual(repairUnfinishedSessions(dataDir), [], 'repair is idempotent');
});

test('a writer that cannot write fails the segment, reports it, and retries after a while', { timeout: 20_000 }, async () => {
  const root = tmp();
  const dataDir = path.join(root, 'not-a-dir');
  fs.writeFileSync(dataDir, 'occupied');
  const clock = new SimulatedClock();
  const recorder = createRecorder({ dataDir, overlapSecs: () => 0, endState: () => ({ batteryPct: null, channelQuality: [] }), onRepaired: () => {} });
  const actor = createActor(recorder.logic, { clock }).start();
  recorder.link.open('virtual', info);
  for (let i = 0; i < 100 && actor.getSnapshot().value !== 'failed'; i++) await sleep(20);
  assert.equal(actor.getSnapshot().value, 'failed');
  assert.equal(actor.getSnapshot().context.errorCode, 'ENOTDIR');
  fs.rmSync(dataDir);
  clock.increment(RETRY_AFTER_MS);
  assert.deepEqual(actor.getSnapshot().value, { recording: 'flowing' });
  for (let i = 0; i < 100 && !actor.getSnapshot().context.csvPath; i++) await sleep(20);
  assert.ok(actor.getSnapshot().context.csvPath?.startsWith(dataDir), 'recording resumed once the disk allowed it');
  recorder.link.close();
  actor.stop();
  await recorder.writer.close();
});

test('when the disk falls behind, new data is dropped and counted instead of queued without bound', { timeout: 20_000 }, async () => {
  const dataDir = tmp();
  const events: boolean[] = [];
  const writer = new RecordingWriter(dataDir, { opened: () => {}, failed: () => {}, repaired: () => {}, backlog: (b) => events.push(b) }, { maxBacklogBytes: 256 * 1024 });
  await writer.start();
  const { id } = writer.open({ startMs: Date.now(), info, continuesFrom: null });
  const chunk = [new Float32Array(4096), new Float32Array(4096)];
  // 200 chunks of 32 KiB without yielding: the writer thread cannot have acknowledged any.
  for (let i = 0; i < 200; i++) writer.eeg(id, { kind: 'eeg', t0Ms: Date.now() + i * 16, sampleRateHz: 256, channels: chunk });
  const stats = writer.stats();
  assert.ok(stats.backlogBytes <= 256 * 1024, `backlog ${stats.backlogBytes} B stays under the bound`);
  assert.ok(stats.droppedSamples > 0, 'dropped samples are counted');
  assert.deepEqual(events, [true]);
  for (let i = 0; i < 100 && events.length < 2; i++) await sleep(20);
  assert.deepEqual(events, [true, false], 'caught up again');
  await writer.finish({ id, reason: 'test', endMs: Date.now(), batteryPct: null, channelQuality: [] });
  await writer.close();
});
