// The analysis worker pool: answers match the direct calls, a crashing worker fails only its own
// job and is replaced, queued jobs can be withdrawn, and an idle pool never keeps a process alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnalysisError } from '../actors/analysis/analysisError.ts';
import { AnalysisPool, AnalysisWorkerCrash } from '../actors/analysis/analysisPool.ts';
import { DaySummaryCache } from '../actors/analysis/daySummaryCache.ts';
import { metricsForRange } from '../actors/analysis/rangeMetrics.ts';
import { sleepForRange } from '../actors/analysis/rangeSleep.ts';
import { ROOT } from './helpers/daemonProcess.ts';
import { makeEpochs, writeEpochsByDay } from './helpers/epochFixture.ts';

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-analysis-pool-'));
const start = Date.UTC(2026, 6, 1, 21);
writeEpochsByDay(data, makeEpochs({ startMs: start, count: 2000, seed: 31 }));
const range = { startUtc: start / 1000, endUtc: start / 1000 + 86_400 };
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

/**
 * A stand-in worker entry: answers with its thread id, or misbehaves on request — exits, throws,
 * or blocks for a while.
 */
const FAKE_WORKER = 'data:text/javascript,' + encodeURIComponent(`
  import { parentPort, threadId } from 'node:worker_threads';
  parentPort.on('message', (m) => {
    if (m.args.exit) process.exit(3);
    if (m.args.throw) throw new Error('boom');
    if (m.args.blockMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, m.args.blockMs);
    parentPort.postMessage({ id: m.id, ok: true, json: new TextEncoder().encode(JSON.stringify({ threadId, n: m.args.n })) });
  });
`);

test('answers from the pool equal the direct calls', async () => {
  const pool = new AnalysisPool();
  try {
    const [metrics, sleep] = await Promise.all([pool.run('metrics', data, range), pool.run('sleep', data, range)]);
    const cache = new DaySummaryCache();
    assert.deepEqual(decode(metrics), metricsForRange(data, range.startUtc, range.endUtc, cache));
    assert.deepEqual(decode(sleep), JSON.parse(JSON.stringify(sleepForRange(data, range.startUtc, range.endUtc, cache))));
    assert.ok(pool.workers >= 1 && pool.workers <= pool.size);
    const forbidden = pool.run('csvMetrics', data, { csvPath: '../../etc/passwd' });
    await assert.rejects(forbidden, (e: unknown) => e instanceof AnalysisError && e.code === 'forbidden_path');
    await assert.rejects(pool.run('nope' as 'metrics', data, range), /unknown analysis job/);
  } finally {
    await pool.close();
  }
});

test('a worker that dies fails only its own job, and the next job gets a fresh worker', async () => {
  const pool = new AnalysisPool({ size: 2, entry: FAKE_WORKER });
  try {
    const run = (args: object) => pool.run('metrics', data, args as never).then(decode);
    const first = await run({ n: 1 });
    // One worker is busy for a while when the other one crashes: the busy one's job still answers.
    const slow = run({ n: 2, blockMs: 300 });
    const crash = run({ exit: true });
    await assert.rejects(crash, AnalysisWorkerCrash);
    assert.equal((await slow).n, 2);
    await assert.rejects(run({ throw: true }), (e: unknown) => e instanceof AnalysisWorkerCrash && /boom/.test((e as Error).message));
    const after = await Promise.all([run({ n: 3 }), run({ n: 4 })]);
    assert.deepEqual(after.map((r) => r.n), [3, 4]);
    // Both original workers died (the first took the throwing job); these ran on new ones.
    assert.ok(after.every((r) => r.threadId !== first.threadId));
    assert.equal(pool.workers, 2);
  } finally {
    await pool.close();
  }
});

test('a queued job can be withdrawn; a closed pool refuses work', async () => {
  const pool = new AnalysisPool({ size: 1, entry: FAKE_WORKER });
  const busy = pool.run('metrics', data, { n: 1, blockMs: 200 } as never);
  const ac = new AbortController();
  const queued = pool.run('metrics', data, { n: 2 } as never, ac.signal);
  ac.abort(new Error('client went away'));
  await assert.rejects(queued, /client went away/);
  assert.equal(decode(await busy).n, 1);
  await pool.close();
  await assert.rejects(pool.run('metrics', data, range), /closed/);
});

test('closing lets a running job finish and answer before its worker stops; idle workers stop at once', async () => {
  const pool = new AnalysisPool({ size: 2, entry: FAKE_WORKER });
  await pool.run('metrics', data, { n: 0 } as never);
  const running = pool.run('metrics', data, { n: 5, blockMs: 300 } as never);
  // Two workers: one idle from the first job, one busy.
  const busySecond = pool.run('metrics', data, { n: 6, blockMs: 300 } as never);
  const closed = pool.close();
  assert.equal(decode(await running).n, 5, 'the running job still answers');
  assert.equal(decode(await busySecond).n, 6, 'and the other');
  await closed;
  assert.equal(pool.workers, 0, 'every worker stopped');
});

test('an idle pool does not keep the process alive', () => {
  const script = `
    import { AnalysisPool } from ${JSON.stringify(path.join(ROOT, 'actors/analysis/analysisPool.ts'))};
    const pool = new AnalysisPool();
    const bytes = await pool.run('metrics', ${JSON.stringify(data)}, ${JSON.stringify(range)});
    console.log(JSON.parse(new TextDecoder().decode(bytes)).n_epochs);
  `;
  const file = path.join(data, 'idle-pool.mjs');
  fs.writeFileSync(file, script);
  const t0 = Date.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim(), '2000');
  assert.ok(Date.now() - t0 < 20_000, 'exited without waiting for the idle timeout');
});
