// EEG similarity search through the real daemon: day databases with planted clusters (this
// daemon's unix ms and the reference's 17-digit timestamps) are in the data directory before it
// starts; the index is built from them with the model config's M and ef_construction; range
// searches return the right neighbours with the reference's shape, labels attached; the SSE
// stream's events and its stop when the client goes away; compare, stats, devices, rebuild; bad
// inputs; the index kept across a restart and rebuilt from a corrupt file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawnDaemon, tempDirs, useDaemon } from './helpers/daemonProcess.ts';
import { subscribe } from './helpers/events.ts';
import { client } from './helpers/http.ts';
import { bruteForce, clusterCentres, plantEpochs, type PlantedEpoch } from './helpers/plantedEmbeddings.ts';

/** The built-in encoder's dimension, so that live epochs join the planted ones. */
const DIM = 128;
const A_START = Date.UTC(2026, 4, 4, 8, 0, 0);
const B_START = Date.UTC(2026, 4, 5, 20, 0, 0);
const BIG_START = Date.UTC(2026, 4, 7, 0, 0, 0);
const BIG_COUNT = 12_000;

const dirs = tempDirs('skill-search-e2e-');
fs.mkdirSync(dirs.data, { recursive: true });
fs.writeFileSync(path.join(dirs.data, 'model_config.json'), JSON.stringify({ hnsw_m: 12, hnsw_ef_construction: 80 }));
const centres = clusterCentres(3, DIM, 5);
const planted: PlantedEpoch[] = [
  ...plantEpochs({ dataDir: dirs.data, startMs: A_START, count: 48, cluster: 0, centres, seed: 1, device: 'Muse-A1', noise: 0.05 }),
  ...plantEpochs({ dataDir: dirs.data, startMs: A_START + 3_600_000, count: 48, cluster: 1, centres, seed: 2, device: 'Muse-A1', noise: 0.05 }),
  ...plantEpochs({ dataDir: dirs.data, startMs: B_START, count: 36, cluster: 0, centres, seed: 3, encoding: 'c17', device: 'Legacy-B2', noise: 0.05 }),
  ...plantEpochs({ dataDir: dirs.data, startMs: B_START + 3_600_000, count: 36, cluster: 2, centres, seed: 4, encoding: 'c17', device: 'Legacy-B2', noise: 0.05 }),
  // A long session of one cluster, for a stream long enough to be cut short.
  ...plantEpochs({ dataDir: dirs.data, startMs: BIG_START, count: BIG_COUNT, cluster: 2, centres, seed: 9, device: 'Long', noise: 0.05 }),
];
const byMs = new Map(planted.map((e) => [e.ms, e]));
const ctx = useDaemon({ dirs });
/** Embeddings in the index at the end of the first daemon's life (planted and live). */
let indexed = 0;

const secs = (ms: number) => ms / 1000;
const A0 = { startUtc: secs(A_START), endUtc: secs(A_START) + 47 * 5 };
const B0 = { startUtc: secs(B_START), endUtc: secs(B_START) + 35 * 5 };

async function ready() {
  for (let i = 0; i < 600; i++) {
    const r = await ctx.admin.get('/v1/search/global-index/stats');
    if (r.status === 200 && r.json.ready && !r.json.rebuilding) return r.json;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('the global index never became ready');
}

/** POSTs and reads an SSE stream; `stopAfter` events, then the connection is dropped. */
function sse(port: number, token: string, body: unknown, stopAfter = Infinity): Promise<{ status: number; raw: string; events: any[] }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/search/eeg/stream', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let raw = '';
      const events: any[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        const frames = raw.split('\n\n');
        events.length = 0;
        for (const f of frames.slice(0, -1)) if (f.startsWith('data: ')) events.push(JSON.parse(f.slice(6)));
        if (events.length >= stopAfter) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, raw, events: [...events] });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, raw, events }));
    });
    req.on('error', (err) => (stopAfter === Infinity ? reject(err) : undefined));
    req.end(data);
  });
}

