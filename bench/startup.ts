// Cold start and idle memory: the daemon started N times as a fresh process on a fresh data
// directory, timed from spawn to the first `/readyz` answering 200 with `ready: true`, and its
// RSS once it has sat idle a few seconds; against a bare `node -e` that loads uWebSockets.js,
// listens and answers /readyz — what Node and the HTTP library cost before any daemon code.
// When a goal is missed, the notes say where the time and memory go (moduleImportCost.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isRunning, spawnTracked, stopChild } from './childProcesses.ts';
import { formatValue, median, runWhenMain, type BenchmarkOutcome } from './figure.ts';
import { measureImportCosts } from './moduleImportCost.ts';
import { isolatedDaemonEnv } from './daemonEnv.ts';
import { builtDaemon } from './builtDaemon.ts';

const RUNS = 7;
/** What `npm start` runs: the built daemon (npm's prestart builds it first). */
const BUILT = ['--enable-source-maps', 'dist/daemon/skill-daemon.js'];
/** The same daemon from its TypeScript sources, as the tests run it; measured for comparison. */
const FROM_SOURCE = ['--import', 'tsx', 'bin/skill-daemon.ts'];
const SOURCE_RUNS = 3;
/** Seconds the process sits idle after ready before its RSS is read. */
const IDLE_S = 5;
const GOAL_READY_MS = 500;
const GOAL_RSS_MB = 120;
const REPO_ROOT = new URL('..', import.meta.url).pathname;
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** The baseline: Node, uWebSockets.js and one route, nothing else. */
const BARE_SERVER = `
const uWS = require('uWebSockets.js');
uWS.App()
  .get('/readyz', (res) => res.writeHeader('content-type', 'application/json').end('{"ok":true,"ready":true}'))
  .listen('127.0.0.1', 0, (s) => process.stdout.write('bare listening on http://127.0.0.1:' + uWS.us_socket_local_port(s) + '\\n'));
`;

function log(line: string): void {
  process.stderr.write(`startup: ${line}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

interface Start {
  readyMs: number;
  /** Spawn to the "listening on" line. */
  listeningMs: number;
  idleRssMb: number;
  /** The process's stderr (the daemon logs nothing there with SKILL_LOG_STDERR=0). */
  stderr: string;
}

/** One cold start: spawn, wait for the listening line, poll /readyz until ready, sit idle, read RSS, stop. */
async function startOnce(args: string[], env: NodeJS.ProcessEnv): Promise<Start> {
  const t0 = performance.now();
  const child = spawnTracked(process.execPath, args, { cwd: REPO_ROOT, env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-16_000)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no listening line within 30 s:\n${stderr}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = LISTENING.exec(out);
        if (m) (clearTimeout(timer), resolve(m[1]!));
      });
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited (${code}) before listening:\n${stderr}`))));
    });
    const listeningMs = performance.now() - t0;
    // Poll tightly: the figure is only as fine as this interval.
    for (;;) {
      const res = await fetch(`${url}/readyz`).catch(() => null);
      if (res?.status === 200 && ((await res.json()) as { ready?: boolean }).ready === true) break;
      if (performance.now() - t0 > 30_000) throw new Error('/readyz not ready within 30 s');
      await sleep(2);
    }
    const readyMs = performance.now() - t0;
    await sleep(IDLE_S * 1000);
    return { readyMs, listeningMs, idleRssMb: rssMb(child.pid!), stderr };
  } finally {
    if (isRunning(child)) await stopChild(child);
  }
}

async function startMany(name: string, runs: number, make: () => { args: string[]; env: NodeJS.ProcessEnv; cleanup?: () => void }): Promise<Start[]> {
  const starts: Start[] = [];
  for (let i = 0; i < runs; i++) {
    const { args, env, cleanup } = make();
    try {
      starts.push(await startOnce(args, env));
    } finally {
      cleanup?.();
    }
    const s = starts.at(-1)!;
    log(`${name} ${i + 1}/${runs}: ready in ${formatValue(s.readyMs)} ms, idle RSS ${formatValue(s.idleRssMb)} MB`);
  }
  return starts;
}

