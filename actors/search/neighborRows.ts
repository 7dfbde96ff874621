// Neighbours hydrated from their day database: the row of an epoch found by its unix-ms
// timestamp in the folder the index recorded for it (a session that crosses midnight UTC keeps
// writing into the folder it started in), then in the epoch's own UTC day. Reference-era rows
// are matched in their `YYYYMMDDHHmmss` and `× 1000` encodings too. Connections are opened
// read-only on first use and kept until `close()`, one request's worth.
import path from 'node:path';
import { utcDayName } from '../store/dayDirs.ts';
import { hasTable, openDayDbReadOnly, type Db } from '../store/daySchema.ts';
import { unixMsToCompact } from '../store/timestamps.ts';
import type Database from 'better-sqlite3';

export interface NeighborRow {
  timestamp: number;
  device_id: string | null;
  device_name: string | null;
  metrics_json: string | null;
  day: string;
}

interface DayReader {
  db: Db;
  byTimestamp: Database.Statement;
}

export class NeighborRows {
  readonly #days = new Map<string, DayReader | null>();

  constructor(private readonly dataDir: string) {}

  /** The epoch's row, or null when no database holds it any more (its session was deleted). */
  find(timestampMs: number, day: string): NeighborRow | null {
    // Whole seconds are the only values a reference-era encoding can stand for.
    const keys = timestampMs % 1000 === 0 ? [timestampMs, unixMsToCompact(timestampMs), unixMsToCompact(timestampMs) * 1000] : [timestampMs];
    for (const d of new Set([day, utcDayName(timestampMs)])) {
      const reader = this.#reader(d);
      if (!reader) continue;
      for (const k of keys) {
        const row = reader.byTimestamp.get(k) as Omit<NeighborRow, 'day'> | undefined;
        if (row) return { ...row, day: d };
      }
    }
    return null;
  }

  close(): void {
    for (const r of this.#days.values()) r?.db.close();
    this.#days.clear();
  }

  #reader(day: string): DayReader | null {
    if (this.#days.has(day)) return this.#days.get(day)!;
    const db = openDayDbReadOnly(path.join(this.dataDir, day));
    let reader: DayReader | null = null;
    if (db && hasTable(db, 'embeddings')) {
      // The embedded row first: a reference-era day can also hold a metrics-only row at that second.
      reader = { db, byTimestamp: db.prepare(`SELECT timestamp, device_id, device_name, metrics_json FROM embeddings WHERE timestamp = ? ORDER BY length(eeg_embedding) DESC LIMIT 1`) };
    } else db?.close();
    this.#days.set(day, reader);
    return reader;
  }
}
