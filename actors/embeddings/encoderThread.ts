// The EEG encoder's worker thread: one onnxruntime session, epochs in, vectors out. Inference is
// synchronous inside onnxruntime-node, so it runs here to keep the daemon's event loop free.
//
// The model's first input takes the epoch, `[channels, samples]` or `[1, channels, samples]` as
// it declares; an input named like a rate (`sample_rate`, `sfreq`, `fs`) is fed the rate the
// samples have after resampling — never the device's native rate (quirk §15.6 of the notes).
// An output with more than one dimension (tokens × features) is mean-pooled over all but the
// last, as the reference pools ZUNA's per-token embeddings.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { ensureBuiltinModel } from './builtinModels.ts';
import type { EpochSamples, FromEncoder, LoadedModel, ModelRequest, ToEncoder } from './encoderProtocol.ts';
import { linearResample } from './linearResample.ts';

const port = parentPort;
if (!port) throw new Error('encoderThread.ts must run in a worker thread');

const RATE_INPUTS = new Set(['sample_rate', 'sampling_rate', 'sfreq', 'fs']);

let session: ort.InferenceSession | null = null;
let model: LoadedModel | null = null;

async function load(req: ModelRequest): Promise<LoadedModel> {
  const started = performance.now();
  const generated = req.builtin ? ensureBuiltinModel(req.path) : false;
  if (!fs.existsSync(req.path)) throw new Error(`no model file at ${req.path}`);
  const next = await ort.InferenceSession.create(req.path, {
    executionProviders: ['cpu'],
    intraOpNumThreads: req.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const inputs = next.inputMetadata;
  const data = inputs.find((i) => !RATE_INPUTS.has(i.name)) ?? inputs[0];
  if (!data) throw new Error(`${req.path} has no inputs`);
  const rate = inputs.find((i) => RATE_INPUTS.has(i.name));
  const shape = data.isTensor ? [...data.shape] : [];
  const declaredSamples = shape.at(-1);
  const declaredChannels = shape.at(-2);
  await session?.release();
  session = next;
  model = {
    family: req.family,
    path: req.path,
    dataInput: data.name,
    dataShape: shape,
    rateInput: rate?.name ?? null,
    output: next.outputNames[0]!,
    sampleRateHz: req.input.sample_rate_hz,
    samples: typeof declaredSamples === 'number' && declaredSamples > 0 ? declaredSamples : req.input.samples,
    channels: typeof declaredChannels === 'number' && declaredChannels > 0 ? declaredChannels : req.input.channels === 'any' ? null : req.input.channels,
    backend: 'cpu',
    generated,
    loadMs: performance.now() - started,
  };
  return model;
}

async function encode(e: EpochSamples): Promise<{ vector: Float32Array; ms: number }> {
  if (!session || !model) throw new Error('no model loaded');
  const started = performance.now();
  const rows = model.channels ?? e.channels;
  const s = model.samples;
  let data: Float32Array<ArrayBuffer>;
  if (rows === e.channels && s === e.samples && e.sampleRateHz === model.sampleRateHz) {
    data = new Float32Array(e.buffer as ArrayBuffer, 0, rows * s); // already what the model takes
  } else {
    data = new Float32Array(rows * s);
    // Missing channels stay zero; extra channels are left out (the model's channel count wins).
    for (let c = 0; c < Math.min(rows, e.channels); c++) {
      const src = new Float32Array(e.buffer, c * e.samples * 4, e.samples);
      linearResample(src, e.sampleRateHz, model.sampleRateHz, s, data.subarray(c * s, (c + 1) * s));
    }
  }
  const dims = model.dataShape.length === 3 ? [1, rows, s] : [rows, s];
  const feeds: Record<string, ort.Tensor> = { [model.dataInput]: new ort.Tensor('float32', data, dims) };
  if (model.rateInput) feeds[model.rateInput] = new ort.Tensor('float32', new Float32Array([model.sampleRateHz]), [1]);
  const out = (await session.run(feeds))[model.output];
  if (!out) throw new Error(`model produced no ${model.output}`);
  const vector = meanPoolToLastDim(out.data as Float32Array, out.dims);
  return { vector, ms: performance.now() - started };
}

function meanPoolToLastDim(values: Float32Array, dims: readonly number[]): Float32Array {
  const d = dims.at(-1) ?? values.length;
  const rows = values.length / d;
  if (rows === 1) return Float32Array.from(values);
  const out = new Float32Array(d);
  for (let r = 0; r < rows; r++) for (let k = 0; k < d; k++) out[k]! += values[r * d + k]! / rows;
  return out;
}

/** An encode request's epoch buffers, to go back to the main thread (see `Spent`). */
function spentBuffers(msg: ToEncoder): ArrayBuffer[] {
  if (msg.type !== 'encode') return [];
  // An epoch's view may share a buffer with another; each goes back once.
  return [...new Set(msg.epochs.map((e) => e.buffer))].filter((b) => b.byteLength > 0);
}

// Messages are handled one at a time, in order: a load never overlaps an encode.
let chain: Promise<void> = Promise.resolve();

port.on('message', (msg: ToEncoder) => {
  if (msg.type === 'fault') {
    setImmediate(() => {
      throw new Error('injected encoder thread fault');
    });
    return;
  }
  chain = chain.then(async () => {
    if (msg.type === 'close') {
      // Only here, between messages, is the thread never inside onnxruntime's native code:
      // ending it there (Worker.terminate) can abort the whole process.
      await session?.release();
      session = null;
      process.exit(0); // in a worker thread this ends the thread only
      return;
    }
    try {
      if (msg.type === 'load') {
        const reply: FromEncoder = { type: 'loaded', id: msg.id, model: await load(msg.model) };
        port.postMessage(reply);
        return;
      }
      const vectors: ArrayBuffer[] = [];
      const ms: number[] = [];
      for (const e of msg.epochs) {
        const r = await encode(e);
        vectors.push(r.vector.buffer as ArrayBuffer);
        ms.push(r.ms);
      }
      const spent = spentBuffers(msg);
      const reply: FromEncoder = { type: 'encoded', id: msg.id, vectors, ms, spent };
      port.postMessage(reply, [...vectors, ...spent]);
    } catch (err) {
      const spent = spentBuffers(msg);
      const reply: FromEncoder = { type: 'error', id: msg.id, message: (err as Error).message, spent };
      port.postMessage(reply, spent);
    }
  });
});
