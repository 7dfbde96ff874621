// How many epochs every day database holds, and how many of them are embedded: the slow half of
// GET /v1/search/stats/stream. One day at a time on read-only connections, with a turn of the
// event loop between days, so a year of folders never stalls the daemon.
import { listDayDirs } from '../store/dayDirs.ts';
import { openDayDbReadOnly } from '../store/daySchema.ts';
import { TimeSlice } from '../labels/timeSlice.ts';

export interface EpochTotals {
  eeg_total_epochs: number;
  eeg_embedded_epochs: number;
  eeg_missing_epochs: number;
}

export async function epochTotals(dataDir: string, signal?: AbortSignal): Promise<EpochTotals> {
  let total = 0;
  let embedded = 0;
  const slice = new TimeSlice();
  for (const dir of listDayDirs(dataDir)) {
    if (signal?.aborted) break;
    const db = openDayDbReadOnly(dir);
    if (!db) continue;
    try {
      const [n, e] = db.prepare('SELECT COUNT(*), TOTAL(length(eeg_embedding) >= 4) FROM embeddings').raw().get() as [number, number];
      total += n;
      embedded += e;
    } catch {
      // A folder whose file is not a day database (no embeddings table) holds no epochs.
    } finally {
      db.close();
    }
    await slice.pause();
  }
  return { eeg_total_epochs: total, eeg_embedded_epochs: embedded, eeg_missing_epochs: total - embedded };
}
