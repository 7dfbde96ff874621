// Sleep staging of stored epochs by fixed thresholds on relative band powers — the reference's
// classifier (notes §7.3), first matching rule wins:
//   rel α > 0.30 or rel β > 0.30                      → Wake
//   rel θ > 0.30 and rel α < 0.15 and rel δ < 0.45     → REM
//   rel δ > 0.50                                       → N3
//   rel θ > 0.25 and rel δ < 0.50                      → N1
//   otherwise                                          → N2
// Stage codes follow the sleep-scoring order 0 Wake, 1 N1, 2 N2, 3 N3, 4 REM, as the reference's
// documentation states; its code emitted 5 for REM (a quirk this daemon does not keep).

export const STAGE = { wake: 0, n1: 1, n2: 2, n3: 3, rem: 4 } as const;
export type StageName = keyof typeof STAGE;
export type StageCode = (typeof STAGE)[StageName];
export const STAGE_NAMES = Object.keys(STAGE) as StageName[];

export function classifyEpoch(relDelta: number, relTheta: number, relAlpha: number, relBeta: number): StageCode {
  if (relAlpha > 0.3 || relBeta > 0.3) return STAGE.wake;
  if (relTheta > 0.3 && relAlpha < 0.15 && relDelta < 0.45) return STAGE.rem;
  if (relDelta > 0.5) return STAGE.n3;
  if (relTheta > 0.25 && relDelta < 0.5) return STAGE.n1;
  return STAGE.n2;
}

export interface SleepEpoch {
  /** Unix seconds. */
  utc: number;
  stage: StageCode;
  rel_delta: number;
  rel_theta: number;
  rel_alpha: number;
  rel_beta: number;
}

export interface SleepSummary {
  total_epochs: number;
  wake_epochs: number;
  n1_epochs: number;
  n2_epochs: number;
  n3_epochs: number;
  rem_epochs: number;
  /** Median of the positive gaps under 30 s between consecutive epochs; 2.5 when there are none. */
  epoch_secs: number;
}

export const DEFAULT_EPOCH_SECS = 2.5;

/** Counts per stage and the epoch length, from epochs sorted by time. */
export function summarizeStages(epochs: readonly SleepEpoch[]): SleepSummary {
  const counts = [0, 0, 0, 0, 0];
  for (const e of epochs) counts[e.stage]! += 1;
  const gaps: number[] = [];
  for (let i = 1; i < epochs.length; i++) {
    const g = epochs[i]!.utc - epochs[i - 1]!.utc;
    if (g > 0 && g < 30) gaps.push(g);
  }
  gaps.sort((a, b) => a - b);
  return {
    total_epochs: epochs.length,
    wake_epochs: counts[STAGE.wake]!,
    n1_epochs: counts[STAGE.n1]!,
    n2_epochs: counts[STAGE.n2]!,
    n3_epochs: counts[STAGE.n3]!,
    rem_epochs: counts[STAGE.rem]!,
    // The upper median, as the reference takes gaps[len / 2].
    epoch_secs: gaps.length > 0 ? gaps[gaps.length >> 1]! : DEFAULT_EPOCH_SECS,
  };
}
