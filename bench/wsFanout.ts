// EegBands fan-out over /v1/events to 100 WebSocket clients: how late each event reaches each
// client, from the daemon streaming a virtual session, against a bare uWebSockets.js server
// broadcasting the same payload at the same rate, measured in the same run (alternating rounds).
//
// Latency = arrival at the client − the envelope's ts_unix_ms (see eventSubscribers.ts for the
// clock). The last client of an event waits for the sender's 99 other sends (on loopback each
// one also runs the receiving side of TCP) and for this process to read the 99 sockets before
// it, in both phases alike, so the p99 includes that; the ratio to the baseline is what the
// daemon's own layers add.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatValue, runWhenMain, type BenchmarkOutcome, type Figure } from './figure.ts';
import { watchForeignLoad } from './foreignLoad.ts';
import { closeAll, subscribeMany, type Subscriber } from './eventSubscribers.ts';
import { quantile, sortedCopy } from './quantile.ts';
import { builtDaemon } from './builtDaemon.ts';
import { startServerProcess, type ServerProcess } from './serverProcess.ts';
import { isolatedDaemonEnv } from './daemonEnv.ts';

const CLIENTS = 100;
/** Seconds after the clients connect before counting (the first events find cold sockets). */
const SETTLE_S = 4;
/** Seconds counted per round; rounds alternate daemon and baseline so drift in machine load hits both. */
const MEASURE_S = 10;
const ROUNDS = 3;
const GOAL_P99_MS = 5;
const WATCH = 'EegBands';

function log(line: string): void {
  process.stderr.write(`wsfanout: ${line}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(base: string, token: string, route: string, body: unknown): Promise<void> {
  const res = await fetch(base + route, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${route} answered ${res.status}: ${await res.text()}`);
}

interface Phase {
  latencies: number[];
  events: number;
  /** Events some client saw but not every client. */
  incomplete: number;
  /** Per event, sorted: the first client's latency, and last − first arrival across clients. */
  firstClient: number[];
  spread: number[];
  problems: string[];
  foreignCores: number | null;
  eventsPerSec: number;
}

/** Connects CLIENTS subscribers, lets them settle, then keeps the arrivals of MEASURE_S seconds. */
async function measure(url: string, pids: number[]): Promise<{ phase: Phase; subs: Subscriber[] }> {
  const subs = await subscribeMany(CLIENTS, { url, watch: WATCH, types: [WATCH] });
  await sleep(SETTLE_S * 1000);
  const from = Date.now();
  const watch = watchForeignLoad(pids);
  await sleep(MEASURE_S * 1000);
  const to = Date.now();
  const foreignCores = watch.stop();
  // Only events published inside the window, and only once every client had its chance.
  await sleep(500);
  const perEvent = new Map<number, { n: number; first: number; last: number }>();
  const latencies: number[] = [];
  for (const s of subs) {
    for (const a of s.arrivals) {
      if (a.stampMs < from || a.stampMs > to) continue;
      latencies.push(a.latencyMs);
      const e = perEvent.get(a.stampMs) ?? { n: 0, first: Infinity, last: -Infinity };
      e.n++;
      e.first = Math.min(e.first, a.latencyMs);
      e.last = Math.max(e.last, a.latencyMs);
      perEvent.set(a.stampMs, e);
    }
  }
  const events = [...perEvent.values()];
  const incomplete = events.filter((e) => e.n < CLIENTS).length;
  return {
    phase: {
      latencies: sortedCopy(latencies),
      events: perEvent.size,
      incomplete,
      firstClient: sortedCopy(events.map((e) => e.first)),
      spread: sortedCopy(events.map((e) => e.last - e.first)),
      problems: subs.flatMap((s) => s.problems),
      foreignCores,
      eventsPerSec: perEvent.size / ((to - from) / 1000),
    },
    subs,
  };
}

function merged(rounds: Phase[]): Phase {
  const all = (f: (p: Phase) => number[]) => sortedCopy(rounds.flatMap(f));
  const foreign = rounds.map((r) => r.foreignCores);
  const events = rounds.reduce((a, r) => a + r.events, 0);
  return {
    latencies: all((r) => r.latencies),
    events,
    incomplete: rounds.reduce((a, r) => a + r.incomplete, 0),
    firstClient: all((r) => r.firstClient),
    spread: all((r) => r.spread),
    problems: rounds.flatMap((r) => r.problems),
    foreignCores: foreign.includes(null) ? null : foreign.reduce((a, c) => a! + c!, 0)! / rounds.length,
    eventsPerSec: rounds.reduce((a, r) => a + r.eventsPerSec, 0) / rounds.length,
  };
}

