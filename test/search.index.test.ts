// The global search index in-process (its actor and thread, no HTTP): planted clusters across
// days and all three timestamp encodings are searched and checked against brute force; the index
// survives a restart, is rebuilt (with a warning) from a corrupt file, catches up with rows
// stored while it was closed, takes live and re-embedded vectors (replacing an epoch's point),
// follows an encoder change of dimension, and stops a streamed search when told to. The thread
// starts on demand and parks when idle, with nothing lost either way.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActor } from 'xstate';
import { EventBus, type EventEnvelope } from '../actors/eventBus.ts';
import { DaemonLog } from '../actors/log.ts';
import { EpochIndex } from '../actors/search/epochIndex.ts';
import { GlobalSearch } from '../actors/search/globalSearch.ts';
import { globalIndexPath, loadIndex, saveIndex } from '../actors/search/indexFiles.ts';
import type { SearchProgress } from '../actors/search/searchShapes.ts';
import { bruteForce, clusterCentres, near, plantEpochs, type PlantedEpoch } from './helpers/plantedEmbeddings.ts';
import { prng } from './helpers/epochFixture.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-search-index-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DIM = 32;
const DAY1 = Date.UTC(2026, 2, 10, 9, 0, 0);
const DAY2 = Date.UTC(2026, 2, 11, 9, 0, 0);
const DAY3 = Date.UTC(2026, 2, 12, 9, 0, 0);

interface Running {
  search: GlobalSearch;
  events: EventEnvelope[];
  /** The actor's state value (`"parked"`, or `{active: …}`). */
  value(): unknown;
  stop(): Promise<void>;
}

function start(dataDir: string, opts: { saveEvery?: number; parkAfterMs?: number } = {}): Running {
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((e) => events.push(e));
  const search = new GlobalSearch({ dataDir, bus, log: new DaemonLog(false), saveEvery: opts.saveEvery ?? 10, minSaveIntervalMs: 0, ...(opts.parkAfterMs !== undefined && { parkAfterMs: opts.parkAfterMs }) });
  const actor = createActor(search.logic()).start();
  return {
    search,
    events,
    value: () => actor.getSnapshot().value,
    stop: async () => {
      actor.stop();
      await search.close();
    },
  };
}

/** Three clusters over three days: day 1 in unix ms, day 2 in 17-digit, day 3 in 14-digit timestamps (whole seconds). */
function plantThreeDays(dataDir: string): PlantedEpoch[] {
  const centres = clusterCentres(3, DIM);
  return [
    ...plantEpochs({ dataDir, startMs: DAY1, count: 60, cluster: 0, centres, seed: 1 }),
    ...plantEpochs({ dataDir, startMs: DAY1 + 3_600_000, count: 60, cluster: 1, centres, seed: 2 }),
    ...plantEpochs({ dataDir, startMs: DAY2, count: 40, cluster: 1, centres, seed: 3, encoding: 'c17', device: 'Legacy' }),
    ...plantEpochs({ dataDir, startMs: DAY2 + 3_600_000, count: 40, cluster: 2, centres, seed: 4, encoding: 'c17', device: 'Legacy' }),
    ...plantEpochs({ dataDir, startMs: DAY3, count: 30, cluster: 0, centres, seed: 5, encoding: 'c14' }),
    ...plantEpochs({ dataDir, startMs: DAY3 + 3_600_000, count: 30, cluster: 2, centres, seed: 6, encoding: 'c14' }),
  ];
}

/** Waits (up to 10 s) until the index has parked again. */
async function parked(r: Running): Promise<void> {
  for (let i = 0; i < 500 && r.value() !== 'parked'; i++) await new Promise((res) => setTimeout(res, 20));
}

