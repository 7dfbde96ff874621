// The encoder's worker thread and supervised actor, in-process with real threads: epochs at any
// rate give the embedding of the same signal at the model's rate; models are told the rate they
// receive and get the channel count they declare; the live queue is bounded; a dead thread is
// replaced by the supervisor and the queued epochs are embedded after all; a family without
// weights stores metrics only, and its weights arriving load it through the same path.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActor } from 'xstate';
import { EncoderUnavailableError, EegEncoder } from '../actors/embeddings/eegEncoder.ts';
import type { FromEncoder, ToEncoder } from '../actors/embeddings/encoderProtocol.ts';
import { EncoderWorker } from '../actors/embeddings/encoderWorker.ts';
import { linearResample } from '../actors/embeddings/linearResample.ts';
import { readModelConfig, updateModelConfig } from '../actors/embeddings/modelConfig.ts';
import { OnnxGraph } from '../actors/embeddings/onnxGraph.ts';
import { buildSpectralEncoder } from '../actors/embeddings/spectralEncoderModel.ts';
import { EventBus, type EventEnvelope } from '../actors/eventBus.ts';
import { DaemonLog } from '../actors/log.ts';
import type { LiveEpoch } from '../actors/recorder/liveEpoch.ts';
import type { EmbeddingUpdate } from '../actors/recorder/writerProtocol.ts';
import type { EpochMetrics } from '../actors/store/epochMetrics.ts';
import { startThread } from '../actors/runtimeLayout.ts';
import { supervisorMachine, type SupervisorEmitted } from '../machines/supervisor.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-encoder-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return d / Math.sqrt(na * nb);
};

/** 5 s of a band-limited "EEG" (sums of 1–45 Hz sinusoids, alpha-heavy, per channel), sampled at `hz`. */
function bandLimited(hz: number, channels = 4, seed = 1): Float32Array[] {
  const n = Math.round(hz * 5);
  return Array.from({ length: channels }, (_, c) => {
    const parts = Array.from({ length: 24 }, (_, k) => {
      const f = 1 + ((k * 7.31 + c * 3.17 + seed) % 44);
      return { f, a: (f > 8 && f < 13 ? 20 : 6) / Math.sqrt(f), ph: (k * 2.39 + c * 1.7 + seed) % (2 * Math.PI) };
    });
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) for (const p of parts) x[i]! += p.a * Math.sin((2 * Math.PI * p.f * i) / hz + p.ph);
    return x;
  });
}

const spectral = { family: 'skill-spectral', builtin: true, input: { sample_rate_hz: 256, samples: 1280, channels: 'any' as const }, threads: 1 };

test('linear resampling: equal rates copy, 2:1 picks every other sample, other rates follow the signal in time', () => {
  const x = Float32Array.from({ length: 10 }, (_, i) => i * i);
  assert.deepEqual(linearResample(x, 256, 256, 10), x);
  assert.deepEqual(Array.from(linearResample(x, 512, 256, 5)), [0, 4, 16, 36, 64]);
  assert.deepEqual(Array.from(linearResample(Float32Array.of(1, 3), 1, 2, 4)), [1, 2, 3, 3]); // the last value is held
  const sine = (hz: number, n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 10 * i) / hz));
  const from250 = linearResample(sine(250, 1250), 250, 256, 1280);
  const want = sine(256, 1280);
  let worst = 0;
  for (let i = 0; i < 1270; i++) worst = Math.max(worst, Math.abs(from250[i]! - want[i]!));
  assert.ok(worst < 0.02, `10 Hz sine 250 → 256 Hz: max error ${worst}`);
});

