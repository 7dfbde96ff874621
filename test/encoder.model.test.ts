// The built-in encoders as ONNX files: onnxruntime reproduces the plain-JS definition of the
// spectral fingerprint, the files are deterministic, eyes-closed epochs of the virtual headset
// land near each other, and the text encoder is the lexical model it says it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { generate } from '../actors/devices/virtual/virtualRecording.ts';
import { charTrigrams, fnv1a32, TRIGRAM_BUCKETS, trigramCounts } from '../actors/embeddings/charTrigrams.ts';
import { buildSpectralEncoder, SPECTRAL_MODEL } from '../actors/embeddings/spectralEncoderModel.ts';
import { BuiltinTextModel, encodeText } from '../actors/embeddings/textEncoder.ts';
import { buildEncoders } from '../scripts/build-encoders.ts';
import { spectralEmbedding } from './helpers/spectralReference.ts';

const EPOCH = SPECTRAL_MODEL.samples;
const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += a[i]! * b[i]!;
  return d;
};
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

const session = ort.InferenceSession.create(buildSpectralEncoder(), { intraOpNumThreads: 1 });

async function embed(channels: Float32Array[]): Promise<Float32Array> {
  const data = new Float32Array(channels.length * EPOCH);
  channels.forEach((c, i) => data.set(c.subarray(0, EPOCH), i * EPOCH));
  const out = await (await session).run({ eeg: new ort.Tensor('float32', data, [channels.length, EPOCH]) });
  return out.embedding!.data as Float32Array;
}

/** Epoch `i` (5 s) of a recording. */
const epochOf = (eeg: Float32Array[], i: number) => eeg.map((c) => c.subarray(i * EPOCH, (i + 1) * EPOCH));

