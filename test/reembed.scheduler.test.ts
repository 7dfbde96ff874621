// The reembed scheduler in-process, with a stand-in encoder whose vectors are computed from the
// samples it is given: every filled row is announced to `stored` listeners (the global index)
// with its unix-ms time, reference-era files are filled without being migrated and their band
// rows are left alone, a channel count failing 5 times in a row is given up, the encoder going
// away mid-run is waited out, a device connecting pauses the run between chunks, refusals, and
// the run history across restarts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createActor } from 'xstate';
import { EmbeddingEvents, type StoredEmbedding } from '../actors/embeddings/embeddingEvents.ts';
import { EmbedTimings } from '../actors/embeddings/embedTimings.ts';
import { EncoderLostError, type EpochInput } from '../actors/embeddings/encoderWorker.ts';
import { EventBus, type EventEnvelope } from '../actors/eventBus.ts';
import { DaemonLog } from '../actors/log.ts';
import { ReembedRuns } from '../actors/reembed/reembedRuns.ts';
import { ReembedRefused, ReembedScheduler, type ReembedEncoder } from '../actors/reembed/reembedScheduler.ts';
import { SettingsStore } from '../actors/settings/settingsStore.ts';
import type { EncoderState } from '../machines/encoder.ts';
import { expectedWindow } from './helpers/epochWindowReference.ts';
import { writeSession, type WrittenSession } from './helpers/sessionFixture.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-reembed-sched-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A vector that identifies the samples: per-channel mean and first value, the channel count and rate. */
function fingerprint(e: EpochInput): Float32Array {
  const v = new Float32Array(2 + 2 * e.channels.length);
  v[0] = e.channels.length;
  v[1] = e.sampleRateHz;
  e.channels.forEach((ch, c) => {
    let s = 0;
    for (let i = 0; i < ch.length; i++) s += ch[i]!;
    v[2 + 2 * c] = s / ch.length;
    v[3 + 2 * c] = ch[0]!;
  });
  return v;
}

class FakeEncoder implements ReembedEncoder {
  state: EncoderState = 'ready';
  readonly stored = new EmbeddingEvents();
  readonly timings = new EmbedTimings();
  readonly family = 'fake';
  lastError: string | null = null;
  /** Channel counts the model refuses. */
  refuse = new Set<number>();
  /** Throw EncoderLostError this many times (a thread restart). */
  lose = 0;
  /** Resolve each encode after this many ms. */
  delayMs = 0;
  calls = 0;
  settled = async (): Promise<EncoderState> => this.state;
  encodeEpochs = async (epochs: EpochInput[]) => {
    this.calls++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.lose > 0) {
      this.lose--;
      throw new EncoderLostError('encoder thread exited with code 1');
    }
    if (epochs.some((e) => this.refuse.has(e.channels.length))) throw new Error(`Got invalid dimensions for input: eeg`);
    return { vectors: epochs.map(fingerprint), model: this.family, ms: epochs.map(() => 1) };
  };
}

