// The global index made from what SQLite holds: a full rebuild (missing, corrupt, dimension or
// model changed, or asked for), and the catch-up after a load (embeddings stored after the last
// save — the daemon was killed, or its index thread was restarted — are added).
//
// Rows are read a page at a time by rowid from read-only connections, and the caller's `pause`
// runs between pages, so the thread that owns the index keeps answering searches (against the
// old index during a rebuild) and taking new embeddings meanwhile.
import path from 'node:path';
import { listDayDirs } from '../store/dayDirs.ts';
import { hasTable, openDayDbReadOnly, type Db } from '../store/daySchema.ts';
import { storedToUnixMs } from '../store/timestamps.ts';
import { blobToVector } from '../store/vectorBlob.ts';
import { EpochIndex, type IndexParams } from './epochIndex.ts';

const PAGE_ROWS = 512;

export interface RebuildOutcome {
  /** Null when no day holds an embedding (the dimension is not known yet). */
  index: EpochIndex | null;
  /** Embeddings put into the index. */
  recovered: number;
  /** Embeddings left out for their dimension. */
  skippedDimension: number;
}

interface DayVectors {
  day: string;
  /** Embedded rows per vector byte length. */
  byBytes: Map<number, number>;
}

/**
 * Builds a new index over every day folder. Its dimension is `preferDim` (the live encoder's,
 * when known), else that of the newest stored embedding — vectors of the current encoder, not of
 * whichever encoder wrote the most rows.
 */
export async function rebuildIndex(dataDir: string, params: IndexParams, preferDim: number | null, pause: () => Promise<void>): Promise<RebuildOutcome> {
  const days = countEmbeddings(dataDir);
  const dim = preferDim ?? newestDim(dataDir);
  const total = days.reduce((a, d) => a + [...d.byBytes.values()].reduce((x, y) => x + y, 0), 0);
  if (dim === null) return { index: null, recovered: 0, skippedDimension: total };
  const matching = days.reduce((a, d) => a + (d.byBytes.get(dim * 4) ?? 0), 0);
  const index = EpochIndex.create(dim, params, Math.ceil(matching * 1.1));
  for (const d of days) {
    if (d.byBytes.has(dim * 4)) await addDay(index, dataDir, d.day, () => true, pause);
  }
  index.skippedDimension = total - index.size;
  return { index, recovered: index.size, skippedDimension: index.skippedDimension };
}

/** Adds every stored embedding the index does not hold yet (days whose counts differ); returns how many. */
export async function catchUp(index: EpochIndex, dataDir: string, pause: () => Promise<void>): Promise<number> {
  let added = 0;
  for (const d of countEmbeddings(dataDir)) {
    const stored = d.byBytes.get(index.dim * 4) ?? 0;
    if (stored <= index.countOn(d.day)) continue;
    added += await addDay(index, dataDir, d.day, (ts) => !index.has(ts), pause);
    await pause();
  }
  return added;
}

/** Distinct device names over every day database, sorted. */
export function storedDeviceNames(dataDir: string): string[] {
  const names = new Set<string>();
  for (const dir of listDayDirs(dataDir)) {
    withEmbeddings(dir, (db) => {
      for (const r of db.prepare(`SELECT DISTINCT device_name AS n FROM embeddings WHERE device_name IS NOT NULL AND device_name <> ''`).all() as { n: string }[]) names.add(r.n);
    });
  }
  return [...names].sort();
}

function countEmbeddings(dataDir: string): DayVectors[] {
  const out: DayVectors[] = [];
  for (const dir of listDayDirs(dataDir)) {
    withEmbeddings(dir, (db) => {
      const rows = db.prepare(`SELECT length(eeg_embedding) AS bytes, COUNT(*) AS n FROM embeddings WHERE length(eeg_embedding) >= 4 GROUP BY bytes`).all() as { bytes: number; n: number }[];
      const byBytes = new Map(rows.filter((r) => r.bytes % 4 === 0).map((r) => [r.bytes, r.n]));
      if (byBytes.size) out.push({ day: path.basename(dir), byBytes });
    });
  }
  return out;
}

function newestDim(dataDir: string): number | null {
  for (const dir of listDayDirs(dataDir).reverse()) {
    let bytes: number | null = null;
    withEmbeddings(dir, (db) => {
      const r = db.prepare(`SELECT length(eeg_embedding) AS bytes FROM embeddings WHERE length(eeg_embedding) >= 4 AND length(eeg_embedding) % 4 = 0 ORDER BY timestamp DESC LIMIT 1`).get() as { bytes: number } | undefined;
      bytes = r?.bytes ?? null;
    });
    if (bytes !== null) return bytes / 4;
  }
  return null;
}

async function addDay(index: EpochIndex, dataDir: string, day: string, wanted: (ts: number) => boolean, pause: () => Promise<void>): Promise<number> {
  const db = openDayDbReadOnly(path.join(dataDir, day));
  if (!db) return 0;
  let added = 0;
  try {
    // Each page is its own read: no transaction stays open across pauses (WAL checkpoints go on).
    const pageAfter = db.prepare(`SELECT id, timestamp, eeg_embedding AS v FROM embeddings WHERE id > ? AND length(eeg_embedding) = ? ORDER BY id LIMIT ?`);
    let after = 0;
    for (;;) {
      const page = pageAfter.all(after, index.dim * 4, PAGE_ROWS) as { id: number; timestamp: number; v: Buffer }[];
      for (const r of page) {
        const ts = storedToUnixMs(r.timestamp);
        const vector = blobToVector(r.v);
        if (vector && wanted(ts) && index.add(ts, day, vector) === 'added') added++;
      }
      if (page.length < PAGE_ROWS) return added;
      after = page.at(-1)!.id;
      await pause();
    }
  } finally {
    db.close();
  }
}

function withEmbeddings(dayDir: string, fn: (db: Db) => void): void {
  const db = openDayDbReadOnly(dayDir);
  if (!db) return;
  try {
    if (hasTable(db, 'embeddings')) fn(db);
  } finally {
    db.close();
  }
}
