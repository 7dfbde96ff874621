// Range analyses (metrics, timeseries, sleep, compare, embedding-count) over day databases with
// known epochs, in this daemon's layout and in the reference's legacy one (mixed timestamp
// encodings, `*_score` keys). Expected figures are recomputed here from the generated records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { compareRanges } from '../actors/analysis/compareRanges.ts';
import { DaySummaryCache } from '../actors/analysis/daySummaryCache.ts';
import { embeddingCount } from '../actors/analysis/embeddingCount.ts';
import { metricsForRange } from '../actors/analysis/rangeMetrics.ts';
import { sleepForRange } from '../actors/analysis/rangeSleep.ts';
import { timeseriesForRange } from '../actors/analysis/rangeTimeseries.ts';
import { SESSION_METRIC_KEYS } from '../actors/analysis/sessionMetrics.ts';
import { makeEpochs, writeDayDb, writeEpochsByDay, type FixtureEpoch } from './helpers/epochFixture.ts';

const DAY0 = Date.UTC(2026, 2, 10);
const S = (ms: number) => ms / 1000;

function tempData(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'skill-analysis-'));
}

function close(actual: number, expected: number, what: string, tol = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
}

/** The rows the analysis must count: in range, and not both rel_delta and rel_theta zero. */
function counted(epochs: FixtureEpoch[], startS: number, endS: number): FixtureEpoch[] {
  return epochs.filter((e) => e.ms >= startS * 1000 && e.ms <= endS * 1000 && !(e.metrics.rel_delta === 0 && e.metrics.rel_theta === 0));
}

function expectedMeans(epochs: FixtureEpoch[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of SESSION_METRIC_KEYS) out[k] = epochs.reduce((a, e) => a + (e.metrics[k] ?? 0), 0) / epochs.length;
  return out;
}

/** The staging rules as the notes state them (§7.3), REM coded 4. */
function stageOf(m: Record<string, number>): number {
  const d = m.rel_delta!, t = m.rel_theta!, a = m.rel_alpha!, b = m.rel_beta!;
  if (a > 0.3 || b > 0.3) return 0;
  if (t > 0.3 && a < 0.15 && d < 0.45) return 4;
  if (d > 0.5) return 3;
  if (t > 0.25 && d < 0.5) return 1;
  return 2;
}

// Two nights of 8 h, 22:00–06:00 UTC: each crosses midnight, so spans two day folders.
const nights = [0, 1].flatMap((n) => makeEpochs({ startMs: DAY0 + n * 86_400_000 + 22 * 3_600_000, count: 5760, seed: 11 + n, embedEvery: 3 }));
const current = tempData();
writeEpochsByDay(current, nights);

test('metrics: means over every epoch of a two-night range equal the recomputed means', () => {
  const cache = new DaySummaryCache();
  const [start, end] = [S(DAY0), S(DAY0) + 3 * 86_400];
  const m = metricsForRange(current, start, end, cache);
  const rows = counted(nights, start, end);
  assert.equal(m.n_epochs, 11_520);
  assert.equal(rows.length, 11_520);
  const want = expectedMeans(rows);
  for (const k of SESSION_METRIC_KEYS) close(m[k], want[k]!, k);
  assert.deepEqual(Object.keys(m), ['n_epochs', ...SESSION_METRIC_KEYS]);
});

