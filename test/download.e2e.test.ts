// EEG weights downloads through the real daemon, from a Hugging Face stand-in in this process
// (HF_ENDPOINT on 127.0.0.1): the active family's ONNX file is fetched with progress events;
// a daemon killed mid-download resumes the partial file when it starts again; pause, resume and
// cancel over HTTP; a downloads actor restarted by its supervisor carries on; the built-in
// family and a second trigger are refused with 409.
//
// Every `assert.ok` carries a message: without one, node builds the message by re-parsing the
// failing source line, which for tsx's one-line output can take minutes of CPU (nodejs/node#52677).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EXG_FAMILIES } from '../actors/embeddings/exgCatalog.ts';
import { subscribe } from './helpers/events.ts';
import { spawnDaemon, tempDirs, type DaemonDirs, type RunningDaemon } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';
import { startRangeServer, testBody, type RangeServer } from './helpers/rangeServer.ts';

const MiB = 1 << 20;
const FAMILY = 'signaljepa';
const OTHER = 'cbramod';
const family = EXG_FAMILIES[FAMILY]!;
/** Each test's and hook's bound: a hang fails it instead of holding up the run. */
const timeout = 60_000;

let server: RangeServer;
let dirs: DaemonDirs;
let daemon: RunningDaemon;
let api: ReturnType<typeof client>;

const env = () => ({ HF_ENDPOINT: `http://127.0.0.1:${server.port}`, SKILL_FAULT_INJECTION: '1' });
const weightsPath = (name: string) => path.join(dirs.data, 'models', 'exg', EXG_FAMILIES[name]!.onnx_file);
const writeModelConfig = (text: string) => fs.writeFileSync(path.join(dirs.data, 'model_config.json'), text);
const sha256Of = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const rangeStart = (range: string | undefined) => (range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0);

async function start(): Promise<void> {
  daemon = await spawnDaemon({ dirs, env: env() });
  api = client(daemon.port, daemon.token);
}