test('onnxruntime matches the plain-JS spectral fingerprint within 1e-4 (1, 4 and 32 channels)', async () => {
  for (const [options, epochs] of [
    [{ template: 'muse' as const, seed: 11 }, 6],
    [{ template: '10-20' as const, channels: 32, seed: 12, quality: 'fair' as const }, 2],
    [{ template: 'generic' as const, channels: 1, seed: 13, blinks_per_minute: 40 }, 3],
  ] as const) {
    const rec = generate(options, epochs * 5);
    for (let e = 0; e < epochs; e++) {
      const x = epochOf(rec.eeg, e);
      const got = await embed(x);
      const want = spectralEmbedding(x);
      assert.equal(got.length, 128);
      let worst = 0;
      for (let i = 0; i < 128; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      assert.ok(worst < 1e-4, `${rec.settings.channelNames.length} ch, epoch ${e}: max |onnx − js| = ${worst}`);
      assert.ok(Math.abs(Math.hypot(...got) - 1) < 1e-5, 'unit length');
    }
  }
});

test('a flat (all-zero) channel and a large DC offset give finite embeddings; the offset changes nothing', async () => {
  const rec = generate({ template: 'muse', seed: 21 }, 5);
  const x = epochOf(rec.eeg, 0);
  const flat = await embed([new Float32Array(EPOCH), ...x.slice(1)]);
  assert.ok(flat.every(Number.isFinite));
  const shifted = await embed(x.map((c) => c.map((v) => v + 800)));
  assert.ok(cosine(shifted, await embed(x)) > 0.99999, 'linear detrend removes a DC offset');
});

test('eyes-closed epochs are nearer each other than to eyes-open epochs', async () => {
  // Default schedule: 20 s open, 20 s closed, repeating; 5 s epochs fall wholly in one block.
  for (const seed of [1, 2, 3]) {
    const rec = generate({ template: 'muse', seed, eyes_closed_schedule: { open_s: 20, closed_s: 20 } }, 160);
    const closed: Float32Array[] = [];
    const open: Float32Array[] = [];
    for (let e = 0; e < 32; e++) (Math.floor((e * 5) / 20) % 2 === 1 ? closed : open).push(await embed(epochOf(rec.eeg, e)));
    const within: number[] = [];
    const across: number[] = [];
    for (let i = 0; i < closed.length; i++) {
      for (let j = i + 1; j < closed.length; j++) within.push(cosine(closed[i]!, closed[j]!));
      for (const o of open) across.push(cosine(closed[i]!, o));
    }
    assert.ok(mean(within) > mean(across) + 0.15, `seed ${seed}: closed–closed ${mean(within).toFixed(3)} vs closed–open ${mean(across).toFixed(3)}`);
    // Nearest-neighbour view, as search sees it: each eyes-closed epoch's nearest other epoch is eyes-closed.
    let right = 0;
    for (let i = 0; i < closed.length; i++) {
      const others = [...closed.filter((_, j) => j !== i).map((v) => ({ v, closed: true })), ...open.map((v) => ({ v, closed: false }))];
      others.sort((a, b) => cosine(closed[i]!, b.v) - cosine(closed[i]!, a.v));
      if (others[0]!.closed) right++;
    }
    assert.ok(right >= closed.length - 1, `seed ${seed}: ${right}/${closed.length} nearest neighbours eyes-closed`);
  }
});

test('the build is deterministic: two builds are byte-identical, and the script writes both models', () => {
  assert.deepEqual(buildSpectralEncoder(), buildSpectralEncoder());
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'skill-models-')));
  const runs = dirs.map((d) => buildEncoders(d));
  assert.deepEqual(runs[0]!.map((r) => path.basename(r.file)).sort(), ['skill-spectral-v1.onnx', 'skill-text-ngram-v1.onnx']);
  assert.deepEqual(runs[0]!.map((r) => r.sha256), runs[1]!.map((r) => r.sha256));
  assert.ok(runs[0]!.every((r) => r.written));
  assert.ok(buildEncoders(dirs[0]!).every((r) => !r.written), 'an existing file is kept');
  const bytes = fs.readFileSync(path.join(dirs[0]!, 'skill-spectral-v1.onnx'));
  assert.equal(createHash('sha256').update(bytes).digest('hex'), createHash('sha256').update(buildSpectralEncoder()).digest('hex'));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('text: 3-grams are taken over normalised code points and hashed with FNV-1a mod 4096', () => {
  assert.deepEqual(charTrigrams('  Eyes\tCLOSED '), [' ey', 'eye', 'yes', 'es ', 's c', ' cl', 'clo', 'los', 'ose', 'sed', 'ed ']);
  assert.deepEqual(charTrigrams('ﬁ'), [' fi', 'fi ']); // NFKC folds the ligature
  assert.deepEqual(charTrigrams('😀x'), [' 😀x', '😀x ']);
  assert.deepEqual(charTrigrams(' \n '), []);
  assert.equal(fnv1a32(new TextEncoder().encode('a')), 0xe40c292c); // FNV-1a test vector
  const counts = trigramCounts('aaaa');
  assert.equal(counts.length, TRIGRAM_BUCKETS);
  assert.equal(counts[fnv1a32(new TextEncoder().encode('aaa')) % TRIGRAM_BUCKETS], 2);
});

test('text: encodeText gives unit 128-d vectors, near for shared spellings, zero for empty text', async () => {
  const [closed, closedLong, open, book, empty] = await encodeText(['eyes closed', 'Eyes closed, relaxing', 'eyes open', 'reading a book', '']);
  for (const v of [closed, closedLong, open, book]) assert.ok(Math.abs(Math.hypot(...v!) - 1) < 1e-5);
  assert.equal(closed!.length, 128);
  assert.ok(cosine(closed!, closedLong!) > cosine(closed!, open!));
  assert.ok(cosine(closed!, open!) > cosine(closed!, book!));
  assert.ok(empty!.every((v) => v === 0));
  assert.deepEqual(await encodeText([]), []);
  // The file the script writes encodes the same as the in-memory model.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-text-'));
  const fromFile = await BuiltinTextModel.load(path.join(dir, 'skill-text-ngram-v1.onnx'));
  assert.deepEqual(await fromFile.encode(['eyes closed']), [closed]);
  await fromFile.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
