// Channel labels of the virtual headset's templates. Labels follow the 10-10 system
// (Chatrian, Lettich & Nelson 1985, Am. J. EEG Technol. 25:83–92; American Clinical
// Neurophysiology Society guideline 2, J. Clin. Neurophysiol. 2006 23:107–110), where T7/T8/P7/P8
// replace the older T3/T4/T5/T6.

export type LayoutTemplate = '10-20' | 'muse' | 'generic';

/** Muse 2 / Muse S electrodes in the order the headset streams them (notes §2.2). */
export const MUSE_CHANNELS = ['TP9', 'AF7', 'AF8', 'TP10'] as const;

/**
 * 64 labels in the order channels are added as the count grows: the 19 electrodes of the
 * classic 10-20 montage first, then the rest of the BioSemi 32-channel cap, then the rest of
 * the BioSemi 64-channel cap. Any prefix is therefore a sensible, roughly even montage.
 */
export const TEN_TWENTY_ORDER: readonly string[] = [
  // classic 10-20 (19)
  'Fp1', 'Fp2', 'F7', 'F3', 'Fz', 'F4', 'F8', 'T7', 'C3', 'Cz', 'C4', 'T8', 'P7', 'P3', 'Pz', 'P4', 'P8', 'O1', 'O2',
  // to the 32-channel cap (13)
  'AF3', 'AF4', 'FC5', 'FC1', 'FC2', 'FC6', 'CP5', 'CP1', 'CP2', 'CP6', 'PO3', 'PO4', 'Oz',
  // to the 64-channel cap (32)
  'Fpz', 'AF7', 'AF8', 'AFz', 'F5', 'F1', 'F2', 'F6', 'FT7', 'FT8', 'FC3', 'FC4', 'FCz', 'C5', 'C1', 'C2', 'C6',
  'TP7', 'TP8', 'CP3', 'CP4', 'CPz', 'P5', 'P1', 'P2', 'P6', 'P9', 'P10', 'PO7', 'PO8', 'POz', 'Iz',
];

/** `Ch1 … ChN`, the names the reference pads unlabeled streams with (notes §2.6). */
function genericNames(count: number, from = 1): string[] {
  return Array.from({ length: count }, (_, i) => `Ch${from + i}`);
}

export function channelNamesFor(template: LayoutTemplate, count: number): string[] {
  if (template === 'muse') return [...MUSE_CHANNELS];
  if (template === 'generic') return genericNames(count);
  const named = TEN_TWENTY_ORDER.slice(0, count);
  return [...named, ...genericNames(count - named.length, named.length + 1)];
}