/** One more start with bench/workerThreadLog.mjs preloaded: the threads started before ready and the RSS they add. */
async function workerThreadShare(): Promise<string> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-startup-'));
  try {
    const s = await startOnce(['--import', './bench/workerThreadLog.mjs', ...BUILT], isolatedDaemonEnv(tmp));
    const threads = s.stderr.split('\n').filter((l) => l.startsWith('worker-thread ')).map((l) => JSON.parse(l.slice(14)) as { atMs: number; rssMb: number; runs: string });
    if (threads.length === 0) return 'Worker threads: none started before ready.';
    const before = threads[0]!.rssMb;
    return `Worker threads started before ready: ${threads.map((t) => `${t.runs} at ${formatValue(t.atMs)} ms`).join(', ')}. RSS was ${formatValue(before)} MB when the first started and ${formatValue(s.idleRssMb)} MB idle, so the ${threads.length} threads (each its own V8 isolate with its own imports) and what runs after them account for about ${formatValue(s.idleRssMb - before)} MB.`;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}


export async function run(): Promise<BenchmarkOutcome> {
  const built = await builtDaemon();
  log(`built ${built.files} modules in ${formatValue(built.ms)} ms`);
  // Once, untimed, so the first timed start from sources does not pay tsx's transform cache.
  spawnSync(process.execPath, [...FROM_SOURCE, '--version'], { cwd: REPO_ROOT });

  const daemon = (args: string[]) => () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-startup-'));
    return { args, env: isolatedDaemonEnv(tmp), cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }) };
  };
  const daemonRuns = await startMany('daemon', RUNS, daemon(BUILT));
  const bareRuns = await startMany('bare node -e', RUNS, () => ({ args: ['-e', BARE_SERVER], env: { ...process.env } }));
  const sourceRuns = await startMany('daemon from sources', SOURCE_RUNS, daemon(FROM_SOURCE));

  const ready = median(daemonRuns.map((s) => s.readyMs)), bareReady = median(bareRuns.map((s) => s.readyMs));
  const rss = median(daemonRuns.map((s) => s.idleRssMb)), bareRss = median(bareRuns.map((s) => s.idleRssMb));
  const listening = median(daemonRuns.map((s) => s.listeningMs));
  const range = (xs: number[]) => `${formatValue(Math.min(...xs))}–${formatValue(Math.max(...xs))}`;

  const notes = [
    `Each start: \`node ${BUILT.join(' ')}\` (what \`npm start\` runs; built in this run by scripts/build-daemon.ts, ${built.files} modules in ${formatValue(built.ms)} ms) spawned from this process with fresh temporary data and config directories (SKILL_NETWORK=loopback, mDNS off, port 0), timed from spawn to the first GET /readyz answering 200 with ready:true (polled every 2 ms once the "listening on" line appears); RSS read from /proc/<pid>/status after ${IDLE_S} s idle. Median of ${RUNS} starts.`,
    `Baseline: \`node -e\` requiring uWebSockets.js and answering GET /readyz on a loopback port, started and timed the same way.`,
    `Daemon: spawn to listening line ${formatValue(listening)} ms (median), to ready ${range(daemonRuns.map((s) => s.readyMs))} ms, idle RSS ${range(daemonRuns.map((s) => s.idleRssMb))} MB; bare: ready ${range(bareRuns.map((s) => s.readyMs))} ms, RSS ${range(bareRuns.map((s) => s.idleRssMb))} MB.`,
    `The same daemon from its TypeScript sources (\`node ${FROM_SOURCE.join(' ')}\`, as the tests run it; tsx's transform cache warmed first), ${SOURCE_RUNS} starts: ready ${range(sourceRuns.map((s) => s.readyMs))} ms, idle RSS ${range(sourceRuns.map((s) => s.idleRssMb))} MB. The loader runs again in every worker thread, on a hooks thread of its own.`,
    `Load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end (2 cores shared).`,
  ];
  if (ready >= GOAL_READY_MS || rss >= GOAL_RSS_MB) {
    log('a goal is missed: measuring what each heavy module costs to import, and the worker threads');
    notes.push(...(await measureImportCosts()), await workerThreadShare());
  }
  return {
    figures: [
      {
        name: 'cold start to /readyz ready', value: ready, unit: 'ms',
        baseline: { name: 'bare node -e + uWS', value: bareReady }, ratio: ready / bareReady,
        goal: `< ${GOAL_READY_MS} ms`, pass: ready < GOAL_READY_MS,
      },
      {
        name: `idle RSS ${IDLE_S} s after ready`, value: rss, unit: 'MB',
        baseline: { name: 'bare node -e + uWS', value: bareRss }, ratio: rss / bareRss,
        goal: `< ${GOAL_RSS_MB} MB`, pass: rss < GOAL_RSS_MB,
      },
    ],
    notes,
  };
}

await runWhenMain(import.meta.url, run);
