// EEG encoder throughput: epochs per second through the daemon's path — the live queue, the
// worker thread (copy in, resample, onnxruntime, vector back) and the store step (writer hand-off,
// `EegEmbedding` event, listeners) — and through `encodeEpochs` in batches (re-embedding), each
// against a bare onnxruntime session running the same model on ready-made 256 Hz tensors on the
// main thread, in the same run. The ratio is the daemon's overhead (1.0 = none). The built-in
// model needs only a fraction of a millisecond per epoch, so the ratio mostly prices the fixed
// cost of a thread hop; the absolute overhead per epoch is reported too, against the 5 s an
// epoch lasts.
//
// Two montages: the virtual Muse (4 channels at 256 Hz: no resampling) and 32 channels at
// 1000 Hz (every epoch resampled to 1280 samples per channel in the thread; the bare session is
// given tensors resampled beforehand, so that ratio also prices the resampling).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { createActor } from 'xstate';
import { generate } from '../actors/devices/virtual/virtualRecording.ts';
import type { VirtualSourceOptions } from '../actors/devices/virtual/virtualOptions.ts';
import { EegEncoder } from '../actors/embeddings/eegEncoder.ts';
import { linearResample } from '../actors/embeddings/linearResample.ts';
import { buildSpectralEncoder, SPECTRAL_MODEL } from '../actors/embeddings/spectralEncoderModel.ts';
import { EventBus } from '../actors/eventBus.ts';
import { DaemonLog } from '../actors/log.ts';
import type { LiveEpoch } from '../actors/recorder/liveEpoch.ts';
import type { EpochMetrics } from '../actors/store/epochMetrics.ts';
import { supervisorMachine } from '../machines/supervisor.ts';
import { compared, formatValue, median, runWhenMain, type BenchmarkOutcome, type Figure } from './figure.ts';
import { watchForeignLoad } from './foreignLoad.ts';

const ROUNDS = 5;
const BATCH = 50;

interface Montage {
  label: string;
  options: VirtualSourceOptions;
  distinct: number;
  encodes: number;
}

const MONTAGES: Montage[] = [
  { label: 'Muse 4 ch @ 256 Hz', options: { template: 'muse', seed: 7 }, distinct: 60, encodes: 600 },
  { label: '32 ch @ 1000 Hz', options: { template: '10-20', channels: 32, sample_rate: 1000, seed: 8 }, distinct: 12, encodes: 200 },
];

function log(line: string): void {
  process.stderr.write(`encoder: ${line}\n`);
}

/** `distinct` 5 s epochs of the montage at its native rate. */
function epochsOf(m: Montage): { channels: Float32Array[]; rate: number }[] {
  const rec = generate(m.options, m.distinct * 5);
  const rate = rec.settings.sample_rate;
  const n = Math.round(rate * 5);
  return Array.from({ length: m.distinct }, (_, e) => ({ channels: rec.eeg.map((c) => c.slice(e * n, (e + 1) * n)), rate }));
}

/** The daemon's encoder under a supervisor, with a writer that only counts. */
async function startEncoder(dataDir: string, queueLimit: number) {
  const bus = new EventBus();
  const encoder = new EegEncoder({ dataDir, bus, log: new DaemonLog(false), writer: { embedding: () => undefined }, inferenceDevice: () => 'cpu', queueLimit });
  const supervisor = createActor(supervisorMachine, {
    input: { specs: [{ id: 'encoder', machine: 'encoder', logic: encoder.logic(), restart: 'permanent', intensity: { maxRestarts: 1, withinMs: 60_000 }, backoff: { initialMs: 100, maxMs: 100 } }], escalation: 'give_up' },
  }).start();
  if ((await encoder.settled()) !== 'ready') throw new Error(`encoder ${encoder.state}: ${encoder.lastError}`);
  return { bus, encoder, stop: () => supervisor.stop() };
}

