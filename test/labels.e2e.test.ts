// Labels through the real daemon: create, list, edit and delete in either casing; 404s and 422s
// in the one error shape; text search (the built-in lexical model ranks the label sharing the
// query's words first) in text and context mode; search by EEG over day databases planted with
// known vectors in all three timestamp encodings, with window metrics; reembed recording the
// model actually used, paced by the reembed config; index stats and rebuild; EEG similarity
// search results carrying exactly the labels whose window holds each neighbour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDayDbForWrite } from '../actors/store/daySchema.ts';
import { unixMsToCompact } from '../actors/store/timestamps.ts';
import { tempDirs, useDaemon } from './helpers/daemonProcess.ts';

const DIM = 128;
/** Three planted minutes of EEG, each near its own axis, each stored in another timestamp encoding. */
const WINDOWS = {
  a: { start: 1_700_000_000, axis: 0, encode: (ms: number) => ms, relaxation: 0.8 },
  b: { start: 1_700_100_000, axis: 1, encode: (ms: number) => unixMsToCompact(ms) * 1000, relaxation: 0.2 },
  c: { start: 1_700_200_000, axis: 2, encode: (ms: number) => unixMsToCompact(ms), relaxation: 0.5 },
} as const;

/** A unit vector near `axis`, a little different for every `seed`. */
function nearAxis(axis: number, seed: number): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = 0.05 * Math.sin(seed * 7.3 + i * 1.7);
  v[axis] = 1;
  return v;
}

const dirs = tempDirs('skill-labels-e2e-');
for (const w of Object.values(WINDOWS)) {
  const day = new Date(w.start * 1000).toISOString().slice(0, 10).replace(/-/g, '');
  const db = openDayDbForWrite(path.join(dirs.data, day));
  const insert = db.prepare('INSERT INTO embeddings (timestamp, device_name, eeg_embedding, metrics_json) VALUES (?, ?, ?, ?)');
  for (let s = 0; s <= 60; s += 5) {
    const v = nearAxis(w.axis, s);
    insert.run(w.encode((w.start + s) * 1000), 'Planted', Buffer.from(v.buffer), JSON.stringify({ relaxation: w.relaxation, engagement: 0.4, hr: 61 }));
  }
  db.close();
}

const ctx = useDaemon({ dirs });

const put = (id: number | string, body: unknown) => ctx.admin.call('PUT', `/v1/labels/${id}`, { body });
const del = (id: number | string) => ctx.admin.call('DELETE', `/v1/labels/${id}`);
const create = async (body: unknown) => {
  const res = await ctx.admin.post('/v1/labels', body);
  assert.equal(res.status, 200, res.text);
  return res.json;
};
const search = async (body: unknown) => {
  const res = await ctx.admin.post('/v1/labels/search', body);
  assert.equal(res.status, 200, res.text);
  return res.json.results as any[];
};
const all = async () => (await ctx.admin.get('/v1/labels')).json as any[];

function assertError(res: { status: number; json: any; text: string }, status: number, code?: string) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json.ok, false);
  assert.equal(typeof res.json.message, 'string');
  if (code) assert.equal(res.json.code, code);
}

test('create, list, edit and delete, in camelCase and snake_case', async () => {
  const camel = await create({ text: 'morning coffee', context: 'kitchen table', labelStartUtc: 1_700_000_100.7, eegStart: 1_700_000_090, eegEnd: 1_700_000_110 });
  assert.equal(camel.text, 'morning coffee');
  assert.equal(camel.context, 'kitchen table');
  assert.deepEqual([camel.label_start, camel.eeg_start, camel.eeg_end], [1_700_000_100, 1_700_000_090, 1_700_000_110]);
  assert.equal(camel.embedding_model, 'skill-text-ngram-v1', 'the model that made the vectors');
  assert.ok(Math.abs(camel.created_at - Date.now() / 1000) < 60);

  const snake = await create({ text: 'evening walk', label_start_utc: 1_700_000_200, label_end_utc: 1_700_000_260, eeg_start: 1_700_000_190 });
  assert.deepEqual([snake.label_start, snake.label_end, snake.eeg_start, snake.eeg_end], [1_700_000_200, 1_700_000_260, 1_700_000_190, 1_700_000_260]);
  assert.equal(snake.context, '');
  // Without times the label is now.
  const now = await create({ text: 'right now' });
  assert.ok(Math.abs(now.label_start - Date.now() / 1000) < 60);
  assert.equal(now.eeg_start, now.label_start);

  const listed = await all();
  assert.deepEqual(listed.slice(0, 3).map((l) => l.id), [now.id, snake.id, camel.id], 'newest first');
  const page = await ctx.admin.get('/v1/labels', { query: { limit: '1', offset: '1' } });
  assert.deepEqual(page.json.map((l: any) => l.id), [snake.id]);
  assert.equal(page.headers['x-total-count'], String(listed.length));

  assert.deepEqual((await put(camel.id, { text: 'afternoon tea', context: 'garden', eeg_end: 1_700_000_300 })).json, { ok: true });
  const edited = (await all()).find((l) => l.id === camel.id);
  assert.deepEqual([edited.text, edited.context, edited.eeg_start, edited.eeg_end], ['afternoon tea', 'garden', 1_700_000_090, 1_700_000_300]);
  assert.equal((await search({ query: 'afternoon tea', k: 1 }))[0].label_id, camel.id, 'the edit is searchable at once');

  for (const l of [camel, snake, now]) assert.deepEqual((await del(l.id)).json, { ok: true });
  const left = (await all()).map((l) => l.id);
  for (const l of [camel, snake, now]) assert.ok(!left.includes(l.id));
  assert.ok(!(await search({ query: 'afternoon tea', k: 50 })).some((r) => r.label_id === camel.id), 'gone from the index');
});

