// Day databases holding epoch embeddings of known structure, for the search tests: each epoch's
// vector is its cluster's centre plus a little noise, so the right neighbours of any epoch are
// known (its own cluster), and the exact ones can be found by brute force here, independently
// of the index under test.
import path from 'node:path';
import { openDayDbForWrite } from '../../actors/store/daySchema.ts';
import { utcDayName } from '../../actors/store/dayDirs.ts';
import { encodeTimestamp, prng, type TimestampEncoding } from './epochFixture.ts';

export interface PlantedEpoch {
  ms: number;
  cluster: number;
  vector: Float32Array;
  device: string;
  /** As written to the row. */
  stored: number;
  day: string;
}

/** `count` unit-length centres in `dim` dimensions (random directions are nearly orthogonal). */
export function clusterCentres(count: number, dim: number, seed = 11): Float32Array[] {
  const rand = prng(seed);
  return Array.from({ length: count }, () => normalise(Float32Array.from({ length: dim }, () => rand() * 2 - 1)));
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  return v.map((x) => x / n);
}

/** A vector near `centre` (noise of this amplitude per component, before normalising). */
export function near(centre: Float32Array, rand: () => number, noise = 0.15): Float32Array {
  return normalise(centre.map((x) => x + (rand() * 2 - 1) * noise));
}

export interface PlantOptions {
  dataDir: string;
  startMs: number;
  count: number;
  cluster: number;
  centres: Float32Array[];
  stepMs?: number;
  seed?: number;
  device?: string;
  encoding?: TimestampEncoding;
  noise?: number;
  /** Metric record written with each row (default: a few keys of the neighbour metrics). */
  metrics?: (i: number) => Record<string, unknown>;
}

/** Writes `count` epochs of one cluster into their UTC day folders' databases. */
export function plantEpochs(o: PlantOptions): PlantedEpoch[] {
  const rand = prng(o.seed ?? o.startMs % 100_000);
  const step = o.stepMs ?? 5_000;
  const device = o.device ?? 'Planted';
  const encoding = o.encoding ?? 'ms';
  const epochs: PlantedEpoch[] = [];
  for (let i = 0; i < o.count; i++) {
    const ms = o.startMs + i * step;
    epochs.push({ ms, cluster: o.cluster, vector: near(o.centres[o.cluster]!, rand, o.noise), device, stored: encodeTimestamp(ms, encoding), day: utcDayName(ms) });
  }
  const byDay = new Map<string, PlantedEpoch[]>();
  for (const e of epochs) {
    const list = byDay.get(e.day) ?? [];
    list.push(e);
    byDay.set(e.day, list);
  }
  for (const [day, list] of byDay) {
    const db = openDayDbForWrite(path.join(o.dataDir, day));
    const insert = db.prepare(`INSERT INTO embeddings (timestamp, device_name, hnsw_id, eeg_embedding, metrics_json) VALUES (?, ?, 0, ?, ?)`);
    db.transaction(() => {
      list.forEach((e, i) => {
        const metrics = o.metrics?.(i) ?? { relaxation: 0.5 + e.cluster / 10, engagement: 0.25, snr: 3.5, hr: null };
        insert.run(e.stored, device, Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength), JSON.stringify(metrics));
      });
    })();
    db.close();
  }
  return epochs;
}

export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

/** The exact k nearest planted epochs of `q` (unix ms), nearest first. */
export function bruteForce(all: readonly PlantedEpoch[], q: Float32Array, k: number): PlantedEpoch[] {
  return all
    .map((e) => ({ e, d: cosineDistance(q, e.vector) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, k)
    .map((x) => x.e);
}