test('metrics: ranges that cut through the middle of summary buckets count exactly the epochs inside', () => {
  const cache = new DaySummaryCache();
  // Odd boundaries (22:03:17 on night 1 to 01:01:58 after night 2 began), one epoch's own second,
  // the gap between two epochs, and a range inside one bucket.
  const cases: Array<[number, number]> = [
    [S(DAY0 + 22 * 3_600_000 + 197_000), S(DAY0 + 86_400_000 + 25 * 3_600_000 + 118_000)],
    [S(nights[100]!.ms), S(nights[100]!.ms)],
    [S(nights[100]!.ms) + 1, S(nights[101]!.ms) - 1],
    [S(DAY0 + 23 * 3_600_000 + 1_000), S(DAY0 + 23 * 3_600_000 + 299_000)],
  ];
  for (const [start, end] of cases) {
    const rows = counted(nights, start, end);
    for (let pass = 0; pass < 2; pass++) {
      const m = metricsForRange(current, start, end, cache);
      assert.equal(m.n_epochs, rows.length, `[${start}, ${end}] pass ${pass}`);
      if (rows.length === 0) continue;
      const want = expectedMeans(rows);
      for (const k of SESSION_METRIC_KEYS) close(m[k], want[k]!, `${k} [${start}, ${end}]`);
    }
  }
});

test('an empty range gives default data, not an error', () => {
  const cache = new DaySummaryCache();
  const [start, end] = [S(DAY0) + 100 * 86_400, S(DAY0) + 101 * 86_400];
  const m = metricsForRange(current, start, end, cache);
  assert.equal(m.n_epochs, 0);
  for (const k of SESSION_METRIC_KEYS) assert.equal(m[k], 0);
  assert.deepEqual(timeseriesForRange(current, start, end), []);
  const sleep = sleepForRange(current, start, end, cache);
  assert.deepEqual(sleep.epochs, []);
  assert.equal(sleep.summary.total_epochs, 0);
  assert.equal(sleep.summary.epoch_secs, 2.5);
  assert.equal(sleep.analysis.efficiency_pct, 0);
  assert.equal(sleep.analysis.rem_latency_min, null);
  assert.deepEqual(Object.keys(sleep.analysis.bouts), ['wake', 'n1', 'n2', 'n3', 'rem']);
  assert.deepEqual(embeddingCount(current, start, end), { count: 0, embedded: 0 });
  const missing = path.join(current, 'no-such-dir');
  assert.equal(metricsForRange(missing, 0, 2e9, cache).n_epochs, 0);
});

test('timeseries: at most 800 rows, evenly spaced across every day folder of the range', () => {
  const [start, end] = [S(DAY0), S(DAY0) + 3 * 86_400];
  const rows = timeseriesForRange(current, start, end);
  const all = counted(nights, start, end);
  const step = Math.ceil(all.length / 800);
  assert.equal(rows.length, Math.ceil(all.length / step));
  assert.ok(rows.length <= 800);
  // Global index g kept when g mod step = 0: exactly every step-th epoch in time order.
  rows.forEach((r, i) => {
    const e = all[i * step]!;
    assert.equal(r.t, e.ms / 1000);
    assert.equal(r.rd, e.metrics.rel_delta);
    assert.equal(r.sc, e.metrics.spectral_centroid);
    assert.equal(r.stress, e.metrics.stress_index);
    assert.equal(r.med, e.metrics.meditation);
    assert.equal(r.gpu, 0);
  });
  // All three day folders contribute (each night runs 22:00–06:00 UTC).
  const days = new Set(rows.map((r) => new Date(r.t * 1000).toISOString().slice(0, 10)));
  assert.equal(days.size, 3);
});

test('timeseries: a short range returns every epoch', () => {
  const start = S(nights[10]!.ms), end = S(nights[59]!.ms);
  const rows = timeseriesForRange(current, start, end);
  assert.deepEqual(rows.map((r) => r.t), nights.slice(10, 60).map((e) => e.ms / 1000));
});

