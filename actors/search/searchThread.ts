// The search index thread: it owns the global EpochIndex, so that loading, rebuilding, saving
// and searching never hold the daemon's event loop. Work that takes long (a rebuild, a range
// search) pauses between pages and between query epochs, so new embeddings, stats and cancels
// are handled meanwhile; searches during a rebuild use the index being replaced.
//
// Saving: after `saveEvery` new or replaced vectors, at most every `minSaveIntervalMs`, after a
// rebuild, and at close. Opening: the saved index if its files check out (then caught up with
// SQLite), otherwise a rebuild from SQLite; a corrupt file is moved aside first.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { EpochIndex } from './epochIndex.ts';
import { globalIndexPath, indexFileSize, loadIndex, quarantineIndex, saveIndex } from './indexFiles.ts';
import { catchUp, rebuildIndex, storedDeviceNames } from './indexRebuild.ts';
import { NeighborRows } from './neighborRows.ts';
import { readQueryEpochs } from './queryEpochs.ts';
import type { FromSearchThread, IndexState, IndexStats, OpenRequest, RangeQuery, RebuildReason, ToSearchThread } from './searchProtocol.ts';
import { neighborMetrics, type Neighbor } from './searchShapes.ts';

const port = parentPort;
if (!port) throw new Error('searchThread.ts must run in a worker thread');
const post = (msg: FromSearchThread) => port.postMessage(msg);
/** Set by `close`: long work stops at its next pause, so the thread is idle when it is stopped. */
let closing = false;
class ThreadClosing extends Error {}
// Stopping a thread while hnswlib runs native code can abort the whole process (a C++ exception
// with no JS left to take it), so long loops end here, between native calls, once closing.
const pause = () => (closing ? Promise.reject(new ThreadClosing('the search thread is closing')) : new Promise<void>((resolve) => setImmediate(resolve)));

interface PendingAdd {
  timestampMs: number;
  day: string;
  vector: Float32Array;
  model: string | null;
}

let config: OpenRequest | null = null;
let file = '';
let index: EpochIndex | null = null;
let state: IndexState = 'opening';
let opened: Promise<void> | null = null;
let rebuilding: Promise<void> | null = null;
/** Vectors that arrived while the index was being (re)built: applied to the new one at the end. */
let arrivedDuringBuild: PendingAdd[] | null = null;
let unsaved = 0;
let lastSavedAt: number | null = null;
let saveTimer: NodeJS.Timeout | null = null;
let activeSearches = 0;
let cancelledSearches = 0;
let widenedQueries = 0;
const cancelled = new Set<number>();

function setState(next: IndexState): void {
  state = next;
  post({ type: 'state', state: next });
}

async function open(o: OpenRequest): Promise<void> {
  config = o;
  file = globalIndexPath(o.dataDir);
  setState('opening');
  const loaded = loadIndex(file);
  if ('index' in loaded) {
    const stale = loaded.index.model !== o.params.model ? 'model' : o.preferDim !== null && o.preferDim !== loaded.index.dim ? 'dimension' : null;
    if (stale) return rebuild(stale, null, `index made by ${loaded.index.model} (${loaded.index.dim}-d); the encoder is ${o.params.model}${o.preferDim ? ` (${o.preferDim}-d)` : ''}`);
    index = loaded.index;
    lastSavedAt = loaded.manifest.saved_at;
    setState('ready');
    const added = await catchUp(index, o.dataDir, pause);
    if (added > 0) {
      post({ type: 'log', level: 'info', message: `global index caught up with ${added} embedding(s) stored after its last save` });
      unsaved += added;
      scheduleSave(true);
    }
    return;
  }
  if ('missing' in loaded) return rebuild('missing', null, `${file} does not exist`);
  const quarantined = quarantineIndex(file);
  return rebuild('corrupt', quarantined, loaded.corrupt);
}

