// Analysis over a month of history: `metrics`, `timeseries` and `sleep` over 30 days × 8 h of
// 5 s epochs (172,800 rows in 30 day databases), in epochs per second of wall time. The baseline,
// measured in the same run on the same files, reads everything: every day database, every row and
// column (`SELECT *`), `metrics_json` parsed for each row in JS, the range filtered in JS, then the
// same computation (means; every step-th row; staging with summary and analysis).
//
// The analysis reads each day once into a summary (daySummary.ts) that later queries reuse, so
// both a cold figure (fresh cache: what the first query after a start costs) and a warm one are
// reported, plus the warm figures through the worker pool (JSON encoded in the worker, bytes
// handed to the main thread) as a route sees them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AnalysisPool } from '../actors/analysis/analysisPool.ts';
import { DaySummaryCache } from '../actors/analysis/daySummaryCache.ts';
import { epochRowOf, type EpochRow } from '../actors/analysis/epochRow.ts';
import { metricsForRange } from '../actors/analysis/rangeMetrics.ts';
import { sleepForRange, type SleepStages } from '../actors/analysis/rangeSleep.ts';
import { TIMESERIES_MAX_ROWS, timeseriesForRange } from '../actors/analysis/rangeTimeseries.ts';
import { SESSION_METRIC_KEYS, sessionMetricsOfSums, type SessionMetrics } from '../actors/analysis/sessionMetrics.ts';
import { analyzeSleep } from '../actors/analysis/sleepAnalysis.ts';
import { classifyEpoch, summarizeStages, type SleepEpoch } from '../actors/analysis/sleepStages.ts';
import { listDayDirs } from '../actors/store/dayDirs.ts';
import { readMetrics, type EpochMetrics } from '../actors/store/epochMetrics.ts';
import { storedToUnixMs } from '../actors/store/timestamps.ts';
import { makeEpochs, writeDayDb } from '../test/helpers/epochFixture.ts';
import { compared, formatValue, median, runWhenMain, type BenchmarkOutcome, type Figure } from './figure.ts';
import { watchForeignLoad } from './foreignLoad.ts';

const DAYS = 30;
const HOURS = 8;
const ROUNDS = 3;
const FIRST_DAY = Date.UTC(2026, 0, 5);

function log(line: string): void {
  process.stderr.write(`history: ${line}\n`);
}

async function secondsAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** 30 day folders, each with 8 h (09:00–17:00 UTC) of 5 s epochs; a few embedded. */
function generate(dataDir: string): number {
  let rows = 0;
  for (let d = 0; d < DAYS; d++) {
    const epochs = makeEpochs({ startMs: FIRST_DAY + d * 86_400_000 + 9 * 3_600_000, count: (HOURS * 3600) / 5, seed: 1000 + d, embedEvery: 10 });
    writeDayDb(dataDir, epochs);
    rows += epochs.length;
  }
  return rows;
}

// ── The read-everything baseline ────────────────────────────────────────────────────────────────

/** Every row of every day database, JSON parsed, kept when in range and counting. */
function readEverything(dataDir: string, startS: number, endS: number): Array<{ ms: number; m: EpochMetrics }> {
  const out: Array<{ ms: number; m: EpochMetrics }> = [];
  for (const dir of listDayDirs(dataDir)) {
    const db = new Database(path.join(dir, 'eeg.sqlite'), { readonly: true });
    for (const row of db.prepare('SELECT * FROM embeddings').all() as Array<{ timestamp: number; metrics_json: string | null }>) {
      const m = readMetrics(row.metrics_json);
      const ms = storedToUnixMs(row.timestamp);
      if (!m || ms < startS * 1000 || ms > endS * 1000 || (m.rel_delta === 0 && m.rel_theta === 0)) continue;
      out.push({ ms, m });
    }
    db.close();
  }
  return out.sort((a, b) => a.ms - b.ms);
}

function naiveMetrics(dataDir: string, startS: number, endS: number): SessionMetrics {
  const rows = readEverything(dataDir, startS, endS);
  const sums = SESSION_METRIC_KEYS.map((k) => rows.reduce((a, r) => a + r.m[k], 0));
  return sessionMetricsOfSums(rows.length, sums);
}

