// The soak script runs end to end on a short run and reports every figure as a number. Its
// values (latency, RSS growth) depend on the machine and are not asserted here: timing belongs
// to `npm run soak`, not to the tests.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { test } from 'node:test';

const REPO_ROOT = new URL('..', import.meta.url).pathname;

test('soak: a 10 s run with 5 subscribers reports its figures', { timeout: 90_000 }, () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/soak.ts', '--seconds', '10', '--subscribers', '5', '--rate', '10', '--json', '--no-results'],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, SKILL_NETWORK: 'loopback' }, timeout: 80_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  for (const key of ['requests_per_sec', 'p50_ms', 'p99_ms', 'lag_p99_ms', 'rss_start_mb', 'rss_end_mb', 'rss_growth_pct', 'errors']) {
    assert.equal(typeof summary[key], 'number', `${key} in ${r.stdout}`);
  }
});
