// The EEG encoder through the real daemon: a virtual Muse session gets an `EegEmbedding` about
// every 5 s, the day database's epoch rows carry 128-d embeddings, `GET /v1/models/status`
// shows real timings, the encoder actor survives a crash while the daemon keeps serving, model
// config changes apply live, and every models route refuses bad input with 422.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { useDaemon } from './helpers/daemonProcess.ts';
import { subscribe, type Subscriber } from './helpers/events.ts';

const ctx = useDaemon({ env: { SKILL_FAULT_INJECTION: '1' } });

/** The encoder loads on a thread of its own once something needs it: wait for it to settle. */
async function settledStatus(timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = (await ctx.admin.get('/v1/models/status')).json;
    if (!['unloaded', 'loading'].includes(status.encoder_state) || Date.now() > until) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const embeddings = (sub: Subscriber) => sub.frames.filter((f) => f.type === 'EegEmbedding');
async function nextEmbedding(sub: Subscriber, after: number, timeoutMs = 20_000) {
  return sub.next((f) => f.type === 'EegEmbedding' && f.payload.epoch > after, timeoutMs);
}

test('models routes refuse bad input with 422', async () => {
  const bad: Array<[string, unknown]> = [
    ['/v1/models/config', { hnsw_m: 1 }],
    ['/v1/models/config', { hnsw_m: 16.5 }],
    ['/v1/models/config', { hnsw_ef_construction: 'lots' }],
    ['/v1/models/config', { data_norm: -1 }],
    ['/v1/models/config', { active_family: 'no-such-model' }],
    ['/v1/models/config', { model_backend: 'gpt' }],
    ['/v1/models/config', { luna_variant: 'xl' }],
    ['/v1/models/config', []],
    ['/v1/settings/exg-inference-device', { value: 'tpu' }],
    ['/v1/settings/exg-inference-device', {}],
    ['/v1/settings/exg-inference-device', { value: 1 }],
  ];
  for (const [path, body] of bad) {
    const res = await ctx.admin.post(path, body);
    assert.equal(res.status, 422, `${path} ${JSON.stringify(body)} → ${res.status} ${res.text}`);
    assert.equal(res.json.code, 'invalid_body');
  }
  // Nothing bad was stored.
  assert.equal((await ctx.admin.get('/v1/models/config')).json.hnsw_m, 16);
  assert.equal((await ctx.admin.get('/v1/settings/exg-inference-device')).json.value, 'auto');
});

test('catalog, config and inference device', async () => {
  // Nothing has needed the encoder yet: it is parked, with no thread and no model in memory.
  const parked = (await ctx.admin.get('/v1/models/status')).json;
  assert.deepEqual([parked.encoder_state, parked.embed_worker_active, parked.encoder_loaded], ['unloaded', false, false], `parked: ${JSON.stringify(parked)}`);
  const catalog = (await ctx.admin.get('/v1/models/exg-catalog')).json;
  assert.equal(catalog.active_family, 'skill-spectral');
  assert.equal(catalog.active_model, 'Spectral fingerprint (built in)');
  assert.ok(Object.keys(catalog.families).length >= 20);
  assert.equal(catalog.families['luna-base'].weights_cached, false);
  assert.deepEqual(catalog.families.zuna.input, { sample_rate_hz: 256, samples: 1280, channels: 'any' });
  assert.ok(catalog.models.some((m: any) => m.family === 'skill-spectral' && m.recommended && m.filename === 'skill-spectral-v1.onnx'));

  const config = (await ctx.admin.get('/v1/models/config')).json;
  assert.deepEqual(config, { active_family: 'skill-spectral', model_backend: 'skill_spectral', hf_repo: 'builtin', hnsw_m: 16, hnsw_ef_construction: 200, data_norm: 10, luna_variant: 'base', luna_hf_repo: 'PulpBio/LUNA' });
  const saved = (await ctx.admin.post('/v1/models/config', { hnsw_m: 24 })).json;
  assert.deepEqual([saved.ok, saved.reloading, saved.hnsw_m, saved.active_family], [true, false, 24, 'skill-spectral']);

  const device = (await ctx.admin.post('/v1/settings/exg-inference-device', { value: 'gpu' })).json;
  assert.deepEqual(device, { ok: true, value: 'gpu', effective: 'cpu', available: ['cpu'] });
  const status = (await ctx.admin.get('/v1/models/status')).json;
  assert.deepEqual([status.inference_device, status.effective_inference_device], ['gpu', 'cpu']);
  await ctx.admin.post('/v1/settings/exg-inference-device', { value: 'auto' });
});

test('a virtual session is embedded every 5 s into the day database; status shows real timings', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  try {
    assert.equal((await ctx.admin.post('/v1/lsl/virtual-source/start', { template: 'muse', seed: 42 })).status, 200);
    assert.equal((await ctx.admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200);
    // The first epoch wakes the encoder: it starts its thread and loads (generating the built-in model).
    const first = await nextEmbedding(sub, 0, 30_000);
    const woken = await settledStatus();
    assert.deepEqual([woken.encoder_loaded, woken.encoder_state, woken.embed_worker_active], [true, 'ready', true], JSON.stringify(woken));
    assert.match(woken.encoder_describe, /skill-spectral-v1\.onnx, eeg \[channels, 1280\] at 256 Hz → 128-d \(cpu\)/);
    assert.equal(woken.weights_found, true);
    assert.equal(woken.active_model_backend, 'skill_spectral');
    const catalog = (await ctx.admin.get('/v1/models/exg-catalog')).json;
    assert.equal(catalog.families['skill-spectral'].weights_cached, true, 'generated when first loaded');

    const second = await nextEmbedding(sub, first.payload.epoch);
    const third = await nextEmbedding(sub, second.payload.epoch);
    for (const f of [first, second, third]) {
      assert.equal(f.payload.dim, 128);
      assert.equal(f.payload.model, 'skill-spectral');
      assert.equal(f.payload.device_name.includes('Virtual'), true, 'virtual devices are embedded');
      assert.ok(Math.abs(f.payload.timestamp - Date.now()) < 60_000, 'timestamp is unix ms');
    }
    assert.equal(second.payload.timestamp - first.payload.timestamp, 5_000, 'epochs 5 s apart (overlap 0)');
    const gap = second.ts_unix_ms - first.ts_unix_ms;
    assert.ok(gap > 3_500 && gap < 6_500, `events ${gap} ms apart`);

    const status = (await ctx.admin.get('/v1/models/status')).json;
    assert.ok(status.last_embed_ms > 0 && status.last_embed_ms < 2_000, `last_embed_ms ${status.last_embed_ms}`);
    assert.ok(status.avg_embed_ms > 0, `avg_embed_ms ${status.avg_embed_ms}`);
    assert.ok(status.last_inference_ms > 0);
    assert.ok(status.embedded_since_start >= 3);
    assert.equal(status.dropped_epochs, 0);
    assert.ok(status.latest_metrics && typeof status.latest_metrics.rel_alpha === 'number');
    assert.ok(status.daily_db_path?.endsWith('eeg.sqlite'));

    // The rows were written through the recorder's thread: poll briefly for the last one.
    const db = new Database(status.daily_db_path, { readonly: true });
    try {
      const want = embeddings(sub).map((f) => f.payload.timestamp);
      let rows: Array<{ timestamp: number; bytes: number }> = [];
      for (let i = 0; i < 50; i++) {
        rows = db.prepare('SELECT timestamp, length(eeg_embedding) AS bytes FROM embeddings WHERE length(eeg_embedding) > 0 ORDER BY timestamp').all() as typeof rows;
        if (want.every((t) => rows.some((r) => r.timestamp === t))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const t of want) assert.ok(rows.some((r) => r.timestamp === t), `row at ${t} has its embedding`);
      assert.ok(rows.every((r) => r.bytes === 512), 'length(eeg_embedding) = 512');
      const today = (await ctx.admin.get('/v1/models/status')).json.embeddings_today;
      assert.ok(today >= want.length, `embeddings_today ${today}`);
    } finally {
      db.close();
    }
  } finally {
    sub.close();
  }
});

test('the encoder actor crashes and restarts while the daemon keeps serving and embedding', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  try {
    assert.equal((await ctx.admin.post('/v1/debug/actors/fault', { id: 'encoder' })).status, 200);
    const failed = await sub.next((f) => f.type === 'actor-failed' && f.payload.actor === 'encoder');
    assert.match(failed.payload.error, /injected fault/);
    assert.equal((await ctx.admin.get('/v1/status')).status, 200, 'still serving');
    await sub.next((f) => f.type === 'actor-restarted' && f.payload.actor === 'encoder');
    await sub.next((f) => f.type === 'EmbedWorkerStatus' && f.payload.status === 'ready', 10_000);
    const after = await nextEmbedding(sub, 0, 20_000);
    assert.equal(after.payload.dim, 128);
    const tree = (await ctx.admin.get('/v1/debug/actors')).json;
    const encoder = JSON.stringify(tree).includes('"encoder"');
    assert.ok(encoder, 'the encoder is in the actor tree');
  } finally {
    sub.close();
  }
});

test('changing the active family applies live: metrics only without weights, back to the built-in encoder', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  try {
    const res = (await ctx.admin.post('/v1/models/config', { model_backend: 'luna' })).json;
    assert.deepEqual([res.active_family, res.reloading], ['luna-base', true]);
    const off = await sub.next((f) => f.type === 'EmbedWorkerStatus' && f.payload.status === 'metrics_only', 10_000);
    assert.equal(off.payload.backend, 'luna-base');
    const status = (await ctx.admin.get('/v1/models/status')).json;
    assert.deepEqual([status.encoder_loaded, status.encoder_state, status.weights_found, status.active_model_backend], [false, 'metrics_only', false, 'luna']);
    assert.match(status.weights_path, /models\/exg\/luna-base\.onnx$/);

    await ctx.admin.post('/v1/models/config', { active_family: 'skill-spectral' });
    await sub.next((f) => f.type === 'EmbedWorkerStatus' && f.payload.status === 'ready', 10_000);
    assert.equal((await ctx.admin.get('/v1/models/status')).json.encoder_state, 'ready');
  } finally {
    sub.close();
  }
  assert.equal((await ctx.admin.post('/v1/control/cancel-session', {})).status, 200);
});
