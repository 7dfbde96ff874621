// The labels service with text models swapped under it, in-process: `embedding_model` is the
// name of the model that made the vectors; after a switch the old model's labels are stale (left
// out of text search, counted by embedding-status) until reembed; a model that cannot load is
// TextModelUnavailable, and the EEG side keeps working meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TextEmbeddingModel } from '../actors/embeddings/textEncoder.ts';
import { Labels, LabelNotFound, TextModelUnavailable } from '../actors/labels/labels.ts';
import { DaemonLog } from '../actors/log.ts';
import { SettingsStore } from '../actors/settings/settingsStore.ts';

/** A toy model: one dimension per letter a–h, counting them. Lexical, and easy to reason about. */
function letterModel(name: string, dim = 8): TextEmbeddingModel {
  return {
    name,
    dim,
    lexical: true,
    encode: async (texts) =>
      texts.map((t) => {
        const v = new Float32Array(dim);
        for (const ch of t.toLowerCase()) {
          const i = ch.charCodeAt(0) - 97;
          if (i >= 0 && i < dim) v[i]! += 1;
        }
        v[dim - 1]! += 0.01; // never a zero vector
        return v;
      }),
    close: async () => undefined,
  };
}

function service(current: () => Promise<TextEmbeddingModel>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-labels-model-'));
  const log = new DaemonLog(false);
  const labels = new Labels({ dataDir, log, settings: new SettingsStore(dataDir), textModel: current });
  labels.start();
  return { labels, dataDir, log };
}

test('embedding_model is the model in use; a switch makes labels stale until reembed', async () => {
  let model = letterModel('letters-a');
  const { labels, dataDir } = service(async () => model);
  try {
    const ab = await labels.create({ text: 'aaa bbb', labelStartUtc: 1_700_000_000 });
    const cd = await labels.create({ text: 'ccc ddd', context: 'eee', labelStartUtc: 1_700_000_001 });
    assert.equal(ab.embedding_model, 'letters-a');
    assert.equal((await labels.search('aab', 5, 64, 'text'))[0]!.label_id, ab.id);

    model = letterModel('letters-b', 6);
    const status = await labels.embeddingStatus();
    assert.deepEqual([status.current_model, status.dim, status.total, status.stale], ['letters-b', 6, 2, 2]);
    assert.deepEqual(await labels.search('aab', 5, 64, 'text'), [], 'vectors of another model are not compared');
    const stats = await labels.stats();
    assert.deepEqual([stats.text_model, stats.text_dim, stats.text_nodes], ['letters-b', 6, 0]);
    // A label made now is searchable at once, and recorded with the new model.
    const fresh = await labels.create({ text: 'bbb bbb', labelStartUtc: 1_700_000_002 });
    assert.equal(fresh.embedding_model, 'letters-b');
    assert.deepEqual((await labels.search('bb', 5, 64, 'text')).map((n) => n.label_id), [fresh.id]);

    const run = await labels.reembed();
    assert.deepEqual(run, { ok: true, total: 3, updated: 3, model: 'letters-b' });
    assert.deepEqual((await labels.embeddingStatus()).models, { 'letters-b': 3 });
    assert.equal((await labels.search('aab', 1, 64, 'text'))[0]!.label_id, ab.id);
    assert.equal((await labels.search('eee', 1, 64, 'context'))[0]!.label_id, cd.id);
    assert.deepEqual([(await labels.stats()).text_nodes, (await labels.stats()).context_nodes], [3, 1]);
  } finally {
    await labels.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a text model that cannot load is TextModelUnavailable; listing, deleting and EEG search still work', async () => {
  const { labels, dataDir, log } = service(async () => {
    throw new Error('no such file');
  });
  try {
    await assert.rejects(labels.create({ text: 'hello' }), TextModelUnavailable);
    await assert.rejects(labels.search('hello', 5, 64, 'text'), TextModelUnavailable);
    await assert.rejects(labels.embeddingStatus(), TextModelUnavailable);
    assert.deepEqual(labels.list(10, 0), { items: [], total: 0 });
    assert.deepEqual(await labels.searchByEeg(0, 10, 5, 64), { results: [], error: 'no label has EEG data' });
    await assert.rejects(labels.remove(42), LabelNotFound);
    await assert.rejects(labels.update(42, { text: 'x' }), LabelNotFound);
    // With no label stored, opening the indices never needed the model: only the calls above did.
    assert.ok(log.since(0).lines.some((l) => /no labels yet/.test(l.message)), 'opened without the model');
    assert.ok(!log.since(0).lines.some((l) => /label indices failed to open/.test(l.message)), 'opening did not fail');
  } finally {
    await labels.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
