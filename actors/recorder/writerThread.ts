// The recorder's writer thread: first finishes what a killed daemon left unfinished, then writes
// segments as batches arrive. A failure (disk full, permissions) fails that segment only and is
// reported with its errno code; what was already written stays as it is. `close` ends the thread
// from inside: every handle is closed and the port with it, so the thread exits on its own and is
// never stopped in the middle of a better-sqlite3 call.
import { parentPort, workerData } from 'node:worker_threads';
import { repairUnfinishedSessions } from './sessionRepair.ts';
import { EmbeddingWriter } from './embeddingWriter.ts';
import { SegmentWriter } from './segmentWriter.ts';
import type { FromWriter, ToWriter } from './writerProtocol.ts';

const port = parentPort!;
const { dataDir } = workerData.options as { dataDir: string };
const post = (msg: FromWriter) => port.postMessage(msg);
const codeOf = (err: unknown) => ((err as NodeJS.ErrnoException)?.code ?? 'EIO');

let repaired: string[] = [];
try {
  repaired = repairUnfinishedSessions(dataDir);
} catch (err) {
  post({ type: 'failed', id: 0, code: codeOf(err), message: `repairing unfinished sessions: ${(err as Error).message}` });
}
post({ type: 'ready', repaired });

const segments = new Map<number, SegmentWriter>();
const embeddings = new EmbeddingWriter();

function fail(id: number, err: unknown): void {
  segments.get(id)?.abandon();
  segments.delete(id);
  post({ type: 'failed', id, code: codeOf(err), message: (err as Error)?.message ?? String(err) });
}

port.on('message', (msg: ToWriter) => {
  switch (msg.type) {
    case 'open': {
      const { segment } = msg;
      try {
        const w = new SegmentWriter(segment);
        segments.set(segment.id, w);
        post({ type: 'opened', id: segment.id, csvPath: w.csvPath });
      } catch (err) {
        fail(segment.id, err);
      }
      return;
    }
    case 'batch': {
      const w = segments.get(msg.id);
      try {
        w?.write(msg.batch);
      } catch (err) {
        fail(msg.id, err);
      }
      post({ type: 'ack', id: msg.id, bytes: msg.bytes, totals: w?.totals ?? { samples: 0, ppgSamples: 0, imuSamples: 0, snapshots: 0, epochs: 0 } });
      return;
    }
    case 'embedding':
      try {
        if (!embeddings.write(msg.update)) post({ type: 'warning', message: `no epoch row at ${msg.update.timestampMs} in ${msg.update.dayDir} for its embedding` });
      } catch (err) {
        post({ type: 'warning', message: `writing an embedding: ${(err as Error).message}` });
      }
      return;
    case 'finish': {
      const w = segments.get(msg.finish.id);
      if (!w) return;
      segments.delete(msg.finish.id);
      try {
        post({ type: 'finished', id: msg.finish.id, sidecarPath: w.finish(msg.finish) });
      } catch (err) {
        w.abandon();
        post({ type: 'failed', id: msg.finish.id, code: codeOf(err), message: `finishing: ${(err as Error).message}` });
      }
      return;
    }
    case 'close':
      // Normally nothing is open (the writer parks only when idle); at shutdown a segment still
      // open is left without its sidecar, for the next start's repair to finish.
      for (const w of segments.values()) w.abandon();
      segments.clear();
      embeddings.close();
      port.close();
      return;
    case 'fault':
      setImmediate(() => {
        throw new Error('injected writer thread fault');
      });
  }
});
