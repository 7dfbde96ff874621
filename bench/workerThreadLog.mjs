// Preload (`node --import ./bench/workerThreadLog.mjs …`) that reports each worker thread the
// process starts — when, what it runs, and the process's RSS just before — as one JSON line on
// stderr prefixed `worker-thread `. The startup benchmark uses it to say how much of the idle
// RSS the daemon's threads account for (each thread is its own V8 isolate with its own copy of
// the TypeScript loader and the modules it imports).
import wt from 'node:worker_threads';
import { syncBuiltinESMExports } from 'node:module';

const Original = wt.Worker;
wt.Worker = class extends Original {
  constructor(url, options) {
    const rssMb = process.memoryUsage().rss / 1048576;
    super(url, options);
    const runs = options?.eval ? 'inline source' : String(options?.workerData?.module ?? options?.workerData?.entry ?? url);
    process.stderr.write(`worker-thread ${JSON.stringify({ atMs: performance.now(), rssMb, runs: runs.replace(/^.*?\/(?=(actors|bin|transport|dist)\/)/, '') })}\n`);
  }
};
// Named imports (`import { Worker } from 'node:worker_threads'`) see the wrapper too.
syncBuiltinESMExports();
