// The writer thread parks when idle: it exits once its start-up repair is done and nothing is
// open or in flight, a later segment starts a new one (recording exactly what a thread that never
// parked records), messages posted while the old thread closes reach the new one, and a thread
// that dies while a segment is open is still reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RecordingWriter, type WriterListener } from '../actors/recorder/recordingWriter.ts';
import { segmentCsvPath, SegmentWriter } from '../actors/recorder/segmentWriter.ts';
import { EPOCH_METRIC_KEYS, type EpochMetrics } from '../actors/store/epochMetrics.ts';
import type { ChannelBandPowers } from '../actors/signal/bandPowers.ts';
import { integrityCheck, readCsv, readJson } from './helpers/recording.ts';
import { until } from './helpers/until.ts';
import { TEST_HEADSET } from './helpers/testHeadset.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'skill-park-'));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 3, 10);
const info = TEST_HEADSET;
const metrics = (alpha: number): EpochMetrics => {
  const m = {} as EpochMetrics;
  for (const k of EPOCH_METRIC_KEYS) m[k] = 0;
  return { ...m, rel_alpha: alpha };
};
const channel = (name: string): ChannelBandPowers => ({
  channel: name, delta: 1, theta: 1, alpha: 2, beta: 1, gamma: 1, high_gamma: 1,
  rel_delta: 0.2, rel_theta: 0.1, rel_alpha: 0.4, rel_beta: 0.1, rel_gamma: 0.1, rel_high_gamma: 0.1,
  dominant: 'alpha', dominant_symbol: 'α', dominant_color: '#fff',
});

interface Observed {
  listener: WriterListener;
  repaired: string[][];
  failures: Array<{ id: number; code: string }>;
  warnings: string[];
}

function observed(): Observed {
  const o: Observed = {
    repaired: [], failures: [], warnings: [],
    listener: {
      opened: () => {},
      failed: (id, code) => o.failures.push({ id, code }),
      backlog: () => {},
      repaired: (csvPaths) => o.repaired.push(csvPaths),
      warning: (m) => o.warnings.push(m),
    },
  };
  return o;
}

/** A segment of 10 s at `startMs`, posted without yielding; resolves once the writer has finished it. */
function recordSegment(writer: RecordingWriter, startMs: number): { csvPath: string; samples: number; finished: Promise<void> } {
  const { id, csvPath } = writer.open({ startMs, info, continuesFrom: null });
  let samples = 0;
  for (let t = startMs; t < startMs + 10_000; t += 250) {
    const ramp = Float32Array.from({ length: 64 }, (_, i) => samples + i);
    writer.eeg(id, { kind: 'eeg', t0Ms: t, sampleRateHz: 256, channels: [ramp, ramp.map((v) => -v)] });
    writer.ppg(id, { kind: 'ppg', t0Ms: t, sampleRateHz: 64, channels: [new Float32Array(16).fill(1), new Float32Array(16).fill(2), new Float32Array(16).fill(3)] });
    writer.imu(id, { kind: 'imu', sensor: 'accel', t0Ms: t, sampleRateHz: 4, samples: [[0, 0, 1]] });
    writer.snapshot(id, { tMs: t + 250, channels: [channel('TP9'), channel('AF7')], metrics: metrics(t / 1e12) });
    samples += 64;
  }
  for (const e of [startMs, startMs + 5_000]) writer.epoch(id, { startMs: e, metrics: metrics(e / 1e12) });
  writer.embedding({ dayDir: path.dirname(csvPath), timestampMs: startMs, vector: Float32Array.from({ length: 8 }, (_, i) => i / 8) });
  const finished = writer.finish({ id, reason: 'test', endMs: startMs + 10_000, batteryPct: 50, channelQuality: ['good', 'good'] });
  return { csvPath, samples, finished };
}

/** A segment a killed run left without its sidecar. */
function killedRunSegment(dataDir: string): string {
  const startMs = T0 - HOUR;
  const { csvPath } = segmentCsvPath(dataDir, startMs, fs.existsSync);
  const w = new SegmentWriter({ id: 1, csvPath, startMs, info, continuesFrom: null });
  w.write({ eeg: [{ t0Ms: startMs, rateHz: 256, channels: [new Float32Array(256), new Float32Array(256)] }], ppg: [], imu: [], snapshots: [], epochs: [] });
  w.abandon();
  return csvPath;
}

