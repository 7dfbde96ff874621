// The EEG index: one node per label, the mean direction of the epoch embeddings stored in its
// window widened by 30 s each side (any timestamp encoding). Labels whose window holds no
// embedding are skipped and counted. When the stored embeddings come in several dimensions
// (the encoder was changed), the index takes the one most labels have, as the reference does.
import path from 'node:path';
import { dominantDim, EEG_WINDOW_PAD_SECS, meanDirection, type EegWindowReader } from './eegWindowReader.ts';
import { LabelIndex } from './labelIndex.ts';
import type { LabelRef } from './labelWindows.ts';
import { TimeSlice } from './timeSlice.ts';

export const EEG_INDEX_FILE = 'label_eeg_index.hnsw';
export const EEG_TAG = 'eeg';

export const eegIndexPath = (dataDir: string) => path.join(dataDir, EEG_INDEX_FILE);

export interface EegBuild {
  /** Null when no label has EEG data (the dimension is not known yet). */
  index: LabelIndex | null;
  skipped: number;
}

/** Embeddings of a label's padded window. */
export function windowEmbeddings(reader: EegWindowReader, w: Pick<LabelRef, 'eeg_start' | 'eeg_end'>): Float32Array[] {
  return reader.embeddings(w.eeg_start - EEG_WINDOW_PAD_SECS, w.eeg_end + EEG_WINDOW_PAD_SECS);
}

/** A label's EEG node in an index of dimension `dim`, or null when its window has none. */
export function eegNodeOf(reader: EegWindowReader, w: LabelRef, dim: number): Float32Array | null {
  return meanDirection(windowEmbeddings(reader, w), dim);
}

export async function buildEegIndex(dataDir: string, windows: readonly LabelRef[], reader: EegWindowReader): Promise<EegBuild> {
  const slice = new TimeSlice();
  // Each label's mean per dimension its window has data in (means, not vectors: a long window
  // holds hundreds of epochs).
  const means = new Map<number, Map<number, Float32Array>>();
  const labelsPerDim = new Map<number, number>();
  for (const w of windows) {
    const vectors = windowEmbeddings(reader, w);
    const byDim = new Map<number, Float32Array>();
    for (const dim of new Set(vectors.map((v) => v.length))) {
      const mean = meanDirection(vectors, dim);
      if (mean) byDim.set(dim, mean);
    }
    if (byDim.size) means.set(w.id, byDim);
    for (const dim of byDim.keys()) labelsPerDim.set(dim, (labelsPerDim.get(dim) ?? 0) + 1);
    await slice.pause();
  }
  const dim = dominantDim(labelsPerDim);
  if (dim === null) return { index: null, skipped: windows.length };
  const index = LabelIndex.empty(eegIndexPath(dataDir), dim, EEG_TAG);
  for (const [id, byDim] of means) {
    const mean = byDim.get(dim);
    if (mean) index.add(id, mean);
    await slice.pause();
  }
  return { index, skipped: windows.length - index.size };
}
