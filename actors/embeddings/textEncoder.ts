// Text embeddings for labels (and anything else that searches text): `encodeText(texts)` gives
// one L2-normalised Float32Array per text.
//
// By default it runs the built-in lexical model (skill-text-ngram-v1.onnx, textEncoderModel.ts:
// hashed character 3-grams, 128 dims) — built in memory unless a file path is given, so it
// needs no download. A real sentence-embedding model (an ONNX export with its tokenizer) plugs
// in through `useTextModel` as another `TextEmbeddingModel`; callers of `encodeText` do not
// change. Record `model` with stored vectors: vectors of different models are not comparable.
//
// onnxruntime-node runs inference synchronously on the calling thread; for this model that is
// well under a millisecond per text, so it stays on the main thread.
import type * as ort from 'onnxruntime-node';
import { onnxRuntime, type Ort } from './onnxRuntime.ts';
import { TRIGRAM_BUCKETS, trigramCounts } from './charTrigrams.ts';
import { ensureBuiltinModel } from './builtinModels.ts';
import { buildTextEncoder, TEXT_MODEL } from './textEncoderModel.ts';

export interface TextEmbeddingModel {
  /** Name stored with the vectors it makes (e.g. `skill-text-ngram-v1`). */
  readonly name: string;
  readonly dim: number;
  /** True for a spelling-level model that knows nothing of meaning. */
  readonly lexical: boolean;
  encode(texts: string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

const BATCH = 64;

export class BuiltinTextModel implements TextEmbeddingModel {
  readonly name = TEXT_MODEL.name;
  readonly dim = TEXT_MODEL.dim;
  readonly lexical = true;

  private constructor(
    private readonly runtime: Ort,
    private readonly session: ort.InferenceSession,
  ) {}

  /** From `file` (written first if missing), or built in memory when no file is given. */
  static async load(file?: string): Promise<BuiltinTextModel> {
    if (file) ensureBuiltinModel(file);
    const source = file ?? buildTextEncoder();
    const runtime = await onnxRuntime();
    const session = await runtime.InferenceSession.create(source as never, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new BuiltinTextModel(runtime, session);
  }

  async encode(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let from = 0; from < texts.length; from += BATCH) {
      const batch = texts.slice(from, from + BATCH);
      const counts = new Float32Array(batch.length * TRIGRAM_BUCKETS);
      batch.forEach((t, i) => trigramCounts(t, counts, i));
      const result = await this.session.run({ [TEXT_MODEL.inputName]: new this.runtime.Tensor('float32', counts, [batch.length, TRIGRAM_BUCKETS]) });
      const data = result[TEXT_MODEL.outputName]!.data as Float32Array;
      for (let i = 0; i < batch.length; i++) out.push(data.slice(i * this.dim, (i + 1) * this.dim));
    }
    return out;
  }

  close(): Promise<void> {
    return this.session.release();
  }
}

let active: Promise<TextEmbeddingModel> | null = null;

/** Makes `model` the one `encodeText` uses (the previous one is closed). */
export function useTextModel(model: TextEmbeddingModel | Promise<TextEmbeddingModel>): void {
  const previous = active;
  active = Promise.resolve(model);
  void previous?.then((m) => m.close()).catch(() => undefined);
}

/** The model `encodeText` uses: the configured one, else the built-in lexical model. */
export function textModel(): Promise<TextEmbeddingModel> {
  if (!active) {
    active = BuiltinTextModel.load();
    // A failed load is not cached: the next call tries again.
    active.catch(() => (active = null));
  }
  return active;
}

export async function encodeText(texts: string[]): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  return (await textModel()).encode(texts);
}
