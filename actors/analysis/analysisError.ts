// Failures an analysis job reports on purpose, each with a stable code the route turns into a
// status: `forbidden_path` (a path outside the data directory) → 403. Anything else a job throws
// is a bug or a broken file and surfaces as a 500.
export type AnalysisErrorCode = 'forbidden_path';

export class AnalysisError extends Error {
  constructor(
    readonly code: AnalysisErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isAnalysisErrorCode(code: unknown): code is AnalysisErrorCode {
  return code === 'forbidden_path';
}
