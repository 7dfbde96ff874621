// Cuts a session into 5 s epochs (notes §5.1): epoch k starts at sessionStart + k·hop, where
// hop = 5 s − overlap (the embedding-overlap setting, 0–4.5 s, read when the session opens —
// the reference ignored the setting). An epoch is complete once a band snapshot at or past its
// end arrives; its metric record is the mean of the snapshots that fall inside it. The raw
// samples of the epoch are kept too, for the encoder.
import { meanMetrics, type EpochMetrics } from '../store/epochMetrics.ts';

export const EPOCH_SECS = 5;
export const MAX_OVERLAP_SECS = 4.5;

export interface Epoch {
  /** Unix ms of the epoch's first sample; the row's `timestamp`. */
  startMs: number;
  endMs: number;
  metrics: EpochMetrics;
  /** Number of band snapshots averaged. */
  snapshots: number;
}

interface Pending {
  startMs: number;
  records: EpochMetrics[];
}

export class Epocher {
  readonly hopMs: number;
  readonly #epochMs = EPOCH_SECS * 1000;
  #next: number;
  #open: Pending[] = [];

  constructor(sessionStartMs: number, overlapSecs: number) {
    const overlap = Math.min(MAX_OVERLAP_SECS, Math.max(0, Number.isFinite(overlapSecs) ? overlapSecs : 0));
    this.hopMs = Math.round((EPOCH_SECS - overlap) * 1000);
    this.#next = sessionStartMs;
  }

  /** Adds a snapshot taken at `tMs` (its newest sample) and returns the epochs it completed. */
  add(tMs: number, metrics: EpochMetrics): Epoch[] {
    // Open every epoch that has started by tMs (with overlap, several are open at once).
    while (this.#next <= tMs) {
      this.#open.push({ startMs: this.#next, records: [] });
      this.#next += this.hopMs;
    }
    const done: Epoch[] = [];
    const still: Pending[] = [];
    for (const p of this.#open) {
      const endMs = p.startMs + this.#epochMs;
      if (tMs > p.startMs && tMs <= endMs) p.records.push(metrics);
      if (tMs >= endMs) {
        if (p.records.length > 0) done.push({ startMs: p.startMs, endMs, metrics: meanMetrics(p.records), snapshots: p.records.length });
      } else {
        still.push(p);
      }
    }
    this.#open = still;
    return done;
  }
}
