// POST /v1/analysis/sleep (notes §7.3): every counting epoch of a range, staged, with the summary
// and the sleep-quality analysis. Epochs come from the day summaries (daySummary.ts), which hold
// exactly the four bands the classifier reads, already in time order.
import type { DaySummaryCache } from './daySummaryCache.ts';
import { lowerBound, upperBound } from './daySummary.ts';
import { forEachDayDb } from './rangeDatabases.ts';
import { analyzeSleep, type SleepAnalysis } from './sleepAnalysis.ts';
import { classifyEpoch, summarizeStages, type SleepEpoch, type SleepSummary } from './sleepStages.ts';

export interface SleepStages {
  epochs: SleepEpoch[];
  summary: SleepSummary;
  analysis: SleepAnalysis;
}

export function sleepForRange(dataDir: string, startS: number, endS: number, cache: DaySummaryCache): SleepStages {
  const epochs: SleepEpoch[] = [];
  let sorted = true;
  forEachDayDb(dataDir, startS, endS, (day) => {
    const s = cache.summaryOf(day);
    const from = lowerBound(s.ms, startS * 1000), to = upperBound(s.ms, endS * 1000);
    for (let i = from; i < to; i++) {
      const utc = Math.floor(s.ms[i]! / 1000);
      if (epochs.length > 0 && utc < epochs[epochs.length - 1]!.utc) sorted = false;
      const rd = s.rd[i]!, rt = s.rt[i]!, ra = s.ra[i]!, rb = s.rb[i]!;
      epochs.push({ utc, stage: classifyEpoch(rd, rt, ra, rb), rel_delta: rd, rel_theta: rt, rel_alpha: ra, rel_beta: rb });
    }
  });
  // Day folders hold their own UTC day, so this only sorts data written across folders out of order.
  if (!sorted) epochs.sort((a, b) => a.utc - b.utc);
  const summary = summarizeStages(epochs);
  return { epochs, summary, analysis: analyzeSleep(epochs, summary) };
}