export async function run(): Promise<BenchmarkOutcome> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-encoder-'));
  const session = await ort.InferenceSession.create(buildSpectralEncoder(), { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const figures: Figure[] = [];
  const notes: string[] = [];
  try {
    const foreign = watchForeignLoad([]);
    for (const m of MONTAGES) {
      const epochs = epochsOf(m);
      const S = SPECTRAL_MODEL.samples;
      // The bare session's input: tensors at 256 Hz made beforehand.
      const tensors = epochs.map((e) => {
        const data = new Float32Array(e.channels.length * S);
        e.channels.forEach((c, i) => linearResample(c, e.rate, SPECTRAL_MODEL.sampleRateHz, S, data.subarray(i * S, (i + 1) * S)));
        return new ort.Tensor('float32', data, [e.channels.length, S]);
      });
      const live: LiveEpoch[] = Array.from({ length: m.encodes }, (_, i) => ({
        startMs: 1_767_225_600_000 + i * 5000, endMs: 1_767_225_605_000 + i * 5000, channels: epochs[i % epochs.length]!.channels,
        channelNames: [], sampleRateHz: epochs[0]!.rate, metrics: {} as EpochMetrics, deviceName: 'bench', csvPath: path.join(dataDir, '20260101', 'exg.csv'),
      }));
      const { bus, encoder, stop } = await startEncoder(dataDir, m.encodes);
      const t = { bare: [] as number[], live: [] as number[], batch: [] as number[] };
      let liveMainMs = 0;
      try {
        for (const e of tensors.slice(0, 5)) await session.run({ eeg: e }); // warm-up both
        await encoder.encodeEpochs([{ channels: epochs[0]!.channels, sampleRateHz: epochs[0]!.rate }]);
        for (let r = 0; r < ROUNDS; r++) {
          let t0 = performance.now();
          for (let i = 0; i < m.encodes; i++) await session.run({ eeg: tensors[i % tensors.length]! });
          t.bare.push((performance.now() - t0) / 1000);

          let done = 0;
          const finished = new Promise<void>((resolve) => {
            const off = bus.subscribe((ev) => {
              if (ev.type === 'EegEmbedding' && ++done === m.encodes) {
                off();
                resolve();
              }
            });
          });
          const elu0 = performance.eventLoopUtilization();
          t0 = performance.now();
          for (const e of live) encoder.onEpoch(e);
          await finished;
          t.live.push((performance.now() - t0) / 1000);
          const elu = performance.eventLoopUtilization(elu0);
          liveMainMs = elu.active / m.encodes;

          t0 = performance.now();
          for (let i = 0; i < m.encodes; i += BATCH) {
            await encoder.encodeEpochs(live.slice(i, i + BATCH).map((e) => ({ channels: e.channels, sampleRateHz: e.sampleRateHz })));
          }
          t.batch.push((performance.now() - t0) / 1000);
          log(`${m.label}, round ${r + 1}/${ROUNDS}: bare ${formatValue(t.bare[r]! * 1000)} ms, live path ${formatValue(t.live[r]! * 1000)} ms, batches ${formatValue(t.batch[r]! * 1000)} ms for ${m.encodes} epochs`);
        }
        if (encoder.counts().dropped > 0) throw new Error('epochs were dropped');
      } finally {
        stop();
      }
      const rate = (xs: number[]) => m.encodes / median(xs);
      const bare = { name: 'bare onnxruntime session', value: rate(t.bare) };
      const overheadMs = ((median(t.live) - median(t.bare)) / m.encodes) * 1000;
      figures.push(
        compared(`${m.label}: live path (queue → worker thread → store)`, rate(t.live), 'epochs/s', bare, 0.3),
        compared(`${m.label}: encodeEpochs, batches of ${BATCH}`, rate(t.batch), 'epochs/s', bare, 0.3),
        { name: `${m.label}: daemon overhead per epoch (live − bare)`, value: overheadMs, unit: 'ms', goal: '< 5 ms (0.1 % of the 5 s epoch)', pass: overheadMs < 5 },
      );
      notes.push(
        `${m.label}: ${m.encodes} encodes per variant and round (${m.distinct} distinct virtual epochs, cycled); bare session median ${formatValue((median(t.bare) / m.encodes) * 1000)} ms/epoch on the main thread, ` +
          `live path ${formatValue((median(t.live) / m.encodes) * 1000)} ms/epoch of which ${formatValue(liveMainMs)} ms on the main thread (copying into the transfer buffer, events); ` +
          `real time needs 0.2 epochs/s, so the live path runs ${formatValue(rate(t.live) * 5)}× faster than the headset produces epochs.`,
      );
    }
    const foreignCores = foreign.stop();
    notes.push(
      `Model: the built-in ${SPECTRAL_MODEL.file} (${SPECTRAL_MODEL.windows} × 2 s windows, DFT as MatMul, 128-d), onnxruntime-node CPU provider, 1 intra-op thread in both the worker and the bare session. Value = encodes / median wall time of ${ROUNDS} rounds; the live path queues every epoch at once and waits for the last EegEmbedding event, so it measures throughput, not the 5 s cadence.`,
      ...(foreignCores === null ? [] : [`Other processes used ${formatValue(foreignCores * 100)}% of a core on average (${os.availableParallelism()} cores).`]),
    );
    return { figures, notes };
  } finally {
    await session.release();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node --import tsx bench/encoder.ts` runs it alone.
await runWhenMain(import.meta.url, run);