test('the worker embeds 512, 500, 1000 and 250 Hz epochs like the same signal at 256 Hz', async () => {
  const worker = new EncoderWorker((m) => assert.fail(m));
  try {
    const model = await worker.load({ ...spectral, path: path.join(tmp, 'resample', 'skill-spectral-v1.onnx') });
    assert.equal(model.generated, true);
    assert.deepEqual([model.sampleRateHz, model.samples, model.channels], [256, 1280, null]);
    const [ref] = (await worker.encode([{ channels: bandLimited(256), sampleRateHz: 256 }])).vectors;
    for (const [hz, min] of [[512, 0.99999], [500, 0.999], [1000, 0.999], [250, 0.995]] as const) {
      const [v] = (await worker.encode([{ channels: bandLimited(hz), sampleRateHz: hz }])).vectors;
      const c = cosine(ref!, v!);
      assert.ok(c > min, `${hz} Hz vs 256 Hz: cosine ${c}`);
    }
    // A different signal is clearly further away than any resampling of the same one.
    const [other] = (await worker.encode([{ channels: bandLimited(256, 4, 9), sampleRateHz: 256 }])).vectors;
    assert.ok(cosine(ref!, other!) < 0.99);
  } finally {
    await worker.close();
  }
});

test('the thread sends each epoch buffer back once used, so the main thread frees it (not the idle isolate)', async () => {
  const thread = startThread('encoderThread');
  const replies: FromEncoder[] = [];
  const next = () => new Promise<FromEncoder>((resolve) => thread.once('message', resolve));
  try {
    thread.postMessage({ type: 'load', id: 1, model: { ...spectral, path: path.join(tmp, 'spent', 'skill-spectral-v1.onnx') } } satisfies ToEncoder);
    replies.push(await next());
    assert.equal(replies[0]!.type, 'loaded');
    const channels = bandLimited(256, 3);
    const data = new Float32Array(3 * 1280);
    channels.forEach((ch, c) => data.set(ch, c * 1280));
    const sent = data.slice();
    const epoch = { channels: 3, samples: 1280, sampleRateHz: 256, buffer: data.buffer };
    thread.postMessage({ type: 'encode', id: 2, epochs: [epoch] } satisfies ToEncoder, [data.buffer]);
    assert.equal(data.buffer.byteLength, 0, 'transferred, not copied');
    const reply = await next();
    assert.equal(reply.type, 'encoded');
    assert.equal(reply.type === 'encoded' && reply.spent?.length, 1);
    const back = new Float32Array((reply as { spent: ArrayBuffer[] }).spent[0]!);
    assert.deepEqual(back, sent);
    // A failing encode (a buffer shorter than its shape says) gives its buffers back too.
    const odd = new Float32Array(7);
    thread.postMessage({ type: 'encode', id: 3, epochs: [{ channels: 2, samples: 1280, sampleRateHz: 256, buffer: odd.buffer }] } satisfies ToEncoder, [odd.buffer]);
    const failed = await next();
    assert.equal(failed.type, 'error');
    assert.equal(failed.type === 'error' && failed.spent?.[0]?.byteLength, 28);
  } finally {
    thread.postMessage({ type: 'close' } satisfies ToEncoder);
    await new Promise((resolve) => thread.once('exit', resolve));
  }
});

/**
 * A model with a fixed montage and a rate input: `x [1, 8, 640]` at 128 Hz and `sample_rate [1]`
 * in, `[sample_rate, mean of each channel…]` out — it shows what it was fed.
 */
function probeModel(): Uint8Array {
  const g = new OnnxGraph();
  const means = g.op('Reshape', [g.op('ReduceMean', ['x'], { axes: [2], keepdims: 0 }), g.ints('flat', [1], [8])]);
  g.op('Concat', ['sample_rate', means], { axis: 0 }, 'out');
  return g.encode({ name: 'probe', doc: 'test probe', inputs: [{ name: 'x', dims: [1, 8, 640] }, { name: 'sample_rate', dims: [1] }], outputs: [{ name: 'out', dims: [9] }], metadata: {} });
}

test('a model is told the rate it receives (not the device rate) and gets the channel count it declares', async () => {
  const file = path.join(tmp, 'probe.onnx');
  fs.writeFileSync(file, probeModel());
  const worker = new EncoderWorker((m) => assert.fail(m));
  try {
    const model = await worker.load({ family: 'probe', path: file, builtin: false, input: { sample_rate_hz: 128, samples: 640, channels: 'any' }, threads: 1 });
    assert.deepEqual([model.rateInput, model.channels, model.samples, model.dataShape], ['sample_rate', 8, 640, [1, 8, 640]]);
    const constant = (n: number, hz: number) => Array.from({ length: n }, (_, c) => new Float32Array(hz * 5).fill(c + 1));
    const [fewer, more] = (await worker.encode([{ channels: constant(4, 512), sampleRateHz: 512 }, { channels: constant(12, 256), sampleRateHz: 256 }])).vectors;
    assert.deepEqual(Array.from(fewer!), [128, 1, 2, 3, 4, 0, 0, 0, 0], 'rate after resampling; missing channels zero');
    assert.deepEqual(Array.from(more!), [128, 1, 2, 3, 4, 5, 6, 7, 8], 'extra channels left out');
  } finally {
    await worker.close();
  }
});

