// The history of reembed runs (`GET /v1/models/reembed-runs`), kept in `<data>/reembed_runs.json`
// so it survives restarts: when a run started and ended, why it started, how far it got and how
// it ended. Written atomically at each start, pause and end; the newest MAX_RUNS are kept. A run
// the daemon was stopped in (or died in) is marked `interrupted` at the next start.
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile.ts';
import type { ReembedTrigger } from '../../machines/reembed.ts';

export const REEMBED_RUNS_FILE = 'reembed_runs.json';
const MAX_RUNS = 200;

export type RunOutcome = 'running' | 'paused' | 'done' | 'error' | 'interrupted';

export interface ReembedRunRecord {
  id: string;
  trigger: ReembedTrigger;
  /** Unix ms. */
  started_at: number;
  ended_at: number | null;
  outcome: RunOutcome;
  /** Epoch rows missing an embedding when the run counted them. */
  total: number;
  /** Rows it filled. */
  done: number;
  /** Rows it could not fill (no raw data covering 5 s, encoder refused them, channel count given up on). */
  failed: number;
  /** Failures by reason. */
  failures: Record<string, number>;
  /** Channel counts given up on after 5 failures in a row. */
  skipped_channel_counts: number[];
  pauses: number;
  /** Encoder family that produced the vectors. */
  model: string | null;
  /** Rows filled per second of running (pauses and throttle sleeps included, time paused not). */
  epochs_per_sec: number | null;
  /** Raw CSV bytes read. */
  bytes_read: number;
  message: string | null;
}

export class ReembedRuns {
  readonly file: string;
  #runs: ReembedRunRecord[];

  constructor(dataDir: string, now = Date.now()) {
    this.file = path.join(dataDir, REEMBED_RUNS_FILE);
    let stored: unknown;
    try {
      stored = readJsonFile<unknown>(this.file, []);
    } catch {
      stored = [];
    }
    this.#runs = Array.isArray(stored) ? (stored.filter((r) => r && typeof r === 'object' && typeof r.id === 'string') as ReembedRunRecord[]) : [];
    let changed = false;
    for (const r of this.#runs) {
      if (r.outcome === 'running' || r.outcome === 'paused') {
        r.outcome = 'interrupted';
        r.ended_at ??= now;
        r.message ??= 'the daemon stopped during the run';
        changed = true;
      }
    }
    if (changed) this.#save();
  }

  /** Newest first. */
  list(): ReembedRunRecord[] {
    return [...this.#runs].reverse();
  }

  start(record: ReembedRunRecord): void {
    this.#runs.push(record);
    if (this.#runs.length > MAX_RUNS) this.#runs.splice(0, this.#runs.length - MAX_RUNS);
    this.#save();
  }

  /** Updates the run in memory; `persist` writes the file too. */
  update(id: string, patch: Partial<ReembedRunRecord>, persist: boolean): void {
    const r = this.#runs.find((x) => x.id === id);
    if (!r) return;
    Object.assign(r, patch);
    if (persist) this.#save();
  }

  get(id: string): ReembedRunRecord | undefined {
    return this.#runs.find((x) => x.id === id);
  }

  #save(): void {
    try {
      writeJsonAtomic(this.file, this.#runs, { mode: 0o600, dirMode: 0o700 });
    } catch {
      // A full disk must not stop re-embedding; the history is a report, not state.
    }
  }
}