test('sleep: every epoch staged by the stated thresholds, with summary and analysis', () => {
  const cache = new DaySummaryCache();
  const [start, end] = [S(nights[0]!.ms), S(nights[5759]!.ms)];
  const res = sleepForRange(current, start, end, cache);
  const night = nights.slice(0, 5760);
  assert.equal(res.epochs.length, 5760);
  const stages = night.map((e) => stageOf(e.metrics));
  res.epochs.forEach((ep, i) => {
    assert.equal(ep.utc, night[i]!.ms / 1000);
    assert.equal(ep.stage, stages[i]);
    assert.equal(ep.rel_alpha, night[i]!.metrics.rel_alpha);
  });
  const count = (code: number) => stages.filter((s) => s === code).length;
  assert.deepEqual(res.summary, {
    total_epochs: 5760, wake_epochs: count(0), n1_epochs: count(1), n2_epochs: count(2), n3_epochs: count(3), rem_epochs: count(4), epoch_secs: 5,
  });
  assert.ok(count(4) > 0 && count(3) > 0 && count(1) > 0, 'fixture covers every stage');
  // Recompute the analysis by walking the stages.
  let transitions = 0, awakenings = 0;
  for (let i = 1; i < stages.length; i++) {
    if (stages[i] !== stages[i - 1]) {
      transitions++;
      if (stages[i] === 0) awakenings++;
    }
  }
  const onset = stages.findIndex((s) => s !== 0);
  const firstRem = stages.findIndex((s, i) => i >= onset && s === 4);
  const a = res.analysis;
  assert.equal(a.transitions, transitions);
  assert.equal(a.awakenings, awakenings);
  assert.equal(a.efficiency_pct, Math.round(((5760 - count(0)) / 5760) * 10_000) / 100);
  assert.equal(a.onset_latency_min, Math.round(((night[onset]!.ms - night[0]!.ms) / 60_000) * 100) / 100);
  assert.equal(a.rem_latency_min, Math.round(((night[firstRem]!.ms - night[onset]!.ms) / 60_000) * 100) / 100);
  assert.equal(a.stage_minutes.total, 480);
  assert.equal(a.stage_minutes.rem, Math.round(((count(4) * 5) / 60) * 100) / 100);
  // Runs of 12 epochs (1 min) per stage in the fixture; consecutive runs of one stage merge.
  let runs = 0;
  for (let i = 0; i < stages.length; i++) if (stages[i] === 3 && stages[i - 1] !== 3) runs++;
  assert.equal(a.bouts.n3.count, runs);
  assert.equal(a.bouts.n3.max_min, 1);
});

test('legacy databases: 14- and 17-digit timestamps and *_score keys read as this daemon writes them', () => {
  const dir = tempData();
  const start = Date.UTC(2026, 2, 1, 1);
  // Reference-era mix: 5 s epochs (17 digits), ~4 Hz rows (unix ms) and March-2026 rows (14 digits).
  const epochs = makeEpochs({ startMs: start, count: 600, seed: 5 });
  const fast = makeEpochs({ startMs: start + 2_500, count: 400, stepMs: 250, seed: 6 });
  const rows = [...epochs, ...fast];
  writeDayDb(dir, rows, { legacy: true, encoding: (i) => (i < 300 ? 'c17' : i < 600 ? 'c14' : 'ms') });
  const db = new Database(path.join(dir, '20260301', 'eeg.sqlite'), { readonly: true });
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all();
  const sample = db.prepare('SELECT timestamp, metrics_json FROM embeddings ORDER BY id LIMIT 1').get() as { timestamp: number; metrics_json: string };
  db.close();
  assert.deepEqual(tables, ['embeddings']);
  assert.equal(String(sample.timestamp).length, 17);
  assert.ok('relaxation_score' in JSON.parse(sample.metrics_json) && !('relaxation' in JSON.parse(sample.metrics_json)));

  const cache = new DaySummaryCache();
  const [s, e] = [S(start) - 10, S(start) + 3600];
  const m = metricsForRange(dir, s, e, cache);
  const all = counted(rows, s, e);
  assert.equal(m.n_epochs, all.length, 'all rows of a legacy database count, as in the reference');
  const want = expectedMeans(all);
  for (const k of SESSION_METRIC_KEYS) close(m[k], want[k]!, k);
  assert.ok(m.relaxation > 0 && m.engagement > 0);

  // A sub-range whose ends cut summary buckets, across all three encodings.
  const [s2, e2] = [S(start) + 1_201, S(start) + 2_399];
  const m2 = metricsForRange(dir, s2, e2, cache);
  const part = counted(rows, s2, e2);
  assert.equal(m2.n_epochs, part.length);
  for (const k of SESSION_METRIC_KEYS) close(m2[k], expectedMeans(part)[k]!, k);

  // Sleep and timeseries in time order although the encodings do not sort by raw value.
  const sleep = sleepForRange(dir, s, e, cache);
  const byTime = [...all].sort((a, b) => a.ms - b.ms);
  assert.deepEqual(sleep.epochs.map((x) => x.utc), byTime.map((x) => Math.floor(x.ms / 1000)));
  assert.deepEqual(sleep.epochs.map((x) => x.stage), byTime.map((x) => stageOf(x.metrics)));
  const ts = timeseriesForRange(dir, s, e, 100);
  const step = Math.ceil(all.length / 100);
  assert.equal(ts.length, Math.ceil(all.length / step));
  assert.deepEqual(ts.map((r) => r.t), byTime.filter((_, i) => i % step === 0).map((x) => x.ms / 1000));
  assert.deepEqual(embeddingCount(dir, s, e), { count: all.length, embedded: 0 });
});

