// The analysis routes through the real daemon: fixture day folders are written into its data
// directory, then every route is called for its shape, its figures, its empty-range defaults, its
// 422s on bad bodies and its 403s on paths that leave the data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SESSION_METRIC_KEYS } from '../actors/analysis/sessionMetrics.ts';
import { useDaemon } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';
import { makeEpochs, makeMetricsCsvRows, writeEpochsByDay, writeMetricsCsv, writeDayDb, type FixtureEpoch } from './helpers/epochFixture.ts';

const ctx = useDaemon();

const START = Date.UTC(2026, 7, 20, 23, 30);
const epochs = makeEpochs({ startMs: START, count: 1440, seed: 41, embedEvery: 4 }); // 2 h across midnight
const range = { startUtc: START / 1000, endUtc: START / 1000 + 7200 };
const CHANNELS = ['TP9', 'AF7', 'AF8', 'TP10'];
let csvPath = '';
let prepared = false;

/** Writes the fixture into the daemon's data directory once it has started (the first test calls it). */
function prepare(): void {
  if (prepared) return;
  prepared = true;
  const data = ctx.daemon.dirs.data;
  writeEpochsByDay(data, epochs);
  // A legacy day a week earlier: 17-digit timestamps and *_score keys.
  writeDayDb(data, makeEpochs({ startMs: START - 7 * 86_400_000, count: 120, seed: 42 }), { legacy: true, encoding: 'c17' });
  csvPath = path.join(data, '20260820', `exg_${START / 1000}.csv`);
  fs.writeFileSync(csvPath, 'timestamp_s,TP9,AF7,AF8,TP10\n');
  writeMetricsCsv(csvPath.replace(/\.csv$/, '_metrics.csv'), CHANNELS, makeMetricsCsvRows(CHANNELS, 400, START / 1000));
  fs.writeFileSync(csvPath.replace(/\.csv$/, '.meta.jsonl'),
    `${JSON.stringify({ type: 'location', timestamp: START / 1000 + 60, latitude: 48.85, longitude: 2.35, altitude: 35 })}\n`);
}

const post = (p: string, body: unknown) => {
  prepare();
  return ctx.admin.post(p, body);
};
const mean = (xs: FixtureEpoch[], k: string) => xs.reduce((a, e) => a + e.metrics[k]!, 0) / xs.length;

test('metrics: the epochs of the range averaged, over both day folders', async () => {
  const res = await post('/v1/analysis/metrics', range);
  assert.equal(res.status, 200, res.text);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.deepEqual(Object.keys(res.json), ['n_epochs', ...SESSION_METRIC_KEYS]);
  assert.equal(res.json.n_epochs, 1440);
  assert.ok(Math.abs(res.json.rel_alpha - mean(epochs, 'rel_alpha')) < 1e-12);
  assert.ok(Math.abs(res.json.relaxation - mean(epochs, 'relaxation')) < 1e-9);
  // snake_case bodies work too, and a legacy day reads the same way.
  const legacy = await post('/v1/analysis/metrics', { start_utc: range.startUtc - 7 * 86_400, end_utc: range.endUtc - 7 * 86_400 });
  assert.equal(legacy.json.n_epochs, 120);
  assert.ok(legacy.json.relaxation > 0);
});

