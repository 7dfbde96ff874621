// Writes `skill-tiny-llama.gguf`: a llama-architecture model small enough (≈0.6 MB) to load and
// run with the real llama.cpp in tests and benchmarks, since no real model can be fetched there.
//
//   npm run build:models                                 # → models/skill-tiny-llama.gguf
//   node --import tsx scripts/build-tiny-gguf.ts --out <dir> [--force]
//
// The weights are random (seeded, so every build is byte-identical): the model talks gibberish,
// but it tokenizes any text, formats chats, and generates at a real model's per-token cost.
//   - Format: GGUF v3 (magic, version, tensor count, KV count, typed KVs, tensor infos, data
//     aligned to 32 bytes), F32 tensors, dims listed ne0 first as ggml does.
//   - Tokenizer: SentencePiece (`tokenizer.ggml.model = llama`) with <unk>, <s>, </s>, the ChatML
//     control tokens, all 256 byte tokens (byte fallback: any UTF-8 text tokenizes) and a few
//     hundred word pieces whose scores prefer longer merges.
//   - A ChatML chat template, so node-llama-cpp formats chats as for a Qwen-style model.
//   - The output rows of the control tokens are zero: their logits stay far below the random
//     words', so generation never ends by itself — `max_tokens`, stop sequences and aborts are
//     what end it, which is what the tests need to be deterministic about.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../actors/devices/virtual/seededRandom.ts';

export const TINY_GGUF_NAME = 'skill-tiny-llama.gguf';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_TINY_GGUF = path.join(ROOT, 'models', TINY_GGUF_NAME);

const SEED = 20260601;
const N_EMBD = 64;
const N_HEAD = 4;
const N_LAYER = 2;
const N_FF = 128;
const N_CTX = 2048;
const ALIGNMENT = 32;

const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const WORDS = (
  'the of and to in is it you that he was for on are as with his they at be this from have or by one had not but what all were ' +
  'when we there can an your which their said if do will each about how up out them then she many some so these would other into ' +
  'has more her two like him see time could no make than first been its who now people my made over did down only way find use may ' +
  'water long little very after words called just where most know hello world brain wave alpha beta theta delta gamma focus calm ' +
  'sleep signal think answer question model token local daemon skill eeg'
).split(' ');

const enum TokenType {
  Normal = 1,
  Unknown = 2,
  Control = 3,
  Byte = 6,
}

interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

function buildVocab(): Vocab {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const seen = new Set<string>();
  const add = (t: string, score: number, type: TokenType) => {
    if (seen.has(t)) return;
    seen.add(t);
    tokens.push(t);
    scores.push(score);
    types.push(type);
  };
  add('<unk>', 0, TokenType.Unknown);
  add('<s>', 0, TokenType.Control);
  add('</s>', 0, TokenType.Control);
  add('<|im_start|>', 0, TokenType.Control);
  add('<|im_end|>', 0, TokenType.Control);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0, TokenType.Byte);
  // Single characters, then every prefix of every "▁word": SentencePiece merges pairs of adjacent
  // pieces only when the merged piece is in the vocabulary, so each step of a word must be there.
  const chars = '▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?\'"-:;()\n';
  for (const c of chars) add(c, -10, TokenType.Normal);
  for (const w of WORDS) {
    const piece = `▁${w}`;
    for (let n = 2; n <= piece.length; n++) add(piece.slice(0, n), -10 + n, TokenType.Normal);
  }
  return { tokens, scores, types };
}

/** GGUF value types (gguf.h). */
const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

class GgufWriter {
  readonly parts: Buffer[] = [];

  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.parts.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.parts.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.parts.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.parts.push(b);
  }
  str(s: string) {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.parts.push(bytes);
  }
  get length() {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
}

type KvValue =
  | { type: 'u32' | 'i32' | 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; of: 'string'; value: string[] }
  | { type: 'array'; of: 'f32' | 'i32'; value: number[] };

function writeKv(w: GgufWriter, key: string, kv: KvValue): void {
  w.str(key);
  w.u32(T[kv.type]);
  switch (kv.type) {
    case 'u32':
      return w.u32(kv.value);
    case 'i32':
      return w.i32(kv.value);
    case 'f32':
      return w.f32(kv.value);
    case 'bool':
      return void w.parts.push(Buffer.from([kv.value ? 1 : 0]));
    case 'string':
      return w.str(kv.value);
    case 'array':
      w.u32(T[kv.of]);
      w.u64(kv.value.length);
      for (const v of kv.value) {
        if (kv.of === 'string') w.str(v as string);
        else if (kv.of === 'f32') w.f32(v as number);
        else w.i32(v as number);
      }
  }
}

interface Tensor {
  name: string;
  /** ggml order: ne0 (the contiguous dimension) first. */
  dims: number[];
  data: Float32Array;
}

