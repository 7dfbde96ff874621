// Composite 0–100 indices of the reference's BandSnapshot (notes §3.2), each a weighted sum of
// clamped components. They are heuristics from the reference's authors built on the cited
// findings, not validated clinical measures.

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/**
 * Mood: 50 + 20·clamp(5·FAA, −1, 1) + 15·((1 − min(TAR, 3)/3) − 0.5) + 15·(min(BAR, 3)/3 − 0.5),
 * clamped to 0–100. Approach motivation from FAA (Coan & Allen 2004), alertness from low θ/α and
 * high β/α.
 */
export function moodIndex(faa: number, tar: number, bar: number): number {
  const faaNorm = clamp(5 * faa, -1, 1);
  const tarNorm = 1 - Math.min(tar, 3) / 3;
  const barNorm = Math.min(bar, 3) / 3;
  return clamp(50 + 20 * faaNorm + 15 * (tarNorm - 0.5) + 15 * (barNorm - 0.5), 0, 100);
}

/**
 * Headache correlate: 100·(0.35·c(5·relβ) + 0.35·(1 − c(4·relα)) + 0.30·c(BAR/2.5)) — cortical
 * hyperexcitability as raised β and suppressed α. Source of the pattern: S. Bjørk et al.,
 * "Interictal quantitative EEG in migraine", J. Headache Pain 10 (2009) 331–339.
 */
export function headacheIndex(meanRelBeta: number, meanRelAlpha: number, bar: number): number {
  return 100 * (0.35 * clamp01(5 * meanRelBeta) + 0.35 * (1 - clamp01(4 * meanRelAlpha)) + 0.3 * clamp01(bar / 2.5));
}

/**
 * Migraine correlate: 100·(0.40·c(6·relδ) + 0.35·(1 − c(4·relα)) + 0.25·c(4·|laterality|)) —
 * raised δ, suppressed α and hemispheric asymmetry (Bjørk et al. 2009).
 */
export function migraineIndex(meanRelDelta: number, meanRelAlpha: number, laterality: number): number {
  return 100 * (0.4 * clamp01(6 * meanRelDelta) + 0.35 * (1 - clamp01(4 * meanRelAlpha)) + 0.25 * clamp01(4 * Math.abs(laterality)));
}

/**
 * Lempel–Ziv-complexity proxy: 100·(0.60·c(PE) + 0.40·c((HFD − 1)/1.5)). Signal diversity falls
 * in NREM sleep and anaesthesia: A. G. Casali et al., Sci. Transl. Med. 5 (2013) 198ra105.
 */
export function consciousnessLzc(permutationEntropy: number, higuchiFd: number): number {
  return 100 * (0.6 * clamp01(permutationEntropy) + 0.4 * clamp01(Math.max(0, higuchiFd - 1) / 1.5));
}

/**
 * Wakefulness: 100·(0.40·c(BAR/2.5) + 0.35·(1 − c(TAR/3)) + 0.25·(1 − c(drowsy/100))), with the
 * reference's drowsiness proxy drowsy = clamp(TAR/3·80 + mean relα·20, 0, 100).
 */
export function consciousnessWakefulness(bar: number, tar: number, meanRelAlpha: number): number {
  const drowsy = clamp((tar / 3) * 80 + meanRelAlpha * 20, 0, 100);
  return 100 * (0.4 * clamp01(bar / 2.5) + 0.35 * (1 - clamp01(tar / 3)) + 0.25 * (1 - clamp01(drowsy / 100)));
}

/**
 * Integration (global-workspace proxy): 100·(0.40·c(2.5·coherence) + 0.40·c(3·PAC) + 0.20·c(PSE)).
 * Source of the idea: G. Tononi, "An information integration theory of consciousness", BMC
 * Neurosci. 5 (2004) 42.
 */
export function consciousnessIntegration(coherence: number, pac: number, pse: number): number {
  return 100 * (0.4 * clamp01(2.5 * coherence) + 0.4 * clamp01(3 * pac) + 0.2 * clamp01(pse));
}