function naiveTimeseries(dataDir: string, startS: number, endS: number): EpochRow[] {
  const rows = readEverything(dataDir, startS, endS);
  const step = Math.max(1, Math.ceil(rows.length / TIMESERIES_MAX_ROWS));
  return rows.filter((_, i) => i % step === 0).map((r) => epochRowOf(r.ms / 1000, (k) => r.m[k]));
}

function naiveSleep(dataDir: string, startS: number, endS: number): SleepStages {
  const epochs: SleepEpoch[] = readEverything(dataDir, startS, endS).map(({ ms, m }) => ({
    utc: Math.floor(ms / 1000), stage: classifyEpoch(m.rel_delta, m.rel_theta, m.rel_alpha, m.rel_beta),
    rel_delta: m.rel_delta, rel_theta: m.rel_theta, rel_alpha: m.rel_alpha, rel_beta: m.rel_beta,
  }));
  const summary = summarizeStages(epochs);
  return { epochs, summary, analysis: analyzeSleep(epochs, summary) };
}

// ── The run ─────────────────────────────────────────────────────────────────────────────────────

/** The first round's answers must equal the baseline's, or the figures compare different work. */
function checkSame(what: string, answer: unknown, baseline: unknown): void {
  const a = JSON.stringify(answer, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v));
  const b = JSON.stringify(baseline, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v));
  if (a !== b) throw new Error(`${what} differs from the read-everything answer`);
}

function timed<T>(out: number[], f: () => T): T {
  const t0 = process.hrtime.bigint();
  const v = f();
  out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  return v;
}

