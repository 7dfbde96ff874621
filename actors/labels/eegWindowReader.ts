// Reads what the day databases hold for a time window: the epoch embeddings (for a label's EEG
// node and search-by-EEG), the epoch metrics (for a result's `eeg_metrics`) and whole epochs
// (for the interactive search graph). Every timestamp
// encoding is matched (store/timestamps.ts). One read-only connection and statement pair per day
// folder, kept for the reader's life, so a rebuild over many labels opens each day once.
import type { Statement } from 'better-sqlite3';
import { dayDirsForRange } from '../store/dayDirs.ts';
import { openDayDbReadOnly, type Db } from '../store/daySchema.ts';
import { neighborMetrics, type NeighborMetrics } from '../search/searchShapes.ts';
import { storedToUnixMs, timestampRange, unixSecondsSql } from '../store/timestamps.ts';
import { blobToVector } from '../store/vectorBlob.ts';

/** Seconds added on each side of a label's window when its EEG is gathered (the reference's padding). */
export const EEG_WINDOW_PAD_SECS = 30;
/** Length of the epoch a row stands for; a row is stamped at its epoch's start. */
const EPOCH_SECS = 5;

interface Day {
  db: Db;
  embeddings: Statement<number[]>;
  metrics: Statement<number[]>;
  epochs: Statement<number[]>;
}

/** One stored epoch of a window, for the interactive search graph. */
export interface WindowEpoch {
  /** As stored (any encoding). */
  timestamp: number;
  /** Unix seconds. */
  timestamp_unix: number;
  device_name: string | null;
  metrics: NeighborMetrics | null;
  /** Null when the epoch has not been embedded yet. */
  vector: Float32Array | null;
}

export class EegWindowReader {
  readonly #days = new Map<string, Day | null>();

  constructor(private readonly dataDir: string) {}

  /** Every stored epoch embedding with a timestamp in [startS, endS] (unix seconds, inclusive). */
  embeddings(startS: number, endS: number): Float32Array[] {
    const out: Float32Array[] = [];
    for (const day of this.#daysFor(startS, endS)) {
      for (const r of day.embeddings.all(...timestampRange('timestamp', startS, endS).params) as Array<{ blob: Buffer }>) {
        const v = blobToVector(r.blob);
        if (v) out.push(v);
      }
    }
    return out;
  }

  /** The neighbour metrics (present keys only) of each epoch overlapping [startS, endS]. */
  metrics(startS: number, endS: number): NeighborMetrics[] {
    const out: NeighborMetrics[] = [];
    // An epoch stamped up to 5 s before the window still overlaps it.
    const from = startS - EPOCH_SECS + 1e-3;
    for (const day of this.#daysFor(from, endS)) {
      for (const r of day.metrics.all(...timestampRange('timestamp', from, endS).params) as Array<{ json: string }>) {
        const m = neighborMetrics(r.json);
        if (m) out.push(m);
      }
    }
    return out;
  }

  /** Every stored epoch stamped in [startS, endS], in time order across days. */
  epochs(startS: number, endS: number): WindowEpoch[] {
    const out: WindowEpoch[] = [];
    for (const day of this.#daysFor(startS, endS)) {
      const rows = day.epochs.all(...timestampRange('timestamp', startS, endS).params) as Array<{ timestamp: number; device_name: string | null; json: string | null; blob: Buffer | null }>;
      for (const r of rows) {
        out.push({
          timestamp: r.timestamp,
          timestamp_unix: storedToUnixMs(r.timestamp) / 1000,
          device_name: r.device_name,
          metrics: neighborMetrics(r.json),
          vector: r.blob && r.blob.length >= 4 ? blobToVector(r.blob) : null,
        });
      }
    }
    return out.sort((a, b) => a.timestamp_unix - b.timestamp_unix);
  }

  close(): void {
    for (const d of this.#days.values()) d?.db.close();
    this.#days.clear();
  }

  #daysFor(startS: number, endS: number): Day[] {
    const out: Day[] = [];
    for (const dir of dayDirsForRange(this.dataDir, startS, endS)) {
      let day = this.#days.get(dir);
      if (day === undefined) {
        const db = openDayDbReadOnly(dir);
        day = db ? prepare(db) : null;
        this.#days.set(dir, day);
      }
      if (day) out.push(day);
    }
    return out;
  }
}

function prepare(db: Db): Day | null {
  const range = timestampRange('timestamp', 0, 0).sql;
  try {
    return {
      db,
      embeddings: db.prepare(`SELECT eeg_embedding AS blob FROM embeddings WHERE ${range} AND length(eeg_embedding) >= 4`),
      metrics: db.prepare(`SELECT metrics_json AS json FROM embeddings WHERE ${range} AND metrics_json IS NOT NULL AND metrics_json != ''`),
      epochs: db.prepare(
        `SELECT timestamp, device_name, metrics_json AS json, eeg_embedding AS blob FROM embeddings WHERE ${range} ORDER BY ${unixSecondsSql('timestamp')}`,
      ),
    };
  } catch {
    // A file that is not a day database (no `embeddings` table) holds nothing for any window.
    db.close();
    return null;
  }
}

/**
 * The mean direction of `vectors` of dimension `dim` (each normalised first, so every epoch
 * counts the same whatever its norm); null when none has that dimension.
 */
export function meanDirection(vectors: readonly Float32Array[], dim: number): Float32Array | null {
  const sum = new Float64Array(dim);
  let n = 0;
  for (const v of vectors) {
    if (v.length !== dim) continue;
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    if (!(norm > 0) || !Number.isFinite(norm)) continue;
    for (let i = 0; i < dim; i++) sum[i]! += v[i]! / norm;
    n++;
  }
  if (n === 0) return null;
  return Float32Array.from(sum, (x) => x / n);
}

/** The dimension with the largest count (the larger dimension on a tie); null for none. */
export function dominantDim(countsByDim: ReadonlyMap<number, number>): number | null {
  let best: number | null = null;
  for (const [dim, n] of countsByDim) {
    const bestN = best === null ? -1 : countsByDim.get(best)!;
    if (n > bestN || (n === bestN && dim > best!)) best = dim;
  }
  return best;
}