/** The baseline's send-loop durations since the last call. */
async function sendLoopMs(baseUrl: string): Promise<number[]> {
  return (await (await fetch(`${baseUrl}/send-loop-ms`)).json()) as number[];
}

export async function run(): Promise<BenchmarkOutcome> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-wsfanout-'));
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  const env = isolatedDaemonEnv(tmp);
  const servers: ServerProcess[] = [];
  let subs: Subscriber[] = [];
  try {
    const daemon = await startServerProcess('daemon', (await builtDaemon()).entry, env);
    servers.push(daemon);
    const token = fs.readFileSync(path.join(tmp, 'config', 'skill', 'daemon', 'auth.token'), 'utf8').trim();
    await post(daemon.url, token, '/v1/control/start-session', { target: 'virtual' });
    const daemonWs = `${daemon.url.replace('http', 'ws')}/v1/events?token=${encodeURIComponent(token)}`;

    const daemonRounds: Phase[] = [];
    const bareRounds: Phase[] = [];
    let bare: ServerProcess | null = null;
    let bareWs = '';
    let frame: Buffer | null = null;
    let intervalMs = 0;
    const bareLoops: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}, daemon: ${CLIENTS} clients subscribed to ${WATCH}, ${SETTLE_S} s settling, ${MEASURE_S} s measured`);
      const d = await measure(daemonWs, [daemon.child.pid!]);
      subs = d.subs;
      daemonRounds.push(d.phase);
      frame ??= subs.find((s) => s.lastFrame)?.lastFrame ?? null;
      if (!frame || d.phase.events === 0) throw new Error(`no ${WATCH} event reached the clients`);
      await closeAll(subs);
      subs = [];
      if (!bare) {
        // The baseline replays the payload just received, at the rate just measured.
        const payloadFile = path.join(tmp, 'eegbands.json');
        fs.writeFileSync(payloadFile, frame);
        intervalMs = 1000 / d.phase.eventsPerSec;
        bare = await startServerProcess('bare uWS broadcast', 'bench/servers/bareUwsBroadcast.ts', {
          ...process.env,
          BENCH_PAYLOAD_FILE: payloadFile,
          BENCH_INTERVAL_MS: String(intervalMs),
        });
        servers.push(bare);
        bareWs = `${bare.url.replace('http', 'ws')}/v1/events`;
      }
      log(`round ${round}/${ROUNDS}, bare uWS broadcast: same payload every ${formatValue(intervalMs)} ms, ${CLIENTS} clients, ${MEASURE_S} s measured`);
      await sendLoopMs(bare.url); // forget the loops of earlier rounds' settling
      const b = await measure(bareWs, [bare.child.pid!]);
      bareLoops.push(...(await sendLoopMs(bare.url)));
      subs = b.subs;
      bareRounds.push(b.phase);
      await closeAll(subs);
      subs = [];
    }
    await post(daemon.url, token, '/v1/control/cancel-session', {});
    const d = { phase: merged(daemonRounds) };
    const b = { phase: merged(bareRounds) };
    const perRound = (rounds: Phase[]) => rounds.map((r) => formatValue(quantile(r.latencies, 0.99))).join(', ');

    const p = (ph: Phase, q: number) => quantile(ph.latencies, q);
    const figure = (name: string, q: number, goal?: number): Figure => {
      const value = p(d.phase, q), baseline = p(b.phase, q);
      return {
        name,
        value,
        unit: 'ms',
        baseline: { name: 'bare uWS broadcast', value: baseline },
        ratio: value / baseline,
        ...(goal === undefined ? {} : { goal: `< ${goal} ms`, pass: value < goal }),
      };
    };
    const foreign = (ph: Phase) => (ph.foreignCores === null ? 'unknown' : `${Math.round(ph.foreignCores * 100)}% of a core`);
    const spread = (ph: Phase) =>
      `p50 ${formatValue(p(ph, 0.5))}, p90 ${formatValue(p(ph, 0.9))}, p99 ${formatValue(p(ph, 0.99))}, max ${formatValue(ph.latencies.at(-1)!)} ms over ${ph.latencies.length} deliveries of ${ph.events} events (${formatValue(ph.eventsPerSec)}/s), ${ph.incomplete} event(s) not seen by every client`;
    // The first client's latency is the sender's part up to its first write; the spread to the
    // last client is the sender's loop over 100 sockets (on loopback each send also runs the
    // receiving side of TCP, in the sender's thread) and this process reading them in turn.
    const split = (ph: Phase) =>
      `first client p50 ${formatValue(quantile(ph.firstClient, 0.5))} / p99 ${formatValue(quantile(ph.firstClient, 0.99))} ms, first-to-last-client spread p50 ${formatValue(quantile(ph.spread, 0.5))} / p99 ${formatValue(quantile(ph.spread, 0.99))} ms`;
    const problems = [...d.phase.problems, ...b.phase.problems];
    const loops = sortedCopy(bareLoops);
    return {
      figures: [
        figure(`${WATCH} to ${CLIENTS} WebSocket clients: delivery latency p50`, 0.5),
        figure(`${WATCH} to ${CLIENTS} WebSocket clients: delivery latency p99`, 0.99, GOAL_P99_MS),
      ],
      notes: [
        `Daemon: \`dist/daemon/skill-daemon.js\` (as \`npm start\` runs it) in its own process (temporary directories, SKILL_NETWORK=loopback) streaming a virtual session (POST /v1/control/start-session {"target":"virtual"}: 32 ch @ 256 Hz, recorded and embedded as usual); ${CLIENTS} \`ws\` clients of /v1/events in the benchmark's process, each sending {"command":"subscribe","types":["${WATCH}"]} (EegBands is not an opt-in type, but the filter keeps status and watchdog frames off the sockets); ${SETTLE_S} s settling, then ${MEASURE_S} s counted per round.`,
        `Baseline: bench/servers/bareUwsBroadcast.ts, its own process, sends the ${frame!.length}-byte EegBands frame just captured from the daemon (re-stamped, serialised once to UTF-8 bytes, as the daemon's hub does) to all ${CLIENTS} sockets every ${formatValue(intervalMs)} ms, the daemon's measured rate; same clients, same settling and window. ${ROUNDS} rounds of ${MEASURE_S} s each, daemon and baseline alternating (the clients reconnect each round); the daemon keeps streaming, with no clients, during the baseline's rounds. Figures pool every round; p99 per round: daemon ${perRound(daemonRounds)} ms, baseline ${perRound(bareRounds)} ms.`,
        `Clock: latency = arrival (performance.timeOrigin + performance.now(), taken before parsing) − the envelope's ts_unix_ms, which the sender stamps with Date.now() at publish time; sender and clients share the machine's realtime clock. The stamp is whole milliseconds, so each latency reads 0–1 ms long, alike in both phases.`,
        `Daemon: ${spread(d.phase)}. Baseline: ${spread(b.phase)}.`,
        `Per event — daemon: ${split(d.phase)}; baseline: ${split(b.phase)}. The first client's latency is what the sender adds before its first write; the spread is the sender's loop of 100 sends (on loopback each send also runs the receiving side of TCP, in the sender's thread) and this process reading the 100 sockets in turn; the p99 across clients includes both. The baseline's own loop over the 100 sockets took p50 ${formatValue(quantile(loops, 0.5))} / p99 ${formatValue(quantile(loops, 0.99))} ms per event (${loops.length} events). A p99 rests on the slowest few events (each delivers 100 latencies), so one scheduling hiccup on this shared machine moves it. A trace of the daemon's hub against these arrivals is in docs/events.md (Fan-out latency).`,
        `Other processes used ${foreign(d.phase)} (daemon phase) and ${foreign(b.phase)} (baseline phase) on average; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end.`,
        ...(problems.length ? [`Client problems: ${[...new Set(problems)].slice(0, 5).join('; ')}.`] : []),
      ],
    };
  } finally {
    await closeAll(subs);
    await Promise.all(servers.map((s) => s.stop()));
    removeTmp();
    process.off('exit', removeTmp);
  }
}

await runWhenMain(import.meta.url, run);
