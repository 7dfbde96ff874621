// The 0–100 scores added to each EegBands snapshot (notes §3.3). Inputs are relative band powers
// per channel; `mean` below is over channels.
//
// The reference computes `focus` and `engagement` with one formula (the live event duplicates
// it). Here each has its own, both from the reference:
// * focus keeps the live formula: the sigmoid of the MEAN OF PER-CHANNEL ratios β/(α + θ), so a
//   single channel with strong task-related β moves it;
// * engagement takes the stored-metrics formula: the sigmoid of the RATIO OF CHANNEL-MEANS
//   mean β/(mean α + mean θ), the whole-head engagement index.
// They coincide on a single-channel device and whenever every channel has the same ratio.
// Relaxation keeps the live formula (mean α/(mean α + mean β)·100), not the stored sigmoid.

/** 100 / (1 + e^{−k(x − mid)}). */
export function sigmoid100(x: number, k: number, mid: number): number {
  return 100 / (1 + Math.exp(-k * (x - mid)));
}

export interface RelativePowers {
  rel_delta: number;
  rel_theta: number;
  rel_alpha: number;
  rel_beta: number;
}

const mean = (xs: readonly RelativePowers[], f: (c: RelativePowers) => number): number =>
  xs.length === 0 ? 0 : xs.reduce((s, c) => s + f(c), 0) / xs.length;

/**
 * Focus: sigmoid100(mean_c β_c/(α_c + θ_c), k = 2, mid = 0.8); a channel with α + θ ≤ 1e-6
 * contributes 0.5. Source: the engagement index β/(α + θ) of A. T. Pope, E. H. Bogart &
 * D. S. Bartolome, "Biocybernetic system evaluates indices of operator engagement in automated
 * task", Biol. Psychol. 40 (1995) 187–195.
 */
export function focusScore(channels: readonly RelativePowers[]): number {
  if (channels.length === 0) return sigmoid100(0.5, 2, 0.8);
  const raw = mean(channels, (c) => {
    const d = c.rel_alpha + c.rel_theta;
    return d > 1e-6 ? c.rel_beta / d : 0.5;
  });
  return sigmoid100(raw, 2, 0.8);
}

/** Engagement: sigmoid100(mean β / (mean α + mean θ), k = 2, mid = 0.8) (Pope et al. 1995). */
export function engagementScore(channels: readonly RelativePowers[]): number {
  const a = mean(channels, (c) => c.rel_alpha), t = mean(channels, (c) => c.rel_theta), b = mean(channels, (c) => c.rel_beta);
  return sigmoid100(a + t > 1e-6 ? b / (a + t) : 0.5, 2, 0.8);
}

/** Relaxation: mean α / (mean α + mean β)·100, 0 when both are 0 (reference live formula). */
export function relaxationScore(channels: readonly RelativePowers[]): number {
  const a = mean(channels, (c) => c.rel_alpha), b = mean(channels, (c) => c.rel_beta);
  return a + b > 0 ? (a / (a + b)) * 100 : 0;
}

/**
 * Meditation: min(200·mean α, 40) − min(100·mean β, 20) + 0.2·stillness + HRV term, clamped to
 * 0–100; HRV term = min(RMSSD/100·20, 20), or 10 without PPG; stillness 0 without an IMU (as the
 * reference). Sources: α increase in meditation, B. R. Cahn & J. Polich, Psychol. Bull. 132
 * (2006) 180–211; vagal HRV, F. Shaffer & J. P. Ginsberg, Front. Public Health 5 (2017) 258.
 */
export function meditationScore(channels: readonly RelativePowers[], stillness: number | null, rmssdMs: number | null): number {
  const alpha = Math.min(200 * mean(channels, (c) => c.rel_alpha), 40);
  const beta = Math.min(100 * mean(channels, (c) => c.rel_beta), 20);
  const hrv = rmssdMs === null ? 10 : Math.min((rmssdMs / 100) * 20, 20);
  return Math.min(100, Math.max(0, alpha - beta + 0.2 * (stillness ?? 0) + hrv));
}

/**
 * Cognitive load: sigmoid100(r, k = 2.5, mid = 1) with r = mean frontal relθ / mean parietal relα
 * (r = 1 when parietal α ≤ 0.01); 50 with fewer than 2 channels. Frontal and parietal sets come
 * from the labels, else the first and second half of the channels.
 * Source: frontal-midline θ up and parietal α down with working-memory load, A. Gevins et al.,
 * Cereb. Cortex 7 (1997) 374–385.
 */
export function cognitiveLoadScore(frontal: readonly RelativePowers[], parietal: readonly RelativePowers[]): number {
  if (frontal.length === 0 || parietal.length === 0) return 50;
  const theta = mean(frontal, (c) => c.rel_theta), alpha = mean(parietal, (c) => c.rel_alpha);
  return sigmoid100(alpha > 0.01 ? theta / alpha : 1, 2.5, 1);
}

/**
 * Drowsiness: min(TAR/3·80, 80) + min(mean relα·100, 20), clamped to 0–100. Source: θ rise and α
 * changes at sleep onset, R. D. Ogilvie, Sleep Med. Rev. 5 (2001) 247–270.
 */
export function drowsinessScore(tar: number, meanRelAlpha: number): number {
  return Math.min(100, Math.max(0, Math.min((tar / 3) * 80, 80) + Math.min(meanRelAlpha * 100, 20)));
}

/** One decimal, as the reference rounds its scores. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