/** Every file under the data directory but the databases, by relative path. */
function filesOf(dataDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const day of fs.readdirSync(dataDir).sort()) {
    for (const name of fs.readdirSync(path.join(dataDir, day)).sort()) {
      if (name.startsWith('eeg.sqlite')) continue;
      out.set(`${day}/${name}`, fs.readFileSync(path.join(dataDir, day, name), 'utf8').replaceAll(dataDir, '<data>'));
    }
  }
  return out;
}

function rowsOf(dataDir: string, day: string) {
  const db = new Database(path.join(dataDir, day, 'eeg.sqlite'), { readonly: true });
  try {
    return {
      snapshots: db.prepare('SELECT timestamp, device_name, metrics_json FROM band_snapshots ORDER BY timestamp').all(),
      epochs: db.prepare('SELECT timestamp, device_name, metrics_json, hex(eeg_embedding) AS embedding FROM embeddings ORDER BY timestamp').all() as Array<{ timestamp: number; embedding: string }>,
    };
  } finally {
    db.close();
  }
}

/** Polls on every turn of the event loop, so the short `closing` window is not missed. */
async function untilState(writer: RecordingWriter, leaves: RecordingWriter['thread']): Promise<RecordingWriter['thread']> {
  for (let turns = 0; turns < 1_000_000; turns++) {
    if (writer.thread !== leaves) return writer.thread;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`the writer thread stayed ${leaves}`);
}

test('the writer thread exits once idle after its start-up repair, and a later segment records exactly as without parking', { timeout: 60_000 }, async () => {
  const parkingDir = tmp();
  const steadyDir = tmp();
  const killedParking = killedRunSegment(parkingDir);
  killedRunSegment(steadyDir);
  const p = observed();
  const s = observed();
  const parking = new RecordingWriter(parkingDir, p.listener, { idleMs: 50 });
  const steady = new RecordingWriter(steadyDir, s.listener, { idleMs: HOUR });

  await Promise.all([parking.start(), steady.start()]);
  assert.deepEqual(p.repaired, [[killedParking]], 'the start-up repair finished the killed run\'s segment before start() resolved');
  await until('the idle writer thread to exit after its start-up repair', async () => parking.thread === 'parked', 30_000, 10);

  const first = [recordSegment(parking, T0), recordSegment(steady, T0)];
  assert.equal(parking.thread, 'running', 'a segment starts a new thread');
  await Promise.all(first.map((r) => r.finished));
  await until('the thread to park again after the segment', async () => parking.thread === 'parked', 30_000, 10);
  const afterFirst = filesOf(parkingDir);

  // The next thread's repair pass meets only files this run finished properly.
  const second = [recordSegment(parking, T0 + DAY), recordSegment(steady, T0 + DAY)];
  await Promise.all(second.map((r) => r.finished));
  const statsBefore = parking.stats();
  assert.equal(steady.thread, 'running', 'the writer with a long idle delay never parked');
  await until('the thread to park after the second segment', async () => parking.thread === 'parked', 30_000, 10);

  assert.deepEqual(p.repaired, [[killedParking]], 'no later thread took a segment of this run for a half-written one');
  assert.deepEqual(p.failures, [], 'parking is never reported as a failure');
  assert.deepEqual(p.warnings, [], 'no warnings');
  assert.equal(parking.stats().backlogBytes, 0, 'nothing left in flight while parked');
  assert.deepEqual(parking.stats(), statsBefore, 'stats are the same once parked');
  for (const [name, text] of afterFirst) assert.equal(filesOf(parkingDir).get(name), text, `${name} unchanged by the next thread's start-up repair`);

  const parkedFiles = filesOf(parkingDir);
  const steadyFiles = filesOf(steadyDir);
  assert.deepEqual([...parkedFiles.keys()], [...steadyFiles.keys()], 'the same files with and without parking');
  for (const [name, text] of parkedFiles) assert.equal(text, steadyFiles.get(name), `${name} is the same with and without parking`);
  for (const r of [first[0]!, second[0]!]) {
    const csv = readCsv(r.csvPath);
    assert.equal(csv.rows.length, r.samples, `every sample of ${path.basename(r.csvPath)} is in its CSV`);
    assert.equal(csv.partialTail, '', 'no partial line');
    const sidecar = readJson(r.csvPath.replace(/\.csv$/, '.json'));
    assert.equal(sidecar.total_samples, r.samples, 'the sidecar counts every sample');
    assert.equal(sidecar.recovered, undefined, 'a segment of this run is not marked recovered');
    assert.equal(sidecar.end_reason, 'test', 'the sidecar has the finish reason');
    const day = path.basename(path.dirname(r.csvPath));
    assert.equal(integrityCheck(path.join(parkingDir, day, 'eeg.sqlite')), 'ok', 'the day database is intact');
    const rows = rowsOf(parkingDir, day);
    assert.deepEqual(rows, rowsOf(steadyDir, day), `the ${day} database rows are the same with and without parking`);
    assert.equal(rows.snapshots.length, 40, 'every band snapshot has its row');
    assert.equal(rows.epochs.length, 2, 'every epoch has its row');
    assert.equal(rows.epochs[0]!.embedding.length, 8 * 4 * 2, 'the embedding sent after the rows is stored');
  }

  await Promise.all([parking.close(), steady.close()]);
  assert.equal(parking.thread, 'parked', 'closing a parked writer starts no thread');
  assert.equal(steady.thread, 'parked', 'closing a running writer stops its thread');
});

