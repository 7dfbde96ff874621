// Disk full during recording, on a small tmpfs (skipped where mounting is not permitted): the
// daemon reports it and keeps serving, and nothing committed before is damaged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diskFullScenario } from './helpers/diskFullScenario.ts';

test('a disk that fills during recording is reported, the daemon serves on, committed data survives', { timeout: 240_000 }, async (t) => {
  const report = await diskFullScenario((line) => t.diagnostic(line));
  if (report.skipped) return t.skip(report.skipped);
  t.diagnostic(`filled after ${report.secondsToFill?.toFixed(1)} s; ${report.rowsWhenFull} rows when full, ${report.rowsAfterRestart} after the restart`);
  assert.deepEqual(report.problems, [], `disk-full problems: ${report.problems.join('; ')}`);
});