test('timeseries, sleep, compare and embedding-count answer with the reference shapes', async () => {
  const ts = await post('/v1/analysis/timeseries', range);
  assert.equal(ts.status, 200);
  assert.equal(ts.json.length, 720, 'every second epoch of 1440 for a budget of 800');
  assert.deepEqual(Object.keys(ts.json[0]).slice(0, 7), ['t', 'rd', 'rt', 'ra', 'rb', 'rg', 'relaxation']);
  assert.equal(ts.json[1].t - ts.json[0].t, 10);

  const sleep = await post('/v1/analysis/sleep', range);
  assert.equal(sleep.status, 200);
  assert.deepEqual(Object.keys(sleep.json), ['epochs', 'summary', 'analysis']);
  assert.equal(sleep.json.epochs.length, 1440);
  assert.deepEqual(Object.keys(sleep.json.epochs[0]), ['utc', 'stage', 'rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta']);
  assert.equal(sleep.json.summary.total_epochs, 1440);
  assert.equal(sleep.json.summary.epoch_secs, 5);
  assert.ok(sleep.json.summary.rem_epochs > 0);
  assert.ok(sleep.json.epochs.some((e: { stage: number }) => e.stage === 4) && sleep.json.epochs.every((e: { stage: number }) => e.stage <= 4));
  for (const k of ['efficiency_pct', 'onset_latency_min', 'rem_latency_min', 'stage_minutes', 'transitions', 'awakenings', 'bouts']) {
    assert.ok(k in sleep.json.analysis, k);
  }
  assert.equal(sleep.json.analysis.stage_minutes.total, 120);

  const half = range.startUtc + 3600;
  const cmp = await post('/v1/analysis/compare', { aStartUtc: range.startUtc, aEndUtc: half - 1, bStartUtc: half, bEndUtc: range.endUtc });
  assert.equal(cmp.status, 200);
  assert.deepEqual(Object.keys(cmp.json), ['stats_a', 'stats_b', 'deltas', 'improved', 'declined', 'stable', 'n_epochs_a', 'n_epochs_b']);
  assert.equal(cmp.json.n_epochs_a + cmp.json.n_epochs_b, 1440);
  assert.deepEqual(Object.keys(cmp.json.stats_a.relaxation), ['min', 'max', 'mean', 'median', 'stddev', 'p25', 'p75', 'trend']);

  const count = await post('/v1/analysis/embedding-count', range);
  assert.deepEqual(count.json, { count: 1440, embedded: 360 });
});

test('csv-metrics, day-metrics and location read the session files inside the data directory', async () => {
  prepare();
  const csv = await post('/v1/analysis/csv-metrics', { csvPath });
  assert.equal(csv.status, 200, csv.text);
  assert.deepEqual(Object.keys(csv.json), ['n_rows', 'summary', 'timeseries']);
  assert.equal(csv.json.n_rows, 400);
  assert.ok(fs.existsSync(csvPath.replace(/\.csv$/, '_metrics_cache.json')), 'cache written beside the session');
  const relative = await post('/v1/analysis/csv-metrics', { csv_path: path.relative(ctx.daemon.dirs.data, csvPath) });
  assert.deepEqual(relative.json, csv.json);

  const day = await post('/v1/analysis/day-metrics', { csvPaths: [csvPath, path.join(path.dirname(csvPath), 'exg_1.csv')], maxTsPoints: 50 });
  assert.equal(day.status, 200);
  assert.deepEqual(Object.keys(day.json), [csvPath]);
  assert.equal(day.json[csvPath].timeseries.length, 50);

  const loc = await post('/v1/analysis/location', { csvPath, ...range });
  assert.deepEqual(loc.json, [{ ts: range.startUtc + 60, lat: 48.85, lon: 2.35, alt: 35, accuracy: 0, speed: 0 }]);
});

test('empty ranges and missing sessions give default data, not errors', async () => {
  prepare();
  const empty = { startUtc: 1_000, endUtc: 2_000 };
  const m = await post('/v1/analysis/metrics', empty);
  assert.equal(m.status, 200);
  assert.equal(m.json.n_epochs, 0);
  assert.equal(m.json.rel_alpha, 0);
  assert.deepEqual((await post('/v1/analysis/timeseries', empty)).json, []);
  const sleep = (await post('/v1/analysis/sleep', empty)).json;
  assert.deepEqual(sleep.epochs, []);
  assert.equal(sleep.summary.total_epochs, 0);
  assert.equal(sleep.analysis.rem_latency_min, null);
  assert.deepEqual((await post('/v1/analysis/embedding-count', empty)).json, { count: 0, embedded: 0 });
  const cmp = (await post('/v1/analysis/compare', { aStartUtc: 1, aEndUtc: 2, bStartUtc: 3, bEndUtc: 4 })).json;
  assert.equal(cmp.n_epochs_a, 0);
  assert.equal(cmp.stats_a.relaxation, null);
  const missing = path.join(ctx.daemon.dirs.data, '20260820', 'exg_9.csv');
  const csv = await post('/v1/analysis/csv-metrics', { csvPath: missing });
  assert.equal(csv.status, 200);
  assert.equal(csv.json.n_rows, 0);
  assert.equal(csv.json.summary.n_epochs, 0);
  assert.deepEqual((await post('/v1/analysis/day-metrics', { csvPaths: [] })).json, {});
  assert.deepEqual((await post('/v1/analysis/location', { csvPath: missing, ...empty })).json, []);
});