test('messages posted while the old thread is closing wait for its exit and reach the next thread', { timeout: 60_000 }, async () => {
  const dataDir = tmp();
  const o = observed();
  const writer = new RecordingWriter(dataDir, o.listener, { idleMs: 20 });
  await writer.start();
  assert.equal(writer.thread, 'parked', 'nothing to repair on a clean data directory: no thread at start-up');
  // A segment a day earlier brings a thread up; once it is done, the idle thread closes.
  await recordSegment(writer, T0 - 86_400_000).finished;
  assert.equal(await untilState(writer, 'running'), 'closing', 'the idle thread was asked to exit');

  const r = recordSegment(writer, T0);
  assert.equal(writer.thread, 'closing', 'no new thread starts while the old one is closing');
  assert.ok(writer.stats().backlogBytes > 0, 'the queued data counts as backlog');
  await r.finished;

  const csv = readCsv(r.csvPath);
  assert.equal(csv.rows.length, r.samples, 'every sample posted during the close is in the CSV');
  assert.equal(readJson(r.csvPath.replace(/\.csv$/, '.json')).total_samples, r.samples, 'the sidecar counts every sample');
  const rows = rowsOf(dataDir, path.basename(path.dirname(r.csvPath)));
  assert.equal(rows.snapshots.length, 40, 'every band snapshot posted during the close has its row');
  assert.equal(rows.epochs[0]!.embedding.length, 8 * 4 * 2, 'the embedding posted during the close is stored');
  assert.deepEqual(o.repaired, [], 'the new thread\'s repair pass found nothing to do on a clean data directory');
  assert.deepEqual(o.failures, [], 'no failure reported');

  // Shutting down while the thread closes waits for its exit.
  assert.equal(await untilState(writer, 'running'), 'closing', 'the thread parks again once the segment is done');
  await writer.close();
  assert.equal(writer.thread, 'parked', 'close() returns once the closing thread has exited');
});

test('a thread that dies while a segment is open is still reported, and the next thread finishes that segment', { timeout: 60_000 }, async () => {
  const dataDir = tmp();
  const o = observed();
  const writer = new RecordingWriter(dataDir, o.listener, { idleMs: HOUR });
  await writer.start();
  const { id, csvPath } = writer.open({ startMs: T0, info, continuesFrom: null });
  writer.eeg(id, { kind: 'eeg', t0Ms: T0, sampleRateHz: 256, channels: [new Float32Array(256), new Float32Array(256)] });
  await until('the first batch to be written', async () => writer.stats().totals.samples === 256, 30_000, 10);

  writer.injectFault();
  await until('the loss to be reported', async () => o.failures.length > 0, 30_000, 10);
  assert.deepEqual(o.failures, [{ id, code: 'EWORKER' }], 'the open segment failed with EWORKER');
  assert.equal(writer.thread, 'parked', 'no thread after the crash');

  const next = recordSegment(writer, T0 + HOUR);
  await next.finished;
  assert.deepEqual(o.repaired, [[csvPath]], 'the next thread finished the segment the crash left open');
  assert.equal(readJson(csvPath.replace(/\.csv$/, '.json')).total_samples, 256, 'what was written before the crash is kept');
  assert.equal(readCsv(next.csvPath).rows.length, next.samples, 'the next segment records completely');
  assert.equal(o.failures.length, 1, 'only the crash was reported');
  await writer.close();
});
