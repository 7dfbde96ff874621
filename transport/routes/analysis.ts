// Analysis routes over the per-day databases and session CSVs (notes §7). Every job runs on the
// analysis worker pool with read-only connections; the reply is the worker's JSON as it is.
// Bodies are the reference's camelCase (snake_case works too); times are unix seconds, inclusive.
import * as z from 'zod';
import { AnalysisError } from '../../actors/analysis/analysisError.ts';
import type { AnalysisJobArgs, AnalysisJobName } from '../../actors/analysis/analysisJobs.ts';
import { AnalysisPool, AnalysisWorkerCrash } from '../../actors/analysis/analysisPool.ts';
import { DAY_METRICS_TS_POINTS } from '../../actors/analysis/csvMetrics.ts';
import { UmapProjections } from '../../actors/analysis/umapProjections.ts';
import { UmapFailure, UmapTimeout } from '../../actors/analysis/umapRunner.ts';
import { readSection } from '../../actors/settings/settingsSection.ts';
import { umapConfigSection } from '../../actors/settings/umapConfig.ts';
import { HttpError } from '../errors.ts';
import { RawReply, route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** 9999-12-31T23:59:59Z: the last second the reference's `YYYYMMDDHHmmss` encoding can hold. */
const MAX_UNIX_SECS = 253_402_300_799;
const unixSecs = z.number().int().min(0).max(MAX_UNIX_SECS);
const sessionPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'must not contain NUL');

const ordered = (start: string, end: string) => ({ message: `${end} must not be before ${start}`, path: [end] });

const timeRange = z.object({ startUtc: unixSecs, endUtc: unixSecs })
  .refine((r) => r.startUtc <= r.endUtc, ordered('startUtc', 'endUtc'));
const compareBody = z.object({ aStartUtc: unixSecs, aEndUtc: unixSecs, bStartUtc: unixSecs, bEndUtc: unixSecs })
  .refine((r) => r.aStartUtc <= r.aEndUtc, ordered('aStartUtc', 'aEndUtc'))
  .refine((r) => r.bStartUtc <= r.bEndUtc, ordered('bStartUtc', 'bEndUtc'));
const locationBody = z.object({ csvPath: sessionPath, startUtc: unixSecs, endUtc: unixSecs })
  .refine((r) => r.startUtc <= r.endUtc, ordered('startUtc', 'endUtc'));

function httpErrorOf(err: unknown): unknown {
  if (err instanceof AnalysisError) return new HttpError(403, err.code, err.message);
  if (err instanceof AnalysisWorkerCrash) return new HttpError(500, 'analysis_worker_crashed', err.message);
  if (err instanceof UmapTimeout) return new HttpError(504, 'umap_timeout', err.message);
  if (err instanceof UmapFailure) return new HttpError(500, 'umap_failed', err.message);
  if (err instanceof Error && !(err instanceof HttpError)) return new HttpError(500, 'analysis_failed', `analysis failed: ${err.message}`);
  return err;
}

