// Messages between AnalysisPool (main thread) and analysisWorkerThread.ts. A result travels as
// UTF-8 JSON in a transferred buffer: the main thread neither clones nor re-serialises it.
import type { AnalysisErrorCode } from './analysisError.ts';

export interface AnalysisRequest {
  id: number;
  job: string;
  dataDir: string;
  args: unknown;
}

export type AnalysisResponse =
  | { id: number; ok: true; json: Uint8Array }
  | { id: number; ok: false; code: AnalysisErrorCode | null; message: string };
