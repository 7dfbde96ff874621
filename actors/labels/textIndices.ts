// The text and context indices: each label's `text_embedding` / `context_embedding`, for the
// labels embedded by the current text model (vectors of another model are not comparable, so a
// stale label waits for `POST /v1/labels/reembed` rather than polluting the results).
//
// At start-up a persisted index is used only if it holds exactly what labels.sqlite says it
// should — the same labels with the same vectors; anything else (a crash between a database write
// and the index save, a model change, a corrupt file) rebuilds it from the database, which holds
// every vector, so no text is embedded again.
import path from 'node:path';
import { blobToVector } from '../store/vectorBlob.ts';
import { LabelIndex } from './labelIndex.ts';
import type { LabelStore } from './labelStore.ts';
import { TimeSlice } from './timeSlice.ts';

export const TEXT_INDEX_FILE = 'label_text_index.hnsw';
export const CONTEXT_INDEX_FILE = 'label_context_index.hnsw';
const PAGE = 500;

export type TextField = 'text' | 'context';

export interface TextModelInfo {
  name: string;
  dim: number;
}

export type TextIndices = Record<TextField, LabelIndex>;

/** Vectors of every label the model embedded, by field (read a page at a time). */
export async function currentVectors(store: LabelStore, model: TextModelInfo): Promise<Record<TextField, Map<number, Float32Array>>> {
  const out = { text: new Map<number, Float32Array>(), context: new Map<number, Float32Array>() };
  const slice = new TimeSlice();
  for (let after = 0; ; ) {
    const rows = store.vectorsAfter(after, PAGE);
    if (rows.length === 0) break;
    for (const r of rows) {
      after = r.id;
      if (r.embedding_model !== model.name) continue;
      const t = blobToVector(r.text_embedding);
      const c = blobToVector(r.context_embedding);
      if (t?.length === model.dim) out.text.set(r.id, t);
      if (c?.length === model.dim) out.context.set(r.id, c);
    }
    await slice.pause();
  }
  return out;
}

export async function buildIndex(file: string, model: TextModelInfo, vectors: ReadonlyMap<number, Float32Array>): Promise<LabelIndex> {
  const index = LabelIndex.empty(file, model.dim, model.name);
  const slice = new TimeSlice();
  for (const [id, v] of vectors) {
    index.add(id, v);
    await slice.pause();
  }
  return index;
}

/** Loads both indices, rebuilding (and saving) each one that is missing, corrupt or out of step. */
export async function openTextIndices(
  dataDir: string,
  store: LabelStore,
  model: TextModelInfo,
  warn: (message: string) => void,
): Promise<TextIndices> {
  const want = await currentVectors(store, model);
  const out = {} as TextIndices;
  for (const [field, name] of [['text', TEXT_INDEX_FILE], ['context', CONTEXT_INDEX_FILE]] as const) {
    const file = path.join(dataDir, name);
    const loaded = LabelIndex.load(file);
    let why: string | null = null;
    if ('corrupt' in loaded) why = `corrupt (${loaded.corrupt})`;
    else if ('index' in loaded) {
      const ix = loaded.index;
      if (ix.tag !== model.name || ix.dim !== model.dim) why = `built for ${ix.tag} (${ix.dim}-d), the text model is ${model.name} (${model.dim}-d)`;
      else if (!(await holdsExactly(ix, want[field]))) why = 'out of step with labels.sqlite';
      else out[field] = ix;
    }
    if (out[field]) continue;
    if (why) warn(`${name} ${why}: rebuilding it from labels.sqlite`);
    out[field] = await buildIndex(file, model, want[field]);
    out[field].save();
  }
  return out;
}

/** True when the index holds these labels and no others, each with its (normalised) vector. */
async function holdsExactly(index: LabelIndex, vectors: ReadonlyMap<number, Float32Array>): Promise<boolean> {
  if (index.size !== vectors.size) return false;
  const slice = new TimeSlice();
  for (const [id, v] of vectors) {
    const stored = index.vectorOf(id);
    if (!stored || !sameDirection(stored, v)) return false;
    await slice.pause();
  }
  return true;
}

function sameDirection(stored: readonly number[], v: Float32Array): boolean {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  if (!(norm > 0)) return false;
  for (let i = 0; i < v.length; i++) if (Math.abs(stored[i]! - v[i]! / norm) > 1e-4) return false;
  return true;
}
