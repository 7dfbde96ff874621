// The global similarity index over every stored epoch embedding (notes §6.1): one hnswlib-node
// HNSW graph, cosine space, plus the table that says which epoch each node is.
//
// Why a table: hnswlib-node 3.0.0 reads labels as uint32 (a unix-ms timestamp is silently
// truncated), so a node's label is a dense id 0, 1, 2 … and the table maps it to the epoch's
// unix-ms timestamp and the day folder whose eeg.sqlite holds its row. The timestamp is the
// epoch's identity: adding a vector for a timestamp already indexed replaces its point (a
// re-embedded epoch moves, it is not duplicated).
//
// Vectors of another dimension than the index's are refused and counted; so are vectors of zero
// length (cosine of a zero vector is undefined, and hnswlib would store NaNs).
import hnswlib from 'hnswlib-node';

const { HierarchicalNSW } = hnswlib;
export type Hnsw = InstanceType<typeof HierarchicalNSW>;

/** Below this hnswlib's recall falls apart (ef 10, its default, finds 2 of 10; DEPENDENCIES.md §4). */
export const MIN_QUERY_EF = 64;
const MIN_CAPACITY = 1024;
/** How far searchAround widens its beam: ef × 64 (4096 for the default ef). */
const WIDEN_LIMIT_FACTOR = 64;
/** Epochs each side of a query epoch, in time, measured exactly by searchAround: at least 12 (1 min of 5 s epochs). */
const MIN_TIME_WINDOW = 12;

export interface IndexParams {
  /** HNSW M (links per node). */
  m: number;
  efConstruction: number;
  /** Encoder family the vectors came from (a change means they are no longer comparable). */
  model: string;
}

export interface EpochHit {
  id: number;
  timestampMs: number;
  /** `YYYYMMDD` folder holding the epoch's row. */
  day: string;
  /** 1 − cos: 0 identical, 2 opposite. */
  distance: number;
}

export type AddOutcome = 'added' | 'replaced' | 'wrong_dimension' | 'zero_vector';

export class EpochIndex {
  readonly #hnsw: Hnsw;
  /** id → unix ms. */
  readonly #timestamps: number[];
  /** id → day folder as the number YYYYMMDD (compact in memory and on disk). */
  readonly #days: number[];
  readonly #idOf = new Map<number, number>();
  /** Ids in timestamp order. */
  readonly #byTime: number[];
  readonly #perDay = new Map<number, number>();
  /** Vectors refused because of their dimension, since this index was made or loaded. */
  skippedDimension = 0;
  skippedZero = 0;
  model: string;

  private constructor(
    hnsw: Hnsw,
    readonly dim: number,
    readonly params: IndexParams,
    timestamps: number[],
    days: number[],
  ) {
    this.#hnsw = hnsw;
    this.#timestamps = timestamps;
    this.#days = days;
    this.model = params.model;
    this.#byTime = timestamps.map((_, id) => id).sort((a, b) => timestamps[a]! - timestamps[b]!);
    timestamps.forEach((ts, id) => {
      this.#idOf.set(ts, id);
      this.#perDay.set(days[id]!, (this.#perDay.get(days[id]!) ?? 0) + 1);
    });
  }

  static create(dim: number, params: IndexParams, capacity = MIN_CAPACITY): EpochIndex {
    const hnsw = new HierarchicalNSW('cosine', dim);
    hnsw.initIndex({ maxElements: Math.max(MIN_CAPACITY, capacity), m: params.m, efConstruction: params.efConstruction, randomSeed: 100 });
    return new EpochIndex(hnsw, dim, params, [], []);
  }

  /** An index around a graph read from disk and its id table (see indexFiles.ts). */
  static fromParts(hnsw: Hnsw, dim: number, params: IndexParams, timestamps: number[], days: number[]): EpochIndex {
    return new EpochIndex(hnsw, dim, params, timestamps, days);
  }

  get size(): number {
    return this.#timestamps.length;
  }

  get capacity(): number {
    return this.#hnsw.getMaxElements();
  }

  get graph(): Hnsw {
    return this.#hnsw;
  }

