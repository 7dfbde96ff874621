// Re-embedding throughput and memory: epochs per second filled by the reembed scheduler (row
// index into the raw CSVs, windows encoded through the daemon's encoder thread, written in
// transactions, stored listeners told) against the reference's way, measured in the same run
// with the same encoder: read each raw CSV whole into memory, parse every row, cut each epoch's
// window by searching the timestamps, encode in chunks of 10, write. Both fill the same rows of
// the same files (emptied again before each variant).
//
// Data: one hour of a 4-channel 256 Hz headset (720 epochs) and 15 minutes of a 32-channel
// 500 Hz montage (180 epochs), written as the recorder writes them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createActor, type AnyActorRef } from 'xstate';
import { EegEncoder } from '../actors/embeddings/eegEncoder.ts';
import type { EpochInput } from '../actors/embeddings/encoderWorker.ts';
import { EventBus } from '../actors/eventBus.ts';
import { DaemonLog } from '../actors/log.ts';
import { embeddingUpdate, missingEpochs, reembedDays } from '../actors/reembed/missingEpochs.ts';
import { ReembedScheduler } from '../actors/reembed/reembedScheduler.ts';
import { SettingsStore } from '../actors/settings/settingsStore.ts';
import { listSessionCsvs, readSidecar, sessionPart } from '../actors/store/sessionFiles.ts';
import { supervisorMachine } from '../machines/supervisor.ts';
import { writeSession } from '../test/helpers/sessionFixture.ts';
import { compared, formatValue, median, runWhenMain, type BenchmarkOutcome, type Figure } from './figure.ts';
import { watchForeignLoad } from './foreignLoad.ts';

const ROUNDS = 3;

function log(line: string): void {
  process.stderr.write(`reembed: ${line}\n`);
}

/** Peak resident set size above the start while `fn` runs, sampled every 10 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakBytes: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakBytes: peak - start };
  } finally {
    clearInterval(timer);
  }
}

function forgetAll(dataDir: string): void {
  for (const day of reembedDays(dataDir)) {
    const db = new Database(path.join(day, 'eeg.sqlite'));
    db.exec('UPDATE embeddings SET eeg_embedding = NULL');
    db.close();
  }
}

/** The reference's way: each raw CSV read and parsed whole, windows cut from the arrays. */
async function referenceWay(dataDir: string, encoder: EegEncoder): Promise<number> {
  let filled = 0;
  for (const dayDir of reembedDays(dataDir)) {
    const rows = missingEpochs(dayDir);
    const db = new Database(path.join(dayDir, 'eeg.sqlite'));
    const update = embeddingUpdate(db);
    for (const csv of listSessionCsvs(dayDir)) {
      const rate = readSidecar(sessionPart(csv, 'sidecar'))?.sample_rate_hz ?? 256;
      const lines = fs.readFileSync(csv, 'utf8').split('\n');
      const header = lines.shift()!.split(',');
      const times: number[] = [];
      const values: number[][] = header.slice(1).map(() => []);
      for (const line of lines) {
        if (!line) continue;
        const cells = line.split(',');
        times.push(Number(cells[0]));
        for (let c = 1; c < cells.length; c++) values[c - 1]!.push(cells[c] === '' ? 0 : Number(cells[c]));
      }
      const n = Math.round(5 * rate);
      const mine = rows.filter((r) => r.startMs / 1000 >= times[0]! - 0.5 / rate && r.startMs / 1000 + 5 <= times[times.length - 1]! + 1 / rate);
      for (let i = 0; i < mine.length; i += 10) {
        const chunk = mine.slice(i, i + 10);
        const inputs: EpochInput[] = chunk.map((r) => {
          let lo = 0, hi = times.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (times[mid]! < r.startMs / 1000 - 0.5 / rate) lo = mid + 1;
            else hi = mid;
          }
          return { channels: values.map((ch) => Float32Array.from(ch.slice(lo, lo + n))), sampleRateHz: rate };
        });
        const { vectors } = await encoder.encodeEpochs(inputs);
        db.transaction(() => chunk.forEach((r, k) => update(r.id, vectors[k]!) && filled++))();
      }
    }
    db.close();
  }
  return filled;
}

