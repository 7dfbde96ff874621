// Which labels cover a moment: the EEG windows of every label, held in memory sorted by start,
// for the similarity search (each neighbour carries the labels its time falls in, notes §6.2)
// and for keeping label EEG nodes current as new embeddings arrive.
import type { NeighborLabel } from '../search/searchShapes.ts';
import type { LabelRow } from './labelStore.ts';

/** A label as a search result carries it: `labels:[{id, eeg_start, eeg_end, label_start, label_end, text}]`. */
export type LabelRef = NeighborLabel;

export class LabelWindows {
  /** Sorted by eeg_start. */
  #byStart: LabelRef[] = [];
  readonly #byId = new Map<number, LabelRef>();
  /** Longest window: a lookup scans back from t no further than this. */
  #longest = 0;

  /** Replaces the whole set (labels without an EEG window are left out). */
  reset(rows: Iterable<LabelRow>): void {
    this.#byStart = [];
    this.#byId.clear();
    for (const r of rows) {
      const ref = refOf(r);
      if (ref) this.#byStart.push(ref);
      if (ref) this.#byId.set(ref.id, ref);
    }
    this.#byStart.sort((a, b) => a.eeg_start - b.eeg_start || a.id - b.id);
    this.#longest = this.#byStart.reduce((m, w) => Math.max(m, w.eeg_end - w.eeg_start), 0);
  }

  /** Adds or replaces one label's window (or drops it when `row` is null). */
  set(id: number, row: LabelRow | null): void {
    if (this.#byId.delete(id)) this.#byStart = this.#byStart.filter((w) => w.id !== id);
    const ref = row ? refOf(row) : null;
    if (ref) {
      this.#byId.set(id, ref);
      const at = this.#firstFrom(ref.eeg_start);
      this.#byStart.splice(at, 0, ref);
      this.#longest = Math.max(this.#longest, ref.eeg_end - ref.eeg_start);
    }
  }

  get(id: number): LabelRef | null {
    return this.#byId.get(id) ?? null;
  }

  get size(): number {
    return this.#byStart.length;
  }

  all(): readonly LabelRef[] {
    return this.#byStart;
  }

  /** Labels whose window, widened by `padSecs` each side, contains `t` (unix seconds). */
  at(t: number, padSecs = 0): LabelRef[] {
    const out: LabelRef[] = [];
    if (!Number.isFinite(t)) return out;
    const end = this.#firstAfter(t + padSecs);
    for (let i = end - 1; i >= 0; i--) {
      const w = this.#byStart[i]!;
      if (w.eeg_start < t - padSecs - this.#longest) break;
      if (w.eeg_end + padSecs >= t) out.push(w);
    }
    return out.reverse();
  }

  /** Index of the first window starting at or after `start`. */
  #firstFrom(start: number): number {
    return this.#partition((w) => w.eeg_start < start);
  }

  /** Index of the first window starting after `t`. */
  #firstAfter(t: number): number {
    return this.#partition((w) => w.eeg_start <= t);
  }

  /** Index of the first window for which `before` is false (it holds for a prefix). */
  #partition(before: (w: LabelRef) => boolean): number {
    let lo = 0;
    let hi = this.#byStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.#byStart[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function refOf(r: LabelRow): LabelRef | null {
  if (r.eeg_start === null || r.eeg_end === null || !Number.isFinite(r.eeg_start) || !Number.isFinite(r.eeg_end)) return null;
  const [start, end] = r.eeg_start <= r.eeg_end ? [r.eeg_start, r.eeg_end] : [r.eeg_end, r.eeg_start];
  return { id: r.id, eeg_start: start, eeg_end: end, label_start: r.label_start, label_end: r.label_end, text: r.text };
}
