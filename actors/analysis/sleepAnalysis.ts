// Sleep-quality figures derived from staged epochs (the reference's `analyze_sleep_stages`,
// notes §7.3), returned on every sleep call. Minutes are rounded to 2 decimals as the reference does.
// Differences from it: an empty range gives zeros instead of null, and `bouts` lists all five
// stages (count 0 when absent) so clients need not test for missing keys.
import { round2 } from './metricStats.ts';
import { STAGE, STAGE_NAMES, type SleepEpoch, type SleepSummary, type StageName } from './sleepStages.ts';

export interface Bouts {
  count: number;
  mean_min: number;
  max_min: number;
}

export interface SleepAnalysis {
  /** Share of epochs not awake, %. */
  efficiency_pct: number;
  /** Minutes from the first epoch to the first epoch not awake (0 when it is the first, or none). */
  onset_latency_min: number;
  /** Minutes from sleep onset to the first REM epoch; null when there is none. */
  rem_latency_min: number | null;
  stage_minutes: Record<StageName | 'total', number>;
  /** Changes of stage between consecutive epochs. */
  transitions: number;
  /** Changes from a sleep stage to Wake. */
  awakenings: number;
  /** Runs of consecutive epochs of one stage. */
  bouts: Record<StageName, Bouts>;
}

export function analyzeSleep(epochs: readonly SleepEpoch[], summary: SleepSummary): SleepAnalysis {
  const epochSecs = summary.epoch_secs > 0 ? summary.epoch_secs : 5;
  const minutes = (n: number) => round2((n * epochSecs) / 60);
  const total = summary.total_epochs;
  const onset = epochs.findIndex((e) => e.stage !== STAGE.wake);
  let remLatency: number | null = null;
  if (onset >= 0) {
    const rem = epochs.findIndex((e, i) => i >= onset && e.stage === STAGE.rem);
    if (rem >= 0) remLatency = round2((epochs[rem]!.utc - epochs[onset]!.utc) / 60);
  }
  let transitions = 0, awakenings = 0;
  for (let i = 1; i < epochs.length; i++) {
    const prev = epochs[i - 1]!.stage, cur = epochs[i]!.stage;
    if (prev === cur) continue;
    transitions++;
    if (cur === STAGE.wake) awakenings++;
  }
  const bouts = {} as Record<StageName, Bouts>;
  for (const name of STAGE_NAMES) {
    const lengths: number[] = [];
    let run = 0;
    for (const e of epochs) {
      if (e.stage === STAGE[name]) run++;
      else if (run > 0) {
        lengths.push(run);
        run = 0;
      }
    }
    if (run > 0) lengths.push(run);
    const mean = lengths.length ? lengths.reduce((a, b) => a + b, 0) / lengths.length : 0;
    bouts[name] = { count: lengths.length, mean_min: minutes(mean), max_min: minutes(lengths.length ? Math.max(...lengths) : 0) };
  }
  return {
    efficiency_pct: total > 0 ? round2(((total - summary.wake_epochs) / total) * 100) : 0,
    onset_latency_min: onset > 0 ? round2((epochs[onset]!.utc - epochs[0]!.utc) / 60) : 0,
    rem_latency_min: remLatency,
    stage_minutes: {
      wake: minutes(summary.wake_epochs), n1: minutes(summary.n1_epochs), n2: minutes(summary.n2_epochs),
      n3: minutes(summary.n3_epochs), rem: minutes(summary.rem_epochs), total: minutes(total),
    },
    transitions,
    awakenings,
    bouts,
  };
}
