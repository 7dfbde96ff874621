// POST /v1/analysis/csv-metrics and day-metrics (notes §7.5): a session's metrics CSV parsed, or
// its cache `<stem>_metrics_cache.json` when that is at least as new as the CSV. The cache is
// written atomically (temp file + rename, so a reader never sees half of it, and a symlink planted
// at its name is replaced, never followed). Every path — the session CSV, its metrics CSV, the
// cache — must resolve inside the data directory, all checked before anything is read or written.
import fs from 'node:fs';
import { writeFileAtomic } from '../store/atomicFile.ts';
import { sessionPart } from '../store/sessionFiles.ts';
import { resolveInsideDataDir } from './dataDirPath.ts';
import { downsampleRows } from './epochRow.ts';
import { parseMetricsCsv, type CsvMetricsResult } from './metricsCsv.ts';

export const DAY_METRICS_TS_POINTS = 360;

interface SessionMetricsFiles {
  metrics: string;
  cache: string;
}

/** The metrics CSV and cache of the session whose raw CSV is `csvPath`; throws `forbidden_path`. */
export function sessionMetricsFiles(dataDir: string, csvPath: string): SessionMetricsFiles {
  const csv = resolveInsideDataDir(dataDir, csvPath);
  return {
    metrics: resolveInsideDataDir(dataDir, sessionPart(csv, 'metrics')),
    cache: resolveInsideDataDir(dataDir, `${csv.replace(/\.csv$/, '')}_metrics_cache.json`),
  };
}

function readCache(cacheFile: string, metricsMtimeMs: number): CsvMetricsResult | null {
  try {
    if (fs.statSync(cacheFile).mtimeMs < metricsMtimeMs) return null;
    const v = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Partial<CsvMetricsResult> | null;
    if (!v || typeof v.n_rows !== 'number' || typeof v.summary !== 'object' || !Array.isArray(v.timeseries)) return null;
    return v as CsvMetricsResult;
  } catch {
    return null;
  }
}

/** The session's metrics, or null when it has no metrics CSV. */
export function loadCsvMetrics(files: SessionMetricsFiles): CsvMetricsResult | null {
  let mtimeMs: number;
  try {
    const st = fs.statSync(files.metrics);
    if (!st.isFile()) return null;
    mtimeMs = st.mtimeMs;
  } catch {
    return null;
  }
  const cached = readCache(files.cache, mtimeMs);
  if (cached) return cached;
  const result = parseMetricsCsv(fs.readFileSync(files.metrics, 'utf8'));
  try {
    writeFileAtomic(files.cache, JSON.stringify(result), { mode: 0o600 });
  } catch {
    // A read-only folder only costs the next call a re-parse.
  }
  return result;
}

/** day-metrics: every session's result keyed by the path as sent, timeseries downsampled; sessions without metrics are left out. */
export function dayMetrics(dataDir: string, csvPaths: readonly string[], maxTsPoints: number): Record<string, CsvMetricsResult> {
  const files = csvPaths.map((p) => [p, sessionMetricsFiles(dataDir, p)] as const);
  const out: Record<string, CsvMetricsResult> = {};
  for (const [p, f] of files) {
    const r = loadCsvMetrics(f);
    if (r) out[p] = { ...r, timeseries: downsampleRows(r.timeseries, maxTsPoints) };
  }
  return out;
}