test('unknown ids are 404 and bad bodies 422, in the error shape, changing nothing', async () => {
  const kept = await create({ text: 'kept as it is' });
  const before = JSON.stringify(await all());
  for (const id of [999_999, 'abc', '0', '-1', '1.5']) {
    assertError(await put(id, { text: 'x' }), 404, 'not_found');
    assertError(await del(id), 404, 'not_found');
  }
  const bad: Array<[string, unknown, string]> = [
    ['/v1/labels', {}, 'text'],
    ['/v1/labels', { text: '   ' }, 'text'],
    ['/v1/labels', { text: 42 }, 'text'],
    ['/v1/labels', { text: 'x', eegStart: 20, eegEnd: 10 }, 'eegEnd'],
    ['/v1/labels', { text: 'x', label_start_utc: -5 }, 'labelStartUtc'],
    ['/v1/labels', { text: 'x', labelStartUtc: 1_700_000_000_000 }, 'labelStartUtc'],
    ['/v1/labels', { text: 'x', context: null }, 'context'],
    ['/v1/labels/search', { query: '' }, 'query'],
    ['/v1/labels/search', { query: 'x', k: 0 }, 'k'],
    ['/v1/labels/search', { query: 'x', k: 2.5 }, 'k'],
    ['/v1/labels/search', { query: 'x', mode: 'eeg' }, 'mode'],
    ['/v1/labels/search-by-eeg', { startUtc: 10 }, 'endUtc'],
    ['/v1/labels/search-by-eeg', { startUtc: 20, endUtc: 10 }, 'endUtc'],
    ['/v1/labels/search-by-eeg', { start_utc: 1, end_utc: 2, k: 1001 }, 'k'],
  ];
  for (const [p, body, field] of bad) {
    const res = await ctx.admin.post(p, body);
    assertError(res, 422, 'invalid_body');
    assert.ok(res.json.issues.some((i: any) => i.path === field), `${p} ${JSON.stringify(body)}: ${res.text}`);
  }
  assertError(await put(kept.id, { text: '' }), 422, 'invalid_body');
  assertError(await put(kept.id, { text: 'x', eegStart: 9, eegEnd: 8 }), 422, 'invalid_body');
  for (const query of [{ limit: '0' }, { limit: '1001' }, { offset: '-1' }, { limit: 'ten' }] as Array<Record<string, string>>) {
    assertError(await ctx.admin.get('/v1/labels', { query }), 422, 'invalid_query');
  }
  assert.equal(JSON.stringify(await all()), before);
  await del(kept.id);
});

test('text search ranks the label sharing the query words first; context mode searches contexts', async () => {
  const labels = [
    await create({ text: 'walking the dog in the park', context: 'sunny afternoon outside' }),
    await create({ text: 'deep focus while coding a parser', context: 'office, headphones on' }),
    await create({ text: 'eyes closed meditation', context: 'quiet bedroom before sleep' }),
    await create({ text: 'reading a novel on the sofa' }),
  ];
  const [dog, coding, meditation, reading] = labels;
  const hits = await search({ query: 'meditation with eyes closed' });
  assert.equal(hits[0].label_id, meditation.id, JSON.stringify(hits.map((h) => [h.text, h.distance])));
  assert.ok(hits.length >= 4);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i].distance >= hits[i - 1].distance, 'nearest first');
  assert.equal(hits[0].embedding_model, 'skill-text-ngram-v1');
  for (const key of ['label_id', 'text', 'context', 'eeg_start', 'eeg_end', 'created_at', 'distance']) assert.ok(key in hits[0], key);
  assert.equal((await search({ query: 'coding parser', k: 1 }))[0].label_id, coding.id);
  assert.equal((await search({ query: 'coding parser', k: 1 })).length, 1, 'k limits the results');

  // The dog label's context, not its text, matches.
  const byContext = await search({ query: 'a sunny afternoon', mode: 'context' });
  assert.equal(byContext[0].label_id, dog.id);
  assert.ok(!byContext.some((h) => h.label_id === reading.id), 'a label without context has no context node');
  assert.equal((await search({ query: 'office headphones', mode: 'context', k: 1 }))[0].label_id, coding.id);
  for (const l of labels) await del(l.id);
});

