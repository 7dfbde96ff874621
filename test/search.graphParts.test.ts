// The parts of the interactive search graph on their own: the 3-D projection against geometry
// known in advance, the drawings' escaping, the cache's eviction and staleness rules, and the
// command palette's ranking.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rankCandidates } from '../actors/search/commandPalette.ts';
import { toDot, toSvg } from '../actors/search/graphDrawing.ts';
import { buildSearchGraph, relevance, type TextHit } from '../actors/search/interactiveGraph.ts';
import { GRAPH_CACHE_ENTRIES, GRAPH_CACHE_TTL_MS, InteractiveSearch } from '../actors/search/interactiveSearch.ts';
import { project3d } from '../actors/search/projection3d.ts';

const dist = (a: number[], b: number[]) => Math.hypot(...a.map((x, i) => x - b[i]!));

describe('project3d', () => {
  test('points in a 3-D subspace of 64 dimensions keep their distances', () => {
    // Four points spanning three orthogonal directions, embedded in 64-d and shifted.
    const raw = [
      [0, 0, 0],
      [3, 0, 0],
      [0, 2, 0],
      [0, 0, 1],
    ];
    const lift = (p: number[]) => Float32Array.from({ length: 64 }, (_, j) => (j === 5 ? p[0]! : j === 17 ? p[1]! : j === 40 ? p[2]! : 0) + 0.25);
    const out = project3d(raw.map(lift));
    for (let a = 0; a < raw.length; a++) {
      for (let b = a + 1; b < raw.length; b++) {
        assert.ok(Math.abs(dist(out[a]!, out[b]!) - dist(raw[a]!, raw[b]!)) < 1e-6, `distance ${a}–${b}: ${dist(out[a]!, out[b]!)} vs ${dist(raw[a]!, raw[b]!)}`);
      }
    }
    // The first axis carries the largest spread.
    const spread = (axis: number) => Math.max(...out.map((p) => p[axis]!)) - Math.min(...out.map((p) => p[axis]!));
    assert.ok(spread(0) >= spread(1) && spread(1) >= spread(2), `axes ordered by variance: ${[0, 1, 2].map(spread)}`);
  });

  test('collinear points use one axis; one point or none gives zeros', () => {
    const out = project3d([0, 1, 2, 5].map((t) => Float32Array.from({ length: 8 }, (_, j) => t * (j + 1))));
    for (const p of out) assert.ok(Math.abs(p[1]) < 1e-6 && Math.abs(p[2]) < 1e-6, `only the first axis: ${p}`);
    assert.deepEqual(project3d([new Float32Array(4).fill(1)]), [[0, 0, 0]], 'a single point');
    assert.deepEqual(project3d([]), [], 'no points');
  });
});

describe('graph drawings', () => {
  const hit: TextHit = { label_id: 1, text: 'a "quoted" <tag> & more\nline', eeg_start: null, eeg_end: null, distance: 0.25 };
  const graph = buildSearchGraph(
    { query: '</svg><script>', kText: 1, kEeg: 0, kLabels: 0, reachMinutes: 1, snrPositiveOnly: false, deviceName: 'all' },
    [hit],
    { epochs: () => [], labelEeg: () => null, labelsNear: () => [] },
  );

  test('text is escaped in SVG and DOT', () => {
    const svg = toSvg(graph);
    assert.ok(!svg.includes('<script>') && svg.includes('&lt;/svg&gt;&lt;script&gt;'), 'markup in the query is escaped');
    assert.equal(svg.match(/<svg /g)?.length, 1, 'one SVG element');
    const dot = toDot(graph);
    assert.ok(dot.includes('a \\"quoted\\"') && !dot.includes('\nline'), `quotes and newlines escaped in DOT: ${dot}`);
  });

  test('relevance is the reference\'s weighted sum', () => {
    assert.equal(relevance(0.2, 0.5, 0.9), 0.5 * 0.2 + 0.3 * 0.5 + 0.2 * (1 - 0.9));
    assert.equal(relevance(0, 0, 7), 0, 'engagement above 1 is clamped');
    assert.equal(relevance(0, 0, undefined), 0.1, 'no engagement counts as 0.5');
  });
});

describe('graph cache', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-graph-cache-'));
  let revision = 0;
  let searches = 0;
  let now = 1_000_000;
  const labels = {
    get revision() {
      return revision;
    },
    search: async () => {
      searches++;
      return [{ label_id: 1, text: 'x', context: '', eeg_start: 1_000, eeg_end: 1_010, created_at: null, distance: 0.1 }];
    },
    labelsNear: () => [],
    eegNodeOf: () => null,
  };
  const search = new InteractiveSearch({ dataDir, labels, now: () => now });
  const req = (query: string) => ({ query, kText: 1, kEeg: 1, kLabels: 0, reachMinutes: 1, snrPositiveOnly: false, deviceName: 'all' });

  test('a repeat is cached; an epoch stored in the span read makes it stale, one outside does not', async () => {
    assert.equal((await search.graph(req('a'))).cached, false, 'first');
    assert.equal((await search.graph(req('a'))).cached, true, 'repeat');
    search.onEegStored({ timestampMs: 5_000_000, dayDir: dataDir, vector: new Float32Array(4), deviceName: 'd', model: 'm' });
    assert.equal((await search.graph(req('a'))).cached, true, 'an epoch far outside the span read leaves it');
    search.onEegStored({ timestampMs: 1_050_000, dayDir: dataDir, vector: new Float32Array(4), deviceName: 'd', model: 'm' });
    assert.equal((await search.graph(req('a'))).cached, false, 'an epoch 40 s after the window (reach 60 s) drops it');
  });

  test('a label change, the TTL and the size bound each end an entry', async () => {
    await search.graph(req('b'));
    revision++;
    assert.equal((await search.graph(req('b'))).cached, false, 'after a label change');
    now += GRAPH_CACHE_TTL_MS;
    assert.equal((await search.graph(req('b'))).cached, false, 'after the TTL');
    for (let i = 0; i < GRAPH_CACHE_ENTRIES + 3; i++) await search.graph(req(`q${i}`));
    assert.equal(search.cacheSize, GRAPH_CACHE_ENTRIES, 'bounded');
    const before = searches;
    await search.graph(req(`q${GRAPH_CACHE_ENTRIES + 2}`));
    assert.equal(searches, before, 'the newest entry is still cached');
    await search.graph(req('q0'));
    assert.equal(searches, before + 1, 'the oldest was evicted');
  });
});

describe('command palette ranking', () => {
  test('top five above 0.3, best first, ties in candidate order', () => {
    const q = Float32Array.of(1, 0);
    const at = (deg: number) => Float32Array.of(Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180));
    const angles = [80, 10, 10, 0, 45, 60, 30, 89];
    const out = rankCandidates(q, angles.map((a, i) => ({ id: i, text: '' })), angles.map(at));
    assert.deepEqual(out.map((m) => m.id), [3, 1, 2, 6, 4], 'cos > 0.3 (angle < 72.5°), five best');
    assert.ok(out.every((m) => m.score > 0.3), 'scores above the cut-off');
  });
});
