// Worker entry when the daemon runs from TypeScript sources: a worker thread does not inherit the
// parent's `--import tsx` loader on Node 20, so register it here, then load the real entry.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
