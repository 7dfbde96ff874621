// LLM model downloads through the shared downloads manager, against a Range-capable file server
// in this process (127.0.0.1) standing in for the Hugging Face hub (`HF_ENDPOINT`): add-model with
// download, the four LlmDownload* events, a two-shard model, pause and resume from the partial
// file, cancel, delete, a file the hub does not have, resumption after a daemon restart, and the
// routes' bad inputs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tinyGgufBytes } from '../scripts/build-tiny-gguf.ts';
import { spawnDaemon, tempDirs, useDaemon } from './helpers/daemonProcess.ts';
import { subscribe, type Subscriber } from './helpers/events.ts';
import { client } from './helpers/http.ts';
import { startRangeServer } from './helpers/rangeServer.ts';
import { until } from './helpers/until.ts';

const REPO = 'skill/tiny-GGUF';
const hub = await startRangeServer(tinyGgufBytes(), {}, /^\/skill\/tiny-GGUF\/resolve\/main\/[^/]+\.gguf$/);
after(() => hub.close());
const env = { HF_ENDPOINT: `http://127.0.0.1:${hub.port}` };
const dirs = tempDirs('skill-llm-dl-');
const ctx = useDaemon({ dirs, env });
const timeout = 30_000;
const modelsDir = (d = dirs) => path.join(d.data, 'models', 'llm');

let events: Subscriber;

const eventFor = (type: string, filename: string, extra: (p: any) => boolean = () => true) =>
  events.next((f) => f.type === type && f.payload.filename === filename && extra(f.payload), 15_000);

const catalogEntry = async (filename: string, c = ctx.admin) => (await c.get('/v1/llm/catalog')).json.models.find((m: any) => m.filename === filename);

test('add-model with download fetches the file into the models folder, announcing progress and completion', { timeout }, async () => {
  events = await subscribe(ctx.daemon.port, ctx.daemon.token);
  hub.options.bytesPerSec = 1_000_000;
  const file = 'tiny-Q8_0.gguf';
  const added = await ctx.admin.post('/v1/llm/catalog/add-model', { repo: REPO, filename: file, sizeGb: 0.001, download: true });
  assert.equal(added.status, 200, added.text);
  assert.equal(added.json.added, true);
  assert.equal(added.json.model.quant, 'Q8_0');
  assert.equal(added.json.download.result, 'started');
  assert.equal((await eventFor('LlmDownloadUpdated', file)).payload.state, 'downloading');
  const progress = await eventFor('LlmDownloadProgress', file, (p) => p.received_bytes > 0);
  assert.equal(progress.payload.total_shards, 1);
  assert.equal(progress.payload.current_shard, 1);
  const done = await eventFor('LlmDownloadCompleted', file);
  assert.equal(done.payload.local_path, path.join(modelsDir(), file));
  assert.ok(fs.readFileSync(path.join(modelsDir(), file)).equals(hub.body));
  assert.equal(hub.requests.at(-1)?.path, `/${REPO}/resolve/main/${file}`);
  const entry = await catalogEntry(file);
  assert.deepEqual([entry.state, entry.progress, entry.repo], ['downloaded', 1, REPO]);
  assert.deepEqual((await ctx.admin.get('/v1/llm/downloads')).json.downloads, [], 'a finished download is idle');
  assert.equal((await ctx.admin.post('/v1/llm/download/start', { filename: file })).json.result, 'already_downloaded');
  const again = await ctx.admin.post('/v1/llm/catalog/add-model', { repo: REPO, filename: file });
  assert.equal(again.json.added, false, 'add-model is idempotent per file name');
});

test('a split model downloads shard by shard and completes once both are there', { timeout }, async () => {
  hub.options.bytesPerSec = 2_000_000;
  const first = 'split-Q4_K_M-00001-of-00002.gguf';
  const added = await ctx.admin.post('/v1/llm/catalog/add-model', { repo: REPO, filename: first });
  assert.deepEqual(added.json.model.shard_files, [first, 'split-Q4_K_M-00002-of-00002.gguf']);
  assert.equal((await ctx.admin.post('/v1/llm/download/start', { filename: first })).json.result, 'started');
  const progress = await eventFor('LlmDownloadProgress', first);
  assert.equal(progress.payload.total_shards, 2);
  await eventFor('LlmDownloadCompleted', first);
  assert.equal(events.frames.filter((f) => f.type === 'LlmDownloadCompleted' && f.payload.filename === first).length, 1);
  for (const shard of added.json.model.shard_files) assert.ok(fs.existsSync(path.join(modelsDir(), shard)), shard);
  const entry = await catalogEntry(first);
  assert.deepEqual([entry.state, entry.shard_count, entry.current_shard], ['downloaded', 2, 2]);
});

