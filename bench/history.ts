// Analysis over a month of history: metrics, timeseries and sleep over 30 days × 8 h of 5 s epochs.
import type { BenchmarkOutcome } from './figure.ts';

export async function run(): Promise<BenchmarkOutcome> {
  throw new Error('history benchmark: not built yet');
}
