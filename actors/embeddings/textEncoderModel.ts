// The built-in text encoder, `skill-text-ngram-v1.onnx`, for labels and other short texts:
//
//   counts [N, 4096] (hashed character 3-gram counts, see charTrigrams.ts)
//   → ln(1 + count) (sublinear term frequency: a repeated 3-gram does not dominate)
//   → a fixed seeded Gaussian projection to 128 dims (Johnson–Lindenstrauss)
//   → L2 normalisation: output `embedding` [N, 128]
//
// Cosine similarity of two embeddings approximates the cosine similarity of their 3-gram
// profiles. It is honest about what it is: spelling-level similarity, no meaning. A real
// sentence-embedding model replaces it when one is configured (textEncoder.ts).
//
// Any change to the graph or its constants must change the file name (v1 → v2).
import { TRIGRAM_BUCKETS } from './charTrigrams.ts';
import { OnnxGraph } from './onnxGraph.ts';
import { gaussianProjection } from './seededProjection.ts';

export const TEXT_MODEL = {
  file: 'skill-text-ngram-v1.onnx',
  name: 'skill-text-ngram-v1',
  buckets: TRIGRAM_BUCKETS,
  dim: 128,
  seed: 0x7e47,
  inputName: 'counts',
  outputName: 'embedding',
} as const;

export function textProjection(): Float64Array {
  return gaussianProjection(TEXT_MODEL.buckets, TEXT_MODEL.dim, TEXT_MODEL.seed, `${TEXT_MODEL.name} projection`);
}

/** Serialized `skill-text-ngram-v1.onnx`. */
export function buildTextEncoder(): Uint8Array {
  const T = TEXT_MODEL;
  const g = new OnnxGraph();
  const tf = g.op('Log', [g.op('Add', [T.inputName, g.floats('one', [], [1])])]);
  const projected = g.op('MatMul', [tf, g.floats('projection', [T.buckets, T.dim], textProjection())]);
  const norm = g.op('Max', [g.op('ReduceL2', [projected], { axes: [1], keepdims: 1 }), g.floats('norm_floor', [], [1e-12])]);
  g.op('Div', [projected, norm], {}, T.outputName);
  return g.encode({
    name: T.name,
    doc: 'Hashed character 3-gram text embedding (skill-daemon built-in, lexical): ln(1 + counts) through a fixed seeded projection, L2-normalised.',
    inputs: [{ name: T.inputName, dims: ['texts', T.buckets] }],
    outputs: [{ name: T.outputName, dims: ['texts', T.dim] }],
    metadata: { buckets: String(T.buckets), embed_dim: String(T.dim), ngram: '3', hash: 'fnv1a32 of utf-8, mod buckets' },
  });
}
