// Writes epoch embeddings into the day databases, on the writer thread: the live encoder's
// results go through the same thread as the rows they belong to. One connection per day folder,
// kept while it is in use (the current day, and the previous one around midnight).
import type { Statement } from 'better-sqlite3';
import { openDayDbForWrite, type Db } from '../store/daySchema.ts';
import type { EmbeddingUpdate } from './writerProtocol.ts';

const KEEP_DAYS = 2;

export class EmbeddingWriter {
  readonly #days = new Map<string, { db: Db; update: Statement<[Buffer, number]> }>();

  /** Returns false when there is no epoch row at that time. */
  write(u: EmbeddingUpdate): boolean {
    const day = this.#day(u.dayDir);
    const blob = Buffer.from(u.vector.buffer, u.vector.byteOffset, u.vector.byteLength);
    return day.update.run(blob, Math.round(u.timestampMs)).changes > 0;
  }

  /** Closes every connection (the thread is about to exit). */
  close(): void {
    for (const { db } of this.#days.values()) db.close();
    this.#days.clear();
  }

  #day(dayDir: string) {
    let d = this.#days.get(dayDir);
    if (d) return d;
    if (this.#days.size >= KEEP_DAYS) {
      const [oldest, conn] = this.#days.entries().next().value!;
      conn.db.close();
      this.#days.delete(oldest);
    }
    const db = openDayDbForWrite(dayDir);
    // Little-endian f32 is the blob format of the reference (and of every x86/ARM host).
    d = { db, update: db.prepare<[Buffer, number]>('UPDATE embeddings SET eeg_embedding = ? WHERE timestamp = ?') };
    this.#days.set(dayDir, d);
    return d;
  }
}