function harness(name: string, opts: { deviceState?: string; downloading?: boolean } = {}) {
  const dataDir = path.join(tmp, name);
  fs.mkdirSync(dataDir, { recursive: true });
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((e) => void events.push(e));
  const settings = new SettingsStore(dataDir);
  settings.update({ reembed: { idle_reembed_enabled: false, idle_reembed_throttle_ms: 0 } });
  const encoder = new FakeEncoder();
  let device = opts.deviceState ?? 'disconnected';
  const scheduler = new ReembedScheduler({
    dataDir, bus, log: new DaemonLog(false), settings, encoder,
    deviceState: () => device,
    weightsDownloading: () => opts.downloading ?? false,
  });
  const stored: StoredEmbedding[] = [];
  encoder.stored.onStored((e) => void stored.push(e));
  let actor: ReturnType<typeof createActor> | null = null;
  const progress = () => events.filter((e) => e.type === 'reembed-progress').map((e) => e.payload as Record<string, any>);
  const waitFor = async (status: string, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    while (!progress().some((p) => p.status === status)) {
      if (Date.now() > until) throw new Error(`no ${status}; got ${progress().map((p) => p.status).join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return progress().find((p) => p.status === status)!;
  };
  return {
    dataDir, bus, settings, encoder, scheduler, stored, events, progress, waitFor,
    setDevice: (state: string) => {
      device = state;
      bus.publish('status', { state });
    },
    start: async () => {
      actor = createActor(scheduler.logic(), { input: scheduler.input() });
      actor.subscribe((s) => scheduler.onSnapshot(s));
      actor.start();
      await new Promise((r) => setImmediate(r));
    },
    stop: () => actor?.stop(),
  };
}

function blobOf(dayDir: string, id: number): Float32Array | null {
  const db = new Database(path.join(dayDir, 'eeg.sqlite'), { readonly: true });
  try {
    const b = db.prepare('SELECT eeg_embedding FROM embeddings WHERE id = ?').pluck().get(id) as Buffer | null;
    return b && b.length >= 4 ? new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) : null;
  } finally {
    db.close();
  }
}

function rowsOf(dayDir: string): Array<{ id: number; timestamp: number; bytes: number | null }> {
  const db = new Database(path.join(dayDir, 'eeg.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT id, timestamp, length(eeg_embedding) AS bytes FROM embeddings ORDER BY id').all() as any;
  } finally {
    db.close();
  }
}

const sameVector = (got: Float32Array | null, s: WrittenSession, startMs: number) => {
  const want = fingerprint({ channels: expectedWindow(s, startMs, s.rateHz)!, sampleRateHz: s.rateHz });
  assert.ok(got, `row at ${startMs} has a vector`);
  assert.deepEqual(Array.from(got), Array.from(want), `vector at ${startMs}`);
};

test('every row is filled from its own 5 s and announced to stored listeners; reference-era files stay as they were', async () => {
  const h = harness('fill');
  const current = writeSession(h.dataDir, { start: 1_700_000_000, rateHz: 256, samples: 256 * 41, epochs: 'current' });
  const legacy = writeSession(h.dataDir, { start: 1_700_200_000, rateHz: 256, samples: 256 * 31, epochs: 'legacy', sidecar: 'legacy', prefix: 'muse' });
  await h.start();
  try {
    assert.deepEqual(h.scheduler.trigger(), { ok: true, message: 'reembed started' });
    const done = await h.waitFor('done');
    assert.deepEqual([done.total, done.done, done.failed], [8 + 6, 14, 0]);
    const statuses = h.progress().map((p) => p.status);
    assert.deepEqual(statuses.slice(0, 3), ['loading_encoder', 'scanning', 'started']);
    assert.equal(h.progress()[2]!.total, 14);
    assert.ok(statuses.includes('running'));
    // Newest day first.
    const days = h.progress().filter((p) => p.status === 'running').map((p) => p.day);
    assert.equal(days[0], legacy.day);

    for (const r of rowsOf(current.dayDir)) sameVector(blobOf(current.dayDir, r.id), current, r.timestamp);
    const legacyRows = rowsOf(legacy.dayDir);
    const epochRows = legacyRows.filter((r) => r.timestamp >= 1e13);
    assert.equal(epochRows.length, 6);
    epochRows.forEach((r, i) => sameVector(blobOf(legacy.dayDir, r.id), legacy, legacy.epochMs[i]!));
    assert.ok(legacyRows.filter((r) => r.timestamp < 1e13).every((r) => !r.bytes), 'the 4 Hz band rows are not epochs and stay empty');
    const db = new Database(path.join(legacy.dayDir, 'eeg.sqlite'), { readonly: true });
    assert.equal(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'band_snapshots'`).pluck().get(), 0, 'not migrated');
    db.close();

    assert.equal(h.stored.length, 14);
    assert.deepEqual(h.stored.map((s) => s.timestampMs).sort(), [...current.epochMs, ...legacy.epochMs].sort(), 'unix ms, whatever the row stores');
    assert.ok(h.stored.every((s) => s.model === 'fake' && s.vector.length === 10));
    assert.equal(h.stored.find((s) => s.timestampMs === legacy.epochMs[0])!.dayDir, legacy.dayDir);

    const [run] = h.scheduler.runs.list();
    assert.deepEqual([run!.outcome, run!.trigger, run!.total, run!.done, run!.failed, run!.model], ['done', 'manual', 14, 14, 0, 'fake']);
    assert.ok(run!.ended_at! >= run!.started_at && run!.epochs_per_sec! > 0 && run!.bytes_read > 0);

    // Nothing left: a second run finds nothing and says so.
    h.events.length = 0;
    h.scheduler.trigger();
    const again = await h.waitFor('done');
    assert.deepEqual([again.total, again.done, again.failed], [0, 0, 0]);
    const est = await h.scheduler.estimate();
    assert.deepEqual([est.total_epochs, est.embedded, est.missing, est.coverage_pct, est.eta_secs, est.avg_embed_source], [14, 14, 0, 100, 0, 'reembed']);
    assert.ok(est.avg_embed_ms > 0);
  } finally {
    h.stop();
  }
});