function rebuild(reason: RebuildReason, quarantined: string | null, detail: string): Promise<void> {
  if (rebuilding) return rebuilding;
  rebuilding = (async () => {
    const o = config!;
    setState(index ? 'rebuilding' : 'opening');
    arrivedDuringBuild = [];
    try {
      const out = await rebuildIndex(o.dataDir, o.params, o.preferDim, pause);
      let next = out.index;
      for (const a of arrivedDuringBuild) {
        next ??= EpochIndex.create(a.vector.length, { ...o.params, model: a.model ?? o.params.model });
        next.add(a.timestampMs, a.day, a.vector);
      }
      index = next;
      unsaved = 0;
      if (index) save();
      else removeFiles();
      post({ type: 'rebuilt', report: { reason, path: file, recovered: out.recovered, quarantined, detail } });
    } finally {
      arrivedDuringBuild = null;
      rebuilding = null;
      setState('ready');
    }
  })();
  return rebuilding;
}

function add(a: PendingAdd): void {
  if (arrivedDuringBuild) {
    arrivedDuringBuild.push(a);
    // Until the new index exists, searches use the old one: keep it current too.
    if (!index || a.vector.length !== index.dim) return;
  }
  const o = config;
  if (!o) return;
  if (!index) index = EpochIndex.create(a.vector.length, { ...o.params, model: a.model ?? o.params.model });
  if (a.model && a.vector.length !== index.dim) {
    // The encoder stores vectors of another dimension: it was changed (or the index was built
    // from an older encoder's rows). Its vectors are the index from now on.
    o.preferDim = a.vector.length;
    o.params = { ...o.params, model: a.model };
    rebuild('dimension', null, `${a.model} stores ${a.vector.length}-d embeddings, the index holds ${index.dim}-d ones of ${index.model}`).catch(() => undefined);
    arrivedDuringBuild?.push(a);
    return;
  }
  if (a.model && a.model !== index.model) {
    index.model = a.model;
    o.params = { ...o.params, model: a.model };
  }
  const outcome = index.add(a.timestampMs, a.day, a.vector);
  if (outcome === 'added' || outcome === 'replaced') {
    unsaved++;
    scheduleSave(false);
  }
}

function scheduleSave(now: boolean): void {
  if (saveTimer || !config || (!now && unsaved < config.saveEvery)) return;
  const wait = now ? 0 : Math.max(0, (lastSavedAt ?? 0) + config.minSaveIntervalMs - Date.now());
  saveTimer = setTimeout(() => {
    saveTimer = null;
    if (rebuilding || unsaved === 0) return;
    try {
      save();
    } catch (err) {
      post({ type: 'log', level: 'warn', message: `global index not saved: ${(err as Error).message}` });
    }
  }, wait);
}

function save(): void {
  if (!index) return;
  const manifest = saveIndex(index, file);
  lastSavedAt = manifest.saved_at;
  unsaved = 0;
}

function removeFiles(): void {
  for (const f of [file, `${file}.ids`, `${file}.json`]) fs.rmSync(f, { force: true });
}