test('rows that do not count: NULL or non-object metrics, and both rel_delta and rel_theta zero', () => {
  const dir = tempData();
  const start = Date.UTC(2026, 3, 2, 3);
  const epochs = makeEpochs({ startMs: start, count: 40, seed: 9 });
  const zero = { ...epochs[0]!.metrics, rel_delta: 0, rel_theta: 0 };
  writeDayDb(dir, epochs, {
    rawRows: [
      { timestamp: start + 1_000, metrics_json: null },
      { timestamp: start + 2_000, metrics_json: 'not json' },
      { timestamp: start + 3_000, metrics_json: '[1,2,3]' },
      { timestamp: start + 4_000, metrics_json: JSON.stringify(zero) },
      { timestamp: start + 6_000, metrics_json: JSON.stringify({ rel_delta: 0.5, rel_theta: 'x', relaxation: null }) },
    ],
  });
  const cache = new DaySummaryCache();
  const [s, e] = [S(start), S(start) + 3600];
  const m = metricsForRange(dir, s, e, cache);
  // 40 epochs + the one with rel_delta 0.5 (its missing and non-numeric values read as 0).
  assert.equal(m.n_epochs, 41);
  close(m.rel_delta, (epochs.reduce((a, x) => a + x.metrics.rel_delta!, 0) + 0.5) / 41, 'rel_delta');
  close(m.relaxation, epochs.reduce((a, x) => a + x.metrics.relaxation!, 0) / 41, 'relaxation');
  assert.equal(sleepForRange(dir, s, e, cache).epochs.length, 41);
  assert.equal(timeseriesForRange(dir, s, e).length, 41);
  assert.equal(embeddingCount(dir, s, e).count, 45, 'embedding-count counts rows, whatever their metrics');
});

test('this daemon\'s band_snapshots rows never count as epochs', () => {
  const dir = tempData();
  const start = Date.UTC(2026, 4, 5, 10);
  const epochs = makeEpochs({ startMs: start, count: 24, seed: 3 });
  const snapshots = makeEpochs({ startMs: start, count: 480, stepMs: 250, seed: 4 });
  writeDayDb(dir, epochs, { snapshots });
  const m = metricsForRange(dir, S(start), S(start) + 600, new DaySummaryCache());
  assert.equal(m.n_epochs, 24);
  close(m.rel_beta, expectedMeans(epochs).rel_beta!, 'rel_beta');
});