export async function run(): Promise<BenchmarkOutcome> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-history-'));
  const pool = new AnalysisPool({ size: 1 });
  try {
    let t0 = performance.now();
    const rows = generate(dataDir);
    const bytes = listDayDirs(dataDir).reduce((a, d) => a + fs.statSync(path.join(d, 'eeg.sqlite')).size, 0);
    log(`generated ${rows} epochs in ${DAYS} day databases (${formatValue(bytes / 1e6)} MB) in ${formatValue((performance.now() - t0) / 1000)} s`);
    const startS = FIRST_DAY / 1000, endS = startS + DAYS * 86_400;

    const range = { startUtc: startS, endUtc: endS };
    await pool.run('metrics', dataDir, range); // the worker's first job builds its summaries
    const t = {
      naiveMetrics: [] as number[], metricsCold: [] as number[], metricsWarm: [] as number[], poolMetrics: [] as number[],
      naiveTimeseries: [] as number[], timeseries: [] as number[], poolTimeseries: [] as number[],
      naiveSleep: [] as number[], sleepCold: [] as number[], sleepWarm: [] as number[], poolSleep: [] as number[],
    };
    let sleepBytes = 0;
    const foreign = watchForeignLoad([]);
    for (let r = 0; r < ROUNDS; r++) {
      const cache = new DaySummaryCache(), fresh = new DaySummaryCache();
      const nm = timed(t.naiveMetrics, () => naiveMetrics(dataDir, startS, endS));
      const m = timed(t.metricsCold, () => metricsForRange(dataDir, startS, endS, cache));
      timed(t.metricsWarm, () => metricsForRange(dataDir, startS, endS, cache));
      t.poolMetrics.push(await secondsAsync(() => pool.run('metrics', dataDir, range)));
      const nts = timed(t.naiveTimeseries, () => naiveTimeseries(dataDir, startS, endS));
      const ts = timed(t.timeseries, () => timeseriesForRange(dataDir, startS, endS));
      t.poolTimeseries.push(await secondsAsync(() => pool.run('timeseries', dataDir, range)));
      const nsl = timed(t.naiveSleep, () => naiveSleep(dataDir, startS, endS));
      const sl = timed(t.sleepCold, () => sleepForRange(dataDir, startS, endS, fresh));
      timed(t.sleepWarm, () => sleepForRange(dataDir, startS, endS, fresh));
      if (r === 0) {
        checkSame('metrics', m, nm);
        checkSame('timeseries', ts, nts);
        checkSame('sleep', sl, nsl);
      }
      t.poolSleep.push(await secondsAsync(async () => (sleepBytes = (await pool.run('sleep', dataDir, range)).length)));
      log(`round ${r + 1}/${ROUNDS}: metrics naive ${formatValue(t.naiveMetrics[r]! * 1000)} ms, cold ${formatValue(t.metricsCold[r]! * 1000)} ms, warm ${formatValue(t.metricsWarm[r]! * 1000)} ms; ` +
        `timeseries naive ${formatValue(t.naiveTimeseries[r]! * 1000)} ms, ${formatValue(t.timeseries[r]! * 1000)} ms; ` +
        `sleep naive ${formatValue(t.naiveSleep[r]! * 1000)} ms, cold ${formatValue(t.sleepCold[r]! * 1000)} ms, warm ${formatValue(t.sleepWarm[r]! * 1000)} ms`);
    }

    const foreignCores = foreign.stop();
    const rate = (xs: number[]) => rows / median(xs);
    const unit = 'epochs/s';
    const base = (name: string, xs: number[]) => ({ name, value: rate(xs) });
    const figures: Figure[] = [
      compared('metrics, cold (first query)', rate(t.metricsCold), unit, base('read everything', t.naiveMetrics), 1),
      compared('metrics, warm', rate(t.metricsWarm), unit, base('read everything', t.naiveMetrics), 50),
      compared('metrics, warm, through the worker pool', rate(t.poolMetrics), unit, base('read everything', t.naiveMetrics), 20),
      compared('timeseries (≤ 800 rows)', rate(t.timeseries), unit, base('read everything', t.naiveTimeseries), 10),
      compared('timeseries, through the worker pool', rate(t.poolTimeseries), unit, base('read everything', t.naiveTimeseries), 10),
      compared('sleep, cold (first query)', rate(t.sleepCold), unit, base('read everything', t.naiveSleep), 1),
      compared('sleep, warm', rate(t.sleepWarm), unit, base('read everything', t.naiveSleep), 5),
      compared('sleep, warm, through the worker pool', rate(t.poolSleep), unit, base('read everything', t.naiveSleep), 2),
    ];
    const range_ = (xs: number[]) => `${formatValue(Math.min(...xs) * 1000)}–${formatValue(Math.max(...xs) * 1000)} ms`;
    const notes = [
      `Data: ${DAYS} day databases in this daemon's layout, each with ${HOURS} h of 5 s epochs (09:00–17:00 UTC): ${rows} rows of 56-key metrics_json (${formatValue(bytes / 1e6)} MB on disk, in the OS page cache after generation). Every query covers the whole month.`,
      `Value = epochs in range / median wall time of ${ROUNDS} rounds; each round runs every variant once, baseline first. Cold = a fresh day-summary cache; warm = the same query again on it. Pool figures include JSON encoding in the worker and the transfer of the bytes (sleep: ${formatValue(sleepBytes / 1e6)} MB of JSON for ${rows} staged epochs).`,
      ...(foreignCores === null ? [] : [`Other processes used ${formatValue(foreignCores * 100)}% of a core on average during the rounds (the machine has ${os.availableParallelism()} cores); no round was repeated for it.`]),
      `The first round's answers of metrics, timeseries and sleep were checked equal to the baseline's (to 12 significant digits: sums run in a different order).`,
      `Wall times: metrics baseline ${range_(t.naiveMetrics)}, cold ${range_(t.metricsCold)}, warm ${range_(t.metricsWarm)}, pool ${range_(t.poolMetrics)}; timeseries baseline ${range_(t.naiveTimeseries)}, direct ${range_(t.timeseries)}, pool ${range_(t.poolTimeseries)}; sleep baseline ${range_(t.naiveSleep)}, cold ${range_(t.sleepCold)}, warm ${range_(t.sleepWarm)}, pool ${range_(t.poolSleep)}.`,
    ];
    return { figures, notes };
  } finally {
    await pool.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node --import tsx bench/history.ts` runs it alone.
await runWhenMain(import.meta.url, run);
