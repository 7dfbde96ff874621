// The worker side of UmapRunner: runs one projection and posts its progress (at most 4 a second,
// plus every change of phase and the last epoch) and then its JSON. The cool-down between epochs
// sleeps this thread only; the daemon's event loop never waits for a projection.
import { parentPort } from 'node:worker_threads';
import { projectRanges, type UmapProgress } from './umapProjection.ts';
import type { UmapJob, UmapWorkerMessage } from './umapProtocol.ts';

const port = parentPort;
if (!port) throw new Error('umapWorkerThread.ts must run in a worker thread');
const post = (m: UmapWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

port.once('message', (job: UmapJob) => {
  let lastAt = 0;
  let lastStatus = '';
  const onProgress = (progress: UmapProgress) => {
    const now = performance.now();
    if (progress.status === lastStatus && now - lastAt < 250 && progress.epoch < progress.n_epochs) return;
    lastAt = now;
    lastStatus = progress.status;
    post({ type: 'progress', progress });
  };
  try {
    const result = projectRanges(job.dataDir, job.ranges, job.params, { onProgress, pause: (ms) => Atomics.wait(sleeper, 0, 0, ms) });
    const json = new TextEncoder().encode(JSON.stringify(result));
    post({ type: 'done', json, cacheable: result.reason === undefined }, [json.buffer as ArrayBuffer]);
  } catch (err) {
    post({ type: 'error', message: (err as Error)?.message ?? String(err) });
  }
});
