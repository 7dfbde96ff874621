// A sentence-embedding text model: the tiny export of scripts/build-tiny-sentence-model.ts
// (WordPiece tokenizer.json, BERT-style ONNX inputs, mean pooling) loaded as a user's copied
// MiniLM would be. On its own: meaning over spelling, padding that changes nothing, truncation,
// CLS pooling, and broken folders refused with the reason. Through the daemon: listed, switched
// to, labels re-embedded and found by meaning, kept across a restart, and a model that no
// longer loads replaced by the built-in one at start-up.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SentenceModel, SentenceModelError } from '../actors/embeddings/sentenceModel.ts';
import { BUILTIN_TEXT_MODEL } from '../actors/embeddings/textModels.ts';
import { TINY_SENTENCE_MODEL, writeTinySentenceModel } from '../scripts/build-tiny-sentence-model.ts';
import { spawnDaemon, tempDirs } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), 'skill-sentence-'));

describe('sentence model on its own', () => {
  const dir = writeTinySentenceModel(path.join(scratch(), TINY_SENTENCE_MODEL));

  test('meaning, not spelling: synonyms are near, unrelated words far', async () => {
    const m = await SentenceModel.load(dir);
    assert.deepEqual([m.name, m.dim, m.lexical], [TINY_SENTENCE_MODEL, 32, false], 'name from the folder, dimension from a probe');
    const [relaxed, calm, focused, programming] = await m.encode(['relaxed', 'calm evening', 'focused', 'programming']);
    assert.ok(cos(relaxed!, calm!) > 0.5, `relaxed ~ calm evening: ${cos(relaxed!, calm!)}`);
    assert.ok(cos(relaxed!, focused!) < 0.4, `relaxed ≁ focused: ${cos(relaxed!, focused!)}`);
    assert.ok(Math.abs(Math.hypot(...programming!) - 1) < 1e-5, 'L2-normalised');
    await m.close();
  });

  test('a text embeds the same alone and padded in a batch; long texts are truncated', async () => {
    const m = await SentenceModel.load(dir);
    const [alone] = await m.encode(['calm']);
    const [batched] = await m.encode(['calm', 'focused programming with the team while reading coffee break music']);
    for (let i = 0; i < 32; i++) assert.ok(Math.abs(alone![i]! - batched![i]!) < 1e-6, `padding changes nothing (dim ${i})`);
    const [long] = await m.encode([Array.from({ length: 500 }, () => 'calm').join(' ')]);
    assert.ok(cos(long!, alone!) > 0.99, `a 500-word text is truncated to the model length and still means calm: ${cos(long!, alone!)}`);
    await m.close();
  });

  test('CLS pooling when the pooling config says so', async () => {
    const cls = writeTinySentenceModel(path.join(scratch(), 'cls-model'));
    fs.writeFileSync(path.join(cls, '1_Pooling', 'config.json'), JSON.stringify({ pooling_mode_cls_token: true, pooling_mode_mean_tokens: false }));
    const m = await SentenceModel.load(cls);
    // [CLS] has a zero row in the tiny model: CLS pooling gives the zero vector, mean pooling does not.
    const [v] = await m.encode(['calm']);
    assert.ok(v!.every((x) => x === 0), `the CLS row: ${Array.from(v!.slice(0, 4))}`);
    await m.close();
  });

  test('broken folders are refused with what is wrong', async () => {
    const noTokenizer = writeTinySentenceModel(path.join(scratch(), 'no-tokenizer'));
    fs.rmSync(path.join(noTokenizer, 'tokenizer.json'));
    await assert.rejects(SentenceModel.load(noTokenizer), (e: Error) => e instanceof SentenceModelError && /tokenizer\.json/.test(e.message), 'missing tokenizer');
    const badOnnx = writeTinySentenceModel(path.join(scratch(), 'bad-onnx'));
    fs.writeFileSync(path.join(badOnnx, 'model.onnx'), 'not a model');
    await assert.rejects(SentenceModel.load(badOnnx), (e: Error) => e instanceof SentenceModelError && /could not be loaded/.test(e.message), 'corrupt ONNX');
    const badJson = writeTinySentenceModel(path.join(scratch(), 'bad-json'));
    fs.writeFileSync(path.join(badJson, 'tokenizer.json'), '{"model": ');
    await assert.rejects(SentenceModel.load(badJson), (e: Error) => e instanceof SentenceModelError && /not valid JSON/.test(e.message), 'corrupt tokenizer.json');
  });
});

