// POST /v1/search/commands (notes §6.4): the command palette's fuzzy match. The query and every
// candidate's text are embedded by the label text model; the answer is the five candidates
// most similar to the query by cosine similarity, keeping only those above 0.3 (the reference's
// cut-off, below which a match is noise).
import { cosineSimilarity } from './cosine.ts';

export const PALETTE_TOP = 5;
export const PALETTE_MIN_SCORE = 0.3;

export interface PaletteCandidate {
  id: string | number;
  text: string;
}

export interface PaletteMatch {
  id: string | number;
  score: number;
}

/** Best first; ties keep the candidates' order. */
export function rankCandidates(query: Float32Array, candidates: readonly PaletteCandidate[], vectors: readonly Float32Array[]): PaletteMatch[] {
  return candidates
    .map((c, i) => ({ id: c.id, score: cosineSimilarity(query, vectors[i]!) ?? 0, i }))
    .filter((m) => m.score > PALETTE_MIN_SCORE)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, PALETTE_TOP)
    .map(({ id, score }) => ({ id, score }));
}