async function search(id: number, q: RangeQuery): Promise<void> {
  await opened;
  if (cancelled.delete(id)) {
    cancelledSearches++;
    return post({ type: 'finished', id, total: 0 });
  }
  activeSearches++;
  const rows = new NeighborRows(config!.dataDir);
  let done = 0;
  try {
    const dim = index?.dim;
    const queries = dim === undefined ? [] : readQueryEpochs(config!.dataDir, q.startS, q.endS, q.deviceName).filter((e) => e.vector.length === dim);
    post({ type: 'started', id, queryCount: queries.length, searchedDays: index?.days() ?? [] });
    for (const e of queries) {
      await pause();
      if (cancelled.has(id)) {
        cancelledSearches++;
        break;
      }
      const neighbors: Neighbor[] = [];
      const around = index?.searchAround(e.unixMs, e.vector, q.k, q.ef);
      if (around?.widened) widenedQueries++;
      for (const hit of around?.hits ?? []) {
        const row = rows.find(hit.timestampMs, hit.day);
        if (!row) continue; // its session was deleted since it was indexed
        const n: Neighbor = {
          hnsw_id: hit.id,
          timestamp: row.timestamp,
          timestamp_unix: Math.floor(hit.timestampMs / 1000),
          distance: Math.max(0, hit.distance),
          date: row.day,
          device_id: row.device_id,
          device_name: row.device_name,
          labels: [],
        };
        const metrics = neighborMetrics(row.metrics_json);
        if (metrics) n.metrics = metrics;
        neighbors.push(n);
      }
      done++;
      post({ type: 'result', id, done, entry: { timestamp: e.timestamp, timestamp_unix: Math.floor(e.unixMs / 1000), neighbors } });
    }
    post({ type: 'finished', id, total: done });
  } finally {
    rows.close();
    activeSearches--;
    cancelled.delete(id);
  }
}

function stats(): IndexStats {
  const o = config!;
  return {
    total_embeddings: index?.size ?? 0,
    file_size_bytes: indexFileSize(file),
    path: file,
    ready: state !== 'opening',
    rebuilding: rebuilding !== null,
    dim: index?.dim ?? null,
    model: index?.model ?? null,
    m: index?.params.m ?? o.params.m,
    ef_construction: index?.params.efConstruction ?? o.params.efConstruction,
    capacity: index?.capacity ?? 0,
    days: index?.days().length ?? 0,
    skipped_dimension: index?.skippedDimension ?? 0,
    skipped_zero: index?.skippedZero ?? 0,
    unsaved,
    last_saved_unix_ms: lastSavedAt,
    active_searches: activeSearches,
    cancelled_searches: cancelledSearches,
    widened_queries: widenedQueries,
  };
}

async function answer(id: number, work: () => unknown): Promise<void> {
  try {
    post({ type: 'reply', id, value: await work() });
  } catch (err) {
    post({ type: 'error', id, message: (err as Error)?.message ?? String(err) });
  }
}

port.on('message', (msg: ToSearchThread) => {
  switch (msg.type) {
    case 'open':
      // A failure to open is the thread's failure: the owning actor restarts it.
      opened = open(msg.open);
      // Awaited by every request; a failure here (or the thread closing mid-open) is theirs to see.
      opened.catch(() => undefined);
      return;
    case 'add':
      add({ timestampMs: msg.timestampMs, day: msg.day, vector: new Float32Array(msg.vector), model: msg.model });
      return;
    case 'search':
      void search(msg.id, msg.query).catch((err) => post({ type: 'error', id: msg.id, message: (err as Error)?.message ?? String(err) }));
      return;
    case 'cancel':
      cancelled.add(msg.id);
      return;
    case 'rebuild':
      void answer(msg.id, async () => {
        await opened;
        await rebuild('requested', null, 'POST /v1/search/global-index/rebuild');
        return stats();
      });
      return;
    case 'stats':
      void answer(msg.id, stats);
      return;
    case 'devices':
      void answer(msg.id, () => storedDeviceNames(config!.dataDir));
      return;
    case 'close':
      // A rebuild in progress is abandoned at its next pause (the files hold the index it was
      // replacing, and what that one lacks is caught up from SQLite at the next open).
      closing = true;
      void answer(msg.id, async () => {
        if (saveTimer) clearTimeout(saveTimer);
        saveTimer = null;
        // The rebuild gives up at its next pause; the reply (after which the thread is stopped)
        // waits for that, so no native call is running when it is.
        await rebuilding?.catch(() => undefined);
        await opened?.catch(() => undefined);
        if (!rebuilding && unsaved > 0) save();
        // The counters of its life, carried on by the next thread (the index parks and wakes).
        return config ? stats() : null;
      });
      return;
    case 'fault':
      setImmediate(() => {
        throw new Error('injected search index thread fault');
      });
  }
});
