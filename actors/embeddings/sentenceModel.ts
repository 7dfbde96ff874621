// A sentence-embedding model from an ONNX export folder, as Hugging Face sentence-transformers
// exports and fastembed caches lay them out (all-MiniLM-L6-v2, bge-small-en-v1.5, nomic…):
//
//   <folder>/model.onnx (or onnx/model.onnx)   BERT-style inputs, `last_hidden_state` or a
//                                              ready `sentence_embedding` output
//   <folder>/tokenizer.json                    read by @huggingface/tokenizers
//   <folder>/tokenizer_config.json             model_max_length, pad token (optional)
//   <folder>/1_Pooling/config.json             mean or CLS pooling (optional; mean by default)
//
// Texts are tokenized with the model's own special tokens, truncated to its maximum length
// (keeping the closing special token), padded per batch, pooled over the attention mask and
// L2-normalised, as sentence-transformers does. Raw text goes in: task prefixes some models want
// ("search_query: ") are the caller's business, as in the reference.
import fs from 'node:fs';
import path from 'node:path';
import type { Tokenizer } from '@huggingface/tokenizers';
import type * as ort from 'onnxruntime-node';
import { onnxRuntime } from './onnxRuntime.ts';
import type { TextEmbeddingModel } from './textEncoder.ts';

const BATCH = 32;
/** BERT's position table: no export of that family reads past it. */
const LONGEST_INPUT = 512;
const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

export class SentenceModelError extends Error {}

type Pooling = 'mean' | 'cls';

interface Files {
  onnx: string;
  tokenizer: string;
  config: string | null;
  pooling: string | null;
}

/** The files of a model folder, or the reason it is not one. */
export function modelFolderFiles(dir: string): Files | { missing: string } {
  const onnxFile = ['model.onnx', path.join('onnx', 'model.onnx')].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!onnxFile) return { missing: 'model.onnx (or onnx/model.onnx)' };
  const tokenizer = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(tokenizer)) return { missing: 'tokenizer.json' };
  const optional = (f: string) => (fs.existsSync(path.join(dir, f)) ? path.join(dir, f) : null);
  return { onnx: onnxFile, tokenizer, config: optional('tokenizer_config.json'), pooling: optional(path.join('1_Pooling', 'config.json')) };
}

const readJson = (file: string, what: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (err) {
    throw new SentenceModelError(`${what} (${file}) is not valid JSON: ${(err as Error).message}`);
  }
  throw new SentenceModelError(`${what} (${file}) is not a JSON object`);
};

export class SentenceModel implements TextEmbeddingModel {
  readonly lexical = false;

  private constructor(
    readonly name: string,
    readonly dim: number,
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    private readonly maxLength: number,
    private readonly padId: number,
    private readonly pooling: Pooling,
  ) {}

  /** Loads the folder and runs one text through it (which also tells the dimension). */
  static async load(dir: string, name = path.basename(dir)): Promise<SentenceModel> {
    const files = modelFolderFiles(dir);
    if ('missing' in files) throw new SentenceModelError(`${dir} has no ${files.missing}`);
    const config = files.config ? readJson(files.config, 'tokenizer_config.json') : {};
    // Loaded with the first sentence model: the daemon starts without either library.
    const [{ Tokenizer }, runtime] = await Promise.all([import('@huggingface/tokenizers'), onnxRuntime()]);
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(readJson(files.tokenizer, 'tokenizer.json'), config);
    } catch (err) {
      if (err instanceof SentenceModelError) throw err;
      throw new SentenceModelError(`tokenizer.json could not be read: ${(err as Error).message}`);
    }
    const poolingConfig = files.pooling ? readJson(files.pooling, '1_Pooling/config.json') : {};
    const pooling: Pooling = poolingConfig.pooling_mode_cls_token === true && poolingConfig.pooling_mode_mean_tokens !== true ? 'cls' : 'mean';
    const declared = typeof config.model_max_length === 'number' ? config.model_max_length : LONGEST_INPUT;
    const maxLength = Math.max(2, Math.min(LONGEST_INPUT, declared));
    const padToken = typeof config.pad_token === 'string' ? config.pad_token : '[PAD]';
    const padId = tokenizer.token_to_id(padToken) ?? 0;