test('pause keeps the partial file; resume continues from it with a Range request; cancel deletes it; delete removes the model', { timeout }, async () => {
  hub.options.bytesPerSec = 150_000;
  const file = 'slow-Q4_0.gguf';
  await ctx.admin.post('/v1/llm/catalog/add-model', { repo: REPO, filename: file, download: true });
  await eventFor('LlmDownloadProgress', file, (p) => p.received_bytes > 100_000);
  const paused = await ctx.admin.post('/v1/llm/download/pause', { filename: file });
  assert.equal(paused.json.model.state, 'paused');
  await eventFor('LlmDownloadUpdated', file, (p) => p.state === 'paused');
  const listed = (await ctx.admin.get('/v1/llm/downloads')).json.downloads;
  assert.deepEqual(listed.map((d: any) => [d.filename, d.state, d.repo]), [[file, 'paused', REPO]]);
  const partial = path.join(modelsDir(), `${file}.incomplete`);
  const kept = fs.statSync(partial).size;
  assert.ok(kept > 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(fs.statSync(partial).size, kept, 'nothing arrives while paused');
  assert.equal((await ctx.admin.post('/v1/llm/download/pause', { filename: file })).json.code, 'not_downloading');

  hub.options.bytesPerSec = 2_000_000;
  const requestsBefore = hub.requests.length;
  assert.equal((await ctx.admin.post('/v1/llm/download/resume', { filename: file })).status, 200);
  await eventFor('LlmDownloadCompleted', file);
  const resumed = hub.requests.slice(requestsBefore).find((r) => r.path.endsWith(file));
  assert.match(resumed!.range ?? '', /^bytes=\d+-$/);
  assert.ok(Number(/\d+/.exec(resumed!.range!)![0]) >= kept - 64 * 1024, `resumed from the partial file (${resumed!.range})`);
  assert.ok(fs.readFileSync(path.join(modelsDir(), file)).equals(hub.body));
  assert.equal((await ctx.admin.post('/v1/llm/download/resume', { filename: file })).json.code, 'not_paused');

  const deleted = await ctx.admin.post('/v1/llm/download/delete', { filename: file });
  assert.deepEqual(deleted.json, { ok: true, filename: file, deleted: [file] });
  await eventFor('LlmDownloadDeleted', file);
  assert.equal(fs.existsSync(path.join(modelsDir(), file)), false);
  assert.equal((await catalogEntry(file)).state, 'not_downloaded');

  hub.options.bytesPerSec = 150_000;
  await ctx.admin.post('/v1/llm/download/start', { filename: file });
  await eventFor('LlmDownloadProgress', file, (p) => p.state === 'downloading' && p.received_bytes > 0 && events.frames.some((f) => f.type === 'LlmDownloadDeleted'));
  const cancelled = await ctx.admin.post('/v1/llm/download/cancel', { filename: file });
  assert.deepEqual([cancelled.json.cancelled, cancelled.json.model.state], [true, 'cancelled']);
  await until('the partial file to go', async () => !fs.existsSync(partial));
  assert.deepEqual((await ctx.admin.get('/v1/llm/downloads')).json.downloads.map((d: any) => d.state), ['cancelled']);
  assert.equal((await ctx.admin.post('/v1/llm/download/cancel', { filename: file })).json.cancelled, false, 'nothing left to cancel is not an error');
  hub.options.bytesPerSec = 2_000_000;
  assert.equal((await ctx.admin.post('/v1/llm/download/resume', { filename: file })).json.result, 'started', 'a cancelled download starts again');
  await until('the restarted download to finish', async () => (await catalogEntry(file)).state === 'downloaded');
});

test('a file the hub does not have fails the download with the reason', { timeout }, async () => {
  const file = 'missing-Q4_0.gguf';
  await ctx.admin.post('/v1/llm/catalog/add-model', { repo: 'someone/elsewhere', filename: file, download: true });
  const failed = await eventFor('LlmDownloadUpdated', file, (p) => p.state === 'failed');
  assert.match(failed.payload.error, /404/);
  const listed = (await ctx.admin.get('/v1/llm/downloads')).json.downloads.find((d: any) => d.filename === file);
  assert.equal(listed.state, 'failed');
});

test('download routes refuse bad input', { timeout }, async () => {
  const bad = async (p: Promise<{ status: number; json: any }>, status: number, code?: string) => {
    const r = await p;
    assert.equal(r.status, status, JSON.stringify(r.json));
    if (code) assert.equal(r.json.code, code);
  };
  for (const route of ['start', 'pause', 'resume', 'cancel', 'delete']) {
    await bad(ctx.admin.post(`/v1/llm/download/${route}`, { filename: 'nope.gguf' }), 404, 'unknown_model');
    await bad(ctx.admin.post(`/v1/llm/download/${route}`, {}), 422, 'invalid_body');
    await bad(ctx.admin.post(`/v1/llm/download/${route}`, { filename: '' }), 422);
  }
  for (const body of [
    { repo: REPO, filename: '../escape.gguf' },
    { repo: REPO, filename: 'dir/file.gguf' },
    { repo: REPO, filename: 'model.bin' },
    { repo: REPO, filename: '.hidden.gguf' },
    { repo: 'not-a-repo', filename: 'x.gguf' },
    { repo: REPO },
    { repo: REPO, filename: 'x.gguf', sizeGb: -1 },
    { repo: REPO, filename: 'x.gguf', download: 'yes' },
  ]) {
    await bad(ctx.admin.post('/v1/llm/catalog/add-model', body), 422, 'invalid_body');
  }
  // A local file (no repository) whose file went away cannot be downloaded.
  fs.writeFileSync(path.join(modelsDir(), 'local-Q2_K.gguf'), 'x');
  assert.deepEqual((await ctx.admin.post('/v1/llm/catalog/refresh')).json.added, ['local-Q2_K.gguf']);
  fs.rmSync(path.join(modelsDir(), 'local-Q2_K.gguf'));
  await bad(ctx.admin.post('/v1/llm/download/start', { filename: 'local-Q2_K.gguf' }), 409, 'no_repository');
  events.close();
});

test('a download interrupted by a daemon restart resumes from its partial file', { timeout: 60_000 }, async () => {
  hub.options.bytesPerSec = 150_000;
  const own = tempDirs('skill-llm-dl-restart-');
  const file = 'restart-Q4_0.gguf';
  let daemon = await spawnDaemon({ dirs: own, env });
  try {
    const c = client(daemon.port, daemon.token);
    await c.post('/v1/llm/catalog/add-model', { repo: REPO, filename: file, download: true });
    const partial = path.join(modelsDir(own), `${file}.incomplete`);
    await until('part of the file', async () => (fs.statSync(partial, { throwIfNoEntry: false })?.size ?? 0) > 100_000);
    const stopped = await daemon.stop();
    assert.equal(stopped.code, 0, `daemon exit ${stopped.signal}: ${stopped.stderr.slice(-3000)}`);
    const kept = fs.statSync(partial).size;
    hub.options.bytesPerSec = 2_000_000;
    const requestsBefore = hub.requests.length;
    daemon = await spawnDaemon({ dirs: own, env });
    const c2 = client(daemon.port, daemon.token);
    await until('the download to finish after the restart', async () => (await catalogEntry(file, c2))?.state === 'downloaded', 20_000);
    const resumed = hub.requests.slice(requestsBefore).find((r) => r.path.endsWith(file));
    assert.ok(Number(/\d+/.exec(resumed?.range ?? '')?.[0] ?? 0) >= kept - 64 * 1024, `resumed with ${resumed?.range}`);
    assert.ok(fs.readFileSync(path.join(modelsDir(own), file)).equals(hub.body));
  } finally {
    const stopped = await daemon.stop();
    assert.equal(stopped.code, 0, `daemon exit ${stopped.signal}: ${stopped.stderr.slice(-3000)}`);
  }
});
