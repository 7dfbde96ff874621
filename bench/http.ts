// Requests per second for an authenticated GET /v1/status on the real daemon, against two
// baselines measured in the same run: minimal Fastify (goal: daemon ≥ 1.5× it) and a bare
// uWebSockets.js handler (goal: daemon ≥ 0.85× it, i.e. the daemon's own layers cost ≤ 15%).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { compared, formatValue, median, type BenchmarkOutcome } from './figure.ts';
import { watchForeignLoad } from './foreignLoad.ts';
import { pickLoadGenerator, type LoadSettings } from './loadGenerator.ts';
import { builtDaemon } from './builtDaemon.ts';
import { startServerProcess, type ServerProcess } from './serverProcess.ts';

// Many short interleaved rounds rather than a few long ones: on a small VM throughput drifts by
// ±25% over seconds, and the median of 12 × 2 s samples agreed within ~6% across three identical
// servers where 3 × 8 s ones differed by a third. A round during which other processes took CPU
// is measured again (up to MAX_DISCARDED times). 3 × (2 s warm-up + (10 + ≤5) × 2 s) ≤ ~100 s.
const CONNECTIONS = 32;
const SECONDS = 2;
const WARMUP_SECONDS = 2;
const ROUNDS = 10;
const MAX_DISCARDED = 5;
const PATH = '/v1/status';
const ORDER = ['daemon', 'Fastify', 'bare uWS'];
/** CPU used by other processes (in cores) above which a round is measured again. */
const NOISY_CORES = 0.1;

function log(line: string): void {
  process.stderr.write(`http: ${line}\n`);
}

async function get(url: string, token: string | null): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.text() };
}

/** A baseline that answers differently would make the comparison meaningless: check first. */
async function assertSameAnswer(server: ServerProcess, body: string, token: string): Promise<void> {
  const ok = await get(server.url + PATH, token);
  if (ok.status !== 200 || ok.body !== body) throw new Error(`${server.name} does not return the daemon's status body`);
  const denied = await get(server.url + PATH, null);
  if (denied.status !== 401) throw new Error(`${server.name} answers ${denied.status}, not 401, without a token`);
}

