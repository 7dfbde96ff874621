// Every route fuzzed through a running daemon (test/fuzz/routeFuzz.ts): no crash, no 500, every
// error in the JSON error shape, /healthz after each route, and refused requests changing no
// stored state. `npm run fuzz` runs the same with 10,000 requests per route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './helpers/daemonProcess.ts';
import { fuzzRoutes } from './fuzz/routeFuzz.ts';

const RUNS = Number(process.env.SKILL_FUZZ_RUNS ?? 200);
// Limits would answer 429 before validation is reached; the limiter has its own tests.
const ctx = useDaemon({ env: { SKILL_RATE_LIMITS: 'off' } });

test(`every route, ${RUNS} generated requests each`, { timeout: 600_000 }, async () => {
  const { failures, requests } = await fuzzRoutes({ port: ctx.daemon.port, token: ctx.daemon.token, runsPerRoute: RUNS, stateChecksPerRoute: 3, seed: 20261127 });
  const shown = failures.slice(0, 10).map((f) => `${f.route} → ${f.status}: ${f.problem}\n  body: ${String(f.request.body).slice(0, 200)}\n  query: ${f.request.query.slice(0, 200)}`);
  assert.equal(failures.length, 0, `${failures.length} failures in ${requests} requests:\n${shown.join('\n')}`);
  assert.ok(requests >= RUNS * 100, `at least a hundred routes fuzzed (${requests} requests)`);
});