    let session: ort.InferenceSession;
    try {
      session = await runtime.InferenceSession.create(files.onnx, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (err) {
      throw new SentenceModelError(`${files.onnx} could not be loaded: ${(err as Error).message}`);
    }
    const unknown = session.inputNames.filter((n) => !KNOWN_INPUTS.has(n));
    if (unknown.length > 0 || !session.inputNames.includes('input_ids')) {
      await session.release();
      throw new SentenceModelError(`unsupported model inputs [${session.inputNames.join(', ')}]: expected input_ids with attention_mask/token_type_ids`);
    }
    const probe = new SentenceModel(name, 0, session, tokenizer, maxLength, padId, pooling);
    let dim: number;
    try {
      dim = (await probe.#run(['dimension probe']))[0]!.length;
    } catch (err) {
      await session.release();
      throw new SentenceModelError(`${files.onnx} failed on a test sentence: ${(err as Error).message}`);
    }
    return new SentenceModel(name, dim, session, tokenizer, maxLength, padId, pooling);
  }

  async encode(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let from = 0; from < texts.length; from += BATCH) out.push(...(await this.#run(texts.slice(from, from + BATCH))));
    return out;
  }

  close(): Promise<void> {
    return this.session.release();
  }

  /** Token ids of one text, truncated to the model's length with its closing special token kept. */
  #ids(text: string): number[] {
    const ids = this.tokenizer.encode(text).ids;
    if (ids.length <= this.maxLength) return ids;
    return [...ids.slice(0, this.maxLength - 1), ids[ids.length - 1]!];
  }

  async #run(texts: string[]): Promise<Float32Array[]> {
    const rows = texts.map((t) => this.#ids(t));
    const n = rows.length;
    const len = Math.max(1, ...rows.map((r) => r.length));
    const ids = new BigInt64Array(n * len).fill(BigInt(this.padId));
    const mask = new BigInt64Array(n * len);
    rows.forEach((r, i) => r.forEach((id, j) => {
      ids[i * len + j] = BigInt(id);
      mask[i * len + j] = 1n;
    }));
    const { Tensor } = await onnxRuntime();
    const feeds: Record<string, ort.Tensor> = {};
    const shape = [n, len];
    for (const name of this.session.inputNames) {
      feeds[name] = new Tensor('int64', name === 'input_ids' ? ids : name === 'attention_mask' ? mask : new BigInt64Array(n * len), shape);
    }
    const result = await this.session.run(feeds);
    const pooled = result.sentence_embedding ?? null;
    const output = pooled ?? result.last_hidden_state ?? result[this.session.outputNames[0]!]!;
    const data = output.data as Float32Array;
    const vectors: Float32Array[] = [];
    if (output.dims.length === 2) {
      const h = output.dims[1]!;
      for (let i = 0; i < n; i++) vectors.push(data.slice(i * h, (i + 1) * h));
    } else if (output.dims.length === 3) {
      const h = output.dims[2]!;
      for (let i = 0; i < n; i++) vectors.push(this.#pool(data, i, len, h, rows[i]!.length));
    } else {
      throw new SentenceModelError(`unexpected output shape [${output.dims.join(', ')}]`);
    }
    return vectors.map(normalise);
  }

  /** Row i of [n, len, h] pooled over its `count` real tokens (the rest is padding). */
  #pool(data: Float32Array, i: number, len: number, h: number, count: number): Float32Array {
    const base = i * len * h;
    if (this.pooling === 'cls') return data.slice(base, base + h);
    const out = new Float32Array(h);
    for (let t = 0; t < count; t++) for (let k = 0; k < h; k++) out[k]! += data[base + t * h + k]!;
    for (let k = 0; k < h; k++) out[k]! /= Math.max(1, count);
    return out;
  }
}

function normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return norm > 0 ? v.map((x) => x / norm) : v;
}
