// Event-loop lag of the real daemon while it streams a 32 ch @ 1000 Hz virtual headset, against
// the same daemon idle, measured in the same run. The daemon runs in its own process, started
// like the CLI with temporary directories; the figure is the one its watchdog publishes (the
// `watchdog` event: p99 of perf_hooks' event-loop delay histogram over each 2 s interval, beyond
// the histogram's 10 ms sampling tick), read by a WebSocket subscriber of /v1/events that also
// receives the live EegBands, as the app would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { formatValue, median, type Figure } from './figure.ts';
import { watchForeignLoad } from './foreignLoad.ts';
import { builtDaemon } from './builtDaemon.ts';
import { startServerProcess, type ServerProcess } from './serverProcess.ts';
import { isolatedDaemonEnv } from './daemonEnv.ts';

/** Body of POST /v1/lsl/virtual-source/start; the `virtual` target then uses the same options. */
const HEADSET = { template: '10-20', channels: 32, sample_rate: 1000, line_noise: '60hz', seed: 42 };
/** Seconds skipped after start-up and after the session opens (JIT, worker start, first window). */
const SETTLE_S = 6;
/** Seconds measured in each phase. */
const MEASURE_S = 20;
/** The watchdog's sampling interval: each sample covers the 2 s before it arrives. */
const WATCHDOG_INTERVAL_S = 2;
const GOAL_MS = 20;

interface LagSample {
  atMs: number;
  p99: number;
  max: number;
}

interface Subscriber {
  ws: WebSocket;
  lag: LagSample[];
  /** Arrival times of EegBands events. */
  eegBandsAt: number[];
}

interface Phase {
  p99s: number[];
  max: number;
  foreignCores: number | null;
  eegBands: number;
}

function log(line: string): void {
  process.stderr.write(`pipeline: ${line}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A /v1/events subscriber that keeps the watchdog samples and counts EegBands. */
async function subscribe(port: number, token: string): Promise<Subscriber> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/events?token=${encodeURIComponent(token)}`);
  const lag: LagSample[] = [];
  const eegBandsAt: number[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; payload: Record<string, unknown> };
    if (frame.type === 'watchdog') lag.push({ atMs: Date.now(), p99: Number(frame.payload.lag_p99_ms), max: Number(frame.payload.lag_max_ms) });
    else if (frame.type === 'EegBands') eegBandsAt.push(Date.now());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`/v1/events upgrade refused: ${res.statusCode}`)));
  });
  return { ws, lag, eegBandsAt };
}

async function post(base: string, token: string, route: string, body: unknown): Promise<unknown> {
  const res = await fetch(base + route, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${route} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits `MEASURE_S` and returns the watchdog intervals that lie entirely inside that time. */
async function measurePhase(events: Subscriber, pid: number): Promise<Phase> {
  const from = Date.now();
  const watch = watchForeignLoad([pid]);
  await sleep(MEASURE_S * 1000);
  const to = Date.now();
  const foreignCores = watch.stop();
  const inside = events.lag.filter((s) => s.atMs >= from + WATCHDOG_INTERVAL_S * 1000 && s.atMs <= to);
  if (inside.length === 0) throw new Error('no watchdog sample arrived while measuring');
  return {
    p99s: inside.map((s) => s.p99),
    max: Math.max(...inside.map((s) => s.max)),
    foreignCores,
    eegBands: events.eegBandsAt.filter((t) => t >= from && t <= to).length,
  };
}

export async function measureStreamingLag(): Promise<{ figure: Figure; notes: string[] }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-lag-'));
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  const env = isolatedDaemonEnv(tmp);
  let daemon: ServerProcess | null = null;
  let events: Subscriber | null = null;
  try {
    daemon = await startServerProcess('daemon', (await builtDaemon()).entry, env);
    const port = Number(new URL(daemon.url).port);
    const token = fs.readFileSync(path.join(tmp, 'config', 'skill', 'daemon', 'auth.token'), 'utf8').trim();
    const sub = await subscribe(port, token);
    events = sub;
    const pid = daemon.child.pid!;

    log(`lag: daemon idle, ${SETTLE_S} s settling then ${MEASURE_S} s measured`);
    await sleep(SETTLE_S * 1000);
    const idle = await measurePhase(sub, pid);

    log(`lag: streaming ${HEADSET.channels} ch @ ${HEADSET.sample_rate} Hz, ${SETTLE_S} s settling then ${MEASURE_S} s measured`);
    await post(daemon.url, token, '/v1/lsl/virtual-source/start', HEADSET);
    await post(daemon.url, token, '/v1/control/start-session', { target: 'virtual' });
    await waitFor('the first EegBands', () => sub.eegBandsAt.length > 0, 20_000);
    await sleep(SETTLE_S * 1000);
    const streaming = await measurePhase(sub, pid);
    await post(daemon.url, token, '/v1/control/cancel-session', {});
    await post(daemon.url, token, '/v1/lsl/virtual-source/stop', {});

    const value = median(streaming.p99s), baseline = median(idle.p99s);
    const range = (xs: number[]) => `${formatValue(Math.min(...xs))}–${formatValue(Math.max(...xs))}`;
    const foreign = (p: Phase) => (p.foreignCores === null ? 'unknown' : `${Math.round(p.foreignCores * 100)}% of a core`);
    return {
      figure: {
        name: `event-loop lag p99 while streaming ${HEADSET.channels} ch @ ${HEADSET.sample_rate} Hz`,
        value,
        unit: 'ms',
        baseline: { name: 'same daemon idle', value: baseline },
        ...(baseline > 0 ? { ratio: value / baseline } : {}),
        goal: `< ${GOAL_MS} ms`,
        pass: value < GOAL_MS,
      },
      notes: [
        `Lag: the daemon (\`dist/daemon/skill-daemon.js\`, as \`npm start\` runs it, in its own process, temporary directories, SKILL_NETWORK=loopback) publishes a \`watchdog\` event every ${WATCHDOG_INTERVAL_S} s with the p99 of perf_hooks.monitorEventLoopDelay (resolution 10 ms) over the interval, less the 10 ms sampling tick that every delay the histogram records includes (clamped at 0; actors/watchdog/eventLoopLag.ts); the figure is the median of those p99s over ${MEASURE_S} s, idle first, then streaming after POST /v1/lsl/virtual-source/start ${JSON.stringify(HEADSET)} and POST /v1/control/start-session {"target":"virtual"} (the daemon then runs the published LSL outlet and the session's headset, the pipeline on a worker thread, and sends EegBands to a WebSocket subscriber); ${SETTLE_S} s skipped before each phase.`,
        `Delay streaming adds over idle: ${formatValue(value - baseline)} ms at the p99.`,
        `Per-interval p99 (ms): idle ${range(idle.p99s)} over ${idle.p99s.length} intervals, streaming ${range(streaming.p99s)} over ${streaming.p99s.length}; largest single delay idle ${formatValue(idle.max)} ms, streaming ${formatValue(streaming.max)} ms. EegBands received while streaming: ${formatValue(streaming.eegBands / MEASURE_S)}/s. Other processes used ${foreign(idle)} (idle) and ${foreign(streaming)} (streaming) on average.`,
      ],
    };
  } finally {
    events?.ws.close();
    await daemon?.stop();
    removeTmp();
    process.off('exit', removeTmp);
  }
}
