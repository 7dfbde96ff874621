// `npm run soak -- --minutes 10`: the daemon under steady use for a long stretch — a virtual
// session streaming (recorded and embedded as usual), 50 WebSocket subscribers of /v1/events,
// and loopback HTTP load at a steady rate from a second process (bench/steadyHttpLoad.ts).
// Reports requests/s, HTTP latency, the daemon's event-loop lag (its own watchdog events), RSS
// after the warm-up and at the end, and every error. Goal: RSS grows < 10% after the warm-up,
// and nothing fails. Prints a summary and refreshes the `soak` section of bench/RESULTS.md.
//
// Options: --minutes N (default 10) or --seconds N; --subscribers N (50); --rate N req/s (50);
// --warmup-seconds N (60, at most a third of the run); --json prints the summary as one JSON
// line; --no-results leaves bench/RESULTS.md alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnTracked, stopAllChildren } from '../bench/childProcesses.ts';
import { closeAll, subscribeMany, type Subscriber } from '../bench/eventSubscribers.ts';
import { figureLine, formatValue, median, type BenchmarkOutcome, type Figure } from '../bench/figure.ts';
import { watchCpuSteal } from '../bench/cpuSteal.ts';
import { describeMachine, machineLine } from '../bench/machine.ts';
import { quantile, sortedCopy } from '../bench/quantile.ts';
import { RESULTS_FILE, updateResultsFile } from '../bench/resultsFile.ts';
import { builtDaemon } from '../bench/builtDaemon.ts';
import { startServerProcess } from '../bench/serverProcess.ts';
import { isolatedDaemonEnv } from '../bench/daemonEnv.ts';

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    subscribers: { type: 'string', default: '50' },
    rate: { type: 'string', default: '50' },
    'warmup-seconds': { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-results': { type: 'boolean', default: false },
  },
});
const SECONDS = opts.seconds ? Number(opts.seconds) : Number(opts.minutes ?? 10) * 60;
const SUBSCRIBERS = Number(opts.subscribers);
const RATE = Number(opts.rate);
const WARMUP_S = Math.min(opts['warmup-seconds'] ? Number(opts['warmup-seconds']) : 60, SECONDS / 3);
const RSS_EVERY_S = 5;
const GOAL_RSS_GROWTH_PCT = 10;
const REPO_ROOT = new URL('..', import.meta.url).pathname;

