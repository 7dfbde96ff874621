// POST /v1/analysis/umap through the real daemon, on planted embeddings: two ranges drawn from
// clearly different clusters must come out separated, two halves of one cluster must not; too
// few epochs give `reason`; a repeat is served from the cache with the same points; progress
// arrives as events; and /healthz keeps answering promptly while a large projection runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useDaemon } from './helpers/daemonProcess.ts';
import { subscribe } from './helpers/events.ts';
import { call } from './helpers/http.ts';
import { makeEpochs, writeDayDb } from './helpers/epochFixture.ts';
import { clusterCentres, plantEpochs } from './helpers/plantedEmbeddings.ts';

const ctx = useDaemon();

const H = 3_600_000;
const T0 = Date.UTC(2026, 4, 4, 8); // separated: cluster 0 at T0, cluster 1 four hours later
const T1 = Date.UTC(2026, 4, 6, 8); // one cluster, split in two halves
const T2 = Date.UTC(2026, 4, 8, 8); // few embeddings / none
const T3 = Date.UTC(2026, 4, 10, 8); // the large run
const N = 120;
const centres = clusterCentres(3, 32, 5);
const s = (ms: number) => ms / 1000;
const span = (startMs: number, count: number) => [s(startMs), s(startMs) + count * 5 - 1] as const;

const SEPARATED = (() => {
  const [a0, a1] = span(T0, N);
  const [b0, b1] = span(T0 + 4 * H, N);
  return { aStartUtc: a0, aEndUtc: a1, bStartUtc: b0, bEndUtc: b1 };
})();
const SAME = (() => {
  const [a0, a1] = span(T1, N);
  const [b0, b1] = span(T1 + N * 5_000, N);
  return { aStartUtc: a0, aEndUtc: a1, bStartUtc: b0, bEndUtc: b1 };
})();

let planted = false;
async function plant(): Promise<void> {
  if (planted) return;
  planted = true;
  const data = ctx.daemon.dirs.data;
  plantEpochs({ dataDir: data, startMs: T0, count: N, cluster: 0, centres, seed: 1 });
  plantEpochs({ dataDir: data, startMs: T0 + 4 * H, count: N, cluster: 1, centres, seed: 2 });
  plantEpochs({ dataDir: data, startMs: T1, count: 2 * N, cluster: 2, centres, seed: 3, noise: 0.3 });
  plantEpochs({ dataDir: data, startMs: T2, count: 3, cluster: 0, centres, seed: 4 });
  writeDayDb(data, makeEpochs({ startMs: T2 + H, count: 40, seed: 5 })); // metrics only, no embeddings
  // Few optimisation epochs keep the tests quick; the layout is still well formed.
  const cfg = await ctx.admin.post('/v1/settings/umap-config', { n_epochs: 120 });
  assert.equal(cfg.status, 200, `umap-config: ${cfg.text}`);
}

const umap = async (body: unknown) => {
  await plant();
  return ctx.admin.post('/v1/analysis/umap', body);
};

test('two different clusters come out separated, two halves of one cluster do not', async () => {
  const events = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const sep = await umap(SEPARATED);
  assert.equal(sep.status, 200, sep.text);
  assert.equal(sep.json.n_a, N, 'every epoch of A embedded');
  assert.equal(sep.json.n_b, N, 'every epoch of B embedded');
  assert.equal(sep.json.dim, 32, 'dim is the embedding length');
  assert.equal(sep.json.cached, false, 'a first call computes');
  assert.equal(sep.json.points.length, 2 * N, 'one point per epoch');
  for (const p of sep.json.points) {
    assert.ok([p.x, p.y, p.z].every(Number.isFinite), `finite coordinates: ${JSON.stringify(p)}`);
    const [lo, hi] = p.session === 0 ? [SEPARATED.aStartUtc, SEPARATED.aEndUtc] : [SEPARATED.bStartUtc, SEPARATED.bEndUtc];
    assert.ok(p.utc >= lo && p.utc <= hi, `point of session ${p.session} inside its range: ${p.utc}`);
  }
  const a = sep.json.analysis;
  for (const k of ['centroid_a', 'centroid_b', 'inter_cluster_distance', 'intra_spread_a', 'intra_spread_b', 'separation_score', 'n_outliers_a', 'n_outliers_b', 'outliers']) {
    assert.ok(k in a, `analysis has ${k}`);
  }
  assert.equal(a.centroid_a.length, 3, '3-D centroid');

  const same = await umap(SAME);
  assert.equal(same.status, 200, same.text);
  const b = same.json.analysis;
  assert.ok(a.separation_score > 3, `separated clusters score high: ${a.separation_score}`);
  assert.ok(b.separation_score < 1, `one distribution scores low: ${b.separation_score}`);
  assert.ok(a.separation_score > 5 * b.separation_score, `separated ${a.separation_score} vs same ${b.separation_score}`);

  const id = (await events.next((f) => f.type === 'umap-progress' && f.payload.status === 'done', 10_000)).payload.id;
  const statuses = new Set(events.frames.filter((f) => f.type === 'umap-progress' && f.payload.id === id).map((f) => f.payload.status));
  for (const st of ['queued', 'loading', 'fitting', 'done']) assert.ok(statuses.has(st), `umap-progress ${st} published (saw ${[...statuses]})`);
  events.close();
});