describe('search through the daemon', () => {
  test('the index is built from the day databases with the model config\'s M and ef_construction', async () => {
    // Nothing has searched or stored anything yet: the index actor is parked, with no thread.
    const tree = (await ctx.admin.get('/v1/debug/actors')).json;
    const search = tree.children.find((c: any) => c.id === 'search');
    assert.equal(search?.state, 'parked', `the search actor waits parked: ${JSON.stringify(search?.state)}`);
    assert.equal(fs.existsSync(path.join(dirs.data, 'eeg_global.hnsw')), false, 'no index built before it was needed');
    const st = await ready();
    assert.equal(st.total_embeddings, planted.length);
    assert.equal(st.dim, DIM);
    assert.equal(st.m, 12);
    assert.equal(st.ef_construction, 80);
    assert.equal(st.path, path.join(dirs.data, 'eeg_global.hnsw'));
    assert.ok(st.file_size_bytes > 0);
    assert.equal(st.days, 3);
  });

  test('a range search returns the reference shape and the right neighbours; labels are attached', async () => {
    // A label over the first 10 minutes of cluster 0 on day B.
    const label = await ctx.admin.post('/v1/labels', { text: 'eyes closed, calm', eegStart: secs(B_START), eegEnd: secs(B_START) + 600 });
    assert.equal(label.status, 200);
    const r = await ctx.admin.post('/v1/search/eeg', { ...A0, k: 6 });
    assert.equal(r.status, 200, r.text);
    const res = r.json;
    assert.deepEqual(Object.keys(res).sort(), ['ef', 'end_utc', 'k', 'query_count', 'results', 'searched_days', 'start_utc']);
    assert.equal(res.start_utc, A0.startUtc);
    assert.equal(res.end_utc, A0.endUtc);
    assert.equal(res.k, 6);
    assert.equal(res.ef, 64);
    assert.equal(res.query_count, 48);
    assert.deepEqual(res.searched_days, ['20260504', '20260505', '20260507']);
    let exact = 0;
    let labelled = 0;
    for (const entry of res.results) {
      assert.deepEqual(Object.keys(entry).sort(), ['neighbors', 'timestamp', 'timestamp_unix']);
      const q = byMs.get(entry.timestamp)!;
      assert.equal(q.cluster, 0);
      const truth = new Set(bruteForce(planted, q.vector, 6).map((e) => e.ms));
      for (const n of entry.neighbors) {
        assert.deepEqual(Object.keys(n).sort(), ['date', 'device_id', 'device_name', 'distance', 'hnsw_id', 'labels', 'metrics', 'timestamp', 'timestamp_unix']);
        const e = byMs.get(n.timestamp_unix * 1000)!;
        assert.equal(e.cluster, 0, 'eyes-closed-like cluster 0 finds cluster 0, today and the day before');
        assert.equal(n.timestamp, e.stored);
        assert.equal(n.device_name, e.device);
        assert.deepEqual(n.metrics, { relaxation: 0.5, engagement: 0.25, snr: 3.5 });
        if (truth.has(e.ms)) exact++;
        if (n.labels.length) {
          labelled++;
          assert.ok(n.timestamp_unix >= secs(B_START) && n.timestamp_unix <= secs(B_START) + 600);
          assert.deepEqual(Object.keys(n.labels[0]).sort(), ['eeg_end', 'eeg_start', 'id', 'label_end', 'label_start', 'text']);
          assert.equal(n.labels[0].text, 'eyes closed, calm');
        }
      }
    }
    assert.ok(exact / (48 * 6) >= 0.95, `recall@6 ${exact / (48 * 6)}`);
    assert.ok(labelled > 0, 'some neighbours fall in the label\'s window');
  });

  test('reference-era 17-digit epochs are queries too; deviceName filters the queries', async () => {
    const all = await ctx.admin.post('/v1/search/eeg', { ...B0, k: 3 });
    assert.equal(all.json.query_count, 36);
    assert.equal(all.json.results[0].timestamp, byMs.get(B_START)!.stored);
    assert.equal(String(all.json.results[0].timestamp).length, 17);
    const none = await ctx.admin.post('/v1/search/eeg', { ...B0, k: 3, deviceName: 'Muse-A1' });
    assert.equal(none.json.query_count, 0);
    const mine = await ctx.admin.post('/v1/search/eeg', { ...B0, k: 3, device_name: 'Legacy-B2' });
    assert.equal(mine.json.query_count, 36);
  });

  test('empty ranges give empty results; a body with neither range nor query gets the empty graph', async () => {
    const empty = await ctx.admin.post('/v1/search/eeg', { startUtc: 1_000_000, endUtc: 1_000_100 });
    assert.equal(empty.status, 200);
    assert.equal(empty.json.query_count, 0);
    assert.deepEqual(empty.json.results, []);
    const graph = { nodes: [], edges: [], dot: '', svg: '', svg_col: '', results: [] };
    assert.deepEqual((await ctx.admin.post('/v1/search/eeg', {})).json, graph);
    // A text query builds the interactive graph (test/search.interactive.test.ts covers it).
    const text = await ctx.admin.post('/v1/search/eeg', { query: 'calm focus', kText: 3 });
    assert.equal(text.json.nodes[0]?.kind, 'query', `a graph rooted at the query: ${text.text.slice(0, 200)}`);
  });

  test('bad inputs are 422 with the failing field', async () => {
    const bad: Array<[unknown, string]> = [
      [{ ...A0, k: 0 }, 'k'],
      [{ ...A0, k: 201 }, 'k'],
      [{ ...A0, k: 2.5 }, 'k'],
      [{ ...A0, ef: 0 }, 'ef'],
      [{ ...A0, ef: 2001 }, 'ef'],
      [{ startUtc: 200, endUtc: 100 }, 'endUtc'],
      [{ startUtc: 100 }, 'endUtc'],
      [{ startUtc: '100', endUtc: 200 }, 'startUtc'],
      [{ startUtc: -1, endUtc: 200 }, 'startUtc'],
      [{ ...A0, deviceName: 7 }, 'deviceName'],
    ];
    for (const [body, field] of bad) {
      const r = await ctx.admin.post('/v1/search/eeg', body);
      assert.equal(r.status, 422, JSON.stringify(body));
      assert.ok(r.json.issues.some((i: any) => i.path === field || i.path.startsWith(`${field}`)), `${JSON.stringify(body)}: ${JSON.stringify(r.json.issues)}`);
    }
    assert.equal((await ctx.admin.post('/v1/search/eeg/stream', { startUtc: 5 })).status, 422);
    assert.equal((await ctx.admin.post('/v1/search/eeg/stream', { ...A0, k: 500 })).status, 422);
    assert.equal((await ctx.admin.post('/v1/search/compare', { aStartUtc: 1, aEndUtc: 2, bStartUtc: 3 })).status, 422);
    assert.equal((await ctx.admin.post('/v1/search/compare', { aStartUtc: 2, aEndUtc: 1, bStartUtc: 3, bEndUtc: 4 })).status, 422);
    assert.equal((await client(ctx.daemon.port, null).post('/v1/search/eeg', A0)).status, 401);
  });

  test('the stream: bare data lines — started, one result per query epoch, done', async () => {
    const r = await sse(ctx.daemon.port, ctx.daemon.token, { ...A0, k: 4 });
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.raw, /^event:/m, 'no event names');
    assert.deepEqual(r.events[0], { kind: 'started', query_count: 48, searched_days: ['20260504', '20260505', '20260507'] });
    const results = r.events.slice(1, -1);
    assert.equal(results.length, 48);
    results.forEach((e, i) => {
      assert.equal(e.kind, 'result');
      assert.equal(e.done_count, i + 1);
      assert.equal(e.entry.neighbors.length, 4);
      if (i > 0) assert.ok(e.entry.timestamp_unix > results[i - 1].entry.timestamp_unix, 'time order');
    });
    assert.deepEqual(r.events.at(-1), { kind: 'done', total: 48 });
  });

  test('the stream stops its work when the client goes away', async () => {
    const before = (await ready()).cancelled_searches;
    const started = Date.now();
    const r = await sse(ctx.daemon.port, ctx.daemon.token, { startUtc: secs(BIG_START), endUtc: secs(BIG_START) + BIG_COUNT * 5, k: 5 }, 4);
    assert.deepEqual(r.events[0], { kind: 'started', query_count: BIG_COUNT, searched_days: ['20260504', '20260505', '20260507'] });
    let st = await ctx.admin.get('/v1/search/global-index/stats');
    while (st.json.active_searches > 0 && Date.now() - started < 10_000) {
      await new Promise((res) => setTimeout(res, 20));
      st = await ctx.admin.get('/v1/search/global-index/stats');
    }
    assert.equal(st.json.active_searches, 0);
    assert.equal(st.json.cancelled_searches, before + 1, 'it stopped before its last epoch');
  });

  test('compare runs both ranges with k 10', async () => {
    const r = await ctx.admin.post('/v1/search/compare', { aStartUtc: A0.startUtc, aEndUtc: A0.endUtc, bStartUtc: B0.startUtc, bEndUtc: B0.endUtc });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ['a', 'b']);
    assert.equal(r.json.a.k, 10);
    assert.equal(r.json.a.query_count, 48);
    assert.equal(r.json.b.query_count, 36);
    assert.equal(r.json.b.results[0].neighbors.length, 10);
  });

  test('search stats and devices', async () => {
    const stats = await ctx.admin.get('/v1/search/stats');
    assert.equal(stats.status, 200);
    assert.equal(stats.json.eeg_days, 3);
    assert.equal(stats.json.eeg_first_day, '20260504');
    assert.equal(stats.json.eeg_last_day, '20260507');
    assert.equal(stats.json.label_total, 1);
    assert.equal(stats.json.screenshot_total, 0);
    for (const k of ['label_text_index', 'label_eeg_index', 'label_embed_model', 'screenshot_embedded']) assert.ok(k in stats.json, k);
    const devices = await ctx.admin.get('/v1/search/devices');
    assert.deepEqual(devices.json, { devices: ['Legacy-B2', 'Long', 'Muse-A1'] });
  });

  test('live epochs of a virtual session enter the index and are searchable at once', async () => {
    const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
    try {
      assert.equal((await ctx.admin.post('/v1/lsl/virtual-source/start', { template: 'muse', seed: 42 })).status, 200);
      assert.equal((await ctx.admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200);
      const first = await sub.next((f) => f.type === 'EegEmbedding', 30_000);
      const second = await sub.next((f) => f.type === 'EegEmbedding' && f.payload.epoch > first.payload.epoch, 15_000);
      assert.equal((await ctx.admin.post('/v1/control/cancel-session', {})).status, 200);
      const live = sub.frames.filter((f) => f.type === 'EegEmbedding').map((f) => f.payload.timestamp as number);
      let st = (await ctx.admin.get('/v1/search/global-index/stats')).json;
      for (let i = 0; i < 100 && st.total_embeddings < planted.length + live.length; i++) {
        await new Promise((res) => setTimeout(res, 50));
        st = (await ctx.admin.get('/v1/search/global-index/stats')).json;
      }
      assert.ok(st.total_embeddings >= planted.length + live.length, `${st.total_embeddings} indexed, ${live.length} live`);
      assert.equal(st.dim, DIM);
      const r = await ctx.admin.post('/v1/search/eeg', { startUtc: Math.floor(first.payload.timestamp / 1000), endUtc: Math.ceil(second.payload.timestamp / 1000), k: 3 });
      assert.equal(r.json.query_count, 2);
      for (const entry of r.json.results) {
        // Epochs of the steady virtual signal are near-duplicates: itself is among the nearest, at 0.
        const self = entry.neighbors.find((n: any) => n.timestamp === entry.timestamp);
        assert.ok(self, `an epoch finds itself: ${JSON.stringify(entry)}`);
        assert.ok(self.distance < 1e-5);
        assert.match(self.device_name, /Virtual/i);
      }
    } finally {
      sub.close();
    }
  });

  test('rebuild builds the index again from SQLite and answers with its stats', async () => {
    const before = (await ctx.admin.get('/v1/search/global-index/stats')).json.total_embeddings;
    const r = await ctx.admin.post('/v1/search/global-index/rebuild');
    assert.equal(r.status, 200);
    assert.equal(r.json.total_embeddings, before, 'every stored embedding, live ones included');
    indexed = r.json.total_embeddings;
    assert.equal(r.json.ready, true);
    assert.equal(r.json.rebuilding, false);
  });
});