test('a channel count failing 5 times in a row is given up for the run; rows without raw data fail; the encoder restarting is waited out', async () => {
  const h = harness('skip');
  const wide = writeSession(h.dataDir, { start: 1_700_000_000, rateHz: 128, samples: 128 * 61, epochs: 'current', channels: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8'], deviceName: 'Wide' });
  const narrow = writeSession(h.dataDir, { start: 1_700_001_000, rateHz: 256, samples: 256 * 21, epochs: 'current' });
  // Two epoch rows whose raw data is gone.
  const orphan = new Database(path.join(narrow.dayDir, 'eeg.sqlite'));
  orphan.prepare(`INSERT INTO embeddings (timestamp, device_name, eeg_embedding, metrics_json) VALUES (?, 'Gone', X'', '{}'), (?, 'Gone', NULL, '{}')`).run(1_700_005_000_000, 1_700_005_005_000);
  orphan.close();
  h.settings.update({ reembed: { idle_reembed_enabled: false, idle_reembed_throttle_ms: 0, batch_size: 1 } });
  h.encoder.refuse.add(8);
  h.encoder.lose = 2;
  await h.start();
  try {
    h.scheduler.trigger();
    const done = await h.waitFor('done');
    assert.deepEqual([done.total, done.done, done.failed], [12 + 4 + 2, 4, 14]);
    const [run] = h.scheduler.runs.list();
    assert.deepEqual(run!.skipped_channel_counts, [8]);
    assert.deepEqual(run!.failures, { encoder_refused: 5, channel_count_skipped: 7, no_raw_data: 2 });
    for (const r of rowsOf(narrow.dayDir).filter((x) => x.timestamp >= 1_700_001_000_000 && x.timestamp < 1_700_005_000_000)) sameVector(blobOf(narrow.dayDir, r.id), narrow, r.timestamp);
    assert.ok(rowsOf(wide.dayDir).filter((r) => r.timestamp < 1_700_001_000_000).every((r) => !r.bytes));
    assert.equal(h.encoder.lose, 0, 'both losses were retried');
  } finally {
    h.stop();
  }
});

test('a device connecting pauses the run between chunks; it resumes once the device has been idle for the delay', async () => {
  const h = harness('pause');
  const s = writeSession(h.dataDir, { start: 1_700_000_000, rateHz: 256, samples: 256 * 301, epochs: 'current' });
  h.settings.update({ reembed: { idle_reembed_enabled: false, idle_reembed_throttle_ms: 20, batch_size: 10, idle_reembed_delay_secs: 1 } });
  await h.start();
  try {
    h.scheduler.trigger();
    await h.waitFor('running');
    h.setDevice('connecting');
    const paused = await h.waitFor('paused');
    assert.equal(paused.reason, 'device_connected');
    assert.ok(paused.done < 60, `paused at ${paused.done} of 60`);
    assert.equal(h.scheduler.runs.list()[0]!.outcome, 'paused');
    assert.throws(() => h.scheduler.trigger(), (e: unknown) => e instanceof ReembedRefused && e.code === 'already_running' && /paused while a device is connected/.test(e.message));
    const filledWhilePaused = rowsOf(s.dayDir).filter((r) => r.bytes).length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rowsOf(s.dayDir).filter((r) => r.bytes).length, filledWhilePaused, 'nothing is written while paused');
    h.setDevice('connected');
    h.setDevice('disconnected');
    const t0 = Date.now();
    const done = await h.waitFor('done');
    assert.ok(Date.now() - t0 >= 900, 'resumed after the 1 s idle period');
    assert.deepEqual([done.done, done.failed], [60, 0]);
    for (const r of rowsOf(s.dayDir)) sameVector(blobOf(s.dayDir, r.id), s, r.timestamp);
    const [run] = h.scheduler.runs.list();
    assert.deepEqual([run!.outcome, run!.pauses, run!.done], ['done', 1, 60]);
  } finally {
    h.stop();
  }
});

test('refusals: weights downloading, no encoder, already running; a stopped daemon leaves its run interrupted', async () => {
  const downloading = harness('refuse-dl', { downloading: true });
  await downloading.start();
  assert.throws(() => downloading.scheduler.trigger(), (e: unknown) => e instanceof ReembedRefused && e.code === 'weights_downloading');
  downloading.stop();

  const h = harness('refuse');
  writeSession(h.dataDir, { start: 1_700_000_000, rateHz: 256, samples: 256 * 101, epochs: 'current' });
  h.encoder.state = 'metrics_only';
  h.encoder.lastError = 'no ONNX weights';
  await h.start();
  assert.throws(() => h.scheduler.trigger(), (e: unknown) => e instanceof ReembedRefused && e.code === 'encoder_unavailable' && /no ONNX weights/.test(e.message));
  h.encoder.state = 'ready';
  h.encoder.delayMs = 50;
  h.scheduler.trigger();
  await h.waitFor('running');
  assert.throws(() => h.scheduler.trigger(), (e: unknown) => e instanceof ReembedRefused && e.code === 'already_running');
  h.stop();
  const [run] = h.scheduler.runs.list();
  assert.equal(run!.outcome, 'interrupted');
  // And on disk, as the next start reads it.
  const reread = new ReembedRuns(h.dataDir).list()[0]!;
  assert.deepEqual([reread.id, reread.outcome], [run!.id, 'interrupted']);
  assert.ok(reread.ended_at! >= reread.started_at);
});
