// The EEG references of a hook rule (notes §8.2, the reference's `maybe_refresh`): each keyword
// is looked up in the label text index (the 6 nearest labels, ef 64), and each label found
// contributes its EEG node — the mean direction of the embeddings recorded in its window ±30 s.
// Labels without recorded EEG contribute nothing. At most `cap` references are kept.
import { cosineSimilarity } from '../search/cosine.ts';

/** Labels per keyword, and the search breadth, as in the reference. */
export const LABELS_PER_KEYWORD = 6;
export const KEYWORD_SEARCH_EF = 64;

export interface HookLabels {
  nearestByText(query: string, k: number, ef: number): Promise<Array<{ id: number; text: string; eeg_start: number; distance: number }>>;
  eegNodeOf(id: number): Float32Array | null;
  /** Changes with every label edit: references built before it may be stale. */
  readonly revision: number;
}

export interface HookReference {
  vector: Float32Array;
  labelId: number;
  labelText: string;
  labelEegStart: number;
}

export interface ReferenceSearch {
  /** Distinct labels the keywords found, with or without EEG. */
  labels: number;
  references: HookReference[];
}

export async function findReferences(labels: HookLabels, keywords: readonly string[], cap: number): Promise<ReferenceSearch> {
  const seen = new Set<number>();
  const references: HookReference[] = [];
  for (const keyword of keywords) {
    for (const n of await labels.nearestByText(keyword, LABELS_PER_KEYWORD, KEYWORD_SEARCH_EF)) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      if (references.length >= cap) continue;
      const vector = labels.eegNodeOf(n.id);
      if (vector) references.push({ vector, labelId: n.id, labelText: n.text, labelEegStart: n.eeg_start });
    }
  }
  return { labels: seen.size, references };
}

/** 1 − cos(a, b): 0 for the same direction, 2 for opposite; null when they cannot be compared. */
export function cosineDistance(a: Float32Array, b: Float32Array): number | null {
  const c = cosineSimilarity(a, b);
  return c === null ? null : 1 - c;
}

/** The reference nearest `vector`, with its distance; null when none can be compared. */
export function nearestReference(vector: Float32Array, refs: readonly HookReference[]): { ref: HookReference; distance: number } | null {
  let best: { ref: HookReference; distance: number } | null = null;
  for (const ref of refs) {
    const d = cosineDistance(vector, ref.vector);
    if (d !== null && (best === null || d < best.distance)) best = { ref, distance: d };
  }
  return best;
}
