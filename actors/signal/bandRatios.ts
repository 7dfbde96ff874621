// Band-power ratios and the spectral entropy of one channel; the analyzer averages them over
// channels (notes §3.2). Denominators are floored as in the reference.

const LN_5 = Math.log(5);

/** θ/α of relative powers — drowsiness. Source: D. Putman et al., Biol. Psychol. 83 (2010). */
export function thetaAlphaRatio(relTheta: number, relAlpha: number): number {
  return relTheta / Math.max(relAlpha, 1e-8);
}

/** β/α of relative powers — arousal/attention. Source: A. Angelidis et al., Biol. Psychol. 121 (2016). */
export function betaAlphaRatio(relBeta: number, relAlpha: number): number {
  return relBeta / Math.max(relAlpha, 1e-8);
}

/** δ/θ of relative powers — deep relaxation/sleep. Source: G. G. Knyazev, Neurosci. Biobehav. Rev. 36 (2012). */
export function deltaThetaRatio(relDelta: number, relTheta: number): number {
  return relDelta / Math.max(relTheta, 1e-8);
}

/** θ/β of absolute powers — the attention marker. Source: J. F. Lubar, Biofeedback Self-Regul. 16 (1991). */
export function thetaBetaRatio(theta: number, beta: number): number {
  return theta / Math.max(beta, 1e-12);
}

/**
 * Power spectral entropy over the five bands δ…γ (renormalised to sum 1), divided by ln 5 so it
 * lies in [0, 1]. Source: T. Inouye et al., "Quantification of EEG irregularity by use of the
 * entropy of the power spectrum", Electroencephalogr. Clin. Neurophysiol. 79 (1991) 204–210.
 */
export function bandSpectralEntropy(rel: ArrayLike<number>): number {
  let total = 0;
  for (let b = 0; b < 5; b++) total += rel[b]!;
  const safe = total > 1e-12 ? total : 1;
  let h = 0;
  for (let b = 0; b < 5; b++) {
    const q = rel[b]! / safe;
    if (q > 1e-12) h -= q * Math.log(q);
  }
  return h / LN_5;
}