test('search by EEG finds the label whose window holds the nearest EEG, in every timestamp encoding', async () => {
  const { a, b, c } = WINDOWS;
  const la = await create({ text: 'planted A', eegStart: a.start + 10, eegEnd: a.start + 50 });
  const lb = await create({ text: 'planted B', eeg_start: b.start + 20, eeg_end: b.start + 40 });
  // A point label: the ±30 s padding gives it the minute around it.
  const lc = await create({ text: 'planted C', labelStartUtc: c.start + 30 });
  const none = await create({ text: 'no EEG recorded then', eegStart: 1_600_000_000, eegEnd: 1_600_000_060 });
  const stats = (await ctx.admin.get('/v1/labels/index/stats')).json;
  assert.equal(stats.eeg_nodes, 3, JSON.stringify(stats));
  assert.equal(stats.eeg_skipped, 1);
  assert.equal(stats.eeg_dim, DIM);

  for (const [w, label] of [[a, la], [b, lb], [c, lc]] as const) {
    const res = await ctx.admin.post('/v1/labels/search-by-eeg', { startUtc: w.start + 20, endUtc: w.start + 30, k: 3 });
    assert.equal(res.status, 200, res.text);
    const results = res.json.results;
    assert.equal(results.length, 3, 'the label without EEG is never a result');
    assert.equal(results[0].label_id, label.id, JSON.stringify(results));
    assert.ok(results[0].distance < 0.01, `distance ${results[0].distance}`);
    assert.ok(results[1].distance > 0.5);
    assert.ok(Math.abs(results[0].eeg_metrics.relaxation - w.relaxation) < 1e-9, JSON.stringify(results[0].eeg_metrics));
    assert.equal(results[0].eeg_metrics.hr, 61);
  }
  // Text results carry the window's metrics too; a label without EEG has none.
  const textHit = (await search({ query: 'planted A', k: 1 }))[0];
  assert.ok(Math.abs(textHit.eeg_metrics.relaxation - a.relaxation) < 1e-9);
  assert.equal((await search({ query: 'no EEG recorded then', k: 1 }))[0].eeg_metrics, undefined);

  const empty = await ctx.admin.post('/v1/labels/search-by-eeg', { startUtc: 1_500_000_000, endUtc: 1_500_000_100 });
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.json, { results: [], error: 'no EEG data in window' });

  // Rebuilding gives the same indices.
  const rebuilt = (await ctx.admin.post('/v1/labels/index/rebuild')).json;
  const after = (await ctx.admin.get('/v1/labels/index/stats')).json;
  assert.equal(rebuilt.ok, true);
  for (const k of ['text_nodes', 'context_nodes', 'eeg_nodes', 'eeg_skipped'] as const) assert.equal(rebuilt[k], after[k], k);
  assert.equal(after.eeg_nodes, 3);
  const again = (await ctx.admin.post('/v1/labels/search-by-eeg', { startUtc: b.start, endUtc: b.start + 60, k: 1 })).json.results;
  assert.equal(again[0].label_id, lb.id);

  // Moving a label's window moves its EEG node.
  assert.equal((await put(la.id, { text: 'planted A', eegStart: c.start, eegEnd: c.start + 60 })).status, 200);
  const moved = (await ctx.admin.post('/v1/labels/search-by-eeg', { startUtc: a.start, endUtc: a.start + 60, k: 3 })).json.results;
  assert.ok(moved[0].distance > 0.5, 'nothing is near A any more');
  for (const l of [la, lb, lc, none]) await del(l.id);
  assert.equal((await ctx.admin.get('/v1/labels/index/stats')).json.eeg_nodes, 0);
});

