// Label storage pieces in-process: the window lookup, the HNSW wrapper (round trip through its
// file, deleted nodes, growth, every way a file can be unusable), labels.sqlite migrations from
// reference-era files, and the day-database window reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dominantDim, EegWindowReader, meanDirection } from '../actors/labels/eegWindowReader.ts';
import { LabelIndex, sidecarOf } from '../actors/labels/labelIndex.ts';
import { windowMetrics } from '../actors/labels/labelShapes.ts';
import { LABELS_DB_FILE, openLabelsDb } from '../actors/labels/labelsSchema.ts';
import type { LabelRow } from '../actors/labels/labelStore.ts';
import { LabelWindows } from '../actors/labels/labelWindows.ts';
import { openDayDbForWrite } from '../actors/store/daySchema.ts';
import { unixMsToCompact } from '../actors/store/timestamps.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'skill-labels-unit-'));

function row(id: number, eegStart: number | null, eegEnd: number | null): LabelRow {
  return { id, text: `l${id}`, context: '', eeg_start: eegStart, eeg_end: eegEnd, wall_start: null, wall_end: null, label_start: eegStart, label_end: eegEnd, created_at: 0, embedding_model: null };
}

function unit(dim: number, axis: number, wobble = 0): Float32Array {
  const v = new Float32Array(dim);
  v[axis] = 1;
  v[(axis + 1) % dim] = wobble;
  return v;
}

test('label windows: which labels cover a moment, with padding, edits and deletions', () => {
  const w = new LabelWindows();
  w.reset([row(1, 100, 200), row(2, 150, 150), row(3, 1_000, 5_000), row(4, null, null), row(5, 300, 250)]);
  assert.equal(w.size, 4, 'a label without a window is left out');
  const ids = (t: number, pad = 0) => w.at(t, pad).map((r) => r.id);
  assert.deepEqual(ids(99), []);
  assert.deepEqual(ids(100), [1]);
  assert.deepEqual(ids(150), [1, 2]);
  assert.deepEqual(ids(200), [1]);
  assert.deepEqual(ids(201), []);
  assert.deepEqual(ids(260), [5], 'a reversed window is read in order');
  assert.deepEqual(ids(4_000), [3], 'a long window is found far from its start');
  assert.deepEqual(ids(70, 30), [1]);
  assert.deepEqual(ids(69, 30), []);
  assert.deepEqual(ids(Number.NaN), []);
  w.set(2, row(2, 4_500, 4_600));
  assert.deepEqual(ids(150), [1]);
  assert.deepEqual(ids(4_550), [3, 2]);
  w.set(3, null);
  assert.deepEqual(ids(4_000), []);
  assert.equal(w.get(3), null);
  assert.equal(w.get(2)?.eeg_start, 4_500);
  // At unix-time magnitudes a window starting exactly at t still counts.
  w.reset([row(1, 1_700_000_010, 1_700_000_030), row(2, 1_700_000_025, 1_700_000_060)]);
  assert.deepEqual(ids(1_700_000_025), [1, 2]);
  assert.deepEqual(ids(1_700_000_030), [1, 2]);
  assert.deepEqual(ids(1_700_000_031), [2]);
  assert.deepEqual(ids(1_699_999_980, 30), [1]);
});

