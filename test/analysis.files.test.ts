// Session-file analyses: csv-metrics and day-metrics (metrics CSV parsed by column names, cached
// beside it), location (the `.meta.jsonl` sidecar), and the rule that every client path must
// resolve inside the data directory — with nothing read or written when it does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnalysisError } from '../actors/analysis/analysisError.ts';
import { dayMetrics, loadCsvMetrics, sessionMetricsFiles } from '../actors/analysis/csvMetrics.ts';
import { resolveInsideDataDir } from '../actors/analysis/dataDirPath.ts';
import { downsampleRows } from '../actors/analysis/epochRow.ts';
import { parseMetricsCsv } from '../actors/analysis/metricsCsv.ts';
import { sessionLocation } from '../actors/analysis/sessionLocation.ts';
import { METRICS_CROSS_COLUMNS, metricsCsvHeader } from '../actors/store/csvLayout.ts';
import { makeMetricsCsvRows, writeMetricsCsv, type MetricsCsvRow } from './helpers/epochFixture.ts';

const CHANNELS = ['TP9', 'AF7', 'AF8', 'TP10'];

function tempRoot(): { root: string; data: string; outside: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-analysis-files-'));
  const data = path.join(root, 'data');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(path.join(data, '20260310'), { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  return { root, data, outside };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const relMean = (r: MetricsCsvRow, band: number) => mean(r.channels.map((c) => c[6 + band]!));

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
}

/** Every file under `dir` with its bytes and mtime, to prove a refused request touched nothing. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.lstatSync(p);
        out.push(`${p}:${st.size}:${st.mtimeMs}:${e.isSymbolicLink() ? fs.readlinkSync(p) : fs.readFileSync(p, 'utf8').length}`);
      }
    }
  };
  walk(dir);
  return out.sort().join('\n');
}

test('metrics CSV: summary and timeseries recomputed from the rows, columns found by name', () => {
  const rows = makeMetricsCsvRows(CHANNELS, 50, 1_773_100_000);
  const header = metricsCsvHeader(CHANNELS).split(',');
  // Same columns, shuffled: a reader going by position would mix them up.
  const shuffled = [header[0]!, ...header.slice(1).reverse()];
  for (const h of [header, shuffled]) {
    const { data } = tempRoot();
    const file = path.join(data, '20260310', 'exg_1773100000_metrics.csv');
    writeMetricsCsv(file, CHANNELS, rows, h);
    const res = parseMetricsCsv(fs.readFileSync(file, 'utf8'));
    assert.equal(res.n_rows, 50);
    assert.equal(res.summary.n_epochs, 50);
    assert.equal(res.timeseries.length, 50);
    close(res.summary.rel_alpha, mean(rows.map((r) => relMean(r, 2))), 'rel_alpha');
    close(res.summary.rel_high_gamma, mean(rows.map((r) => relMean(r, 5))), 'rel_high_gamma');
    close(res.summary.hr, mean(rows.map((r) => r.cross.hr_bpm!)), 'hr');
    close(res.summary.blink_count, mean(rows.map((r) => r.cross.blink_count!)), 'blink_count');
    close(res.summary.relaxation, mean(rows.map((r) => r.cross.relaxation!)), 'relaxation');
    const r7 = res.timeseries[7]!;
    assert.equal(r7.t, rows[7]!.t);
    close(r7.rd, relMean(rows[7]!, 0), 'rd');
    assert.equal(r7.spo2, rows[7]!.cross.spo2_pct);
    assert.equal(r7.sc, rows[7]!.cross.spectral_centroid);
    assert.equal(r7.drow, rows[7]!.cross.drowsiness);
  }
});

test('metrics CSV: the reference layout (no score columns) derives relaxation and engagement; a cut last line is ignored', () => {
  const { data } = tempRoot();
  const file = path.join(data, '20260310', 'exg_1_metrics.csv');
  const rows = makeMetricsCsvRows(CHANNELS, 10, 1_773_100_000);
  const refHeader = metricsCsvHeader(CHANNELS).split(',').filter((c) => !['focus', 'relaxation', 'engagement'].includes(c));
  assert.equal(refHeader.length, 95, 'the reference\'s fixed 4-channel layout');
  writeMetricsCsv(file, CHANNELS, rows, refHeader);
  fs.appendFileSync(file, '1773100003.000000,0.1,0.2');
  const res = parseMetricsCsv(fs.readFileSync(file, 'utf8'));
  assert.equal(res.n_rows, 10);
  // mean α / (mean α + mean β) · 100 and sigmoid100(mean β / (mean α + mean θ), 2, 0.8).
  const r = rows[3]!;
  const a = relMean(r, 2), b = relMean(r, 3), t = relMean(r, 1);
  close(res.timeseries[3]!.relaxation, (a / (a + b)) * 100, 'relaxation');
  close(res.timeseries[3]!.engagement, 100 / (1 + Math.exp(-2 * (b / (a + t) - 0.8))), 'engagement');
  assert.equal(parseMetricsCsv('').n_rows, 0);
  assert.equal(parseMetricsCsv('timestamp_s,faa\n').n_rows, 0);
});

test('every cross-channel CSV column that has a metric reaches the summary', () => {
  const rows = makeMetricsCsvRows(['Cz'], 3, 1_773_100_000);
  const { data } = tempRoot();
  const file = path.join(data, '20260310', 'exg_9_metrics.csv');
  writeMetricsCsv(file, ['Cz'], rows);
  const res = parseMetricsCsv(fs.readFileSync(file, 'utf8'));
  for (const [column, key] of METRICS_CROSS_COLUMNS) {
    if (!key || key === 'focus') continue;
    close((res.summary as Record<string, number>)[key]!, mean(rows.map((r) => r.cross[column]!)), column);
  }
});

test('csv-metrics: cached beside the session, reused while newer than the CSV, rebuilt after it changes', () => {
  const { data } = tempRoot();
  const csv = path.join(data, '20260310', 'exg_1773100000.csv');
  fs.writeFileSync(csv, 'timestamp_s,TP9\n');
  const metrics = path.join(data, '20260310', 'exg_1773100000_metrics.csv');
  const cache = path.join(data, '20260310', 'exg_1773100000_metrics_cache.json');
  writeMetricsCsv(metrics, CHANNELS, makeMetricsCsvRows(CHANNELS, 20, 1_773_100_000));
  const files = sessionMetricsFiles(data, csv);
  const first = loadCsvMetrics(files)!;
  assert.equal(first.n_rows, 20);
  assert.ok(fs.existsSync(cache));
  assert.deepEqual(JSON.parse(fs.readFileSync(cache, 'utf8')), JSON.parse(JSON.stringify(first)));
  // A planted cache that is newer than the CSV is served as it is…
  const planted = { ...first, n_rows: 12345 };
  fs.writeFileSync(cache, JSON.stringify(planted));
  assert.equal(loadCsvMetrics(files)!.n_rows, 12345);
  // …until the CSV is newer again.
  writeMetricsCsv(metrics, CHANNELS, makeMetricsCsvRows(CHANNELS, 30, 1_773_100_000));
  const later = new Date(Date.now() + 5_000);
  fs.utimesSync(metrics, later, later);
  assert.equal(loadCsvMetrics(files)!.n_rows, 30);
  // A relative path is taken from the data directory.
  assert.equal(loadCsvMetrics(sessionMetricsFiles(data, '20260310/exg_1773100000.csv'))!.n_rows, 30);
  // No metrics file: nothing to report.
  assert.equal(loadCsvMetrics(sessionMetricsFiles(data, '20260310/exg_42.csv')), null);
});

test('day-metrics: results keyed by the paths as sent, downsampled, sessions without metrics left out', () => {
  const { data } = tempRoot();
  const a = path.join(data, '20260310', 'exg_100.csv');
  writeMetricsCsv(path.join(data, '20260310', 'exg_100_metrics.csv'), CHANNELS, makeMetricsCsvRows(CHANNELS, 1000, 100));
  writeMetricsCsv(path.join(data, '20260310', 'muse_200_metrics.csv'), CHANNELS, makeMetricsCsvRows(CHANNELS, 5, 200));
  const res = dayMetrics(data, [a, '20260310/muse_200.csv', '20260310/exg_300.csv'], 360);
  assert.deepEqual(Object.keys(res), [a, '20260310/muse_200.csv']);
  assert.equal(res[a]!.n_rows, 1000);
  assert.equal(res[a]!.timeseries.length, 360);
  assert.equal(res[a]!.timeseries[0]!.t, 100);
  assert.equal(res[a]!.timeseries[359]!.t, 100 + 999 * 0.25);
  assert.equal(res['20260310/muse_200.csv']!.timeseries.length, 5);
  const idx = downsampleRows([...Array(10).keys()], 4);
  assert.deepEqual(idx, [0, 3, 6, 9]);
});

test('paths outside the data directory are refused before anything is read or written', () => {
  const { root, data, outside } = tempRoot();
  // A session that exists outside, with a metrics CSV an attacker would like parsed and a cache written.
  writeMetricsCsv(path.join(outside, 'exg_1_metrics.csv'), CHANNELS, makeMetricsCsvRows(CHANNELS, 5, 1));
  fs.writeFileSync(path.join(outside, 'exg_1.meta.jsonl'), '{"type":"location","timestamp":5,"latitude":1,"longitude":2}\n');
  // Symlinks inside the data directory that lead out: a file, a day folder, and a metrics CSV.
  fs.symlinkSync(path.join(outside, 'exg_1.csv'), path.join(data, '20260310', 'exg_2.csv'));
  fs.symlinkSync(outside, path.join(data, '20260311'));
  fs.writeFileSync(path.join(data, '20260310', 'exg_3.csv'), '');
  fs.symlinkSync(path.join(outside, 'exg_1_metrics.csv'), path.join(data, '20260310', 'exg_3_metrics.csv'));
  fs.writeFileSync(path.join(data, '20260310', 'exg_4.csv'), '');
  fs.symlinkSync(path.join(outside, 'exg_1.meta.jsonl'), path.join(data, '20260310', 'exg_4.meta.jsonl'));
  const before = snapshot(root);
  const refused = [
    '../../etc/passwd', '/etc/passwd', path.join(outside, 'exg_1.csv'), '../outside/exg_1.csv', '20260310/../../outside/exg_1.csv',
    path.join(data, '20260310', 'exg_2.csv'), '20260311/exg_1.csv', '20260310/exg_3.csv', '.', data, '',
  ];
  for (const p of refused) {
    assert.throws(() => loadCsvMetrics(sessionMetricsFiles(data, p)), (e: unknown) => e instanceof AnalysisError && e.code === 'forbidden_path', p);
    assert.throws(() => dayMetrics(data, ['20260310/exg_9.csv', p], 10), AnalysisError, p);
  }
  for (const p of ['../outside/exg_1.csv', '20260311/exg_1.csv', '20260310/exg_4.csv']) {
    assert.throws(() => sessionLocation(data, p, 0, 10), AnalysisError, p);
  }
  assert.equal(snapshot(root), before, 'no file read into a cache, none written');
  // Inside is fine, even where the file does not exist yet.
  assert.equal(resolveInsideDataDir(data, '20260310/exg_7.csv'), path.join(fs.realpathSync(data), '20260310', 'exg_7.csv'));
  assert.equal(resolveInsideDataDir(data, 'new/deeper/x.csv'), path.join(fs.realpathSync(data), 'new', 'deeper', 'x.csv'));
  // A name longer than the file system allows cannot exist: it is a missing file, not an error.
  const long = '🧠'.repeat(300);
  assert.equal(resolveInsideDataDir(data, long), path.join(fs.realpathSync(data), long), 'an over-long name resolves as missing');
  assert.equal(loadCsvMetrics(sessionMetricsFiles(data, long)), null, 'and reads as no metrics');
});

test('a data directory reached through a symlink still accepts its own files', () => {
  const { root, data } = tempRoot();
  const link = path.join(root, 'link-to-data');
  fs.symlinkSync(data, link);
  writeMetricsCsv(path.join(data, '20260310', 'exg_5_metrics.csv'), CHANNELS, makeMetricsCsvRows(CHANNELS, 4, 5));
  assert.equal(loadCsvMetrics(sessionMetricsFiles(link, path.join(data, '20260310', 'exg_5.csv')))!.n_rows, 4);
  assert.equal(loadCsvMetrics(sessionMetricsFiles(data, path.join(link, '20260310', 'exg_5.csv')))!.n_rows, 4);
});

test('location: valid fixes in range, sorted by time, missing numbers as 0', () => {
  const { data } = tempRoot();
  const csv = path.join(data, '20260310', 'exg_1773100000.csv');
  const lines = [
    { type: 'location', timestamp: 50, latitude: 1, longitude: 2, altitude: 30, accuracy: 4, speed: 1.5 },
    { type: 'location', timestamp: 30, latitude: 1.5, longitude: 2.5 },
    { type: 'location', timestamp: 40, latitude: 91, longitude: 2 },
    { type: 'location', timestamp: 41, latitude: 10, longitude: -181 },
    { type: 'location', timestamp: 42, latitude: '10', longitude: 3 },
    { type: 'location', timestamp: 5, latitude: 1, longitude: 2 },
    { type: 'other', timestamp: 35, latitude: 1, longitude: 2 },
  ].map((l) => JSON.stringify(l));
  fs.writeFileSync(path.join(data, '20260310', 'exg_1773100000.meta.jsonl'), [...lines, 'not json', '', 'null'].join('\n'));
  assert.deepEqual(sessionLocation(data, csv, 10, 60), [
    { ts: 30, lat: 1.5, lon: 2.5, alt: 0, accuracy: 0, speed: 0 },
    { ts: 50, lat: 1, lon: 2, alt: 30, accuracy: 4, speed: 1.5 },
  ]);
  assert.deepEqual(sessionLocation(data, path.join(data, '20260310', 'exg_2.csv'), 0, 100), []);
});
