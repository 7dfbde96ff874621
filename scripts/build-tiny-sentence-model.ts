// Writes `skill-tiny-minilm/`: a sentence-embedding model folder laid out as a Hugging Face
// sentence-transformers ONNX export is (model.onnx, tokenizer.json, tokenizer_config.json,
// 1_Pooling/config.json), small enough to build at test time, since no real model can be fetched
// there. It exercises the exact path a real MiniLM or bge export takes through the daemon:
// WordPiece tokenizer.json → input_ids / attention_mask / token_type_ids → ONNX → pooling.
//
//   node --import tsx scripts/build-tiny-sentence-model.ts --out <dir>
//
// The "network" is an embedding lookup (last_hidden_state = word vector + token-type vector),
// pooled by mean. Its vocabulary is built in synonym groups — every word of a group shares one
// seeded random direction, plus a little noise of its own — so, unlike the lexical built-in
// model, it knows that "relaxed" and "calm" mean nearly the same thing: a test can tell a
// meaning-level model from a spelling-level one.
import fs from 'node:fs';
import path from 'node:path';
import { OnnxGraph } from '../actors/embeddings/onnxGraph.ts';
import { seededRandom } from '../actors/devices/virtual/seededRandom.ts';

export const TINY_SENTENCE_MODEL = 'skill-tiny-minilm';
const SEED = 20261127;
const HIDDEN = 32;
const MAX_LENGTH = 64;
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/** Words of a group mean the same; a lone word means only itself. */
const SYNONYMS: readonly string[][] = [
  ['calm', 'relaxed', 'peaceful', 'serene', 'relaxation', 'rest'],
  ['focus', 'focused', 'concentration', 'attention', 'concentrating'],
  ['code', 'coding', 'programming', 'software', 'debugging'],
  ['tired', 'sleepy', 'drowsy', 'fatigue', 'exhausted'],
  ['happy', 'joyful', 'cheerful', 'glad'],
  ['stress', 'stressed', 'anxious', 'tense', 'anxiety'],
  ['meeting', 'call', 'standup'],
  ['music', 'song', 'playlist'],
];
const LONE_WORDS = ['the', 'a', 'with', 'while', 'and', 'of', 'in', 'eyes', 'closed', 'open', 'deep', 'team', 'coffee', 'break', 'reading', 'walk', 'start', 'stop', 'recording', 'session', 'search', 'labels'];
const SUFFIXES = ['##s', '##ing', '##ed', '##ly'];
const NOISE = 0.15;

export interface TinySentenceVocab {
  tokens: string[];
  /** Row-major [tokens, HIDDEN]. */
  vectors: Float32Array;
}

export function tinySentenceVocab(): TinySentenceVocab {
  const rng = seededRandom(SEED, 'tiny sentence model vocabulary');
  const direction = () => Array.from({ length: HIDDEN }, () => rng.gaussian());
  const tokens: string[] = [];
  const rows: number[][] = [];
  const add = (token: string, base: number[] | null) => {
    tokens.push(token);
    rows.push(base ? base.map((x) => x + NOISE * rng.gaussian()) : new Array<number>(HIDDEN).fill(0));
  };
  // [CLS], [SEP] and [PAD] carry no meaning (zero rows); [UNK] is one more direction.
  for (const s of SPECIALS) add(s, s === '[UNK]' ? direction() : null);
  for (const group of SYNONYMS) {
    const base = direction();
    for (const w of group) add(w, base);
  }
  for (const w of [...LONE_WORDS, ...SUFFIXES]) add(w, direction());
  return { tokens, vectors: Float32Array.from(rows.flat()) };
}

function tokenizerJson(tokens: readonly string[]) {
  const special = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const specialToken = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((s, i) => special(s, i)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]')],
      pair: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]'), { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(tokens.map((t, i) => [t, i])),
    },
  };
}

/** The ONNX graph: last_hidden_state[N, T, H] = E[input_ids] + TypeE[token_type_ids]. */
function modelBytes(vocab: TinySentenceVocab): Uint8Array {
  const g = new OnnxGraph();
  const words = g.op('Gather', [g.floats('word_embeddings', [vocab.tokens.length, HIDDEN], vocab.vectors), 'input_ids'], { axis: 0 });
  const types = g.op('Gather', [g.floats('token_type_embeddings', [2, HIDDEN], new Float32Array(2 * HIDDEN)), 'token_type_ids'], { axis: 0 });
  // The mask is an input of every BERT export; multiplying by it keeps padding rows at zero.
  const mask = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], { to: 1 }), g.ints('mask_axes', [1], [2])]);
  g.op('Mul', [g.op('Add', [words, types]), mask], {}, 'last_hidden_state');
  return g.encode({
    name: TINY_SENTENCE_MODEL,
    doc: 'Tiny sentence-embedding test model (skill-daemon): word vectors in synonym groups, BERT-style inputs and output.',
    inputs: [
      { name: 'input_ids', dims: ['batch', 'sequence'], type: 'int64' as const },
      { name: 'attention_mask', dims: ['batch', 'sequence'], type: 'int64' as const },
      { name: 'token_type_ids', dims: ['batch', 'sequence'], type: 'int64' as const },
    ],
    outputs: [{ name: 'last_hidden_state', dims: ['batch', 'sequence', HIDDEN] }],
    metadata: { hidden_size: String(HIDDEN) },
  });
}

/** Writes the model folder `dir` (replacing what is there); returns `dir`. */
export function writeTinySentenceModel(dir: string): string {
  const vocab = tinySentenceVocab();
  fs.mkdirSync(path.join(dir, '1_Pooling'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), modelBytes(vocab));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab.tokens)));
  fs.writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: MAX_LENGTH, pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]' }),
  );
  fs.writeFileSync(path.join(dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: HIDDEN, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true }));
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const at = process.argv.indexOf('--out');
  const out = at > 0 ? process.argv[at + 1] : undefined;
  if (!out) {
    console.error('usage: build-tiny-sentence-model.ts --out <models/text folder>');
    process.exit(2);
  }
  console.log(writeTinySentenceModel(path.join(out, TINY_SENTENCE_MODEL)));
}