/** The tiny model's bytes (deterministic). */
export function tinyGgufBytes(): Buffer {
  const vocab = buildVocab();
  const nVocab = vocab.tokens.length;
  const rng = seededRandom(SEED, 'tiny-gguf');
  const normal = (n: number, std: number) => Float32Array.from({ length: n }, () => rng.gaussian() * std);
  const ones = (n: number) => new Float32Array(n).fill(1);

  const output = normal(N_EMBD * nVocab, 0.5);
  // Row t of `output` gives token t's logit; zero rows for control tokens keep them from being chosen.
  vocab.types.forEach((type, t) => {
    if (type === TokenType.Control || type === TokenType.Unknown) output.fill(0, t * N_EMBD, (t + 1) * N_EMBD);
  });
  const tensors: Tensor[] = [
    { name: 'token_embd.weight', dims: [N_EMBD, nVocab], data: normal(N_EMBD * nVocab, 1) },
    { name: 'output_norm.weight', dims: [N_EMBD], data: ones(N_EMBD) },
    { name: 'output.weight', dims: [N_EMBD, nVocab], data: output },
  ];
  const proj = 1 / Math.sqrt(N_EMBD);
  for (let l = 0; l < N_LAYER; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [N_EMBD], data: ones(N_EMBD) },
      { name: `${p}attn_q.weight`, dims: [N_EMBD, N_EMBD], data: normal(N_EMBD * N_EMBD, proj) },
      { name: `${p}attn_k.weight`, dims: [N_EMBD, N_EMBD], data: normal(N_EMBD * N_EMBD, proj) },
      { name: `${p}attn_v.weight`, dims: [N_EMBD, N_EMBD], data: normal(N_EMBD * N_EMBD, proj) },
      { name: `${p}attn_output.weight`, dims: [N_EMBD, N_EMBD], data: normal(N_EMBD * N_EMBD, proj) },
      { name: `${p}ffn_norm.weight`, dims: [N_EMBD], data: ones(N_EMBD) },
      { name: `${p}ffn_gate.weight`, dims: [N_EMBD, N_FF], data: normal(N_EMBD * N_FF, proj) },
      { name: `${p}ffn_up.weight`, dims: [N_EMBD, N_FF], data: normal(N_EMBD * N_FF, proj) },
      { name: `${p}ffn_down.weight`, dims: [N_FF, N_EMBD], data: normal(N_FF * N_EMBD, 1 / Math.sqrt(N_FF)) },
    );
  }

  const kvs: Array<[string, KvValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'skill-tiny-llama' }],
    ['general.alignment', { type: 'u32', value: ALIGNMENT }],
    ['general.file_type', { type: 'u32', value: 0 }],
    ['llama.context_length', { type: 'u32', value: N_CTX }],
    ['llama.embedding_length', { type: 'u32', value: N_EMBD }],
    ['llama.block_count', { type: 'u32', value: N_LAYER }],
    ['llama.feed_forward_length', { type: 'u32', value: N_FF }],
    ['llama.attention.head_count', { type: 'u32', value: N_HEAD }],
    ['llama.attention.head_count_kv', { type: 'u32', value: N_HEAD }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: N_EMBD / N_HEAD }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.vocab_size', { type: 'u32', value: nVocab }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', of: 'string', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', of: 'f32', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', of: 'i32', value: vocab.types }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }],
  ];

  const w = new GgufWriter();
  w.parts.push(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const [key, kv] of kvs) writeKv(w, key, kv);
  let offset = 0;
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    offset = align(offset + t.data.byteLength);
  }
  w.parts.push(Buffer.alloc(align(w.length) - w.length));
  for (const t of tensors) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    w.parts.push(bytes, Buffer.alloc(align(bytes.length) - bytes.length));
  }
  return Buffer.concat(w.parts);
}

const align = (n: number) => Math.ceil(n / ALIGNMENT) * ALIGNMENT;

/** Writes the model to `file` unless a file with the same bytes is there; true when written. */
export function ensureTinyGguf(file = DEFAULT_TINY_GGUF, force = false): boolean {
  const bytes = tinyGgufBytes();
  if (!force) {
    try {
      if (fs.readFileSync(file).equals(bytes)) return false;
    } catch {
      // Missing or unreadable: write it.
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const file = at >= 0 && args[at + 1] ? path.join(path.resolve(args[at + 1]!), TINY_GGUF_NAME) : DEFAULT_TINY_GGUF;
  const written = ensureTinyGguf(file, args.includes('--force'));
  const data = fs.readFileSync(file);
  process.stdout.write(`${written ? 'wrote' : 'kept '} ${file} (${data.length} bytes, sha256 ${createHash('sha256').update(data).digest('hex')})\n`);
}