export async function run(): Promise<BenchmarkOutcome> {
  const loadgen = pickLoadGenerator();
  const token = randomBytes(24).toString('base64url');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-http-'));
  // Also on Ctrl-C, where the runner exits without reaching the finally block below.
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  const servers: ServerProcess[] = [];
  try {
    const daemonEnv: NodeJS.ProcessEnv = {
      ...process.env,
      SKILL_DAEMON_ADDR: '127.0.0.1:0',
      SKILL_DATA_DIR: path.join(tmp, 'data'),
      XDG_CONFIG_HOME: path.join(tmp, 'config'),
      SKILL_NETWORK: 'loopback',
      SKILL_LOG_STDERR: '0',
      SKILL_DAEMON_TOKEN: token,
    };
    delete daemonEnv.SKILL_FAULT_INJECTION;
    delete daemonEnv.SKILL_ALLOWED_HOSTS;
    // Registered as soon as each one is up, so the finally block stops it whatever fails later.
    const started = (p: Promise<ServerProcess>) => p.then((s) => (servers.push(s), s));
    const daemon = await started(startServerProcess('daemon', (await builtDaemon()).entry, daemonEnv));

    const first = await get(daemon.url + PATH, token);
    if (first.status !== 200) throw new Error(`daemon answered ${first.status} to GET ${PATH}: ${first.body}`);
    const baselineEnv = { ...process.env, BENCH_TOKEN: token, BENCH_STATUS_JSON: first.body };
    // allSettled, not all: if one fails to start, the other must still be registered before cleanup.
    const baselines = await Promise.allSettled([
      started(startServerProcess('Fastify', 'bench/servers/fastify.ts', baselineEnv)),
      started(startServerProcess('bare uWS', 'bench/servers/bareUws.ts', baselineEnv)),
    ]);
    for (const b of baselines) if (b.status === 'rejected') throw b.reason;
    const targets = ORDER.map((name) => servers.find((s) => s.name === name)!);
    for (const t of targets) await assertSameAnswer(t, first.body, token);

    const settings: LoadSettings = { connections: CONNECTIONS, seconds: SECONDS, headers: { Authorization: `Bearer ${token}` } };
    log(`${loadgen.describe(settings)}, ${ROUNDS} rounds`);
    for (const t of targets) await loadgen.run(t.url + PATH, { ...settings, seconds: WARMUP_SECONDS });

    const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const pids = targets.map((t) => t.child.pid!);
    let discarded = 0;
    let foreignCores = 0;
    for (let round = 0; samples.get('daemon')!.length < ROUNDS; round++) {
      const watch = watchForeignLoad(pids);
      // Rotate the order each round so no target always runs first (or right after another).
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      const rps = new Map<string, number>();
      for (const t of order) {
        const r = await loadgen.run(t.url + PATH, settings);
        if (r.non2xx > 0) throw new Error(`${t.name}: ${r.non2xx} of ${r.requests} responses were not 2xx`);
        if (r.errors > r.requests * 0.001) throw new Error(`${t.name}: ${r.errors} socket errors in ${r.requests} requests`);
        rps.set(t.name, r.requestsPerSec);
      }
      const other = watch.stop() ?? 0;
      const line = targets.map((t) => `${t.name} ${formatValue(rps.get(t.name)!)}`).join(' · ');
      if (other > NOISY_CORES && discarded < MAX_DISCARDED) {
        discarded++;
        log(`round discarded, other processes used ${Math.round(other * 100)}% of a core (${line})`);
        continue;
      }
      for (const t of targets) samples.get(t.name)!.push(rps.get(t.name)!);
      foreignCores += other / ROUNDS;
      log(`round ${String(samples.get('daemon')!.length).padStart(2)}/${ROUNDS}  ${line} req/s`);
    }

    const rps = (name: string) => median(samples.get(name)!);
    // Each round's daemon sample over the baseline's from the same round: their range shows how
    // far a single round can mislead, which two medians alone do not.
    const perRound = (baseline: string) => samples.get('daemon')!.map((v, i) => v / samples.get(baseline)![i]!);
    const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
    const fastifyVersion = (createRequire(import.meta.url)('fastify/package.json') as { version: string }).version;
    return {
      figures: [
        compared(`GET ${PATH}: daemon vs Fastify`, rps('daemon'), 'req/s', { name: 'Fastify', value: rps('Fastify') }, 1.5),
        compared(`GET ${PATH}: daemon vs bare uWS`, rps('daemon'), 'req/s', { name: 'bare uWS', value: rps('bare uWS') }, 0.85),
      ],
      notes: [
        `Load: \`${loadgen.describe(settings)}\` on 127.0.0.1; a ${WARMUP_SECONDS} s warm-up per target, then ${ROUNDS} interleaved rounds (order rotated each round). Values are medians; ratios are ratios of medians.`,
        ...(loadgen.caveat ? [loadgen.caveat] : []),
        `Each server runs in its own process. Fastify ${fastifyVersion} and bare uWS check the bearer token and serialize the same status object (${Buffer.byteLength(first.body)} bytes) on every request.`,
        `${discarded} round(s) discarded and measured again because other processes were using the CPU; during the kept rounds they used ${Math.round(foreignCores * 100)}% of a core on average${foreignCores > NOISY_CORES ? ', so these figures are unreliable' : ''}.`,
        `Spread of the ${ROUNDS} samples (req/s): ${[...samples].map(([n, v]) => `${n} ${formatValue(Math.min(...v))}–${formatValue(Math.max(...v))}`).join('; ')}.`,
        `Per-round ratios: daemon/Fastify ${range(perRound('Fastify'))}; daemon/bare uWS ${range(perRound('bare uWS'))}.`,
      ],
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    removeTmp();
    process.off('exit', removeTmp);
  }
}