export async function run(): Promise<BenchmarkOutcome> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-reembed-'));
  const figures: Figure[] = [];
  const notes: string[] = [];
  try {
    log('writing the sessions…');
    const a = writeSession(dataDir, { start: 1_700_000_000, rateHz: 256, samples: 256 * 3600, epochs: 'current' });
    const b = writeSession(dataDir, { start: 1_700_100_000, rateHz: 500, samples: 500 * 900, epochs: 'current', channels: Array.from({ length: 32 }, (_, i) => `E${i + 1}`) });
    const epochs = a.epochMs.length + b.epochMs.length;
    const csvBytes = fs.statSync(a.csvPath).size + fs.statSync(b.csvPath).size;

    const bus = new EventBus();
    const log_ = new DaemonLog(false);
    const writer = { embedding: () => undefined };
    const encoder = new EegEncoder({ dataDir, bus, log: log_, writer, inferenceDevice: () => 'cpu' });
    const settings = new SettingsStore(dataDir);
    const scheduler = new ReembedScheduler({ dataDir, bus, log: log_, settings, encoder, deviceState: () => 'disconnected', weightsDownloading: () => false });
    let stored = 0;
    encoder.stored.onStored(() => void stored++);
    const supervisor = createActor(supervisorMachine, {
      input: {
        specs: [
          { id: 'encoder', machine: 'encoder', logic: encoder.logic(), input: () => ({}), restart: 'permanent', intensity: { maxRestarts: 1, withinMs: 60_000 }, backoff: { initialMs: 100, maxMs: 100 } },
          { id: 'reembed', machine: 'reembed', logic: scheduler.logic(), input: () => scheduler.input(), restart: 'permanent', intensity: { maxRestarts: 1, withinMs: 60_000 }, backoff: { initialMs: 100, maxMs: 100 } },
        ],
        escalation: 'give_up',
      },
      inspect: (ev) => {
        if (ev.type === '@xstate.snapshot' && (ev.actorRef as AnyActorRef).id === 'reembed') scheduler.onSnapshot(ev.snapshot);
      },
    }).start();
    const foreign = watchForeignLoad([]);
    try {
      if ((await encoder.settled()) !== 'ready') throw new Error(`encoder ${encoder.state}`);
      await new Promise((r) => setTimeout(r, 50));
      const runOnce = async (throttleMs: number) => {
        settings.update({ reembed: { idle_reembed_enabled: false, idle_reembed_throttle_ms: throttleMs } });
        forgetAll(dataDir);
        const done = new Promise<number>((resolve) => {
          const off = bus.subscribe((e) => {
            const p = e.payload as { status?: string; done?: number };
            if (e.type === 'reembed-progress' && (p.status === 'done' || p.status === 'error')) {
              off();
              resolve(p.status === 'done' ? p.done ?? 0 : -1);
            }
          });
        });
        const t0 = performance.now();
        const { value, peakBytes } = await withPeakRss(async () => {
          scheduler.trigger();
          return done;
        });
        if (value !== epochs) throw new Error(`filled ${value} of ${epochs}`);
        return { secs: (performance.now() - t0) / 1000, peakBytes };
      };
      const runReference = async () => {
        forgetAll(dataDir);
        const t0 = performance.now();
        const { value, peakBytes } = await withPeakRss(() => referenceWay(dataDir, encoder));
        if (value !== epochs) throw new Error(`reference way filled ${value} of ${epochs}`);
        return { secs: (performance.now() - t0) / 1000, peakBytes };
      };

      const t = { ours: [] as number[], oursThrottled: [] as number[], ref: [] as number[], oursRss: [] as number[], refRss: [] as number[] };
      let bytesRead = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const ref = await runReference();
        const ours = await runOnce(0);
        const throttled = await runOnce(10);
        bytesRead = scheduler.runs.list()[0]!.bytes_read;
        t.ref.push(ref.secs);
        t.ours.push(ours.secs);
        t.oursThrottled.push(throttled.secs);
        t.refRss.push(ref.peakBytes);
        t.oursRss.push(Math.max(ours.peakBytes, throttled.peakBytes));
        log(`round ${r + 1}/${ROUNDS}: scheduler ${formatValue(ours.secs)} s (throttle 10 ms: ${formatValue(throttled.secs)} s), whole-file way ${formatValue(ref.secs)} s for ${epochs} epochs`);
      }
      const rate = (xs: number[]) => epochs / median(xs);
      const reference = { name: 'whole CSV in memory (reference)', value: rate(t.ref) };
      figures.push(
        compared('reembed scheduler, no throttle', rate(t.ours), 'epochs/s', reference, 1),
        { name: 'reembed scheduler, default throttle (10 ms per chunk of 10)', value: rate(t.oursThrottled), unit: 'epochs/s' },
        {
          name: 'peak RSS growth: scheduler',
          value: median(t.oursRss) / 2 ** 20,
          unit: 'MiB',
          baseline: { name: 'whole CSV in memory (reference)', value: median(t.refRss) / 2 ** 20 },
          ratio: median(t.oursRss) / median(t.refRss),
          goal: 'ratio ≤ 0.25',
          pass: median(t.oursRss) / median(t.refRss) <= 0.25,
        },
        { name: 'raw bytes read per byte of CSV', value: bytesRead / csvBytes, unit: '×', goal: '≤ 1.5', pass: bytesRead / csvBytes <= 1.5 },
      );
      notes.push(
        `${epochs} epochs: ${a.epochMs.length} of 4 ch @ 256 Hz (1 h, ${formatValue(fs.statSync(a.csvPath).size / 2 ** 20)} MiB CSV) and ${b.epochMs.length} of 32 ch @ 500 Hz (15 min, ${formatValue(fs.statSync(b.csvPath).size / 2 ** 20)} MiB CSV); every row emptied before each variant; ${stored} stored notices in all.`,
        `Same encoder (built-in skill-spectral, onnxruntime CPU, 1 thread, the daemon's worker) and chunks of 10 in both; value = epochs / median wall time of ${ROUNDS} rounds. RSS sampled every 10 ms.`,
      );
      const foreignCores = foreign.stop();
      if (foreignCores !== null) notes.push(`Other processes used ${formatValue(foreignCores * 100)}% of a core on average (${os.availableParallelism()} cores).`);
    } finally {
      supervisor.stop();
    }
    return { figures, notes };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node --import tsx bench/reembed.ts` runs it alone.
await runWhenMain(import.meta.url, run);