test('label index: search, replace, delete, grow, and a round trip through its file', () => {
  const dir = tmp();
  const file = path.join(dir, 'idx.hnsw');
  const ix = LabelIndex.empty(file, 8, 'model-a');
  for (let id = 1; id <= 200; id++) assert.ok(ix.add(id, unit(8, id % 8, id / 1000)), 'grows past its first capacity');
  assert.equal(ix.size, 200);
  assert.equal(ix.add(999, new Float32Array(4)), false, 'another dimension is refused');
  assert.equal(ix.add(999, new Float32Array(8)), false, 'a zero vector has no direction');
  assert.equal(ix.add(999, Float32Array.of(1, Number.NaN, 0, 0, 0, 0, 0, 0)), false);
  const hits = ix.search(unit(8, 3, 0.011), 3, 10);
  assert.equal(hits[0]!.id, 11);
  assert.ok(hits[0]!.distance < 1e-4);
  // Replacing moves a label; deleting hides it.
  ix.add(11, unit(8, 5));
  assert.notEqual(ix.search(unit(8, 3, 0.011), 1, 64)[0]!.id, 11);
  assert.ok(ix.remove(3));
  assert.equal(ix.remove(3), false);
  assert.ok(!ix.search(unit(8, 3, 0.003), 200, 64).some((h) => h.id === 3));
  ix.save();

  const loaded = LabelIndex.load(file);
  assert.ok('index' in loaded, JSON.stringify(loaded));
  const back = loaded.index;
  assert.deepEqual([back.dim, back.tag, back.size], [8, 'model-a', 199]);
  assert.ok(!back.has(3), 'deleted nodes stay deleted');
  assert.ok(!back.search(unit(8, 3, 0.003), 200, 64).some((h) => h.id === 3));
  assert.deepEqual(back.search(unit(8, 2, 0.05), 5, 64), ix.search(unit(8, 2, 0.05), 5, 64));
  // Re-adding a deleted label brings it back.
  assert.ok(back.add(3, unit(8, 3, 0.003)));
  assert.equal(back.search(unit(8, 3, 0.003), 1, 64)[0]!.id, 3);
  assert.equal(back.search(unit(8, 1), 0, 64).length, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('label index: a missing, damaged or mislabelled file is never loaded', () => {
  const dir = tmp();
  const file = path.join(dir, 'idx.hnsw');
  assert.deepEqual(LabelIndex.load(file), { missing: true });
  const ix = LabelIndex.empty(file, 8, 'm');
  for (let id = 1; id <= 20; id++) ix.add(id, unit(8, id % 8, 0.1));
  ix.save();
  const good = fs.readFileSync(file);
  const meta = fs.readFileSync(sidecarOf(file), 'utf8');
  const corrupt = (why: RegExp) => {
    const r = LabelIndex.load(file);
    assert.ok('corrupt' in r && why.test(r.corrupt), JSON.stringify(r));
  };

  const flipped = Buffer.from(good);
  flipped[flipped.length >> 1]! ^= 0xff;
  fs.writeFileSync(file, flipped);
  corrupt(/digest/);
  fs.writeFileSync(file, good.subarray(0, good.length - 7));
  corrupt(/digest/);
  fs.writeFileSync(file, good);
  fs.rmSync(sidecarOf(file));
  corrupt(/sidecar/);
  fs.writeFileSync(sidecarOf(file), '{not json');
  corrupt(/sidecar/);
  // A sidecar claiming another dimension: hnswlib would read the file anyway.
  fs.writeFileSync(sidecarOf(file), JSON.stringify({ ...JSON.parse(meta), dim: 16 }));
  corrupt(/dimension/);
  fs.writeFileSync(sidecarOf(file), JSON.stringify({ ...JSON.parse(meta), nodes: 21 }));
  corrupt(/nodes/);
  fs.writeFileSync(sidecarOf(file), meta);
  assert.ok('index' in LabelIndex.load(file));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('labels.sqlite: a reference-era file gains the missing columns and keeps its rows', () => {
  const dir = tmp();
  const old = new Database(path.join(dir, LABELS_DB_FILE));
  old.exec(`CREATE TABLE labels (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, context TEXT DEFAULT '', eeg_start INTEGER, eeg_end INTEGER, created_at INTEGER)`);
  old.prepare('INSERT INTO labels (text, eeg_start, eeg_end, created_at) VALUES (?, ?, ?, ?)').run('old label', 1_700_000_000, 1_700_000_060, 1_700_000_100);
  old.close();
  for (let i = 0; i < 2; i++) {
    const db = openLabelsDb(dir);
    const columns = (db.prepare('PRAGMA table_info(labels)').all() as Array<{ name: string }>).map((c) => c.name);
    for (const c of ['wall_start', 'wall_end', 'label_start', 'label_end', 'text_embedding', 'context_embedding', 'embedding_model']) assert.ok(columns.includes(c), c);
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(db.prepare('SELECT text, eeg_start, embedding_model FROM labels').all(), [{ text: 'old label', eeg_start: 1_700_000_000, embedding_model: null }]);
    assert.ok(db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'idx_labels_eeg_start'`).get());
    db.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('window reader: embeddings in any encoding, metrics of the epochs overlapping the window', () => {
  const data = tmp();
  const t0 = 1_700_000_000;
  const db = openDayDbForWrite(path.join(data, '20231114'));
  const ins = db.prepare('INSERT INTO embeddings (timestamp, eeg_embedding, metrics_json) VALUES (?, ?, ?)');
  const blob = (v: Float32Array) => Buffer.from(v.buffer);
  ins.run(t0 * 1000, blob(unit(4, 0)), JSON.stringify({ relaxation: 1 }));
  ins.run(unixMsToCompact((t0 + 5) * 1000) * 1000, blob(unit(4, 1)), JSON.stringify({ relaxation_score: 0.5 }));
  ins.run(unixMsToCompact((t0 + 10) * 1000), blob(unit(8, 1)), null);
  ins.run((t0 + 15) * 1000, Buffer.alloc(0), JSON.stringify({ relaxation: 0, hr: 70 }));
  ins.run((t0 + 20) * 1000, Buffer.alloc(0), JSON.stringify({ relaxation: 0.5 }));
  db.close();
  const reader = new EegWindowReader(data);
  try {
    assert.equal(reader.embeddings(t0, t0 + 20).length, 3, 'empty blobs are not embeddings');
    assert.equal(reader.embeddings(t0 + 1, t0 + 4).length, 0);
    assert.equal(reader.embeddings(t0 + 5, t0 + 5).length, 1, '17-digit rows');
    assert.equal(reader.embeddings(t0 + 10, t0 + 10)[0]!.length, 8, '14-digit rows');
    // An epoch stamped 4 s before the window overlaps it; one stamped 5 s before does not.
    assert.deepEqual(reader.metrics(t0 + 9, t0 + 9).map((m) => m.relaxation), [0.5]);
    assert.deepEqual(reader.metrics(t0 + 4, t0 + 4).map((m) => m.relaxation), [1]);
    assert.deepEqual(reader.metrics(t0 + 15, t0 + 30), [{ relaxation: 0, hr: 70 }, { relaxation: 0.5 }]);
    // Each key's mean over the epochs that have it; a key none has is left out.
    assert.deepEqual(windowMetrics(reader.metrics(t0 + 15, t0 + 30)), { relaxation: 0.25, hr: 70 });
    assert.equal(windowMetrics([]), null);
    assert.equal(reader.embeddings(1_800_000_000, 1_800_000_100).length, 0, 'no day folder');
  } finally {
    reader.close();
  }
  const mean = meanDirection([Float32Array.of(2, 0), Float32Array.of(0, 1), Float32Array.of(1, 2, 3)], 2)!;
  assert.deepEqual([...mean], [0.5, 0.5], 'each vector normalised, other dimensions ignored');
  assert.equal(meanDirection([Float32Array.of(0, 0)], 2), null);
  assert.equal(dominantDim(new Map([[128, 3], [32, 5]])), 32);
  assert.equal(dominantDim(new Map([[128, 3], [32, 3]])), 128);
  assert.equal(dominantDim(new Map()), null);
  fs.rmSync(data, { recursive: true, force: true });
});