describe('across restarts', () => {
  test('the saved index is loaded at the next start; a corrupt one is moved aside and rebuilt', async () => {
    await ctx.daemon.stop();
    const file = path.join(dirs.data, 'eeg_global.hnsw');
    const saved = fs.statSync(file).mtimeMs;
    let d = await spawnDaemon({ dirs });
    try {
      const admin = client(d.port, d.token);
      let st = (await admin.get('/v1/search/global-index/stats')).json;
      for (let i = 0; i < 200 && !st.ready; i++) st = (await new Promise((res) => setTimeout(res, 50)), (await admin.get('/v1/search/global-index/stats')).json);
      assert.equal(st.total_embeddings, indexed);
      assert.equal(fs.statSync(file).mtimeMs, saved, 'loaded as it was, not rebuilt');
    } finally {
      assert.equal((await d.stop()).code, 0);
    }
    const bytes = fs.readFileSync(file);
    bytes.fill(0, 1_000, 50_000);
    fs.writeFileSync(file, bytes);
    d = await spawnDaemon({ dirs });
    try {
      const admin = client(d.port, d.token);
      let st = (await admin.get('/v1/search/global-index/stats')).json;
      for (let i = 0; i < 600 && !(st.ready && !st.rebuilding); i++) st = (await new Promise((res) => setTimeout(res, 50)), (await admin.get('/v1/search/global-index/stats')).json);
      assert.equal(st.total_embeddings, indexed);
      assert.ok(fs.readdirSync(dirs.data).some((f) => /^eeg_global\.hnsw\.corrupt-\d+$/.test(f)));
      assert.match(d.stderr(), /global index rebuilt from SQLite \(corrupt/);
      const r = await admin.post('/v1/search/eeg', { ...A0, k: 3 });
      assert.equal(r.json.query_count, 48);
    } finally {
      assert.equal((await d.stop()).code, 0);
    }
    // useDaemon's own stop finds the first daemon already stopped; the directories are left to the OS temp cleaner.
    ctx.daemon.stop = async () => ({ code: 0, signal: null, stdout: '', stderr: '' });
  });
});
