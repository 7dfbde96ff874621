// Electrode roles resolved from the device's own channel labels (10-20 / 10-10 names), so
// montage-dependent indices work on any headset. The reference resolves these names too, but
// against a hard-coded Muse label list (notes §3.2, QUIRK); here the labels are the device's.
// Source for the naming: American Clinical Neurophysiology Society, "Guideline 2: Guidelines for
// standard electrode position nomenclature", J. Clin. Neurophysiol. 33 (2016) 308–311: odd
// numbers left, even numbers right, "z" midline.

/** Reference FAA sets (notes §3.2). */
export const LEFT_FRONTAL = ['AF7', 'AF3', 'F7', 'F3', 'FP1', 'FC5', 'FC1', 'FT7'];
export const RIGHT_FRONTAL = ['AF8', 'AF4', 'F8', 'F4', 'FP2', 'FC6', 'FC2', 'FT8'];

/** Reference cognitive-load prefixes (notes §3.3). */
export const FRONTAL_PREFIXES = ['AF', 'FP', 'F3', 'F4', 'F7', 'F8', 'FZ', 'FC', 'FT'];
export const PARIETAL_PREFIXES = ['TP', 'P7', 'P8', 'PZ', 'CP', 'O1', 'O2'];

/** Labels compare case-insensitively ("Fp1", "FP1" and "fp1" are one electrode). */
export function normalizeLabel(label: string): string {
  return label.trim().toUpperCase();
}

export function indicesIn(labels: readonly string[], set: readonly string[]): number[] {
  const out: number[] = [];
  labels.forEach((l, i) => {
    if (set.includes(normalizeLabel(l))) out.push(i);
  });
  return out;
}

export function indicesWithPrefix(labels: readonly string[], prefixes: readonly string[]): number[] {
  const out: number[] = [];
  labels.forEach((l, i) => {
    const n = normalizeLabel(l);
    if (prefixes.some((p) => n.startsWith(p))) out.push(i);
  });
  return out;
}

/** 'left' for an odd final digit, 'right' for an even one, null for midline or non-10-20 labels. */
export function hemisphere(label: string): 'left' | 'right' | null {
  const last = normalizeLabel(label).at(-1);
  if (last === undefined || last < '0' || last > '9') return null;
  return Number(last) % 2 === 1 ? 'left' : 'right';
}

// Blink channels: the most anterior site on each side first (blinks are largest at Fp1/Fp2 and
// fall off with distance from the eyes; Gratton et al. 1983).
const BLINK_LEFT = ['FP1', 'AF7', 'AF3', 'F7', 'F3'];
const BLINK_RIGHT = ['FP2', 'AF8', 'AF4', 'F8', 'F4'];
const BLINK_MIDLINE = ['FPZ', 'AFZ', 'FZ'];

/** Up to two channel indices for blink detection: the best left and right frontal sites, else a frontal midline one. */
export function blinkChannels(labels: readonly string[]): number[] {
  const norm = labels.map(normalizeLabel);
  const first = (set: string[]) => {
    for (const name of set) {
      const i = norm.indexOf(name);
      if (i >= 0) return i;
    }
    return -1;
  };
  const picked = [first(BLINK_LEFT), first(BLINK_RIGHT)].filter((i) => i >= 0);
  if (picked.length > 0) return picked;
  const mid = first(BLINK_MIDLINE);
  return mid >= 0 ? [mid] : [];
}

/**
 * Frontal and parietal channel groups for cognitive load (reference prefixes, notes §3.3); when
 * either is empty, the first and second half of the channels by index; both empty for < 2 channels.
 */
export function cognitiveLoadGroups(labels: readonly string[]): { frontal: number[]; parietal: number[] } {
  const frontal = indicesWithPrefix(labels, FRONTAL_PREFIXES);
  const parietal = indicesWithPrefix(labels, PARIETAL_PREFIXES);
  if (frontal.length > 0 && parietal.length > 0) return { frontal, parietal };
  if (labels.length < 2) return { frontal: [], parietal: [] };
  const mid = Math.floor(labels.length / 2);
  const all = labels.map((_, i) => i);
  return { frontal: all.slice(0, mid), parietal: all.slice(mid) };
}
