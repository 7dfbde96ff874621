// One HNSW index over label vectors (hnswlib-node, cosine, M 16, ef_construction 200 as the
// reference's label indices), keyed by label id, persisted as `<name>.hnsw` with a sidecar
// `<name>.hnsw.json`: {dim, tag, nodes, deleted, sha256}.
//
// Why the sidecar: hnswlib reads a file of any dimension into an index of any other without
// complaint, and a file damaged in its graph (not just truncated) is followed blindly by native
// code. The digest is checked before hnswlib sees the bytes, so a corrupt file is rebuilt, never
// loaded; `tag` (the model the vectors came from) and `dim` say whether the vectors still fit.
// hnswlib keeps deleted points in the file and cannot list them, so their ids are kept here.
//
// Writes are atomic: index to a temp file, fsync, rename; then the sidecar the same way. A crash
// in between leaves a digest that no longer matches, which is a rebuild, never a wrong index.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import hnswlib from 'hnswlib-node';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile.ts';

const { HierarchicalNSW } = hnswlib;
type Hnsw = InstanceType<typeof HierarchicalNSW>;

export const LABEL_HNSW_M = 16;
export const LABEL_HNSW_EF_CONSTRUCTION = 200;
/** Below this, hnswlib's recall drops sharply (DEPENDENCIES.md §4). */
export const MIN_EF = 64;
const INITIAL_CAPACITY = 64;
const SIDECAR_FORMAT = 1;

export interface IndexHit {
  id: number;
  /** Cosine distance, 1 − cos: 0 identical, 2 opposite. */
  distance: number;
}

interface Sidecar {
  format: number;
  dim: number;
  tag: string;
  nodes: number;
  deleted: number[];
  sha256: string;
}

export class LabelIndex {
  readonly #hnsw: Hnsw;
  readonly #ids: Set<number>;
  readonly #deleted: Set<number>;

  private constructor(
    readonly file: string,
    readonly dim: number,
    /** What produced the vectors (a text model's name, or `eeg`); vectors of another are not comparable. */
    readonly tag: string,
    hnsw: Hnsw,
    ids: Iterable<number>,
    deleted: Iterable<number>,
  ) {
    this.#hnsw = hnsw;
    this.#ids = new Set(ids);
    this.#deleted = new Set(deleted);
  }

  static empty(file: string, dim: number, tag: string): LabelIndex {
    const hnsw = new HierarchicalNSW('cosine', dim);
    hnsw.initIndex({ maxElements: INITIAL_CAPACITY, m: LABEL_HNSW_M, efConstruction: LABEL_HNSW_EF_CONSTRUCTION, randomSeed: 100 });
    return new LabelIndex(file, dim, tag, hnsw, [], []);
  }

  /**
   * The persisted index, or why it cannot be used: missing, corrupt (digest, header or read
   * failure) — the caller rebuilds it either way.
   */
  static load(file: string): { index: LabelIndex } | { missing: true } | { corrupt: string } {
    if (!fs.existsSync(file)) return { missing: true };
    let meta: Sidecar | null;
    try {
      meta = readJsonFile<Sidecar | null>(sidecarOf(file), null);
    } catch {
      return { corrupt: 'sidecar is not JSON' };
    }
    if (!meta || meta.format !== SIDECAR_FORMAT || !Number.isInteger(meta.dim) || meta.dim < 1) return { corrupt: 'no usable sidecar' };
    const bytes = fs.readFileSync(file);
    if (createHash('sha256').update(bytes).digest('hex') !== meta.sha256) return { corrupt: 'digest mismatch' };
    if (headerDim(bytes) !== meta.dim) return { corrupt: 'dimension in the file differs from the sidecar' };
    const hnsw = new HierarchicalNSW('cosine', meta.dim);
    try {
      hnsw.readIndexSync(file);
    } catch (err) {
      return { corrupt: (err as Error).message };
    }
    const deleted = new Set(meta.deleted.filter((id) => Number.isInteger(id)));
    const ids = hnsw.getIdsList().filter((id) => !deleted.has(id));
    if (ids.length !== meta.nodes) return { corrupt: `holds ${ids.length} nodes, sidecar says ${meta.nodes}` };
    return { index: new LabelIndex(file, meta.dim, String(meta.tag), hnsw, ids, deleted) };
  }

  get size(): number {
    return this.#ids.size;
  }

  ids(): IterableIterator<number> {
    return this.#ids.values();
  }

  has(id: number): boolean {
    return this.#ids.has(id);
  }

  /** The stored (normalised) vector of a label, or null. */
  vectorOf(id: number): number[] | null {
    return this.#ids.has(id) ? this.#hnsw.getPoint(id) : null;
  }

  /** Adds or replaces a label's vector. Vectors of another dimension or of zero length are refused (false). */
  add(id: number, vector: ArrayLike<number>): boolean {
    if (vector.length !== this.dim || !hasLength(vector)) return false;
    if (this.#hnsw.getCurrentCount() >= this.#hnsw.getMaxElements()) this.#hnsw.resizeIndex(this.#hnsw.getMaxElements() * 2);
    // hnswlib-node takes plain arrays only; re-adding a known or deleted id replaces its point.
    this.#hnsw.addPoint(Array.from(vector), id);
    this.#ids.add(id);
    this.#deleted.delete(id);
    return true;
  }

  remove(id: number): boolean {
    if (!this.#ids.delete(id)) return false;
    this.#hnsw.markDelete(id);
    this.#deleted.add(id);
    return true;
  }

  search(vector: ArrayLike<number>, k: number, ef: number): IndexHit[] {
    if (this.#ids.size === 0 || k < 1 || vector.length !== this.dim || !hasLength(vector)) return [];
    this.#hnsw.setEf(Math.max(ef, k, MIN_EF));
    const { neighbors, distances } = this.#hnsw.searchKnn(Array.from(vector), Math.min(k, this.#ids.size));
    return neighbors.map((id, i) => ({ id, distance: distances[i]! }));
  }

  save(): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(dir, `.${path.basename(this.file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      this.#hnsw.writeIndexSync(tmp);
      const fd = fs.openSync(tmp, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      const sha256 = createHash('sha256').update(fs.readFileSync(tmp)).digest('hex');
      fs.renameSync(tmp, this.file);
      const meta: Sidecar = { format: SIDECAR_FORMAT, dim: this.dim, tag: this.tag, nodes: this.#ids.size, deleted: [...this.#deleted], sha256 };
      writeJsonAtomic(sidecarOf(this.file), meta, { mode: 0o600 });
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}

export const sidecarOf = (file: string) => `${file}.json`;

/**
 * The dimension an hnswlib file was written with: its header holds `label_offset` and
 * `offsetData` (size_t each at bytes 32 and 40), whose difference is the vector's bytes (f32).
 */
function headerDim(bytes: Buffer): number {
  if (bytes.length < 48) return -1;
  const labelOffset = Number(bytes.readBigUInt64LE(32));
  const dataOffset = Number(bytes.readBigUInt64LE(40));
  const size = labelOffset - dataOffset;
  return size > 0 && size % 4 === 0 ? size / 4 : -1;
}

/** Finite throughout and not all zero: a direction cosine distance can be measured from. */
function hasLength(v: ArrayLike<number>): boolean {
  let nonZero = false;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) return false;
    if (v[i] !== 0) nonZero = true;
  }
  return nonZero;
}
