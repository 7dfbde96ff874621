// Steady loopback HTTP load for the soak run, in its own process so it never shares an event
// loop with the daemon or the WebSocket subscribers. Open loop: request i is sent at
// start + i / rate whatever the answers do (a slow daemon shows up as latency, not as a lower
// rate), with at most MAX_IN_FLIGHT outstanding; a request that would exceed that is counted as
// an error rather than queued.
//
// The mix is what a dashboard and a few scripts do: mostly cheap GETs, a text search every
// second, an EEG range search every 5 s and a new label every 10 s. The search-class calls stay
// at 72 a minute, well inside that class's limit (transport/rateLimits.ts: 600 a minute), so
// the daemon's rate limits stay on and any 429 is an error.
//
// Environment: SOAK_BASE_URL, SOAK_TOKEN, SOAK_RATE (req/s), SOAK_SECONDS, SOAK_WARMUP_SECONDS.
// Stdout: one JSON line per 10 s window (`{"window": …}`), then one `{"summary": …}` covering
// the requests sent after the warm-up.
import { performance } from 'node:perf_hooks';
import { quantile, sortedCopy } from './quantile.ts';

const base = process.env.SOAK_BASE_URL!;
const token = process.env.SOAK_TOKEN!;
const rate = Number(process.env.SOAK_RATE ?? 50);
const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const warmupSeconds = Number(process.env.SOAK_WARMUP_SECONDS ?? 0);
const MAX_IN_FLIGHT = 64;
const TIMEOUT_MS = 10_000;
const WINDOW_S = 10;

interface Call {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: () => unknown;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
let labelsMade = 0;

const CHEAP: Call[] = [
  { name: 'GET /v1/status', method: 'GET', path: '/v1/status' },
  { name: 'GET /v1/status', method: 'GET', path: '/v1/status' },
  { name: 'GET /healthz', method: 'GET', path: '/healthz' },
  { name: 'GET /v1/activity/latest-bands', method: 'GET', path: '/v1/activity/latest-bands' },
  { name: 'GET /v1/activity/latest-bands', method: 'GET', path: '/v1/activity/latest-bands' },
  { name: 'GET /v1/labels', method: 'GET', path: '/v1/labels?limit=20' },
  { name: 'GET /v1/version', method: 'GET', path: '/v1/version' },
];
const TEXT_SEARCH: Call = { name: 'POST /v1/labels/search', method: 'POST', path: '/v1/labels/search', body: () => ({ query: 'calm focus', k: 5 }) };
const EEG_SEARCH: Call = {
  name: 'POST /v1/search/eeg', method: 'POST', path: '/v1/search/eeg',
  body: () => ({ startUtc: nowSeconds() - 60, endUtc: nowSeconds(), k: 5 }),
};
const NEW_LABEL: Call = {
  name: 'POST /v1/labels', method: 'POST', path: '/v1/labels',
  body: () => ({ text: `soak label ${++labelsMade}: eyes open, reading`, context: 'soak' }),
};

/** The call sent as request number i: the rare ones on their own clocks, cheap GETs between. */
function callFor(i: number): Call {
  const perSecond = Math.max(1, Math.round(rate));
  if (i % (perSecond * 10) === perSecond * 10 - 1) return NEW_LABEL;
  if (i % (perSecond * 5) === perSecond * 5 - 2) return EEG_SEARCH;
  if (i % perSecond === 0) return TEXT_SEARCH;
  return CHEAP[i % CHEAP.length]!;
}

interface Tally {
  sent: number;
  ok: number;
  latencies: number[];
  errors: Map<string, number>;
}

const newTally = (): Tally => ({ sent: 0, ok: 0, latencies: [], errors: new Map() });
const afterWarmup = newTally();
let window = newTally();
let inFlight = 0;

function count(t: Tally, latencyMs: number | null, error: string | null): void {
  if (error) t.errors.set(error, (t.errors.get(error) ?? 0) + 1);
  else {
    t.ok++;
    t.latencies.push(latencyMs!);
  }
}

async function send(call: Call, counted: boolean): Promise<void> {
  const tallies = counted ? [window, afterWarmup] : [window];
  for (const t of tallies) t.sent++;
  if (inFlight >= MAX_IN_FLIGHT) {
    for (const t of tallies) count(t, null, 'over in-flight limit');
    return;
  }
  inFlight++;
  const t0 = performance.now();
  let error: string | null = null;
  try {
    const res = await fetch(base + call.path, {
      method: call.method,
      headers: { authorization: `Bearer ${token}`, ...(call.body ? { 'content-type': 'application/json' } : {}) },
      body: call.body ? JSON.stringify(call.body()) : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer();
    if (res.status !== 200) error = `${call.name} → ${res.status}`;
  } catch (err) {
    error = `${call.name}: ${(err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message}`;
  } finally {
    inFlight--;
  }
  const latency = performance.now() - t0;
  for (const t of tallies) count(t, latency, error);
}

function stats(t: Tally, elapsedS: number) {
  const sorted = sortedCopy(t.latencies);
  return {
    sent: t.sent,
    ok: t.ok,
    requests_per_sec: t.sent / elapsedS,
    p50_ms: quantile(sorted, 0.5),
    p99_ms: quantile(sorted, 0.99),
    max_ms: sorted.at(-1) ?? null,
    errors: Object.fromEntries(t.errors),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const start = performance.now();
let windowStart = start;
const pending = new Set<Promise<void>>();
const total = Math.floor(seconds * rate);
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  const p = send(callFor(i), due - start >= warmupSeconds * 1000);
  pending.add(p);
  void p.finally(() => pending.delete(p));
  if (performance.now() - windowStart >= WINDOW_S * 1000) {
    process.stdout.write(JSON.stringify({ window: stats(window, (performance.now() - windowStart) / 1000) }) + '\n');
    window = newTally();
    windowStart = performance.now();
  }
}
await Promise.all(pending);
const measured = Math.max(1e-3, seconds - warmupSeconds);
process.stdout.write(JSON.stringify({ summary: { ...stats(afterWarmup, measured), labels_created: labelsMade } }) + '\n');
