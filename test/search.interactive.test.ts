// The text-query search graph, the search stats stream and the command palette through the real
// daemon. A recorded morning is planted before it starts: five minutes of one brain state (the
// cluster 0 embeddings) then five of another (cluster 1), with engagement rising epoch by epoch
// and SNR alternating sign; labels are created over the API. The graph must start at the label
// the words point to, hang that label's own epochs under it, reach the labels recorded near
// them, and follow each option (rank metric, SNR gate, device filter, context mode, cache).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { openDayDbForWrite } from '../actors/store/daySchema.ts';
import { utcDayName } from '../actors/store/dayDirs.ts';
import { tempDirs, useDaemon } from './helpers/daemonProcess.ts';
import { clusterCentres, plantEpochs } from './helpers/plantedEmbeddings.ts';

const DIM = 128;
const START_MS = Date.UTC(2026, 4, 4, 8, 0, 0);
const T0 = START_MS / 1000;
const PER_STATE = 60;

const dirs = tempDirs('skill-search-graph-');
fs.mkdirSync(dirs.data, { recursive: true });
const centres = clusterCentres(2, DIM, 21);
const metrics = (offset: number) => (i: number) => ({ engagement: (offset + i) / (2 * PER_STATE), snr: (offset + i) % 2 === 0 ? 2 : -1, relaxation: 0.4 });
plantEpochs({ dataDir: dirs.data, startMs: START_MS, count: PER_STATE, cluster: 0, centres, seed: 1, device: 'Muse-A1', noise: 0.05, metrics: metrics(0) });
plantEpochs({ dataDir: dirs.data, startMs: START_MS + PER_STATE * 5_000, count: PER_STATE, cluster: 1, centres, seed: 2, device: 'Muse-A1', noise: 0.05, metrics: metrics(PER_STATE) });
// Three epochs the encoder has not reached yet: counted as missing by the stats stream.
{
  const db = openDayDbForWrite(path.join(dirs.data, utcDayName(START_MS)));
  const insert = db.prepare('INSERT INTO embeddings (timestamp, device_name, hnsw_id, eeg_embedding, metrics_json) VALUES (?, ?, 0, NULL, NULL)');
  for (let i = 0; i < 3; i++) insert.run(START_MS + 3_600_000 + i * 5_000, 'Muse-A1');
  db.close();
}
const PLANTED = 2 * PER_STATE + 3;

const ctx = useDaemon({ dirs });
const ids: Record<string, number> = {};

async function label(name: string, text: string, fromS: number, toS: number, context = '') {
  const r = await ctx.admin.post('/v1/labels', { text, context, eegStart: T0 + fromS, eegEnd: T0 + toS, labelStartUtc: T0 + fromS, labelEndUtc: T0 + toS });
  assert.equal(r.status, 200, `create label ${name}: ${r.text}`);
  ids[name] = r.json.id;
}

async function graph(body: object) {
  const r = await ctx.admin.post('/v1/search/eeg', body);
  assert.equal(r.status, 200, `graph ${JSON.stringify(body)}: ${r.text}`);
  return r.json as { nodes: any[]; edges: any[]; dot: string; svg: string; svg_col: string; svg_3d: string; cached: boolean; query: string };
}

const eegPoints = (g: { nodes: any[] }) => g.nodes.filter((n) => n.kind === 'eeg_point');

/** Reads a GET SSE stream to its end: named events in order. */
function namedEvents(port: number, token: string, route: string): Promise<Array<{ event: string; data: any }>> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: route, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (raw += c));
      res.on('end', () => {
        const out: Array<{ event: string; data: any }> = [];
        for (const frame of raw.split('\n\n')) {
          const lines = frame.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (event && data) out.push({ event, data: JSON.parse(data) });
        }
        resolve(out);
      });
    });
    req.on('error', reject);
    setTimeout(() => req.destroy(new Error('stats stream did not end in 30 s')), 30_000).unref();
  });
}

