// Label indices across daemon restarts, on one data directory: a reference-era labels.sqlite is
// read and re-embedded; the indices saved by one run are loaded (not rebuilt) by the next; a
// damaged, missing, wrong-dimension or out-of-step index file is rebuilt with a warning, and
// search answers as before every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LabelIndex, sidecarOf } from '../actors/labels/labelIndex.ts';
import { openDayDbForWrite } from '../actors/store/daySchema.ts';
import { spawnDaemon, tempDirs } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';

const T0 = 1_700_000_000;
const dirs = tempDirs('skill-labels-restart-');
const file = (name: string) => path.join(dirs.data, name);
const TEXT = file('label_text_index.hnsw');
const CONTEXT = file('label_context_index.hnsw');
const EEG = file('label_eeg_index.hnsw');
const digest = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

// A minute of 16-d EEG, and labels as a reference-era daemon left them: an older table without
// the embedding columns.
fs.mkdirSync(dirs.data, { recursive: true });
{
  const day = openDayDbForWrite(path.join(dirs.data, '20231114'));
  const ins = day.prepare('INSERT INTO embeddings (timestamp, eeg_embedding, metrics_json) VALUES (?, ?, ?)');
  for (let s = 0; s <= 60; s += 5) {
    const v = new Float32Array(16);
    v[0] = 1;
    v[1 + (s % 5)] = 0.1;
    ins.run((T0 + s) * 1000, Buffer.from(v.buffer), '{}');
  }
  day.close();
  const db = new Database(file('labels.sqlite'));
  db.exec(`CREATE TABLE labels (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, context TEXT DEFAULT '', eeg_start INTEGER, eeg_end INTEGER, created_at INTEGER)`);
  const ins2 = db.prepare('INSERT INTO labels (text, context, eeg_start, eeg_end, created_at) VALUES (?, ?, ?, ?, ?)');
  ins2.run('calm breathing exercise', 'yoga mat', T0 + 10, T0 + 40, T0 + 100);
  ins2.run('stressful phone call', '', T0 + 5_000, T0 + 5_060, T0 + 5_100);
  db.close();
}

/** Runs a daemon on the shared directories for `body`, then stops it (exit 0 required); its stderr. */
async function withDaemon(body: (api: ReturnType<typeof client>) => Promise<void>): Promise<string> {
  const d = await spawnDaemon({ dirs });
  try {
    await body(client(d.port, d.token));
  } finally {
    const exit = await d.stop();
    assert.equal(exit.code, 0, exit.stderr);
  }
  return d.stderr();
}

/** What every run must answer the same. */
async function answers(api: ReturnType<typeof client>) {
  const stats = (await api.get('/v1/labels/index/stats')).json;
  const text = (await api.post('/v1/labels/search', { query: 'breathing calmly', k: 5 })).json.results;
  const context = (await api.post('/v1/labels/search', { query: 'office desk', mode: 'context', k: 5 })).json.results;
  const eeg = (await api.post('/v1/labels/search-by-eeg', { startUtc: T0, endUtc: T0 + 60, k: 5 })).json.results;
  const ids = (rs: any[]) => rs.map((r) => r.label_id);
  return { nodes: [stats.text_nodes, stats.context_nodes, stats.eeg_nodes, stats.eeg_skipped], text: ids(text), context: ids(context), eeg: ids(eeg) };
}

let expected: Awaited<ReturnType<typeof answers>>;

test('a reference-era labels.sqlite is listed, then made searchable by reembed; indices are saved', async () => {
  await withDaemon(async (api) => {
    const listed = (await api.get('/v1/labels')).json;
    assert.deepEqual(listed.map((l: any) => l.text), ['stressful phone call', 'calm breathing exercise']);
    assert.equal(listed[1].embedding_model, undefined);
    const status = (await api.get('/v1/labels/embedding-status')).json;
    assert.deepEqual([status.total, status.stale, status.models], [2, 2, { '(none)': 2 }]);
    const stats = (await api.get('/v1/labels/index/stats')).json;
    assert.deepEqual([stats.text_nodes, stats.eeg_nodes, stats.eeg_skipped, stats.eeg_dim], [0, 1, 1, 16], 'EEG nodes need no text model');
    assert.deepEqual((await api.post('/v1/labels/search', { query: 'calm breathing' })).json.results, [], 'unembedded labels are not searched');

    assert.deepEqual((await api.post('/v1/labels/reembed')).json, { ok: true, total: 2, updated: 2, model: 'skill-text-ngram-v1' });
    const created = (await api.post('/v1/labels', { text: 'planning the week', context: 'office desk', eegStart: T0 + 30, eegEnd: T0 + 90 })).json;
    expected = await answers(api);
    assert.deepEqual(expected.nodes, [3, 2, 2, 1]);
    assert.equal(expected.text[0], 1);
    assert.equal(expected.context[0], created.id);
    assert.deepEqual(new Set(expected.eeg), new Set([1, created.id]));
  });
  for (const f of [TEXT, CONTEXT, EEG]) {
    assert.ok(fs.existsSync(f), f);
    assert.ok(fs.existsSync(sidecarOf(f)), sidecarOf(f));
  }
});

test('the next run loads the saved indices as they are', async () => {
  const before = [TEXT, CONTEXT, EEG].map(digest);
  const stderr = await withDaemon(async (api) => assert.deepEqual(await answers(api), expected));
  assert.doesNotMatch(stderr, /rebuilding/);
  assert.deepEqual([TEXT, CONTEXT, EEG].map(digest), before, 'nothing was rewritten');
});

test('damaged, missing and mislabelled index files are rebuilt, with a warning', async () => {
  const flipped = fs.readFileSync(TEXT);
  flipped[flipped.length >> 1]! ^= 0xff;
  fs.writeFileSync(TEXT, flipped);
  fs.writeFileSync(CONTEXT, fs.readFileSync(CONTEXT).subarray(0, 100));
  fs.rmSync(EEG);
  let stderr = await withDaemon(async (api) => assert.deepEqual(await answers(api), expected));
  assert.match(stderr, /label_text_index\.hnsw corrupt \(digest mismatch\): rebuilding/);
  assert.match(stderr, /label_context_index\.hnsw corrupt/);
  assert.match(stderr, /label indices ready: 3 text, 2 context, 2 EEG nodes/);

  // A valid file of another dimension (another model's vectors) is not used either.
  const other = LabelIndex.empty(TEXT, 64, 'skill-text-ngram-v1');
  other.add(1, Float32Array.from({ length: 64 }, (_, i) => i + 1));
  other.save();
  stderr = await withDaemon(async (api) => assert.deepEqual(await answers(api), expected));
  assert.match(stderr, /label_text_index\.hnsw built for skill-text-ngram-v1 \(64-d\), the text model is skill-text-ngram-v1 \(128-d\)/);
});

test('an index out of step with labels.sqlite (a crash between the two) is rebuilt', async () => {
  // A label deleted behind the daemon's back: the saved indices still hold it.
  const db = new Database(file('labels.sqlite'));
  db.prepare('DELETE FROM labels WHERE id = 1').run();
  db.close();
  const stderr = await withDaemon(async (api) => {
    const now = await answers(api);
    assert.deepEqual(now.nodes, [2, 1, 1, 1]);
    assert.ok(!now.text.includes(1) && !now.eeg.includes(1));
  });
  assert.match(stderr, /label_text_index\.hnsw out of step with labels\.sqlite: rebuilding/);
});
