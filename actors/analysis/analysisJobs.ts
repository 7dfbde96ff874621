// Everything an analysis worker can be asked to do, by name. Each job reads the data directory
// it is given and returns plain JSON-able data; the worker encodes it, so the main thread only
// forwards bytes. Tests and the benchmark call these same functions directly.
import { compareRanges, type CompareRequest } from './compareRanges.ts';
import { dayMetrics, loadCsvMetrics, sessionMetricsFiles } from './csvMetrics.ts';
import type { DaySummaryCache } from './daySummaryCache.ts';
import { embeddingCount } from './embeddingCount.ts';
import { emptyCsvMetrics } from './metricsCsv.ts';
import { metricsForRange } from './rangeMetrics.ts';
import { sleepForRange } from './rangeSleep.ts';
import { timeseriesForRange } from './rangeTimeseries.ts';
import { umapInputDigest } from './umapInputDigest.ts';
import type { UmapRanges } from './umapProjection.ts';
import { sessionLocation } from './sessionLocation.ts';

export interface JobContext {
  dataDir: string;
  /** Day summaries kept by this worker between jobs. */
  cache: DaySummaryCache;
}

/** Unix seconds, inclusive. */
export interface TimeRange {
  startUtc: number;
  endUtc: number;
}

export const ANALYSIS_JOBS = {
  metrics: (r: TimeRange, c: JobContext) => metricsForRange(c.dataDir, r.startUtc, r.endUtc, c.cache),
  timeseries: (r: TimeRange, c: JobContext) => timeseriesForRange(c.dataDir, r.startUtc, r.endUtc),
  sleep: (r: TimeRange, c: JobContext) => sleepForRange(c.dataDir, r.startUtc, r.endUtc, c.cache),
  compare: (r: CompareRequest, c: JobContext) => compareRanges(c.dataDir, r, c.cache),
  csvMetrics: (r: { csvPath: string }, c: JobContext) => loadCsvMetrics(sessionMetricsFiles(c.dataDir, r.csvPath)) ?? emptyCsvMetrics(),
  dayMetrics: (r: { csvPaths: string[]; maxTsPoints: number }, c: JobContext) => dayMetrics(c.dataDir, r.csvPaths, r.maxTsPoints),
  location: (r: TimeRange & { csvPath: string }, c: JobContext) => sessionLocation(c.dataDir, r.csvPath, r.startUtc, r.endUtc),
  embeddingCount: (r: TimeRange, c: JobContext) => embeddingCount(c.dataDir, r.startUtc, r.endUtc),
  umapInputDigest: (r: UmapRanges, c: JobContext) => ({ digest: umapInputDigest(c.dataDir, r) }),
} satisfies Record<string, (args: never, ctx: JobContext) => unknown>;

export type AnalysisJobName = keyof typeof ANALYSIS_JOBS;
export type AnalysisJobArgs<J extends AnalysisJobName> = Parameters<(typeof ANALYSIS_JOBS)[J]>[0];
