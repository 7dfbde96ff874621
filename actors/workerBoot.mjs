// A worker thread's first module when the daemon runs from TypeScript sources: a thread does not
// inherit the parent's `--import tsx` loader on Node 20, so register it here, then load the real
// entry (workerData.entry). Built bundles are started directly (actors/runtimeLayout.ts).
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
