// Day summaries kept between requests (one cache per analysis worker), least recently used first
// out once over budget. A summary is reused only while the database and its WAL have the same
// inode, size and mtime as when it was built: the recorder appending to today's file, a
// re-embedding pass or a deleted-and-recreated day all change one of them, and that day alone is
// rebuilt.
import fs from 'node:fs';
import type { DayDb } from './rangeDatabases.ts';
import { buildDaySummary, type DaySummary } from './daySummary.ts';

function fileSignature(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return '-';
  }
}

export class DaySummaryCache {
  readonly #entries = new Map<string, { signature: string; summary: DaySummary }>();
  #bytes = 0;

  /** 64 MiB holds about 1.5 million epochs: years of 8-hour days. */
  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  summaryOf(day: DayDb): DaySummary {
    const signature = `${fileSignature(day.file)}|${fileSignature(`${day.file}-wal`)}`;
    const hit = this.#entries.get(day.file);
    if (hit) {
      this.#entries.delete(day.file);
      if (hit.signature === signature) {
        this.#entries.set(day.file, hit);
        return hit.summary;
      }
      this.#bytes -= hit.summary.bytes;
    }
    const summary = buildDaySummary(day.db);
    this.#entries.set(day.file, { signature, summary });
    this.#bytes += summary.bytes;
    for (const [file, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes || file === day.file) break;
      this.#entries.delete(file);
      this.#bytes -= entry.summary.bytes;
    }
    return summary;
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