const log = (line: string) => process.stderr.write(`soak: ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}

/** Least-squares slope of RSS over time, MB per minute: growth that the two end points may hide or exaggerate. */
function slopePerMinute(points: Array<{ atS: number; mb: number }>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.atS, 0) / n, my = points.reduce((a, p) => a + p.mb, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.atS - mx) * (p.mb - my), 0), sxx = points.reduce((a, p) => a + (p.atS - mx) ** 2, 0);
  return (sxy / sxx) * 60;
}

interface LoadSummary {
  sent: number;
  ok: number;
  requests_per_sec: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number | null;
  errors: Record<string, number>;
  labels_created: number;
}

interface WatchdogSample {
  atS: number;
  p99: number;
  max: number;
}

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-soak-'));
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  // The daemon's own rate limits stay as shipped: the load stays inside them.
  const env = isolatedDaemonEnv(tmp, ['SKILL_RATE_LIMITS']);

  const daemon = await startServerProcess('daemon', (await builtDaemon()).entry, env);
  const pid = daemon.child.pid!;
  let daemonExit: string | null = null;
  let stopping = false;
  daemon.child.once('exit', (code, signal) => {
    if (!stopping) daemonExit = `daemon exited (${signal ?? code}) during the run`;
  });
  const token = fs.readFileSync(path.join(tmp, 'config', 'skill', 'daemon', 'auth.token'), 'utf8').trim();
  const started = await fetch(`${daemon.url}/v1/control/start-session`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ target: 'virtual' }),
  });
  if (!started.ok) throw new Error(`start-session answered ${started.status}: ${await started.text()}`);

  const wsUrl = `${daemon.url.replace('http', 'ws')}/v1/events?token=${encodeURIComponent(token)}`;
  // Default filter: every event type that is not opt-in (EegBands, status, watchdog, …), as the app.
  const subs: Subscriber[] = await subscribeMany(SUBSCRIBERS, { url: wsUrl, watch: 'EegBands', types: null });
  const t0 = Date.now();
  const steal = watchCpuSteal(describeMachine().cores);
  const atS = () => (Date.now() - t0) / 1000;
  const watchdog: WatchdogSample[] = [];
  const failures: string[] = [];
  subs[0]!.onFrame = (type, frame) => {
    if (type === 'watchdog') {
      const p = (JSON.parse(frame.toString('utf8')) as { payload: { lag_p99_ms: number; lag_max_ms: number } }).payload;
      watchdog.push({ atS: atS(), p99: p.lag_p99_ms, max: p.lag_max_ms });
    } else if (type === 'actor-failed' || type === 'actor-given-up') {
      failures.push(`${type}: ${JSON.stringify((JSON.parse(frame.toString('utf8')) as { payload: unknown }).payload).slice(0, 200)}`);
    }
  };
  log(`daemon pid ${pid} on ${daemon.url}, virtual session streaming, ${SUBSCRIBERS} subscribers; ${RATE} req/s for ${SECONDS} s (warm-up ${WARMUP_S} s); load average ${loadAtStart}`);

  const load = spawnTracked(process.execPath, ['--import', 'tsx', 'bench/steadyHttpLoad.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, SOAK_BASE_URL: daemon.url, SOAK_TOKEN: token, SOAK_RATE: String(RATE), SOAK_SECONDS: String(SECONDS), SOAK_WARMUP_SECONDS: String(WARMUP_S) },
  });
  // Filled by the stdout listener (a holder object: TypeScript does not follow closure assignments).
  const result: { summary: LoadSummary | null } = { summary: null };
  let loadOut = '';
  let loadErr = '';
  load.stderr!.on('data', (d: Buffer) => (loadErr = (loadErr + d.toString()).slice(-4000)));
  load.stdout!.on('data', (d: Buffer) => {
    loadOut += d.toString();
    for (let nl = loadOut.indexOf('\n'); nl >= 0; nl = loadOut.indexOf('\n')) {
      const line = loadOut.slice(0, nl);
      loadOut = loadOut.slice(nl + 1);
      const msg = JSON.parse(line) as { window?: { requests_per_sec: number; p99_ms: number; errors: Record<string, number> }; summary?: LoadSummary };
      if (msg.summary) result.summary = msg.summary;
      if (msg.window) {
        const w = msg.window;
        const lag = watchdog.at(-1);
        const errs = Object.values(w.errors).reduce((a, b) => a + b, 0);
        log(`${formatValue(atS())} s: ${formatValue(w.requests_per_sec)} req/s, p99 ${formatValue(w.p99_ms)} ms, ${errs} errors; lag p99 ${lag ? formatValue(lag.p99) : '?'} ms; RSS ${formatValue(rssMb(pid))} MB`);
      }
    }
  });
  const loadDone = new Promise<number | null>((resolve) => load.once('exit', (code) => resolve(code)));

  const rss: Array<{ atS: number; mb: number }> = [];
  while (load.exitCode === null && !daemonExit) {
    try {
      rss.push({ atS: atS(), mb: rssMb(pid) });
    } catch {}
    await Promise.race([sleep(RSS_EVERY_S * 1000), loadDone]);
  }
  const loadCode = await loadDone;
  const endS = atS();
  const rssEnd = daemonExit ? Number.NaN : rssMb(pid);
  rss.push({ atS: endS, mb: rssEnd });

  const clients = daemonExit
    ? []
    : ((await (await fetch(`${daemon.url}/v1/ws-clients`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{ dropped: number; delivered: number }>);
  const wsDropped = clients.reduce((a, c) => a + c.dropped, 0);
  const wsProblems = subs.flatMap((s) => s.problems);
  await closeAll(subs);
  stopping = true;
  await daemon.stop();
  removeTmp();

  const s = result.summary;
  if (!s) throw new Error(`the load process ended (${loadCode}) without a summary: ${loadErr.trim()}`);
  const afterWarmup = rss.filter((p) => p.atS >= WARMUP_S);
  const rssStart = afterWarmup[0]?.mb ?? Number.NaN;
  const growthPct = ((rssEnd - rssStart) / rssStart) * 100;
  const lagAfter = watchdog.filter((w) => w.atS >= WARMUP_S);
  const lagP99 = median(lagAfter.map((w) => w.p99));
  const lagP99Worst = Math.max(...lagAfter.map((w) => w.p99));
  const lagMax = Math.max(...lagAfter.map((w) => w.max));
  const bands = sortedCopy(subs.flatMap((sub) => sub.arrivals.filter((a) => a.stampMs >= t0 + WARMUP_S * 1000).map((a) => a.latencyMs)));
  const bandsPerSub = bands.length / subs.length / Math.max(1e-3, endS - WARMUP_S);
  const httpErrors = Object.entries(s.errors);
  const errorCount =
    httpErrors.reduce((a, [, n]) => a + n, 0) + wsProblems.length + wsDropped + failures.length + (daemonExit ? 1 : 0) + (loadCode === 0 ? 0 : 1);

  const figures: Figure[] = [
    { name: 'HTTP requests/s (steady, after warm-up)', value: s.requests_per_sec, unit: 'req/s' },
    { name: 'HTTP latency p50', value: s.p50_ms, unit: 'ms' },
    { name: 'HTTP latency p99', value: s.p99_ms, unit: 'ms' },
    { name: 'event-loop lag p99 (median of watchdog intervals)', value: lagP99, unit: 'ms' },
    { name: 'event-loop lag p99 (worst interval)', value: lagP99Worst, unit: 'ms' },
    { name: `EegBands delivery p99 to ${SUBSCRIBERS} subscribers`, value: quantile(bands, 0.99), unit: 'ms' },
    { name: 'RSS after warm-up', value: rssStart, unit: 'MB' },
    { name: 'RSS at end', value: rssEnd, unit: 'MB' },
    { name: 'RSS growth after warm-up', value: growthPct, unit: '%', goal: `< ${GOAL_RSS_GROWTH_PCT} %`, pass: growthPct < GOAL_RSS_GROWTH_PCT },
    { name: 'errors', value: errorCount, unit: '', goal: '0', pass: errorCount === 0 },
  ];
  const range = (xs: number[]) => `${formatValue(Math.min(...xs))}–${formatValue(Math.max(...xs))}`;
  const outcome: BenchmarkOutcome = {
    figures,
    notes: [
      `Run: ${formatValue(SECONDS / 60)} min (${SECONDS} s), the first ${WARMUP_S} s a warm-up excluded from every figure. The daemon (\`dist/daemon/skill-daemon.js\`, as \`npm start\` runs it, its own process, temporary directories, SKILL_NETWORK=loopback, rate limits as shipped) streams a virtual session (32 ch @ 256 Hz; recorded and embedded as usual); ${SUBSCRIBERS} \`ws\` subscribers of /v1/events with the default filter in the soak process; HTTP load from a second process (bench/steadyHttpLoad.ts), open loop at ${RATE} req/s: cheap GETs (status, healthz, latest-bands, labels, version), POST /v1/labels/search every second, POST /v1/search/eeg over the last minute every 5 s, POST /v1/labels every 10 s (${s.labels_created} labels created).`,
      `HTTP after warm-up: ${s.sent} sent, ${s.ok} answered 200; p50 ${formatValue(s.p50_ms)} ms, p99 ${formatValue(s.p99_ms)} ms, max ${formatValue(s.max_ms ?? Number.NaN)} ms (send to last body byte).`,
      `Event-loop lag (the daemon's watchdog event every 2 s, beyond the histogram's 10 ms tick): per-interval p99 ${lagAfter.length ? range(lagAfter.map((w) => w.p99)) : 'none'} ms over ${lagAfter.length} intervals; largest single delay ${formatValue(lagMax)} ms.`,
      `RSS of the daemon (/proc every ${RSS_EVERY_S} s): ${formatValue(rssStart)} MB at ${WARMUP_S} s, ${formatValue(rssEnd)} MB at the end, range after warm-up ${range(afterWarmup.map((p) => p.mb))} MB, least-squares trend ${formatValue(slopePerMinute(afterWarmup))} MB/min.`,
      `EegBands per subscriber: ${formatValue(bandsPerSub)}/s; delivery p50 ${formatValue(quantile(bands, 0.5))} ms, p99 ${formatValue(quantile(bands, 0.99))} ms (clock as in bench/eventSubscribers.ts).`,
      `Errors: ${errorCount === 0 ? 'none' : [
        ...httpErrors.map(([e, n]) => `${n}× ${e}`),
        ...(wsProblems.length ? [`${wsProblems.length} WebSocket problems (${[...new Set(wsProblems)].slice(0, 3).join('; ')})`] : []),
        ...(wsDropped ? [`${wsDropped} events dropped for slow subscribers`] : []),
        ...failures.slice(0, 5),
        ...(daemonExit ? [daemonExit] : []),
        ...(loadCode === 0 ? [] : [`load process exited ${loadCode}`]),
      ].join('; ')} (HTTP non-200s and timeouts, WebSocket closes, events dropped for slow subscribers per GET /v1/ws-clients, actor-failed/actor-given-up events, daemon exit).`,
      `Load average ${loadAtStart} at the start and ${loadAverage()} at the end (2 cores, shared with other work).`,
    ],
  };

  for (const f of figures) process.stdout.write(`${figureLine(f)}\n`);
  for (const n of outcome.notes) process.stdout.write(`  ${n}\n`);
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({
        requests_per_sec: s.requests_per_sec, p50_ms: s.p50_ms, p99_ms: s.p99_ms, lag_p99_ms: lagP99, lag_max_ms: lagMax,
        rss_start_mb: rssStart, rss_end_mb: rssEnd, rss_growth_pct: growthPct, eeg_bands_per_subscriber_per_sec: bandsPerSub, errors: errorCount,
      }) + '\n',
    );
  }
  if (!opts['no-results']) {
    const machine = { ...describeMachine(), steal: steal.stop() };
    updateResultsFile(new Map([['soak', { outcome, machine }]]), []);
    log(`wrote the soak section of ${RESULTS_FILE.pathname} (${machineLine(machine)})`);
  }
}

try {
  await main();
} finally {
  await stopAllChildren();
}
process.exit(0);
