// Out-of-thread stall detection. The main thread bumps a shared counter every 500 ms; a worker
// thread checks it once a second. If the counter has not moved for `timeoutSecs` checks, the
// main thread is wedged (an endless loop, a blocking call): the worker writes why to stderr and
// aborts the process so the service manager (systemd Restart=on-failure, or the desktop app's
// watchdog) starts a fresh daemon. Counting checks instead of comparing clocks means a laptop
// that slept for an hour does not look like a stall when it wakes.
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const beat = new Int32Array(workerData.buffer);
let last = Atomics.load(beat, 0);
let still = 0;
setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== last) { last = now; still = 0; return; }
  still += 1;
  if (still >= workerData.timeoutSecs) {
    fs.writeSync(2, 'skill-daemon watchdog: main thread unresponsive for ' + still + ' s; aborting so it can be restarted\\n');
    process.kill(process.pid, 'SIGABRT');
  }
}, 1000);
`;

/** Starts the detector; returns a function that stops it. */
export function startStallDetector(timeoutSecs: number): () => void {
  const buffer = new SharedArrayBuffer(4);
  const beat = new Int32Array(buffer);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { buffer, timeoutSecs } });
  worker.unref();
  worker.on('error', () => undefined);
  const timer = setInterval(() => Atomics.add(beat, 0, 1), 500);
  timer.unref();
  return () => {
    clearInterval(timer);
    void worker.terminate();
  };
}
