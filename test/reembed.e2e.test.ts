// Re-embedding through the real daemon, over sessions planted on disk before it starts (raw CSVs,
// sidecars and day databases whose epoch rows have no embedding): a trigger fills every row that
// has raw data with exactly the vector the encoder gives for that row's 5 s (recomputed here with
// the same model on a thread of the test's own), in this daemon's and the reference's storage,
// at a sidecar rate or an estimated one; the estimate, the run history, the SSE stream, 409s and
// 422s; a virtual session starting mid-run pauses it, and it resumes after the next idle period;
// with a short idle delay the daemon starts a run by itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EncoderWorker } from '../actors/embeddings/encoderWorker.ts';
import { tempDirs, useDaemon } from './helpers/daemonProcess.ts';
import { expectedWindow } from './helpers/epochWindowReference.ts';
import { subscribe, type Subscriber } from './helpers/events.ts';
import { writeSession, type WrittenSession } from './helpers/sessionFixture.ts';

const dirs = tempDirs('skill-reembed-e2e-');
// Day 2023-11-14: a session of this daemon (256 Hz, sidecar) and a 3-channel 250 Hz one without a
// sidecar rate; day 2023-11-16: a reference-era session (`muse_` CSV, string sidecar, 17-digit
// epoch rows among 4 Hz band rows in one table).
const A = writeSession(dirs.data, { start: 1_700_000_000, rateHz: 256, samples: 256 * 61, epochs: 'current', deviceName: 'Muse-A' });
const C = writeSession(dirs.data, { start: 1_700_003_000, rateHz: 250, samples: 250 * 31, epochs: 'current', channels: ['C3', 'Cz', 'C4'], sidecar: 'none', deviceName: 'Three', missingEvery: 41 });
const B = writeSession(dirs.data, { start: 1_700_200_000, rateHz: 256, samples: 256 * 31, epochs: 'legacy', sidecar: 'legacy', prefix: 'muse' });
// Two epoch rows whose raw file is gone.
const ORPHANS = [1_700_009_000_000, 1_700_009_005_000];
{
  const db = new Database(path.join(A.dayDir, 'eeg.sqlite'));
  const ins = db.prepare(`INSERT INTO embeddings (timestamp, device_name, eeg_embedding, metrics_json) VALUES (?, 'Gone', NULL, '{}')`);
  for (const t of ORPHANS) ins.run(t);
  db.close();
}
const PLANTED = A.epochMs.length + C.epochMs.length + B.epochMs.length;

const ctx = useDaemon({ dirs });

/** What each planted row must hold: the built-in encoder's vector for its 5 s, computed here. */
const expected = new Map<string, Float32Array>();
const key = (dayDir: string, ms: number) => `${path.basename(dayDir)}:${ms}`;
const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-reembed-model-'));

before(async () => {
  const worker = new EncoderWorker((m) => assert.fail(m));
  try {
    await worker.load({ family: 'skill-spectral', builtin: true, input: { sample_rate_hz: 256, samples: 1280, channels: 'any' }, threads: 1, path: path.join(modelDir, 'skill-spectral-v1.onnx') });
    for (const s of [A, B, C]) {
      const epochs = s.epochMs.map((ms) => ({ channels: expectedWindow(s, ms, s.rateHz)!, sampleRateHz: s.rateHz }));
      const { vectors } = await worker.encode(epochs);
      s.epochMs.forEach((ms, i) => expected.set(key(s.dayDir, ms), vectors[i]!));
    }
  } finally {
    await worker.close();
  }
});
after(() => fs.rmSync(modelDir, { recursive: true, force: true }));

/** Epoch rows of a planted session with their vectors (unix ms, whatever the row stores). */
function storedVectors(s: WrittenSession): Map<number, Float32Array | null> {
  const db = new Database(path.join(s.dayDir, 'eeg.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT timestamp, eeg_embedding AS blob FROM embeddings').all() as Array<{ timestamp: number; blob: Buffer | null }>;
    const out = new Map<number, Float32Array | null>();
    for (const r of rows) {
      const ms = r.timestamp >= 1e16 ? Date.UTC(...compactParts(Math.floor(r.timestamp / 1000))) : r.timestamp;
      if (!s.epochMs.includes(ms) || (r.timestamp < 1e13 && s === B)) continue;
      out.set(ms, r.blob && r.blob.length >= 4 ? new Float32Array(r.blob.buffer.slice(r.blob.byteOffset, r.blob.byteOffset + r.blob.byteLength)) : null);
    }
    return out;
  } finally {
    db.close();
  }
}

function compactParts(c: number): [number, number, number, number, number, number] {
  const s = String(c);
  return [+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14)];
}