export function analysisRoutes(s: RouteServices): Route[] {
  let pool: AnalysisPool | null = null;
  const run = async <J extends AnalysisJobName>(job: J, args: AnalysisJobArgs<J>, signal: AbortSignal) => {
    pool ??= new AnalysisPool();
    try {
      return new RawReply(200, 'application/json', await pool.run(job, s.config.dataDir, args, signal));
    } catch (err) {
      throw httpErrorOf(err);
    }
  };
  let umap: UmapProjections | null = null;
  const projections = () => (umap ??= new UmapProjections({
    dataDir: s.config.dataDir,
    bus: s.bus,
    config: () => readSection(s.settings.get(), umapConfigSection),
    inputDigest: async (ranges, signal) => {
      pool ??= new AnalysisPool();
      const json = await pool.run('umapInputDigest', s.config.dataDir, ranges, signal);
      return (JSON.parse(new TextDecoder().decode(json)) as { digest: string }).digest;
    },
  }));
  return [
    route({
      method: 'POST', path: '/v1/analysis/metrics', scope: 'acl',
      summary: 'Means over the 5 s epochs of `{startUtc, endUtc}`: `{n_epochs, rel_delta, …, drowsiness}` (50 metrics); `n_epochs` 0 and zeros when the range is empty.',
      body: timeRange,
      handler: ({ body, signal }) => run('metrics', body, signal),
    }),
    route({
      method: 'POST', path: '/v1/analysis/timeseries', scope: 'acl',
      summary: 'Epochs of `{startUtc, endUtc}` as `[{t, rd, rt, ra, rb, rg, relaxation, …}]`, at most 800, evenly sampled over the range inside SQLite.',
      body: timeRange,
      handler: ({ body, signal }) => run('timeseries', body, signal),
    }),
    route({
      method: 'POST', path: '/v1/analysis/sleep', scope: 'acl',
      summary: 'Sleep stages of every epoch of `{startUtc, endUtc}` (0 Wake, 1 N1, 2 N2, 3 N3, 4 REM): `{epochs, summary, analysis}`, `analysis` = efficiency, onset and REM latency, stage minutes, transitions, awakenings, bouts.',
      body: timeRange,
      handler: ({ body, signal }) => run('sleep', body, signal),
    }),
    route({
      method: 'POST', path: '/v1/analysis/compare', scope: 'acl',
      summary: 'Two ranges `{aStartUtc, aEndUtc, bStartUtc, bEndUtc}` compared: `{stats_a, stats_b, deltas, improved, declined, stable, n_epochs_a, n_epochs_b}`.',
      body: compareBody,
      handler: ({ body, signal }) => run('compare', body, signal),
    }),
    route({
      method: 'POST', path: '/v1/analysis/umap', scope: 'acl',
      summary: 'UMAP 3-D layout of the embeddings of two ranges `{aStartUtc, aEndUtc, bStartUtc, bEndUtc}`: `{points:[{x,y,z,session,utc,label?}], n_a, n_b, dim, analysis:{centroids, spreads, separation_score, outliers}, …}`, or `reason` with fewer than 5 embeddings. Parameters from umap-config; cached per inputs and parameters (`cached: true`); progress as `umap-progress` events; 504 `umap_timeout` after `timeout_secs`.',
      body: compareBody,
      handler: async ({ body, signal }) => {
        try {
          const answer = await projections().project(body, signal);
          return answer.kind === 'fresh' ? new RawReply(200, 'application/json', answer.json) : answer.value;
        } catch (err) {
          throw httpErrorOf(err);
        }
      },
    }),
    route({
      method: 'POST', path: '/v1/analysis/csv-metrics', scope: 'acl',
      summary: 'A session\'s metrics CSV `{csvPath}` as `{n_rows, summary, timeseries}` (cached beside it); paths outside the data directory get 403 `forbidden_path`.',
      body: z.object({ csvPath: sessionPath }),
      handler: ({ body, signal }) => run('csvMetrics', body, signal),
    }),
    route({
      method: 'POST', path: '/v1/analysis/day-metrics', scope: 'acl',
      summary: '`{csvPaths[], maxTsPoints=360}` → `{<csvPath>: {n_rows, summary, timeseries}}`, each timeseries downsampled; sessions without metrics are left out; 403 if any path is outside the data directory.',
      body: z.object({
        csvPaths: z.array(sessionPath).max(256),
        maxTsPoints: z.number().int().min(2).max(100_000).default(DAY_METRICS_TS_POINTS),
      }),
      handler: ({ body, signal }) => run('dayMetrics', body, signal),
    }),
    route({
      method: 'POST', path: '/v1/analysis/location', scope: 'acl',
      summary: 'Location fixes of session `{csvPath, startUtc, endUtc}` from its `.meta.jsonl`: `[{ts, lat, lon, alt, accuracy, speed}]` by time; 403 outside the data directory.',
      body: locationBody,
      handler: ({ body, signal }) => run('location', body, signal),
    }),
    route({
      method: 'POST', path: '/v1/analysis/embedding-count', scope: 'acl',
      summary: 'Epochs in `{startUtc, endUtc}` and how many carry an embedding: `{count, embedded}`, over every day folder of the range.',
      body: timeRange,
      handler: ({ body, signal }) => run('embeddingCount', body, signal),
    }),
  ];
}