  /** The id table, for saving. */
  table(): { timestamps: readonly number[]; days: readonly number[] } {
    return { timestamps: this.#timestamps, days: this.#days };
  }

  has(timestampMs: number): boolean {
    return this.#idOf.has(timestampMs);
  }

  /** Epochs indexed per day folder (`YYYYMMDD`). */
  countOn(day: string): number {
    return this.#perDay.get(Number(day)) ?? 0;
  }

  /** Day folders with at least one indexed epoch, oldest first. */
  days(): string[] {
    return [...this.#perDay.keys()].sort((a, b) => a - b).map(String);
  }

  add(timestampMs: number, day: string, vector: ArrayLike<number>): AddOutcome {
    if (vector.length !== this.dim) {
      this.skippedDimension++;
      return 'wrong_dimension';
    }
    let norm = 0;
    for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
    if (!(norm > 0) || !Number.isFinite(norm)) {
      this.skippedZero++;
      return 'zero_vector';
    }
    // hnswlib-node takes plain arrays only (a Float32Array is refused).
    const point = Array.from(vector);
    const known = this.#idOf.get(timestampMs);
    if (known !== undefined) {
      this.#hnsw.addPoint(point, known);
      return 'replaced';
    }
    const id = this.#timestamps.length;
    if (id >= this.#hnsw.getMaxElements()) this.#hnsw.resizeIndex(Math.max(MIN_CAPACITY, this.#hnsw.getMaxElements() * 2));
    this.#hnsw.addPoint(point, id);
    const dayNum = Number(day);
    this.#timestamps.push(timestampMs);
    this.#days.push(dayNum);
    this.#idOf.set(timestampMs, id);
    this.#perDay.set(dayNum, (this.#perDay.get(dayNum) ?? 0) + 1);
    // Live epochs arrive in time order (a push); re-embedded ones are slotted in.
    const at = this.#timePosition(timestampMs);
    if (at === this.#byTime.length) this.#byTime.push(id);
    else this.#byTime.splice(at, 0, id);
    return 'added';
  }

  /**
   * The k nearest epochs of an indexed epoch's own vector, made robust against two ways HNSW
   * (hnswlib's heuristic neighbour selection) loses points that matter here:
   *
   * - The greedy descent ends in the wrong region of the graph — small, well-separated clusters
   *   (a rare brain state among hours of another) — and returns k neighbours that are all wrong.
   *   The query epoch's own node must come back at distance 0; when it does not, the search is
   *   repeated with a 4× wider beam, up to WIDEN_LIMIT_FACTOR × ef.
   * - A few epochs of a new state, far from everything stored before, prune each other out of
   *   their neighbour lists and become unreachable from the rest of the graph: no beam finds
   *   them. A state lasts longer than one epoch, so the epochs just before and after the query
   *   in time are measured exactly and merged in (max(2k, 12) each side).
   */
  searchAround(timestampMs: number, vector: ArrayLike<number>, k: number, ef: number): { hits: EpochHit[]; widened: boolean } {
    let hits = this.search(vector, k, ef);
    if (!this.#idOf.has(timestampMs)) return { hits, widened: false };
    const limit = Math.min(this.size, Math.max(ef, k, MIN_QUERY_EF) * WIDEN_LIMIT_FACTOR);
    let beam = Math.max(ef, k, MIN_QUERY_EF);
    let widened = false;
    while (!hits.some((h) => h.timestampMs === timestampMs) && beam < limit) {
      beam = Math.min(limit, beam * 4);
      hits = this.search(vector, k, beam);
      widened = true;
    }
    return { hits: this.#withTimeNeighbours(hits, timestampMs, vector, k), widened };
  }

  #withTimeNeighbours(hits: EpochHit[], timestampMs: number, vector: ArrayLike<number>, k: number): EpochHit[] {
    const window = Math.max(2 * k, MIN_TIME_WINDOW);
    const centre = this.#timePosition(timestampMs);
    const seen = new Set(hits.map((h) => h.id));
    const q = unit(vector);
    const merged = [...hits];
    for (let i = Math.max(0, centre - window); i < Math.min(this.#byTime.length, centre + window + 1); i++) {
      const id = this.#byTime[i]!;
      if (seen.has(id)) continue;
      // The cosine space stores points normalised: 1 − dot is the distance.
      const p = this.#hnsw.getPoint(id);
      let dot = 0;
      for (let d = 0; d < p.length; d++) dot += p[d]! * q[d]!;
      merged.push({ id, timestampMs: this.#timestamps[id]!, day: String(this.#days[id]!), distance: 1 - dot });
    }
    return merged.sort((a, b) => a.distance - b.distance).slice(0, Math.min(k, this.size));
  }

  /** First position in #byTime whose timestamp is ≥ t. */
  #timePosition(t: number): number {
    let lo = 0;
    let hi = this.#byTime.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#timestamps[this.#byTime[mid]!]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The k nearest epochs, nearest first; `ef` is raised to at least max(k, MIN_QUERY_EF). */
  search(vector: ArrayLike<number>, k: number, ef: number): EpochHit[] {
    const n = Math.min(k, this.size);
    if (n <= 0 || vector.length !== this.dim) return [];
    this.#hnsw.setEf(Math.max(ef, k, MIN_QUERY_EF));
    const r = this.#hnsw.searchKnn(Array.from(vector), n);
    return r.neighbors.map((id, i) => ({
      id,
      timestampMs: this.#timestamps[id]!,
      day: String(this.#days[id]!),
      distance: r.distances[i]!,
    }));
  }
}

function unit(v: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n) || 1;
  return Float64Array.from({ length: v.length }, (_, i) => v[i]! / n);
}