/** Waits for something that happens after a reply (a file deleted once its transfer let go). */
async function eventually(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function download(id: string, cond: (d: any) => boolean, ms = 20_000): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const d = (await api.get('/v1/models/downloads')).json.downloads.find((x: any) => x.id === id);
    if (d && cond(d)) return d;
    if (Date.now() > end) throw new Error(`download ${id} not there in time: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  server = await startRangeServer(testBody(4 * MiB), { bytesPerSec: MiB }, /^\/[^/]+\/[^/]+\/resolve\/main\/[^/]+\.onnx$/);
  dirs = tempDirs('skill-dl-e2e-');
  fs.mkdirSync(dirs.data, { recursive: true });
  writeModelConfig(JSON.stringify({ active_family: FAMILY }));
  await start();
}, { timeout });

after(async () => {
  const exit = await daemon.stop();
  await server.close();
  assert.equal(exit.code, 0, `daemon exit: ${exit.code ?? exit.signal}\n${exit.stderr}`);
}, { timeout });

test('the active family downloads from HF_ENDPOINT; a daemon killed mid-file resumes the partial file when it starts again', { timeout }, async () => {
  const sub = await subscribe(daemon.port, daemon.token);
  const res = await api.post('/v1/models/trigger-weights-download');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.ok, true);
  assert.equal(res.json.family, FAMILY);
  assert.match(res.json.message, /Downloading SignalJEPA/);

  const again = await api.post('/v1/models/trigger-weights-download');
  assert.equal(again.status, 409);
  assert.deepEqual(Object.keys(again.json).sort(), ['code', 'error', 'message', 'ok']);
  assert.equal(again.json.ok, false);
  assert.equal(again.json.code, 'already_downloading');

  const progress = await sub.next((f) => f.type === 'ExgDownloadProgress' && f.payload.received_bytes > 1.5 * MiB, 10_000);
  sub.close();
  assert.equal(progress.payload.backend, FAMILY);
  assert.equal(progress.payload.downloading, true);
  assert.equal(progress.payload.needs_restart, false);
  assert.equal(progress.payload.weights_found, false);
  assert.ok(progress.payload.progress > 0 && progress.payload.progress < 1, `progress ${progress.payload.progress} is part-way`);
  assert.equal(server.requests[0]!.path, `/${family.repo}/resolve/main/${family.onnx_file}`);

  const killed = await daemon.stop('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  const partial = fs.statSync(weightsPath(FAMILY) + '.incomplete').size;
  assert.ok(partial > MiB && partial < server.body.length, `partial file of ${partial} bytes`);

  server.options.bytesPerSec = undefined;
  const before = server.requests.length;
  await start();
  const done = await download(`exg:${FAMILY}`, (d) => d.state === 'done' || d.state === 'failed');
  assert.equal(done.state, 'done', done.error ?? '');
  const resumed = server.requests.slice(before);
  assert.equal(resumed.length, 1);
  assert.equal(rangeStart(resumed[0]!.range), partial, 'the restarted daemon asked for the rest of the file');
  assert.equal(resumed[0]!.status, 206);
  assert.equal(sha256Of(weightsPath(FAMILY)), server.sha256);
  assert.equal(done.digest, server.sha256);
  assert.ok(!fs.existsSync(weightsPath(FAMILY) + '.incomplete'), 'no partial file left');

  const present = await api.post('/v1/models/trigger-weights-download');
  assert.equal(present.status, 200);
  assert.match(present.json.message, /already present/);
  assert.equal(present.json.download, null);
});

test('pause keeps the partial file, resume continues it with a Range request; cancel deletes it and reports ExgDownloadFailed', { timeout }, async () => {
  server.options.bytesPerSec = MiB;
  const sub = await subscribe(daemon.port, daemon.token);
  const id = `exg:${OTHER}`;
  assert.equal((await api.post('/v1/models/pause-weights-download')).json.code, 'conflict');
  assert.equal((await api.post('/v1/models/trigger-weights-download', { family: OTHER })).status, 200);
  await download(id, (d) => d.received_bytes > MiB / 4);
  const paused = await api.post('/v1/models/pause-weights-download');
  assert.equal(paused.status, 200, paused.text);
  assert.equal(paused.json.download.state, 'paused');
  const kept = (await download(id, (d) => d.state === 'paused')).received_bytes;
  assert.ok(fs.existsSync(weightsPath(OTHER) + '.incomplete'), 'the partial file is kept while paused');
  await sub.next((f) => f.type === 'ExgDownloadProgress' && f.payload.state === 'paused');

  const resumed = await api.post('/v1/models/resume-weights-download');
  assert.equal(resumed.status, 200, resumed.text);
  await download(id, (d) => d.state === 'downloading' && d.received_bytes > kept);
  assert.ok(rangeStart(server.requests.at(-1)!.range) > 0, 'resumed with a Range request');

  const cancelled = await api.post('/v1/models/cancel-weights-download');
  assert.equal(cancelled.status, 200);
  assert.deepEqual(cancelled.json.cancelled, [id]);
  const failed = await sub.next((f) => f.type === 'ExgDownloadFailed' && f.payload.backend === OTHER);
  assert.equal(failed.payload.cancelled, true);
  assert.equal(failed.payload.downloading, false);
  await eventually(() => !fs.existsSync(weightsPath(OTHER) + '.incomplete'), 'the partial file is deleted');
  assert.ok(!fs.existsSync(weightsPath(OTHER)), 'no file under the final name');
  assert.equal((await api.post('/v1/models/cancel-weights-download')).json.message, 'No weights download in progress');
  sub.close();
});

test('a downloads actor that fails is restarted by its supervisor and carries on from the partial file', { timeout }, async () => {
  server.options.bytesPerSec = MiB;
  const id = 'exg:labram';
  assert.equal((await api.post('/v1/models/trigger-weights-download', { family: 'labram' })).status, 200);
  await download(id, (d) => d.received_bytes > MiB / 2);
  const sub = await subscribe(daemon.port, daemon.token);
  assert.equal((await api.post('/v1/debug/actors/fault', { id: 'downloads' })).status, 200);
  await sub.next((f) => f.type === 'actor-restarted' && f.payload.actor === 'downloads');
  sub.close();
  server.options.bytesPerSec = undefined;
  const done = await download(id, (d) => d.state === 'done' || d.state === 'failed');
  assert.equal(done.state, 'done', done.error ?? '');
  assert.ok(rangeStart(server.requests.at(-1)!.range) > MiB / 2, 'the restarted actor resumed with a Range request');
  assert.equal(sha256Of(weightsPath('labram')), server.sha256);
});

test('the built-in encoder has nothing to download (409); an unknown family is a 422', { timeout }, async () => {
  writeModelConfig(JSON.stringify({ active_family: 'skill-spectral' }));
  const builtin = await api.post('/v1/models/trigger-weights-download');
  assert.equal(builtin.status, 409);
  assert.equal(builtin.json.code, 'builtin_model');
  assert.match(builtin.json.message, /built in/);
  // An unreadable config means the built-in encoder, not a failure.
  writeModelConfig('{not json');
  assert.equal((await api.post('/v1/models/trigger-weights-download')).json.code, 'builtin_model');
  const unknown = await api.post('/v1/models/trigger-weights-download', { family: 'nope' });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.json.issues[0].path, 'family');
});
