// Left/right asymmetry indices over channels, with electrode sides taken from the labels.

/** Mean of x over the indices `idx`. */
function meanAt(x: ArrayLike<number>, idx: readonly number[]): number {
  let s = 0;
  for (const i of idx) s += x[i]!;
  return s / idx.length;
}

/**
 * Frontal alpha asymmetry: ln(mean right-frontal α) − ln(mean left-frontal α), α floored at
 * 1e-6 µV²; `left`/`right` are the channels of the reference's frontal sets (electrodes.ts). Without a labelled left and right frontal site it falls back, like the reference, to
 * channel 2 vs channel 1 when there are at least 3 channels (the Muse AF8/AF7 positions), else 0.
 * Positive = relatively more left-frontal activity (less left α), the "approach" side.
 * Source: J. A. Coan & J. J. B. Allen, "Frontal EEG asymmetry as a moderator and mediator of
 * emotion", Biol. Psychol. 67 (2004) 7–50.
 */
export function frontalAlphaAsymmetry(alpha: ArrayLike<number>, left: readonly number[], right: readonly number[]): number {
  if (left.length > 0 && right.length > 0) {
    return Math.log(Math.max(meanAt(alpha, right), 1e-6)) - Math.log(Math.max(meanAt(alpha, left), 1e-6));
  }
  if (alpha.length >= 3) return Math.log(Math.max(alpha[2]!, 1e-6)) - Math.log(Math.max(alpha[1]!, 1e-6));
  return 0;
}

/**
 * Laterality index (R − L)/(R + L) of broadband (δ…γ) power summed per hemisphere (`sides` from
 * the labels, see electrodes.ts `hemisphere`); midline and
 * unlabelled channels are ignored, and without both sides the channels are split in halves by
 * index, as in the reference. 0 for fewer than 2 channels or a silent montage.
 * Source: the lateralisation index of fMRI/EEG language mapping (e.g. M. L. Seghier, "Laterality
 * index in functional MRI: methodological issues", Magn. Reson. Imaging 26 (2008) 594–601).
 */
export function lateralityIndex(broadband: ArrayLike<number>, sides: ReadonlyArray<'left' | 'right' | null>): number {
  const n = broadband.length;
  if (n < 2) return 0;
  let left = 0, right = 0, nl = 0, nr = 0;
  for (let i = 0; i < n; i++) {
    const side = sides[i] ?? null;
    if (side === 'left') {
      left += broadband[i]!;
      nl++;
    } else if (side === 'right') {
      right += broadband[i]!;
      nr++;
    }
  }
  if (nl === 0 || nr === 0) {
    left = right = 0;
    const mid = Math.floor(n / 2);
    for (let i = 0; i < n; i++) {
      if (i < mid) left += broadband[i]!;
      else right += broadband[i]!;
    }
  }
  const total = left + right;
  return total > 1e-12 ? (right - left) / total : 0;
}