describe('switching the text model through the daemon', () => {
  const dirs = tempDirs('skill-text-model-');
  const modelsDir = path.join(dirs.data, 'models', 'text');
  writeTinySentenceModel(path.join(modelsDir, TINY_SENTENCE_MODEL));
  fs.mkdirSync(path.join(modelsDir, 'half-copied'), { recursive: true });
  fs.writeFileSync(path.join(modelsDir, 'half-copied', 'model.onnx'), 'truncated');
  fs.writeFileSync(path.join(modelsDir, 'half-copied', 'tokenizer.json'), '{}');

  test('listed, switched to, labels re-embedded and found by meaning; kept across a restart', { timeout: 120_000 }, async () => {
    let daemon = await spawnDaemon({ dirs });
    try {
      let admin = client(daemon.port, daemon.token);
      const before = await admin.get('/v1/models/text-embedding');
      assert.equal(before.json.model, BUILTIN_TEXT_MODEL, `built-in by default: ${before.text}`);
      assert.equal(before.json.lexical, true, 'the built-in model is lexical');
      assert.deepEqual(
        before.json.available.map((m: any) => [m.name, m.usable]),
        [[BUILTIN_TEXT_MODEL, true], ['half-copied', true], [TINY_SENTENCE_MODEL, true]],
        'every folder listed',
      );
      for (const text of ['calm evening', 'focused programming', 'team meeting']) {
        assert.equal((await admin.post('/v1/labels', { text })).status, 200, `label ${text}`);
      }

      const sw = await admin.post('/v1/models/text-embedding', { modelCode: TINY_SENTENCE_MODEL });
      assert.equal(sw.status, 200, sw.text);
      assert.deepEqual([sw.json.ok, sw.json.model, sw.json.dim, sw.json.lexical], [true, TINY_SENTENCE_MODEL, 32, false], sw.text);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const status = (await admin.get('/v1/labels/embedding-status')).json;
        if (status.current_model === TINY_SENTENCE_MODEL && status.stale === 0) break;
        assert.ok(Date.now() < deadline, `labels re-embedded in time: ${JSON.stringify(status)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const top = async (query: string) => (await admin.post('/v1/labels/search', { query, k: 3 })).json.results[0]?.text;
      assert.equal(await top('relaxed'), 'calm evening', 'a word the label does not contain finds it by meaning');
      assert.equal(await top('concentration on software'), 'focused programming', 'and another');

      const broken = await admin.post('/v1/models/text-embedding', { model: 'half-copied' });
      assert.equal(broken.status, 422, broken.text);
      assert.equal(broken.json.code, 'model_load_failed', broken.text);
      for (const body of [{}, { model: '' }, { model: 7 }]) assert.equal((await admin.post('/v1/models/text-embedding', body)).status, 422, JSON.stringify(body));
      for (const model of ['../models', 'nope', '/etc']) assert.equal((await admin.post('/v1/models/text-embedding', { model })).status, 404, model);
      assert.equal((await admin.get('/v1/models/text-embedding')).json.model, TINY_SENTENCE_MODEL, 'refused switches leave the model in use');

      assert.equal((await daemon.stop()).code, 0, 'clean stop');
      daemon = await spawnDaemon({ dirs });
      admin = client(daemon.port, daemon.token);
      assert.equal((await admin.get('/v1/models/text-embedding')).json.model, TINY_SENTENCE_MODEL, 'restored at start-up');
      assert.equal(await top('relaxed'), 'calm evening', 'and labels still found by meaning');

      // The chosen model's file is damaged while the daemon is down: it starts on the built-in one.
      assert.equal((await daemon.stop()).code, 0, 'clean stop');
      fs.writeFileSync(path.join(modelsDir, TINY_SENTENCE_MODEL, 'model.onnx'), 'damaged');
      daemon = await spawnDaemon({ dirs });
      admin = client(daemon.port, daemon.token);
      assert.equal((await admin.get('/v1/models/text-embedding')).json.model, BUILTIN_TEXT_MODEL, 'falls back to the built-in model');
      assert.equal((await admin.post('/v1/labels', { text: 'still works' })).status, 200, 'labels still work');
    } finally {
      await daemon.stop();
    }
  });
});