test('model config: defaults when missing or corrupt, backends map to families, fields kept on partial updates', () => {
  const dir = path.join(tmp, 'config');
  fs.mkdirSync(dir);
  assert.equal(readModelConfig(dir).active_family, 'skill-spectral');
  fs.writeFileSync(path.join(dir, 'model_config.json'), '{"hnsw_m": 32, "active_family": "nope", "data_norm": -1');
  assert.deepEqual(readModelConfig(dir), { active_family: 'skill-spectral', model_backend: 'skill_spectral', hf_repo: 'builtin', hnsw_m: 16, hnsw_ef_construction: 200, data_norm: 10, luna_variant: 'base', luna_hf_repo: 'PulpBio/LUNA' });
  fs.writeFileSync(path.join(dir, 'model_config.json'), '{"hnsw_m": 32, "active_family": "nope"}');
  assert.equal(readModelConfig(dir).hnsw_m, 32, 'a valid field survives an invalid neighbour');
  let r = updateModelConfig(dir, { luna_variant: 'large', model_backend: 'luna' });
  assert.deepEqual([r.config.active_family, r.config.model_backend, r.config.hf_repo, r.familyChanged], ['luna-large', 'luna', 'PulpBio/LUNA', true]);
  r = updateModelConfig(dir, { hnsw_ef_construction: 400 });
  assert.deepEqual([r.config.active_family, r.config.hnsw_m, r.familyChanged], ['luna-large', 32, false]);
  r = updateModelConfig(dir, { active_family: 'skill-spectral', model_backend: 'zuna' });
  assert.equal(r.config.active_family, 'skill-spectral', 'active_family wins over model_backend');
});

// ── the supervised actor ─────────────────────────────────────────────────────────────────────

function liveEpoch(dayDir: string, startMs: number, hz = 256, seed = 1): LiveEpoch {
  return {
    startMs,
    endMs: startMs + 5000,
    channels: bandLimited(hz, 4, seed),
    channelNames: ['TP9', 'AF7', 'AF8', 'TP10'],
    sampleRateHz: hz,
    metrics: { rel_alpha: 0.4 } as EpochMetrics,
    deviceName: 'Virtual EEG',
    csvPath: path.join(dayDir, `exg_${startMs}.csv`),
  };
}