test('a repeat call is served from the cache with the same points; other parameters compute again', async () => {
  const first = await umap(SEPARATED);
  assert.equal(first.status, 200, first.text);
  const again = await umap(SEPARATED);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.cached, true, 'the repeat is a cache hit');
  assert.deepEqual(again.json.points, first.json.points, 'the cached points are the computed ones');
  const files = fs.readdirSync(path.join(ctx.daemon.dirs.data, 'umap_cache'));
  assert.ok(files.some((f) => f.startsWith(`umap_${SEPARATED.aStartUtc}_${SEPARATED.aEndUtc}_${SEPARATED.bStartUtc}_${SEPARATED.bEndUtc}_`)), `cache file named after the ranges: ${files}`);

  assert.equal((await ctx.admin.post('/v1/settings/umap-config', { n_epochs: 60 })).status, 200, 'umap-config accepted');
  const other = await umap(SEPARATED);
  assert.equal(other.json.cached, false, 'new parameters are not served from the old entry');
  assert.equal(other.json.params.n_epochs, 60, 'the new n_epochs was used');
  // With the cache emptied, a fresh run must reproduce the layout exactly (seeded randomness).
  const cacheDir = path.join(ctx.daemon.dirs.data, 'umap_cache');
  for (const f of fs.readdirSync(cacheDir)) fs.rmSync(path.join(cacheDir, f));
  const repeat = await umap(SEPARATED);
  assert.equal(repeat.json.cached, false, 'recomputed after the cache was emptied');
  assert.deepEqual(repeat.json.points, other.json.points, 'deterministic: the same inputs and parameters give the same layout');
  await ctx.admin.post('/v1/settings/umap-config', { n_epochs: 120 });
});

test('too few epochs give a reason instead of points', async () => {
  const [f0, f1] = span(T2, 3);
  const [m0, m1] = span(T2 + H, 40);
  const cases: Array<[Record<string, number>, RegExp]> = [
    [{ aStartUtc: f0, aEndUtc: f1, bStartUtc: f0, bEndUtc: f0 }, /^too_few_embeddings: 4 /],
    [{ aStartUtc: m0, aEndUtc: m1, bStartUtc: m0, bEndUtc: m1 }, /^no_embeddings: 80 epochs/],
    [{ aStartUtc: 1_000, aEndUtc: 2_000, bStartUtc: 3_000, bEndUtc: 4_000 }, /^no_epochs$/],
  ];
  for (const [body, reason] of cases) {
    const res = await umap(body);
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.json.reason), reason, `reason for ${JSON.stringify(body)}: ${res.text}`);
    assert.deepEqual(res.json.points, [], 'no points');
    assert.equal(res.json.dim, 0, 'dim 0 without a projection');
    for (const k of ['n_a', 'n_b', 'total_a', 'total_b']) assert.equal(typeof res.json[k], 'number', `${k} present`);
  }
});

test('a reversed range is 422 naming the field', async () => {
  const res = await umap({ ...SEPARATED, bEndUtc: SEPARATED.bStartUtc - 1 });
  assert.equal(res.status, 422, res.text);
  assert.equal(res.json.issues?.[0]?.path, 'bEndUtc', `names bEndUtc: ${res.text}`);
  const missing = await umap({ aStartUtc: 1, aEndUtc: 2 });
  assert.equal(missing.status, 422, missing.text);
});

test('/healthz answers promptly while a large projection runs', async (t) => {
  await plant();
  const count = 700;
  plantEpochs({ dataDir: ctx.daemon.dirs.data, startMs: T3, count, cluster: 0, centres, seed: 6, noise: 0.4 });
  plantEpochs({ dataDir: ctx.daemon.dirs.data, startMs: T3 + 4 * H, count, cluster: 1, centres, seed: 7, noise: 0.4 });
  assert.equal((await ctx.admin.post('/v1/settings/umap-config', { n_epochs: 300 })).status, 200, 'umap-config accepted');
  const [a0, a1] = span(T3, count);
  const [b0, b1] = span(T3 + 4 * H, count);
  const started = performance.now();
  let done = false;
  const run = umap({ aStartUtc: a0, aEndUtc: a1, bStartUtc: b0, bEndUtc: b1 }).finally(() => (done = true));
  const latencies: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const res = await call(ctx.daemon.port, 'GET', '/healthz');
    latencies.push(performance.now() - t0);
    assert.equal(res.status, 200, `healthz: ${res.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const res = await run;
  const runMs = performance.now() - started;
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.points.length, 2 * count, 'every epoch projected');
  const max = Math.max(...latencies);
  t.diagnostic(`UMAP of ${2 * count} epochs × 32 dims, 300 epochs: ${Math.round(runMs)} ms (worker ${res.json.elapsed_ms} ms); /healthz ${latencies.length} probes, max ${max.toFixed(1)} ms, median ${latencies.sort((x, y) => x - y)[latencies.length >> 1]!.toFixed(1)} ms`);
  assert.ok(latencies.length >= 10, `healthz probed throughout the run (${latencies.length} probes in ${Math.round(runMs)} ms)`);
  assert.ok(max < runMs / 5, `max /healthz latency ${max.toFixed(1)} ms is well below the ${Math.round(runMs)} ms run`);
  await ctx.admin.post('/v1/settings/umap-config', { n_epochs: 120 });
});
