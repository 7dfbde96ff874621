// `npm run fuzz [-- --runs N] [--seed S]`: every route of the route table fuzzed against a
// daemon started for the purpose in a temporary data directory (test/fuzz/routeFuzz.ts), 10,000
// generated requests per route by default. Prints each route's status counts and every failure;
// exits 1 on any failure.
import { performance } from 'node:perf_hooks';
import { spawnDaemon, tempDirs } from '../test/helpers/daemonProcess.ts';
import { fuzzRoutes } from '../test/fuzz/routeFuzz.ts';

const arg = (name: string, byDefault: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : byDefault;
};
const runs = arg('runs', 10_000);
const seed = arg('seed', Date.now() % 1_000_000);
process.env.SKILL_NETWORK = 'loopback';

const daemon = await spawnDaemon({ dirs: tempDirs('skill-fuzz-'), env: { SKILL_RATE_LIMITS: 'off' }, lifetimeMs: null });
const started = performance.now();
let last = started;
console.log(`fuzzing every route: ${runs} requests each, seed ${seed}, daemon pid ${daemon.proc.pid}`);
const { failures, requests } = await fuzzRoutes({
  port: daemon.port,
  token: daemon.token,
  runsPerRoute: runs,
  stateChecksPerRoute: Math.max(3, Math.round(runs / 200)),
  seed,
  onRoute: (key, c) => {
    const now = performance.now();
    const statuses = Object.entries(c.byStatus).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`${key.padEnd(52)} ${String(c.requests).padStart(6)} req ${((now - last) / 1000).toFixed(1).padStart(6)} s  ${statuses}  (state checked ${c.stateChecks}×)`);
    last = now;
  },
});
const secs = (performance.now() - started) / 1000;
console.log(`\n${requests} requests in ${secs.toFixed(0)} s (${(requests / secs).toFixed(0)}/s); ${failures.length} failures`);
for (const f of failures.slice(0, 50)) console.log(`\n${f.route} → ${f.status}: ${f.problem}\n  body: ${String(f.request.body).slice(0, 300)}\n  query: ${f.request.query.slice(0, 300)}`);
const exit = await daemon.stop();
if (exit.code !== 0) console.log(`the daemon exited with ${exit.code ?? exit.signal}:\n${exit.stderr.slice(-2000)}`);
process.exit(failures.length === 0 && exit.code === 0 ? 0 : 1);