describe('interactive search graph', () => {
  test('labels are created over the session', async () => {
    await label('focus', 'deep focus while coding', 100, 130, 'python refactor of the parser');
    await label('coffee', 'coffee break', 200, 210);
    await label('calm', 'eyes closed relaxation', 400, 430);
    await label('far', 'meeting with the team', 3 * 3_600, 3 * 3_600 + 60);
  });

  test('the query reaches its label, the epochs recorded in it, and the labels nearby', async () => {
    const g = await graph({ query: 'focus coding', kText: 1, kEeg: 5, kLabels: 2, reachMinutes: 2 });
    assert.equal(g.query, 'focus coding', 'the query is echoed');
    const root = g.nodes[0];
    assert.deepEqual([root.id, root.kind, root.distance], ['query', 'query', 0], `the first node is the query: ${JSON.stringify(root)}`);
    const texts = g.nodes.filter((n) => n.kind === 'text_label');
    assert.equal(texts.length, 1, 'kText 1 gives one text label');
    assert.equal(texts[0].id, `label:${ids.focus}`, `the words point at the focus label: ${JSON.stringify(texts)}`);
    assert.ok(texts[0].distance >= 0 && texts[0].distance < 1, `text distance in [0, 1): ${texts[0].distance}`);

    const points = eegPoints(g);
    assert.equal(points.length, 5, 'kEeg 5 epochs');
    for (const p of points) {
      assert.equal(p.parent_id, texts[0].id, 'each epoch hangs under its label');
      // Without a rank metric the epochs nearest the label come first: these lie inside its window.
      assert.ok(p.timestamp_unix >= T0 + 100 && p.timestamp_unix <= T0 + 130, `epoch ${p.timestamp_unix - T0} s is inside the label window`);
      assert.ok(p.distance < 0.2, `an epoch of the labelled state is near the label's EEG: ${p.distance}`);
      assert.equal(p.device_name, 'Muse-A1', 'device name carried');
      assert.ok(typeof p.eeg_metrics?.engagement === 'number', `metrics carried: ${JSON.stringify(p.eeg_metrics)}`);
      const expected = 0.5 * texts[0].distance + 0.3 * 0 + 0.2 * (1 - p.eeg_metrics.engagement);
      assert.ok(Math.abs(p.relevance_score - expected) < 1e-9, `relevance ${p.relevance_score} follows the formula (${expected})`);
      for (const axis of ['proj_x', 'proj_y', 'proj_z']) assert.ok(Number.isFinite(p[axis]), `${axis} set on ${p.id}`);
    }
    assert.equal(new Set(points.map((p) => p.id)).size, 5, 'no epoch twice');

    const found = g.nodes.filter((n) => n.kind === 'found_label');
    assert.deepEqual(found.map((n) => n.id), [`found:${ids.coffee}`], `the coffee break (70–110 s away, reach 2 min) is found; the far ones are not: ${JSON.stringify(found)}`);
    const bridges = g.edges.filter((e) => e.kind === 'label_prox');
    assert.equal(bridges.length, 5, 'every epoch links to the nearby label');
    assert.ok(g.edges.some((e) => e.kind === 'text_sim' && e.from_id === 'query' && e.to_id === texts[0].id), 'query → label edge');
    assert.equal(g.edges.filter((e) => e.kind === 'eeg_bridge').length, 5, 'label → epoch edges');

    assert.match(g.dot, /^digraph search \{/, 'DOT source');
    assert.ok(g.dot.includes(`"label:${ids.focus}"`), 'DOT names the label node');
    for (const svg of [g.svg, g.svg_col, g.svg_3d]) assert.match(svg, /^<svg [^>]*>[\s\S]*<\/svg>$/, 'an SVG document');
    assert.ok(g.svg.includes('deep focus while coding'), 'the SVG shows the label text');
  });

  test('an epoch\'s distance is how far its EEG is from its label\'s state', async () => {
    // The calm label (400–430 s) with a 3-minute reach spans the end of the focus state (220–295 s) too.
    const g = await graph({ query: 'eyes closed relaxation', kText: 1, kEeg: 200, kLabels: 0, reachMinutes: 3 });
    assert.equal(g.nodes[1].id, `label:${ids.calm}`, 'the calm label');
    const points = eegPoints(g);
    const other = points.filter((p) => p.timestamp_unix - T0 < PER_STATE * 5);
    const same = points.filter((p) => p.timestamp_unix - T0 >= PER_STATE * 5);
    assert.equal(other.length, 16, `the focus state's last 16 epochs are within reach: ${other.length}`);
    assert.equal(same.length, 60, 'and all of the calm state');
    for (const p of same) assert.ok(p.distance < 0.2, `same state: near (${p.distance})`);
    for (const p of other) assert.ok(p.distance > 0.6, `other state: far (${p.distance})`);
    assert.equal(g.nodes.filter((n) => n.kind === 'found_label').length, 0, 'kLabels 0 finds none');
  });

  test('eegRankBy, snrPositiveOnly and deviceName choose the epochs', async () => {
    const byEngagement = eegPoints(await graph({ query: 'focus coding', kText: 1, kEeg: 4, kLabels: 0, reachMinutes: 2, eegRankBy: 'engagement' }));
    // Engagement rises epoch by epoch, so the best are the last four within 2 min of the window end (130 s + 120 s).
    assert.deepEqual(byEngagement.map((p) => p.timestamp_unix - T0), [250, 245, 240, 235], 'highest engagement first');

    const positive = eegPoints(await graph({ query: 'focus coding', kText: 1, kEeg: 6, kLabels: 0, reachMinutes: 2, snr_positive_only: true }));
    assert.equal(positive.length, 6, 'six epochs with positive SNR exist');
    for (const p of positive) assert.ok(p.eeg_metrics.snr > 0, `SNR gate: ${p.eeg_metrics.snr}`);

    assert.equal(eegPoints(await graph({ query: 'focus coding', kText: 1, deviceName: 'Other-Headset' })).length, 0, 'another device has no epochs');
    const filtered = eegPoints(await graph({ query: 'focus coding', kText: 1, kEeg: 10, reachMinutes: 2, filterStartUtc: T0 + 120, filterEndUtc: T0 + 125 }));
    assert.deepEqual(filtered.map((p) => p.timestamp_unix - T0).sort((a, b) => a - b), [120, 125], 'the filter range bounds the epochs');
  });

  test('context mode searches what the labels were about', async () => {
    const g = await graph({ query: 'python parser refactor', kText: 1, kEeg: 0, mode: 'context' });
    assert.equal(g.nodes[1]?.id, `label:${ids.focus}`, `the focus label's context matches: ${JSON.stringify(g.nodes)}`);
  });

  test('answers are cached until a label changes', async () => {
    const body = { query: 'coffee', kText: 2, kEeg: 2, reachMinutes: 1 };
    const first = await graph(body);
    const second = await graph(body);
    assert.equal(second.cached, true, 'the repeat is served from the cache');
    assert.deepEqual(second.nodes, first.nodes, 'the same graph');
    await label('coffee2', 'second coffee', 290, 295);
    const third = await graph(body);
    assert.equal(third.cached, false, 'a new label makes the cached answer stale');
    assert.ok(third.nodes.some((n) => n.id === `label:${ids.coffee2}`), 'and the new label is found');
  });

  test('no query and no range is the empty graph; a range still searches by range', async () => {
    const empty = await ctx.admin.post('/v1/search/eeg', { query: '   ' });
    assert.deepEqual(empty.json, { nodes: [], edges: [], dot: '', svg: '', svg_col: '', results: [] }, 'blank query');
    const range = await ctx.admin.post('/v1/search/eeg', { startUtc: T0, endUtc: T0 + 10, k: 2, query: 'ignored when a range is given' });
    assert.equal(range.status, 200, range.text);
    assert.ok(Array.isArray(range.json.results) && range.json.query_count >= 1, `range search shape: ${range.text.slice(0, 200)}`);
  });

  test('bad graph bodies are refused with the field named', async () => {
    for (const [body, field] of [
      [{ query: 'x', eegRankBy: 'loudness' }, 'eegRankBy'],
      [{ query: 'x', kText: -1 }, 'kText'],
      [{ query: 'x', reachMinutes: 'ten' }, 'reachMinutes'],
      [{ query: 42 }, 'query'],
    ] as const) {
      const r = await ctx.admin.post('/v1/search/eeg', body);
      assert.equal(r.status, 422, `${JSON.stringify(body)} → ${r.status} ${r.text}`);
      assert.ok(r.text.includes(field), `the error names ${field}: ${r.text}`);
    }
  });
});

describe('search stats stream', () => {
  test('fast, then slow with every epoch counted', async () => {
    const events = await namedEvents(ctx.daemon.port, ctx.daemon.token, '/v1/search/stats/stream');
    assert.deepEqual(events.map((e) => e.event), ['fast', 'slow'], `event order: ${JSON.stringify(events)}`);
    const plain = await ctx.admin.get('/v1/search/stats');
    assert.deepEqual(events[0]!.data, plain.json, 'fast is GET /v1/search/stats');
    const slow = events[1]!.data;
    assert.equal(slow.eeg_total_epochs, PLANTED, `all planted epochs: ${JSON.stringify(slow)}`);
    assert.equal(slow.eeg_embedded_epochs, 2 * PER_STATE, 'embedded ones');
    assert.equal(slow.eeg_missing_epochs, 3, 'the three without a vector');
    const history = await ctx.admin.get('/v1/history/stats');
    assert.equal(slow.eeg_total_sessions, history.json.total_sessions, 'sessions as history counts them');
    assert.equal(slow.eeg_total_secs, history.json.total_secs, 'seconds as history counts them');
    assert.equal(slow.label_stale, 0, 'every label embedded by the current model');
  });
});

describe('command palette', () => {
  const candidates = [
    { id: 'start', text: 'Start recording session' },
    { id: 'stop', text: 'Stop recording session' },
    { id: 'labels', text: 'Open labels' },
    { id: 7, text: 'Search similar brain states' },
    { id: 'quit', text: 'Quit application' },
  ];

  test('the most similar commands come first, weak ones are left out', async () => {
    const r = await ctx.admin.post('/v1/search/commands', { query: 'start recording', candidates });
    assert.equal(r.status, 200, r.text);
    const results = r.json.results as Array<{ id: string | number; score: number }>;
    assert.equal(results[0]?.id, 'start', `best match: ${r.text}`);
    assert.ok(results.length <= 5, 'at most five');
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1]!.score >= results[i]!.score, 'best first');
    for (const m of results) assert.ok(m.score > 0.3, `only scores above 0.3: ${m.score}`);
    assert.ok(!results.some((m) => m.id === 'quit'), `an unrelated command is left out: ${r.text}`);
    const numeric = await ctx.admin.post('/v1/search/commands', { query: 'similar brain states search', candidates });
    assert.equal(numeric.json.results[0]?.id, 7, `numeric ids come back as numbers: ${numeric.text}`);
  });

  test('empty query or candidates match nothing; bad bodies are refused', async () => {
    assert.deepEqual((await ctx.admin.post('/v1/search/commands', { query: '', candidates })).json, { results: [] }, 'empty query');
    assert.deepEqual((await ctx.admin.post('/v1/search/commands', { query: 'x', candidates: [] })).json, { results: [] }, 'no candidates');
    for (const body of [{ query: 'x' }, { query: 'x', candidates: [{ id: {}, text: 'a' }] }, { query: 'x', candidates: 'all' }, { candidates }]) {
      const r = await ctx.admin.post('/v1/search/commands', body);
      assert.equal(r.status, 422, `${JSON.stringify(body)} → ${r.status}`);
    }
    const many = Array.from({ length: 2_001 }, (_, i) => ({ id: i, text: 'x' }));
    assert.equal((await ctx.admin.post('/v1/search/commands', { query: 'x', candidates: many })).status, 422, 'more than 2000 candidates');
  });
});