test('bad bodies are 422 with the failing field', async () => {
  const cases: Array<[string, unknown, string]> = [
    ['/v1/analysis/metrics', {}, 'startUtc'],
    ['/v1/analysis/metrics', { startUtc: 'yesterday', endUtc: 10 }, 'startUtc'],
    ['/v1/analysis/metrics', { startUtc: 1.5, endUtc: 10 }, 'startUtc'],
    ['/v1/analysis/metrics', { startUtc: -1, endUtc: 10 }, 'startUtc'],
    ['/v1/analysis/timeseries', { startUtc: 20, endUtc: 10 }, 'endUtc'],
    ['/v1/analysis/sleep', { startUtc: 0, endUtc: 1e15 }, 'endUtc'],
    ['/v1/analysis/compare', { aStartUtc: 1, aEndUtc: 2, bStartUtc: 5, bEndUtc: 4 }, 'bEndUtc'],
    ['/v1/analysis/compare', { aStartUtc: 1, aEndUtc: 2 }, 'bStartUtc'],
    ['/v1/analysis/csv-metrics', { csvPath: '' }, 'csvPath'],
    ['/v1/analysis/csv-metrics', { csvPath: 'a\u0000b.csv' }, 'csvPath'],
    ['/v1/analysis/day-metrics', { csvPaths: 'x.csv' }, 'csvPaths'],
    ['/v1/analysis/day-metrics', { csvPaths: [], maxTsPoints: 1 }, 'maxTsPoints'],
    ['/v1/analysis/location', { csvPath: 'x.csv' }, 'startUtc'],
    ['/v1/analysis/embedding-count', { startUtc: null, endUtc: 1 }, 'startUtc'],
  ];
  for (const [p, body, field] of cases) {
    const res = await post(p, body);
    assert.equal(res.status, 422, `${p} ${JSON.stringify(body)}: ${res.text}`);
    assert.equal(res.json.code, 'invalid_body');
    assert.ok(res.json.issues.some((i: { path: string }) => i.path === field), `${p}: ${res.text}`);
  }
});

test('paths leaving the data directory are 403 forbidden_path and touch nothing', async () => {
  prepare();
  const data = ctx.daemon.dirs.data;
  const outside = path.join(ctx.daemon.dirs.root, 'outside');
  fs.mkdirSync(outside, { recursive: true });
  writeMetricsCsv(path.join(outside, 'exg_1_metrics.csv'), CHANNELS, makeMetricsCsvRows(CHANNELS, 5, 1));
  fs.writeFileSync(path.join(outside, 'exg_1.meta.jsonl'), '{"type":"location","timestamp":5,"latitude":1,"longitude":2}\n');
  fs.symlinkSync(path.join(outside, 'exg_1.csv'), path.join(data, '20260820', 'exg_2.csv'));
  fs.symlinkSync(outside, path.join(data, '20260821', 'linked'));
  const listing = () => fs.readdirSync(outside).sort().join(',');
  const before = listing();
  const paths = ['../../etc/passwd', '/etc/passwd', path.join(outside, 'exg_1.csv'), '../outside/exg_1.csv',
    path.join(data, '20260820', 'exg_2.csv'), '20260821/linked/exg_1.csv', path.join(data, '..', 'outside', 'exg_1.csv')];
  for (const p of paths) {
    for (const [route, body] of [
      ['/v1/analysis/csv-metrics', { csvPath: p }],
      ['/v1/analysis/day-metrics', { csvPaths: [csvPath, p] }],
      ['/v1/analysis/location', { csvPath: p, startUtc: 0, endUtc: 100 }],
    ] as const) {
      const res = await post(route, body);
      assert.equal(res.status, 403, `${route} ${p}: ${res.text}`);
      assert.equal(res.json.code, 'forbidden_path');
      assert.equal(res.json.ok, false);
    }
  }
  assert.equal(listing(), before, 'no cache written outside');
});

test('scopes: a data token may run analyses, a read-only token may not', async () => {
  const tokens: Record<string, string> = {};
  for (const acl of ['data', 'read_only']) {
    const res = await ctx.admin.post('/v1/auth/tokens', { name: `analysis-${acl}`, acl, expiry: 'week' });
    assert.equal(res.status, 200, res.text);
    tokens[acl] = res.json.token;
  }
  assert.equal((await client(ctx.daemon.port, tokens.data!).post('/v1/analysis/metrics', range)).status, 200);
  assert.equal((await client(ctx.daemon.port, tokens.read_only!).post('/v1/analysis/metrics', range)).status, 403);
});