test('reembed records the model actually used, paced by the reembed config; a second run is 409', async () => {
  const labels = [await create({ text: 'first', context: 'one' }), await create({ text: 'second' }), await create({ text: 'third' })];
  // As a reference-era daemon left them: a constant model name, and no vectors at all.
  const db = new Database(path.join(ctx.daemon.dirs.data, 'labels.sqlite'));
  db.prepare(`UPDATE labels SET embedding_model = 'nomic-embed-text-v1.5' WHERE id = ?`).run(labels[0].id);
  db.prepare('UPDATE labels SET embedding_model = NULL, text_embedding = NULL, context_embedding = NULL WHERE id = ?').run(labels[1].id);
  db.close();
  const stale = (await ctx.admin.get('/v1/labels/embedding-status')).json;
  assert.equal(stale.current_model, 'skill-text-ngram-v1');
  assert.equal(stale.lexical, true);
  assert.equal(stale.total, 3);
  assert.equal(stale.stale, 2);
  assert.deepEqual(stale.models, { 'nomic-embed-text-v1.5': 1, '(none)': 1, 'skill-text-ngram-v1': 1 });

  assert.equal((await ctx.admin.post('/v1/settings/reembed-config', { batch_size: 1, batch_delay_ms: 150 })).status, 200);
  const started = Date.now();
  const [run, second] = await Promise.all([
    ctx.admin.post('/v1/labels/reembed'),
    new Promise((r) => setTimeout(r, 50)).then(() => ctx.admin.post('/v1/labels/reembed')),
  ]);
  assert.equal(run.status, 200, run.text);
  assert.deepEqual(run.json, { ok: true, total: 3, updated: 3, model: 'skill-text-ngram-v1' });
  assert.ok(Date.now() - started >= 3 * 150, 'one label per batch, 150 ms apart');
  assertError(second, 409, 'already_running');

  const fresh = (await ctx.admin.get('/v1/labels/embedding-status')).json;
  assert.equal(fresh.stale, 0);
  assert.deepEqual(fresh.models, { 'skill-text-ngram-v1': 3 });
  assert.ok((await all()).every((l) => l.embedding_model === 'skill-text-ngram-v1'));
  assert.equal((await search({ query: 'second', k: 1 }))[0].label_id, labels[1].id, 'searchable again');
  assert.equal((await ctx.admin.post('/v1/settings/reembed-config', { batch_size: 10, batch_delay_ms: 50 })).status, 200);
  for (const l of labels) await del(l.id);
});

test('the daemon keeps answering while a rebuild runs', async () => {
  const labels = [];
  for (let i = 0; i < 40; i++) labels.push(await create({ text: `label number ${i}`, context: `context ${i}`, eegStart: WINDOWS.a.start, eegEnd: WINDOWS.a.start + 60 }));
  const rebuild = ctx.admin.post('/v1/labels/index/rebuild');
  const health = await ctx.admin.get('/healthz');
  assert.equal(health.status, 200);
  const done = (await rebuild).json;
  assert.deepEqual([done.text_nodes, done.context_nodes, done.eeg_nodes], [40, 40, 40]);
  for (const l of labels) await del(l.id);
});

test('EEG similarity search results carry the labels whose window holds each neighbour', async () => {
  const { a } = WINDOWS;
  const early = await create({ text: 'first half', eegStart: a.start + 10, eegEnd: a.start + 30 });
  const late = await create({ text: 'second half', eegStart: a.start + 25, eegEnd: a.start + 60 });
  const until = Date.now() + 20_000;
  while ((await ctx.admin.get('/v1/search/global-index/stats')).json.total_embeddings < 39 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const res = await ctx.admin.post('/v1/search/eeg', { startUtc: a.start, endUtc: a.start + 60, k: 13 });
  assert.equal(res.status, 200, res.text);
  const seen = new Map<number, number[]>();
  for (const entry of res.json.results) {
    for (const n of entry.neighbors) {
      const want = [early, late].filter((l) => l.eeg_start <= n.timestamp_unix && n.timestamp_unix <= l.eeg_end).map((l) => l.id);
      assert.deepEqual(n.labels.map((l: any) => l.id), want, `neighbour at ${n.timestamp_unix}`);
      for (const l of n.labels) assert.deepEqual(Object.keys(l).sort(), ['eeg_end', 'eeg_start', 'id', 'label_end', 'label_start', 'text']);
      seen.set(n.timestamp_unix, want);
    }
  }
  assert.deepEqual(seen.get(a.start), [], 'before both windows');
  assert.deepEqual(seen.get(a.start + 25), [early.id, late.id], 'in both');
  assert.deepEqual(seen.get(a.start + 40), [late.id]);
  // A deleted label is no longer attached.
  await del(early.id);
  const after = (await ctx.admin.post('/v1/search/eeg', { startUtc: a.start + 25, endUtc: a.start + 25, k: 13 })).json;
  const at25 = after.results[0].neighbors.find((n: any) => n.timestamp_unix === a.start + 25);
  assert.deepEqual(at25.labels.map((l: any) => l.id), [late.id]);
  await del(late.id);
});