function rig(queueLimit?: number, parkAfterMs?: number) {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((e) => events.push(e));
  const writes: EmbeddingUpdate[] = [];
  const encoder = new EegEncoder({
    dataDir, bus, log: new DaemonLog(false), writer: { embedding: (u) => writes.push(u) }, inferenceDevice: () => 'auto',
    ...(queueLimit !== undefined && { queueLimit }),
    ...(parkAfterMs !== undefined && { parkAfterMs }),
  });
  const emitted: SupervisorEmitted[] = [];
  const supervisor = createActor(supervisorMachine, {
    input: {
      specs: [{ id: 'encoder', machine: 'encoder', logic: encoder.logic(), restart: 'permanent', intensity: { maxRestarts: 5, withinMs: 60_000 }, backoff: { initialMs: 50, maxMs: 1_000 } }],
      escalation: 'give_up',
    },
  });
  for (const t of ['child.failed', 'child.restarted', 'child.given_up'] as const) supervisor.on(t, (e) => emitted.push(e));
  const waitFor = async (match: (e: EventEnvelope) => boolean, count = 1, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    while (events.filter(match).length < count) {
      if (Date.now() > until) throw new Error(`timed out; events: ${events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return events.filter(match);
  };
  const embedded = (e: EventEnvelope) => e.type === 'EegEmbedding';
  const status = (s: string) => (e: EventEnvelope) => e.type === 'EmbedWorkerStatus' && (e.payload as { status: string }).status === s;
  return { dataDir, dayDir: path.join(dataDir, '20260101'), bus, events, writes, encoder, supervisor, emitted, waitFor, embedded, status };
}

test('live epochs are embedded, written through the writer, announced and handed to listeners', async () => {
  const r = rig();
  const stored: number[] = [];
  r.encoder.stored.onStored((e) => stored.push(e.timestampMs));
  r.supervisor.start();
  try {
    assert.equal(await r.encoder.settled(), 'ready');
    assert.ok(fs.existsSync(path.join(r.dataDir, 'models', 'exg', 'skill-spectral-v1.onnx')), 'built-in model generated into <data>/models/exg');
    const [ready] = await r.waitFor(r.status('ready'));
    assert.deepEqual(ready!.payload, { status: 'ready', backend: 'skill-spectral', hnsw_rebuilt: false, recovered_embeddings: 0, execution_provider: 'cpu', embed_dim: 128 });
    for (let i = 0; i < 3; i++) r.encoder.onEpoch(liveEpoch(r.dayDir, 1_767_225_600_000 + i * 5000, i === 1 ? 500 : 256));
    const events = await r.waitFor(r.embedded, 3);
    assert.deepEqual(events.map((e) => (e.payload as { epoch: number }).epoch), [1, 2, 3]);
    const p = events[0]!.payload as Record<string, unknown>;
    assert.deepEqual([p.timestamp, p.dim, p.model, p.device_name], [1_767_225_600_000, 128, 'skill-spectral', 'Virtual EEG']);
    assert.equal(typeof p.embed_ms, 'number');
    assert.deepEqual(r.writes.map((w) => [w.dayDir, w.timestampMs, w.vector.length]), [0, 1, 2].map((i) => [r.dayDir, 1_767_225_600_000 + i * 5000, 128]));
    assert.deepEqual(stored, [0, 1, 2].map((i) => 1_767_225_600_000 + i * 5000));
    assert.ok(r.encoder.timings.lastMs > 0 && r.encoder.timings.avgMs > 0);
    // encodeEpochs (re-embedding) goes through the same thread and gives the same vectors.
    const again = await r.encoder.encodeEpochs([{ channels: liveEpoch(r.dayDir, 0).channels, sampleRateHz: 256 }]);
    assert.deepEqual(again.vectors[0], r.writes[0]!.vector);
  } finally {
    r.supervisor.stop();
  }
});

test('the encoder parks when idle (no thread, no model) and wakes for the next epoch or re-embed with the same vectors', async () => {
  const r = rig(undefined, 150);
  r.supervisor.start();
  try {
    // Started, nothing needs it: parked.
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual([r.encoder.state, r.encoder.injectWorkerFault()], ['unloaded', false], 'no thread before anything needs one');
    const epoch = liveEpoch(r.dayDir, 3_000_000);
    r.encoder.onEpoch(epoch);
    await r.waitFor(r.embedded, 1);
    const first = r.writes[0]!.vector;
    // Idle for the park delay: the thread stops and the model is unloaded.
    const until = Date.now() + 10_000;
    while (r.encoder.state !== 'unloaded' && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    assert.equal(r.encoder.state, 'unloaded', 'parked after the idle delay');
    assert.equal(r.encoder.model, null, 'model unloaded');
    assert.equal(r.encoder.injectWorkerFault(), false, 'no thread while parked');
    // A re-embed while parked wakes it and waits for the model.
    const again = await r.encoder.encodeEpochs([{ channels: epoch.channels, sampleRateHz: 256 }]);
    assert.deepEqual(again.vectors[0], first, 'the same vector after waking');
    assert.deepEqual(r.emitted, [], 'parking is not a failure');
  } finally {
    r.supervisor.stop();
  }
});

test('the live queue is bounded: epochs beyond it are dropped and counted, the rest wait for the model', async () => {
  const r = rig(3);
  for (let i = 0; i < 5; i++) r.encoder.onEpoch(liveEpoch(r.dayDir, 1_000_000 + i * 5000));
  assert.deepEqual(r.encoder.counts(), { embedded: 0, queued: 3, dropped: 2, skipped: 0, failed: 0 });
  r.supervisor.start();
  try {
    await r.waitFor(r.embedded, 3);
    assert.deepEqual(r.writes.map((w) => w.timestampMs), [1_000_000, 1_005_000, 1_010_000]);
    assert.deepEqual(r.encoder.counts(), { embedded: 3, queued: 0, dropped: 2, skipped: 0, failed: 0 });
  } finally {
    r.supervisor.stop();
  }
});

test('a crashed worker thread fails the actor; the supervisor restarts it and queued epochs are embedded', async () => {
  const r = rig();
  r.supervisor.start();
  try {
    assert.equal(await r.encoder.settled(), 'ready');
    assert.ok(r.encoder.injectWorkerFault());
    // Epochs arriving while the thread is down wait in the queue.
    await new Promise((res) => setTimeout(res, 20));
    r.encoder.onEpoch(liveEpoch(r.dayDir, 2_000_000));
    await r.waitFor(r.status('ready'), 2);
    await r.waitFor(r.embedded, 1);
    assert.deepEqual(r.emitted.map((e) => e.type), ['child.failed', 'child.restarted']);
    assert.match((r.emitted[0] as { error: string }).error, /injected encoder thread fault/);
    assert.equal(r.supervisor.getSnapshot().context.children.encoder?.status, 'running');
    assert.deepEqual(r.writes.map((w) => w.timestampMs), [2_000_000]);
    assert.equal(r.encoder.state, 'ready');
  } finally {
    r.supervisor.stop();
  }
});

test('a family without weights stores metrics only; its weights arriving load it through the same path', async () => {
  const r = rig();
  updateModelConfig(r.dataDir, { active_family: 'luna-base' });
  r.supervisor.start();
  try {
    assert.equal(await r.encoder.settled(), 'metrics_only');
    const [status] = await r.waitFor(r.status('metrics_only'));
    assert.match((status!.payload as { reason: string }).reason, /no ONNX weights for LUNA Base/);
    r.encoder.onEpoch(liveEpoch(r.dayDir, 3_000_000));
    assert.equal(r.encoder.counts().skipped, 1);
    await assert.rejects(r.encoder.encodeEpochs([{ channels: bandLimited(256), sampleRateHz: 256 }]), EncoderUnavailableError);
    // The download finishes: any ONNX file under the family's name is loaded as that family.
    const weights = path.join(r.dataDir, 'models', 'exg', 'luna-base.onnx');
    fs.mkdirSync(path.dirname(weights), { recursive: true });
    fs.writeFileSync(weights, buildSpectralEncoder());
    r.bus.publish('ExgDownloadCompleted', { backend: 'luna-base' });
    await r.waitFor(r.status('ready'));
    assert.equal(r.encoder.model?.family, 'luna-base');
    r.encoder.onEpoch(liveEpoch(r.dayDir, 3_005_000));
    const [e] = await r.waitFor(r.embedded);
    assert.equal((e!.payload as { model: string }).model, 'luna-base');
    // Back to the built-in encoder on a config change.
    updateModelConfig(r.dataDir, { active_family: 'skill-spectral' });
    assert.ok(r.encoder.reload());
    await r.waitFor(r.status('ready'), 2);
    assert.equal(r.encoder.model?.family, 'skill-spectral');
  } finally {
    r.supervisor.stop();
  }
});

test('a model file that does not load leaves the encoder failed (metrics only), not the daemon', async () => {
  const r = rig();
  updateModelConfig(r.dataDir, { active_family: 'cbramod' });
  const weights = path.join(r.dataDir, 'models', 'exg', 'cbramod.onnx');
  fs.mkdirSync(path.dirname(weights), { recursive: true });
  fs.writeFileSync(weights, Buffer.from([0x08, 0x07, 0xff, 0xff, 0x00, 0x13]));
  r.supervisor.start();
  try {
    assert.equal(await r.encoder.settled(), 'failed');
    assert.ok(r.encoder.lastError);
    const [status] = await r.waitFor(r.status('metrics_only'));
    assert.equal((status!.payload as { encoder_state: string }).encoder_state, 'failed');
    assert.deepEqual(r.emitted, [], 'a bad model file is not a crash');
  } finally {
    r.supervisor.stop();
  }
});