function assertAllEmbedded(sessions: WrittenSession[] = [A, B, C]): void {
  for (const s of sessions) {
    const rows = storedVectors(s);
    assert.equal(rows.size, s.epochMs.length, `${s.stem}: every epoch row found`);
    for (const [ms, got] of rows) {
      const want = expected.get(key(s.dayDir, ms))!;
      assert.ok(got, `${s.stem} row at ${ms} has an embedding`);
      assert.equal(got.length, 128);
      let worst = 0;
      for (let i = 0; i < 128; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      assert.ok(worst < 1e-6, `${s.stem} row at ${ms}: differs from the encoder's vector for its 5 s by ${worst}`);
    }
  }
}

/** Empties the embeddings of a planted session's epoch rows. */
function forget(s: WrittenSession): void {
  const db = new Database(path.join(s.dayDir, 'eeg.sqlite'));
  db.pragma('busy_timeout = 5000');
  db.prepare(s === B ? 'UPDATE embeddings SET eeg_embedding = NULL WHERE timestamp >= 1e13' : 'UPDATE embeddings SET eeg_embedding = NULL WHERE timestamp BETWEEN ? AND ?').run(
    ...(s === B ? [] : [s.epochMs[0]!, s.epochMs.at(-1)!]),
  );
  db.close();
}

const progressOf = (sub: Subscriber) => sub.frames.filter((f) => f.type === 'reembed-progress').map((f) => f.payload);
const nextProgress = (sub: Subscriber, status: string, timeoutMs = 30_000, from = 0) =>
  sub.next((f) => f.type === 'reembed-progress' && f.payload.status === status && sub.frames.indexOf(f) >= from, timeoutMs);

test('reembed config: the reference\'s defaults, 422 for bad bodies, changes stored and returned', async () => {
  const defaults = (await ctx.admin.get('/v1/settings/reembed-config')).json;
  assert.deepEqual(defaults, {
    auto_labels: false, auto_eeg: false, auto_screenshots: false, batch_size: 10, batch_delay_ms: 50, idle_reembed_enabled: true,
    idle_reembed_delay_secs: 1800, idle_reembed_gpu: true, gpu_precision: 'f16', idle_reembed_throttle_ms: 10,
  });
  const bad: unknown[] = [
    { batch_size: 0 }, { batch_size: 2.5 }, { batch_size: 'ten' }, { batch_delay_ms: -1 }, { idle_reembed_delay_secs: -5 },
    { idle_reembed_delay_secs: 10 ** 9 }, { idle_reembed_enabled: 'yes' }, { gpu_precision: 'f64' }, { idle_reembed_throttle_ms: 1e6 },
    { no_such_field: 1 }, [],
  ];
  for (const body of bad) {
    const res = await ctx.admin.post('/v1/settings/reembed-config', body);
    assert.equal(res.status, 422, `${JSON.stringify(body)} → ${res.status} ${res.text}`);
    assert.equal(res.json.code, 'invalid_body');
  }
  assert.deepEqual((await ctx.admin.get('/v1/settings/reembed-config')).json, defaults, 'nothing bad was stored');
  // camelCase is accepted too.
  const saved = (await ctx.admin.post('/v1/settings/reembed-config', { gpuPrecision: 'f32', batch_delay_ms: 75 })).json;
  assert.deepEqual([saved.ok, saved.gpu_precision, saved.batch_delay_ms, saved.batch_size], [true, 'f32', 75, 10]);
  const file = JSON.parse(fs.readFileSync(path.join(dirs.data, 'settings.json'), 'utf8'));
  assert.equal(file.reembed.gpu_precision, 'f32');
  await ctx.admin.post('/v1/settings/reembed-config', { gpu_precision: 'f16', batch_delay_ms: 50 });
});

test('estimate before any run: epoch rows only, per day, with a measured time per epoch', async () => {
  // The encoder is parked until something needs it: the estimate's calibration wakes it.
  const est = (await ctx.admin.get('/v1/models/estimate-reembed')).json;
  assert.equal(est.total_epochs, PLANTED + ORPHANS.length, 'band rows of the reference-era file are not epochs');
  assert.deepEqual([est.embedded, est.missing, est.date_dirs, est.coverage_pct], [0, PLANTED + ORPHANS.length, 2, 0]);
  assert.deepEqual(est.per_day, [
    { date: B.day, total: B.epochMs.length, missing: B.epochMs.length, embedded: 0 },
    { date: A.day, total: A.epochMs.length + C.epochMs.length + 2, missing: A.epochMs.length + C.epochMs.length + 2, embedded: 0 },
  ]);
  assert.ok(est.avg_embed_ms > 0 && est.avg_embed_ms < 500, `avg_embed_ms ${est.avg_embed_ms}`);
  assert.equal(est.avg_embed_source, 'calibration');
  assert.ok(est.eta_secs >= 1);
  assert.deepEqual(
    [est.idle_reembed.active, est.idle_reembed.delay_secs, est.idle_reembed.state, est.idle_reembed.total, est.idle_reembed.current_day],
    [false, 1800, 'waiting_for_idle', 0, null],
  );
  assert.ok(est.idle_reembed.idle_secs >= 0);
});

test('trigger fills every planted epoch with the encoder\'s vector for its own 5 s; 409 while it runs; the run is recorded', async () => {
  await ctx.admin.post('/v1/settings/reembed-config', { idle_reembed_throttle_ms: 150 });
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  try {
    const res = await ctx.admin.post('/v1/models/trigger-reembed');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ok: true, message: 'reembed started' });
    const again = await ctx.admin.post('/v1/models/trigger-reembed');
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.code, 'already_running');
    const stream = await ctx.admin.post('/v1/models/trigger-reembed/stream');
    assert.equal(stream.status, 409, 'the stream is refused before it opens');
    assert.match(String(stream.headers['content-type']), /json/);

    const done = await nextProgress(sub, 'done');
    assert.deepEqual([done.payload.total, done.payload.done, done.payload.failed], [PLANTED + 2, PLANTED, 2]);
    const statuses = progressOf(sub).map((p) => p.status);
    assert.deepEqual(statuses.slice(0, 3), ['loading_encoder', 'scanning', 'started']);
    assert.equal(progressOf(sub)[2].total, PLANTED + 2);
    const running = progressOf(sub).filter((p) => p.status === 'running');
    assert.ok(running.length >= 2, `${running.length} running events`);
    assert.equal(running[0].day, B.day, 'newest day first');
    assert.equal(running[0].date, B.day);
    assert.ok(running.every((p, i) => i === 0 || p.done + p.failed >= running[i - 1].done + running[i - 1].failed));
    assert.ok(!statuses.includes('idle_done'), 'a manual run does not end with idle_done');

    assertAllEmbedded();
    const legacy = new Database(path.join(B.dayDir, 'eeg.sqlite'), { readonly: true });
    assert.equal(legacy.prepare('SELECT COUNT(*) FROM embeddings WHERE timestamp < 1e13 AND length(eeg_embedding) > 0').pluck().get(), 0, 'band rows untouched');
    assert.equal(legacy.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'band_snapshots'`).pluck().get(), 0, 'the reference-era file is not migrated');
    legacy.close();

    const runs = (await ctx.admin.get('/v1/models/reembed-runs')).json.runs;
    assert.equal(runs.length, 1);
    const r = runs[0];
    assert.deepEqual([r.trigger, r.outcome, r.total, r.done, r.failed, r.pauses, r.model], ['manual', 'done', PLANTED + 2, PLANTED, 2, 0, 'skill-spectral']);
    assert.deepEqual(r.failures, { no_raw_data: 2 });
    assert.ok(r.ended_at >= r.started_at && r.epochs_per_sec > 0 && r.bytes_read > 0);
    const file = JSON.parse(fs.readFileSync(path.join(dirs.data, 'reembed_runs.json'), 'utf8'));
    assert.equal(file[0].id, r.id);

    const est = (await ctx.admin.get('/v1/models/estimate-reembed')).json;
    assert.deepEqual([est.missing, est.embedded, est.avg_embed_source], [2, PLANTED, 'reembed']);
    assert.equal(est.coverage_pct, Math.round((PLANTED / (PLANTED + 2)) * 1000) / 10);
  } finally {
    sub.close();
    await ctx.admin.post('/v1/settings/reembed-config', { idle_reembed_throttle_ms: 10 });
  }
});

/** POSTs and reads a Server-Sent Events reply to its end: the `data:` payloads, and whether comments came. */
function readSse(pathName: string): Promise<{ status: number; type: string | undefined; frames: any[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ctx.daemon.port, method: 'POST', path: pathName, headers: { authorization: `Bearer ${ctx.daemon.token}`, 'content-type': 'application/json', 'content-length': 2 } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        const frames = text.split('\n\n').flatMap((block) => {
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          return data ? [JSON.parse(data)] : [];
        });
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], frames });
      });
    });
    req.setTimeout(60_000, () => req.destroy(new Error('stream did not end')));
    req.on('error', reject);
    req.end('{}');
  });
}

test('trigger-reembed/stream: every progress payload as SSE, ending after done', async () => {
  forget(A);
  const { status, type, frames } = await readSse('/v1/models/trigger-reembed/stream');
  assert.equal(status, 200);
  assert.equal(type, 'text/event-stream');
  const statuses = frames.map((f) => f.status);
  assert.deepEqual(statuses.slice(0, 3), ['loading_encoder', 'scanning', 'started']);
  assert.equal(statuses.at(-1), 'done', 'the stream ends with done');
  assert.ok(statuses.includes('running'));
  const done = frames.at(-1);
  assert.deepEqual([done.total, done.done, done.failed], [A.epochMs.length + 2, A.epochMs.length, 2]);
  for (const f of frames) {
    assert.ok(typeof f.total === 'number' && typeof f.done === 'number' && typeof f.failed === 'number', JSON.stringify(f));
    assert.equal(f.trigger, 'manual');
    assert.equal(typeof f.run_id, 'string');
  }
  assertAllEmbedded([A]);
});

test('a virtual session starting during a run pauses it (device_connected); it resumes after the next idle period', async () => {
  // A slow run: 3 chunks of 10 with 1.5 s between them; no idle runs of its own.
  await ctx.admin.post('/v1/settings/reembed-config', { idle_reembed_enabled: false, idle_reembed_throttle_ms: 1500, idle_reembed_delay_secs: 2 });
  for (const s of [A, B, C]) forget(s);
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  try {
    assert.equal((await ctx.admin.post('/v1/models/trigger-reembed')).status, 200);
    await nextProgress(sub, 'running');
    assert.equal((await ctx.admin.post('/v1/lsl/virtual-source/start', { template: 'muse', seed: 7 })).status, 200);
    assert.equal((await ctx.admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200);
    const paused = await nextProgress(sub, 'paused', 5_000);
    assert.equal(paused.payload.reason, 'device_connected');
    assert.ok(paused.payload.done < PLANTED, `paused at ${paused.payload.done} of ${paused.payload.total}`);
    const est = (await ctx.admin.get('/v1/models/estimate-reembed')).json;
    assert.deepEqual([est.idle_reembed.state, est.idle_reembed.reason, est.idle_reembed.trigger], ['paused', 'device_connected', 'manual']);
    const busy = await ctx.admin.post('/v1/models/trigger-reembed');
    assert.equal(busy.status, 409);
    assert.match(busy.json.message, /paused while a device is connected/);
    assert.equal((await ctx.admin.get('/v1/models/reembed-runs')).json.runs[0].outcome, 'paused');

    // Live epochs arrive while the run waits; nothing of the run is written meanwhile.
    await sub.next((f) => f.type === 'EegEmbedding', 20_000);
    const before = progressOf(sub).length;
    assert.equal((await ctx.admin.post('/v1/control/cancel-session', {})).status, 200);
    await ctx.admin.post('/v1/settings/reembed-config', { idle_reembed_throttle_ms: 10 });
    const resumedAt = Date.now();
    const done = await nextProgress(sub, 'done', 60_000, sub.frames.length - 1);
    assert.ok(progressOf(sub).length > before);
    assert.ok(Date.now() - resumedAt >= 1_500, 'waited for the idle period');
    assert.ok(done.payload.done >= PLANTED - paused.payload.done, JSON.stringify(done.payload));
    assertAllEmbedded();
    const run = (await ctx.admin.get('/v1/models/reembed-runs')).json.runs[0];
    assert.deepEqual([run.outcome, run.pauses, run.trigger], ['done', 1, 'manual']);
  } finally {
    sub.close();
  }
});

test('with a short idle delay the daemon starts a run by itself and ends it with idle_done', async () => {
  forget(C);
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  try {
    await ctx.admin.post('/v1/settings/reembed-config', { idle_reembed_enabled: true, idle_reembed_delay_secs: 1 });
    const start = await nextProgress(sub, 'loading_encoder', 15_000);
    assert.equal(start.payload.trigger, 'idle');
    const done = await nextProgress(sub, 'done', 30_000);
    const idleDone = await nextProgress(sub, 'idle_done', 5_000);
    assert.ok(sub.frames.indexOf(idleDone) > sub.frames.indexOf(done));
    assert.ok(done.payload.done >= C.epochMs.length);
    assertAllEmbedded([C]);
    const runs = (await ctx.admin.get('/v1/models/reembed-runs')).json.runs;
    assert.deepEqual([runs[0].trigger, runs[0].outcome], ['idle', 'done']);
    // Only rows it could not fill are left: the next idle period does not run again for them.
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(progressOf(sub).filter((p) => p.status === 'loading_encoder').length, 1);
  } finally {
    sub.close();
    await ctx.admin.post('/v1/settings/reembed-config', { idle_reembed_delay_secs: 1800 });
  }
});
