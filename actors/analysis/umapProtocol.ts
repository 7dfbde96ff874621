// Messages between UmapRunner (main thread) and umapWorkerThread.ts. One worker serves one
// projection: it gets one job, reports progress, answers once and is then terminated.
import type { UmapParams, UmapProgress, UmapRanges } from './umapProjection.ts';

export interface UmapJob {
  dataDir: string;
  ranges: UmapRanges;
  params: UmapParams;
}

export type UmapWorkerMessage =
  | { type: 'progress'; progress: UmapProgress }
  /** The result as UTF-8 JSON, in a transferred buffer; a `reason` answer is not worth caching. */
  | { type: 'done'; json: Uint8Array; cacheable: boolean }
  | { type: 'error'; message: string };
