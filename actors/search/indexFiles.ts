// The global index on disk, in `<data>/`:
// - `eeg_global.hnsw`: hnswlib's graph file (the reference's name);
// - `eeg_global.hnsw.ids`: the id table, f64 unix ms per id then u32 day (YYYYMMDD) per id, LE;
// - `eeg_global.hnsw.json`: the manifest `{format, dim, count, model, m, ef_construction,
//   saved_at, index_sha256, ids_sha256}`.
//
// Why digests: hnswlib reads a file of any dimension into an index of any other without
// complaint, and follows a damaged graph blindly in native code (a crash there takes the whole
// process down, not just its thread). The bytes are checked before hnswlib sees them, so a
// corrupt file is rebuilt, never loaded.
//
// Every file is written to a temp sibling, fsynced and renamed; the manifest goes last. A crash
// between two renames leaves digests that do not match: a rebuild, never a wrong index.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../store/atomicFile.ts';
import { EpochIndex, type IndexParams } from './epochIndex.ts';

export const GLOBAL_INDEX_FILE = 'eeg_global.hnsw';
const MANIFEST_FORMAT = 1;

export const globalIndexPath = (dataDir: string) => path.join(dataDir, GLOBAL_INDEX_FILE);
const idsPath = (file: string) => `${file}.ids`;
const manifestPath = (file: string) => `${file}.json`;

export interface IndexManifest {
  format: number;
  dim: number;
  count: number;
  model: string;
  m: number;
  ef_construction: number;
  saved_at: number;
  index_sha256: string;
  ids_sha256: string;
}

export type LoadOutcome = { index: EpochIndex; manifest: IndexManifest } | { missing: true } | { corrupt: string };

export function saveIndex(index: EpochIndex, file: string, now = Date.now()): IndexManifest {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let indexSha: string;
  try {
    index.graph.writeIndexSync(tmp);
    fsyncFile(tmp);
    indexSha = sha256File(tmp);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const ids = encodeTable(index.table());
  writeFileAtomic(idsPath(file), ids);
  const manifest: IndexManifest = {
    format: MANIFEST_FORMAT,
    dim: index.dim,
    count: index.size,
    model: index.model,
    m: index.params.m,
    ef_construction: index.params.efConstruction,
    saved_at: now,
    index_sha256: indexSha,
    ids_sha256: createHash('sha256').update(ids).digest('hex'),
  };
  writeJsonAtomic(manifestPath(file), manifest);
  return manifest;
}

/** The saved index, or why it cannot be used. Files present but unreadable in any way are `corrupt`. */
export function loadIndex(file: string): LoadOutcome {
  if (!fs.existsSync(file) && !fs.existsSync(manifestPath(file))) return { missing: true };
  if (!fs.existsSync(file)) return { corrupt: 'the manifest exists but the index file does not' };
  let m: IndexManifest | null;
  try {
    m = readJsonFile<IndexManifest | null>(manifestPath(file), null);
  } catch {
    return { corrupt: 'manifest is not JSON' };
  }
  if (!m || m.format !== MANIFEST_FORMAT || !isCount(m.dim) || m.dim < 1 || !isCount(m.count)) return { corrupt: 'no usable manifest' };
  let ids: Buffer;
  try {
    if (sha256File(file) !== m.index_sha256) return { corrupt: 'index digest does not match the manifest' };
    ids = fs.readFileSync(idsPath(file));
  } catch (err) {
    return { corrupt: (err as Error).message };
  }
  if (createHash('sha256').update(ids).digest('hex') !== m.ids_sha256) return { corrupt: 'id table digest does not match the manifest' };
  if (ids.byteLength !== m.count * 12) return { corrupt: `id table holds ${ids.byteLength} bytes, ${m.count * 12} expected` };
  const hnsw = new hnswlib.HierarchicalNSW('cosine', m.dim);
  try {
    hnsw.readIndexSync(file);
  } catch (err) {
    return { corrupt: (err as Error).message };
  }
  if (hnsw.getCurrentCount() !== m.count) return { corrupt: `graph holds ${hnsw.getCurrentCount()} nodes, manifest says ${m.count}` };
  const { timestamps, days } = decodeTable(ids, m.count);
  const params: IndexParams = { m: m.m, efConstruction: m.ef_construction, model: String(m.model) };
  return { index: EpochIndex.fromParts(hnsw, m.dim, params, timestamps, days), manifest: m };
}

/** Moves a damaged index aside as `<file>.corrupt-<unix s>` (its sidecars with it); returns the new path. */
export function quarantineIndex(file: string, now = Date.now()): string | null {
  const target = `${file}.corrupt-${Math.floor(now / 1000)}`;
  let moved: string | null = null;
  if (fs.existsSync(file)) {
    fs.renameSync(file, target);
    moved = target;
  }
  for (const side of [idsPath(file), manifestPath(file)]) {
    if (fs.existsSync(side)) fs.renameSync(side, `${side}.corrupt-${Math.floor(now / 1000)}`);
  }
  return moved;
}

export function indexFileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function encodeTable(t: { timestamps: readonly number[]; days: readonly number[] }): Buffer {
  const n = t.timestamps.length;
  const buf = Buffer.alloc(n * 12);
  for (let i = 0; i < n; i++) {
    buf.writeDoubleLE(t.timestamps[i]!, i * 8);
    buf.writeUInt32LE(t.days[i]!, n * 8 + i * 4);
  }
  return buf;
}

function decodeTable(buf: Buffer, n: number): { timestamps: number[]; days: number[] } {
  const timestamps = new Array<number>(n);
  const days = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = buf.readDoubleLE(i * 8);
    days[i] = buf.readUInt32LE(n * 8 + i * 4);
  }
  return { timestamps, days };
}

/**
 * One read buffer per thread, reused by every digest. A fresh 4 MB buffer per save was garbage
 * in the search thread's isolate, which collects seldom: several of them stayed allocated at once.
 */
let hashChunk: Buffer | null = null;

function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = (hashChunk ??= Buffer.allocUnsafe(1 << 20));
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