test('a day summary is rebuilt when its database changes, and only then', () => {
  const dir = tempData();
  const start = Date.UTC(2026, 5, 6, 8);
  const first = makeEpochs({ startMs: start, count: 100, seed: 21 });
  writeDayDb(dir, first);
  const cache = new DaySummaryCache();
  const [s, e] = [S(start), S(start) + 7200];
  assert.equal(metricsForRange(dir, s, e, cache).n_epochs, 100);
  assert.equal(cache.size, 1);
  // The recorder appends while a client keeps asking.
  const more = makeEpochs({ startMs: start + 100 * 5_000, count: 50, seed: 22 });
  writeDayDb(dir, more);
  const m = metricsForRange(dir, s, e, cache);
  assert.equal(m.n_epochs, 150);
  close(m.mood, expectedMeans([...first, ...more]).mood!, 'mood');
  assert.equal(sleepForRange(dir, s, e, cache).epochs.length, 150);
  // Replaced by a smaller file: no stale summary survives.
  fs.rmSync(path.join(dir, '20260606'), { recursive: true });
  writeDayDb(dir, first.slice(0, 10));
  assert.equal(metricsForRange(dir, s, e, cache).n_epochs, 10);
});

test('the summary cache stays within its byte budget, newest kept', () => {
  const cache = new DaySummaryCache(1);
  const m = metricsForRange(current, S(DAY0), S(DAY0) + 3 * 86_400, cache);
  assert.equal(m.n_epochs, 11_520);
  assert.equal(cache.size, 1);
});

test('compare: stats over each range\'s timeseries, deltas of the means, and true epoch counts', () => {
  const cache = new DaySummaryCache();
  const a = [S(nights[0]!.ms), S(nights[5759]!.ms)] as const;
  const b = [S(nights[5760]!.ms), S(nights[11_519]!.ms)] as const;
  const res = compareRanges(current, { aStartUtc: a[0], aEndUtc: a[1], bStartUtc: b[0], bEndUtc: b[1] }, cache);
  assert.equal(res.n_epochs_a, 5760);
  assert.equal(res.n_epochs_b, 5760);
  assert.equal(Object.keys(res.deltas).length, 25);
  assert.equal(res.improved.length + res.declined.length + res.stable.length, 25);
  const meanA = expectedMeans(counted(nights, ...a)), meanB = expectedMeans(counted(nights, ...b));
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const d = res.deltas.stress!;
  assert.equal(d.a, r2(meanA.stress_index!));
  assert.equal(d.b, r2(meanB.stress_index!));
  const pct = ((meanB.stress_index! - meanA.stress_index!) / Math.abs(meanA.stress_index!)) * 100;
  assert.equal(d.pct, r2(pct));
  assert.equal(d.direction, pct > 5 ? 'up' : pct < -5 ? 'down' : 'stable');
  // Stats over the sampled rows of range A.
  const rowsA = timeseriesForRange(current, ...a).map((r) => r.ra);
  const sorted = [...rowsA].sort((x, y) => x - y);
  const st = res.stats_a.rel_alpha!;
  assert.equal(st.min, r2(sorted[0]!));
  assert.equal(st.max, r2(sorted.at(-1)!));
  assert.equal(st.p25, r2(sorted[Math.floor(sorted.length / 4)]!));
  const empty = compareRanges(current, { aStartUtc: 0, aEndUtc: 10, bStartUtc: 0, bEndUtc: 10 }, cache);
  assert.equal(empty.stats_a.relaxation, null);
  assert.equal(empty.deltas.relaxation!.direction, 'stable');
  assert.equal(empty.stable.length, 25);
});

test('embedding-count: every day folder of a multi-day range, embedded = rows with a vector', () => {
  const [start, end] = [S(DAY0), S(DAY0) + 3 * 86_400];
  const all = nights.filter((e) => e.ms >= start * 1000 && e.ms <= end * 1000);
  assert.deepEqual(embeddingCount(current, start, end), { count: all.length, embedded: all.filter((e) => e.embedding).length });
  // A range from the first to the last day: the reference looked at those two folders only.
  const res = embeddingCount(current, S(nights[0]!.ms), S(nights.at(-1)!.ms));
  assert.equal(res.count, 11_520);
});