async function readyStats(s: GlobalSearch) {
  for (let i = 0; i < 200; i++) {
    const st = await s.stats();
    if (st.ready && !st.rebuilding) return st;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('index never became ready');
}

describe('planted clusters', () => {
  const dataDir = path.join(tmp, 'planted');
  const planted = plantThreeDays(dataDir);
  const byMs = new Map(planted.map((e) => [e.ms, e]));
  let r: Running;

  test('the first start builds the index from every day (no warning: there was nothing to recover from)', async () => {
    r = start(dataDir);
    const st = await readyStats(r.search);
    assert.equal(st.total_embeddings, planted.length);
    assert.equal(st.dim, DIM);
    assert.equal(st.days, 3);
    assert.equal(st.path, globalIndexPath(dataDir));
    assert.ok(st.file_size_bytes > 0, 'saved right after the build');
    assert.equal(st.m, 16);
    assert.equal(st.ef_construction, 200);
    // A missing index rebuilt with data is worth a warning: the file had been lost.
    assert.equal(r.events.filter((e) => e.type === 'EmbedWorkerWarning').length, 1);
  });

  test('every query epoch of a range, in each encoding, finds its own cluster, and the exact neighbours', async () => {
    for (const [start, count, encoding] of [[DAY1, 60, 'ms'], [DAY2, 40, 'c17'], [DAY3, 30, 'c14']] as const) {
      const startS = start / 1000;
      const res = await r.search.search({ startUtc: startS, endUtc: startS + (count - 1) * 5, k: 5, ef: 50 });
      assert.equal(res.query_count, count, `${encoding}: every epoch of the range is a query`);
      assert.equal(res.results.length, count);
      assert.deepEqual(res.searched_days, ['20260310', '20260311', '20260312']);
      assert.equal(res.k, 5);
      assert.equal(res.ef, 64, 'ef is raised to the query minimum');
      let found = 0;
      for (const entry of res.results) {
        const q = byMs.get(entry.timestamp_unix * 1000);
        assert.ok(q, `${encoding}: query ${entry.timestamp} is a planted epoch`);
        assert.equal(entry.timestamp, q.stored, 'the timestamp as stored');
        assert.equal(entry.neighbors.length, 5);
        const exact = new Set(bruteForce(planted, q.vector, 5).map((e) => e.ms));
        for (const n of entry.neighbors) {
          const e = byMs.get(n.timestamp_unix * 1000)!;
          assert.equal(e.cluster, q.cluster, 'neighbours come from the same cluster');
          assert.equal(n.timestamp, e.stored);
          assert.equal(n.date, e.day);
          assert.equal(n.device_name, e.device);
          assert.equal(n.device_id, null);
          assert.deepEqual(n.labels, []);
          assert.deepEqual(Object.keys(n.metrics ?? {}).sort(), ['engagement', 'relaxation', 'snr'], 'null metrics are left out');
          assert.ok(n.distance >= 0 && n.distance < 0.2);
          if (exact.has(e.ms)) found++;
        }
        const d = entry.neighbors.map((n) => n.distance);
        assert.deepEqual(d, [...d].sort((a, b) => a - b), 'nearest first');
      }
      assert.ok(found / (count * 5) >= 0.95, `${encoding}: recall@5 ${found / (count * 5)}`);
    }
  });

  test('neighbours come from other days too (the index is global)', async () => {
    const res = await r.search.search({ startUtc: DAY3 / 1000, endUtc: DAY3 / 1000 + 29 * 5, k: 40, ef: 100 });
    const days = new Set(res.results.flatMap((e) => e.neighbors.map((n) => n.date)));
    assert.deepEqual([...days].sort(), ['20260310', '20260312'], 'cluster 0 lives on days 1 and 3');
  });

  test('an empty range or a range without embeddings gives empty results, not an error', async () => {
    const res = await r.search.search({ startUtc: 1_000, endUtc: 2_000, k: 5, ef: 50 });
    assert.equal(res.query_count, 0);
    assert.deepEqual(res.results, []);
  });

  test('a live embedding enters the index and a re-embedded one replaces its epoch\'s point', async () => {
    const rand = prng(99);
    const centres = clusterCentres(3, DIM);
    const liveMs = DAY3 + 7_200_000;
    r.search.onStored({ timestampMs: liveMs, dayDir: path.join(dataDir, '20260312'), vector: near(centres[1]!, rand), deviceName: 'Live', model: 'skill-spectral' });
    let st = await r.search.stats();
    assert.equal(st.total_embeddings, planted.length + 1);
    // The same epoch re-embedded (as the reembed scheduler hands it on): replaced, not added.
    r.search.add(liveMs, near(centres[2]!, rand));
    st = await r.search.stats();
    assert.equal(st.total_embeddings, planted.length + 1);
    // The row is not in SQLite, so it cannot be hydrated: searches leave it out instead of failing.
    const res = await r.search.search({ startUtc: DAY2 / 1000 + 3600, endUtc: DAY2 / 1000 + 3600 + 39 * 5, k: 5, ef: 50 });
    assert.ok(res.results.every((e) => e.neighbors.every((n) => n.timestamp_unix * 1000 !== liveMs)));
  });

  test('a vector of another dimension not from the encoder is skipped and counted', async () => {
    r.search.add(DAY3 + 7_300_000, new Float32Array(8).fill(1));
    const st = await r.search.stats();
    assert.equal(st.skipped_dimension, 1);
    assert.equal(st.total_embeddings, planted.length + 1);
  });

  test('streamed: started, one result per query epoch in time order, done; a cancel stops it at the next epoch', async () => {
    const events: SearchProgress[] = [];
    await r.search.stream({ startUtc: DAY1 / 1000, endUtc: DAY1 / 1000 + 59 * 5, k: 3, ef: 50 }, (p) => events.push(p) > 0, new AbortController().signal);
    assert.deepEqual(events[0], { kind: 'started', query_count: 60, searched_days: ['20260310', '20260311', '20260312'] });
    const results = events.filter((e) => e.kind === 'result');
    assert.equal(results.length, 60);
    results.forEach((e, i) => assert.equal(e.kind === 'result' && e.done_count, i + 1));
    assert.deepEqual(events.at(-1), { kind: 'done', total: 60 });

    const cut: SearchProgress[] = [];
    const ac = new AbortController();
    await r.search.stream({ startUtc: DAY1 / 1000, endUtc: DAY3 / 1000 + 86_400, k: 3, ef: 50 }, (p) => {
      cut.push(p);
      if (cut.length === 3) ac.abort();
      return true;
    }, ac.signal);
    assert.ok(cut.length < 10, `stopped early (${cut.length} events)`);
    assert.equal((await r.search.stats()).cancelled_searches, 1);
  });

  test('the index survives a restart: loaded, not rebuilt', async () => {
    await r.stop();
    const manifest = JSON.parse(fs.readFileSync(`${globalIndexPath(dataDir)}.json`, 'utf8'));
    assert.equal(manifest.count, planted.length + 1);
    assert.equal(manifest.dim, DIM);
    assert.equal(manifest.model, 'skill-spectral');
    r = start(dataDir);
    const st = await readyStats(r.search);
    assert.equal(st.total_embeddings, planted.length + 1);
    assert.equal(r.events.filter((e) => e.type === 'EmbedWorkerWarning').length, 0);
    const res = await r.search.search({ startUtc: DAY1 / 1000, endUtc: DAY1 / 1000 + 59 * 5, k: 5, ef: 50 });
    assert.equal(res.query_count, 60);
  });

  test('rows stored while the index was closed are caught up at the next open', async () => {
    await r.stop();
    const centres = clusterCentres(3, DIM);
    const more = plantEpochs({ dataDir, startMs: DAY3 + 10_800_000, count: 25, cluster: 1, centres, seed: 7 });
    r = start(dataDir);
    await readyStats(r.search);
    for (let i = 0; i < 100 && (await r.search.stats()).total_embeddings < planted.length + 1 + more.length; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal((await r.search.stats()).total_embeddings, planted.length + 1 + more.length);
    assert.equal(r.events.filter((e) => e.type === 'EmbedWorkerWarning').length, 0);
    planted.push(...more);
  });

  test('a corrupt index file is moved aside and rebuilt from SQLite, with EmbedWorkerWarning', async () => {
    await r.stop();
    const file = globalIndexPath(dataDir);
    const bytes = fs.readFileSync(file);
    bytes.fill(0xab, 200, 4_000);
    fs.writeFileSync(file, bytes);
    r = start(dataDir);
    const st = await readyStats(r.search);
    // The live vector had no row: only what SQLite holds comes back.
    assert.equal(st.total_embeddings, planted.length);
    const warning = r.events.find((e) => e.type === 'EmbedWorkerWarning');
    assert.ok(warning, 'a warning was published');
    const p = warning.payload as Record<string, unknown>;
    assert.equal(p.code, 'hnsw_rebuilt');
    assert.equal(p.path, file);
    assert.equal(p.recovered_embeddings, planted.length);
    assert.match(String(p.message), /corrupt/);
    const moved = fs.readdirSync(dataDir).filter((f) => /^eeg_global\.hnsw\.corrupt-\d+$/.test(f));
    assert.equal(moved.length, 1, 'the damaged file is kept aside');
    const res = await r.search.search({ startUtc: DAY2 / 1000, endUtc: DAY2 / 1000 + 39 * 5, k: 5, ef: 50 });
    assert.equal(res.query_count, 40);
    assert.ok(res.results.every((e) => e.neighbors.length === 5));
  });

  test('a truncated manifest is corruption too', async () => {
    await r.stop();
    fs.writeFileSync(`${globalIndexPath(dataDir)}.json`, '{"format":1,');
    r = start(dataDir);
    assert.equal((await readyStats(r.search)).total_embeddings, planted.length);
    assert.equal(r.events.filter((e) => e.type === 'EmbedWorkerWarning').length, 1);
  });

  test('the encoder storing another dimension: the index is rebuilt at the new dimension', async () => {
    const rand = prng(5);
    const v = Float32Array.from({ length: 16 }, () => rand() - 0.5);
    r.search.onStored({ timestampMs: DAY3 + 20_000_000, dayDir: path.join(dataDir, '20260312'), vector: v, deviceName: 'Live', model: 'other-encoder' });
    let st = await r.search.stats();
    for (let i = 0; i < 200 && (st.dim !== 16 || st.rebuilding); i++) {
      await new Promise((res) => setTimeout(res, 20));
      st = await r.search.stats();
    }
    assert.equal(st.dim, 16);
    assert.equal(st.model, 'other-encoder');
    assert.equal(st.total_embeddings, 1, 'only the new encoder\'s vector: no 16-d rows are stored');
    assert.equal(st.skipped_dimension, planted.length);
    const w = r.events.filter((e) => e.type === 'EmbedWorkerWarning').at(-1)!;
    assert.match(String((w.payload as { message: string }).message), /dimension/);
    await r.stop();
  });
});

test('a rare state among hours of another is still found: a query that misses its own node is searched again wider', () => {
  // Small clusters inserted before 12,000 epochs of another: HNSW's greedy descent from an entry
  // point in the big cluster ends there for some queries, returning k wrong neighbours at ef 64.
  const centres = clusterCentres(3, 24, 5);
  const index = EpochIndex.create(24, { m: 12, efConstruction: 80, model: 'm' });
  const all: { cluster: number; v: Float32Array }[] = [];
  const add = (cluster: number, n: number, seed: number) => {
    const rand = prng(seed * 2);
    for (let i = 0; i < n; i++) {
      const v = near(centres[cluster]!, rand);
      index.add(all.length, '20260101', v);
      all.push({ cluster, v });
    }
  };
  add(0, 48, 1); add(1, 48, 2); add(0, 36, 3); add(2, 36, 4); add(2, 12_000, 9);
  let plainWrong = 0;
  let wrong = 0;
  let widened = 0;
  all.forEach((q, i) => {
    if (q.cluster === 2) return;
    plainWrong += index.search(q.v, 6, 50).filter((h) => all[h.timestampMs]!.cluster !== q.cluster).length;
    const r = index.searchAround(i, q.v, 6, 50);
    if (r.widened) widened++;
    assert.ok(r.hits.some((h) => h.timestampMs === i), 'its own node comes back');
    wrong += r.hits.filter((h) => all[h.timestampMs]!.cluster !== q.cluster).length;
  });
  assert.ok(plainWrong > 0, 'the plain search does go wrong on this data (else the test shows nothing)');
  assert.equal(wrong, 0);
  assert.ok(widened > 0 && widened < 100);
});

test('a few epochs of a new state after thousands of others find themselves and each other', () => {
  // HNSW's heuristic lets such epochs prune each other out of their neighbour lists: some become
  // unreachable from the rest of the graph, whatever the beam. The epochs around the query in
  // time are measured exactly and merged in.
  const dim = 128;
  const centres = clusterCentres(3, dim, 5);
  let missing = 0;
  let plainMissing = 0;
  for (let trial = 0; trial < 10; trial++) {
    const index = EpochIndex.create(dim, { m: 12, efConstruction: 80, model: 'm' });
    let t = 0;
    const rand = prng(trial + 1);
    for (let i = 0; i < 4_000; i++) index.add(t++, '20260101', near(centres[i % 3]!, rand, 0.05));
    const state = clusterCentres(1, dim, 100 + trial)[0]!;
    const fresh = Array.from({ length: 5 }, () => near(state, rand, 0.08));
    fresh.forEach((v, i) => index.add(100_000 + i * 5_000, '20260101', v));
    fresh.forEach((v, i) => {
      plainMissing += 5 - index.search(v, 5, 50).filter((h) => h.timestampMs >= 100_000).length;
      const r = index.searchAround(100_000 + i * 5_000, v, 5, 50);
      assert.equal(r.hits[0]!.timestampMs, 100_000 + i * 5_000, 'itself first');
      missing += 5 - r.hits.filter((h) => h.timestampMs >= 100_000).length;
    });
  }
  assert.ok(plainMissing > 0, 'the plain search does lose some on this data (else the test shows nothing)');
  assert.equal(missing, 0);
});

test('the index grows past its capacity, and a saved index answers as it did', () => {
  const centres = clusterCentres(4, 16, 3);
  const rand = prng(8);
  const index = EpochIndex.create(16, { m: 16, efConstruction: 100, model: 'm' });
  assert.equal(index.capacity, 1024);
  for (let i = 0; i < 3_000; i++) index.add(1_700_000_000_000 + i * 5_000, i < 1_500 ? '20231114' : '20231115', near(centres[i % 4]!, rand));
  assert.equal(index.size, 3_000);
  assert.ok(index.capacity >= 3_000, `resized to ${index.capacity}`);
  const file = path.join(tmp, 'grown', 'eeg_global.hnsw');
  saveIndex(index, file);
  const loaded = loadIndex(file);
  assert.ok('index' in loaded);
  assert.equal(loaded.index.size, 3_000);
  assert.deepEqual(loaded.index.days(), ['20231114', '20231115']);
  const q = near(centres[2]!, rand);
  assert.deepEqual(loaded.index.search(q, 10, 64), index.search(q, 10, 64), 'same ids, timestamps, days and distances');
  // Timestamps beyond 2^32 survive (hnswlib-node labels would not: they are uint32).
  assert.ok(loaded.index.search(q, 1, 64)[0]!.timestampMs > 2 ** 32);
});

describe('parking', () => {
  const dataDir = path.join(tmp, 'parking');
  const centres = clusterCentres(2, DIM);
  const planted = [
    ...plantEpochs({ dataDir, startMs: DAY1, count: 30, cluster: 0, centres, seed: 21 }),
    ...plantEpochs({ dataDir, startMs: DAY2, count: 30, cluster: 1, centres, seed: 22 }),
  ];
  const range = { startUtc: DAY1 / 1000, endUtc: DAY1 / 1000 + 29 * 5, k: 5, ef: 50 };
  let r: Running;
  let before: Awaited<ReturnType<GlobalSearch['search']>>;

  test('a fresh index has no thread until the first search, which wakes it and is answered', async () => {
    r = start(dataDir, { parkAfterMs: 200 });
    // Longer than the park delay: an index nobody needs does not start a thread on its own.
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(r.value(), 'parked', 'the actor starts parked');
    assert.equal(r.search.state, 'parked', 'and says so');
    assert.equal(r.search.injectWorkerFault(), false, 'no index thread before anything needs one');
    assert.equal(fs.existsSync(globalIndexPath(dataDir)), false, 'nothing was built yet');
    before = await r.search.search(range);
    assert.equal(before.query_count, 30, 'the search waited for the woken thread and was answered');
    assert.ok(before.results.every((e) => e.neighbors.length === 5), 'five neighbours per query epoch');
  });

  test('idle for the park delay, it saves and parks; a later search wakes it and answers as before from the saved index', async () => {
    await parked(r);
    assert.equal(r.value(), 'parked', 'parked after the idle delay');
    assert.equal(r.search.injectWorkerFault(), false, 'no index thread while parked');
    const manifest = JSON.parse(fs.readFileSync(`${globalIndexPath(dataDir)}.json`, 'utf8'));
    assert.equal(manifest.count, planted.length, 'the index is on disk, as it was built');
    const warnings = r.events.filter((e) => e.type === 'EmbedWorkerWarning').length;
    const after = await r.search.search(range);
    assert.deepEqual(after, before, 'the same answer after parking');
    assert.equal(r.events.filter((e) => e.type === 'EmbedWorkerWarning').length, warnings, 'loaded, not rebuilt');
    assert.equal((await r.search.stats()).total_embeddings, planted.length, 'every epoch is in the loaded index');
  });

  test('a vector stored while parked wakes the thread and is not lost, across the next park too', async () => {
    await parked(r);
    assert.equal(r.value(), 'parked', 'parked before the vector arrives');
    // A live vector with no SQLite row: only the hand-over can bring it in, not a catch-up.
    const liveMs = DAY2 + 3_600_000;
    r.search.onStored({ timestampMs: liveMs, dayDir: path.join(dataDir, '20260311'), vector: near(centres[1]!, prng(23)), deviceName: 'Live', model: 'skill-spectral' });
    assert.notEqual(r.value(), 'parked', 'the stored vector woke it');
    assert.equal((await r.search.stats()).total_embeddings, planted.length + 1, 'the vector reached the index');
    await parked(r);
    assert.equal(r.value(), 'parked', 'parked again once idle');
    // The thread saves on its way out, after the actor has parked.
    const savedCount = () => JSON.parse(fs.readFileSync(`${globalIndexPath(dataDir)}.json`, 'utf8')).count;
    for (let i = 0; i < 500 && savedCount() !== planted.length + 1; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(savedCount(), planted.length + 1, 'saved with the vector when it parked');
    assert.equal((await r.search.stats()).total_embeddings, planted.length + 1, 'and still there after waking');
    await r.stop();
  });

  test('closing works parked and active', async () => {
    r = start(dataDir, { parkAfterMs: 200 });
    await r.stop();
    assert.equal(r.value(), 'parked', 'closed while parked: no thread was ever started');
    r = start(dataDir, { parkAfterMs: 60_000 });
    assert.equal((await readyStats(r.search)).total_embeddings, planted.length + 1, 'woken by stats');
    assert.notEqual(r.value(), 'parked', 'active when closed');
    await r.stop();
    assert.equal(JSON.parse(fs.readFileSync(`${globalIndexPath(dataDir)}.json`, 'utf8')).count, planted.length + 1, 'the saved index is intact');
  });
});

describe('supervision', () => {
  test('the index thread dying fails the actor; a fresh thread loads the saved index', async () => {
    const dataDir = path.join(tmp, 'crash');
    const centres = clusterCentres(2, DIM);
    plantEpochs({ dataDir, startMs: DAY1, count: 20, cluster: 0, centres });
    const r = start(dataDir);
    assert.equal((await readyStats(r.search)).total_embeddings, 20);
    await r.stop();
    const bus = new EventBus();
    const search = new GlobalSearch({ dataDir, bus, log: new DaemonLog(false) });
    const actor = createActor(search.logic());
    // Held open until the failure arrives: the idle index thread does not keep the process alive.
    const hold = setInterval(() => undefined, 1_000);
    const failed = new Promise<unknown>((resolve) => actor.subscribe({ error: resolve }));
    actor.start();
    await readyStats(search);
    assert.ok(search.injectWorkerFault());
    assert.match(String(await failed), /search index thread/);
    // The supervisor would start the logic again: do what it does. Nothing waits: it stays parked.
    let again = createActor(search.logic()).start();
    assert.equal(again.getSnapshot().value, 'parked', 'restarted parked, with no work waiting');
    assert.equal((await readyStats(search)).total_embeddings, 20, 'woken on demand, from the saved index');
    const failedAgain = new Promise<unknown>((resolve) => again.subscribe({ error: resolve }));
    assert.ok(search.injectWorkerFault(), 'a thread to kill again');
    assert.match(String(await failedAgain), /search index thread/, 'the second thread dies too');
    clearInterval(hold);
    // A vector stored while no actor runs waits in the backlog; the restarted actor wakes at once for it.
    search.add(DAY1 + 3_600_000, near(centres[1]!, prng(31)));
    again = createActor(search.logic()).start();
    assert.notEqual(again.getSnapshot().value, 'parked', 'work was waiting: awake at once');
    assert.equal((await readyStats(search)).total_embeddings, 21, 'the waiting vector reached the index');
    again.stop();
    await search.close();
  });
});
