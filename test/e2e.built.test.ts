// The built daemon (what `npm start` runs): scripts/build-daemon.ts bundles it into plain
// JavaScript, and that bundle runs with no TypeScript loader anywhere — its worker threads and
// child processes start from their own bundles (actors/runtimeLayout.ts). A 32-channel virtual
// session goes through every thread the live path uses: the signal pipeline's, the writer's,
// the encoder's and the search index's; a .ts entry left anywhere would fail to load here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildDaemon } from '../scripts/build-daemon.ts';
import { ROOT, spawnDaemon, type RunningDaemon } from './helpers/daemonProcess.ts';
import { subscribe } from './helpers/events.ts';
import { client } from './helpers/http.ts';

// Inside the project, so the bundle's package imports resolve from the project's node_modules.
const BUILD_ROOT = path.join(ROOT, '.tmp', `built-${process.pid}`);
let daemon: RunningDaemon;
let admin: ReturnType<typeof client>;

before(async () => {
  const built = await buildDaemon(path.join(BUILD_ROOT, 'daemon'));
  assert.ok(built.files >= 8, `entries and chunks built: ${built.files}`);
  const sources = fs.readdirSync(built.outdir).filter((f) => f.endsWith('.ts'));
  assert.deepEqual(sources, [], 'no TypeScript in the build');
  daemon = await spawnDaemon({ command: ['--enable-source-maps', path.join(built.outdir, 'skill-daemon.js')] });
  admin = client(daemon.port, daemon.token);
});

after(async () => {
  const exit = await daemon?.stop();
  fs.rmSync(BUILD_ROOT, { recursive: true, force: true });
  assert.equal(exit?.code, 0, `built daemon exit: ${exit?.code ?? exit?.signal}\n${exit?.stderr}`);
});

test('the built daemon is ready, streams 32 channels through its threads, records, embeds and searches', async () => {
  const ready = await admin.get('/readyz');
  assert.equal(ready.status, 200, ready.text);
  const sub = await subscribe(daemon.port, daemon.token);
  // More than 8 channels: the signal pipeline runs on its worker thread.
  const source = await admin.post('/v1/lsl/virtual-source/start', { template: '10-20', channels: 32, sample_rate: 256, seed: 3 });
  assert.equal(source.status, 200, source.text);
  assert.equal((await admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200, 'session starts');
  const bands = await sub.next((f) => f.type === 'EegBands', 20_000);
  assert.equal(bands.payload.channels.length, 32, 'the pipeline thread computed every channel');
  const embedded = await sub.next((f) => f.type === 'EegEmbedding', 30_000);
  assert.ok(embedded.payload.timestamp > 0, 'the encoder thread embedded an epoch');

  const status = (await admin.get('/v1/models/status')).json;
  assert.equal(status.encoder_state, 'ready', JSON.stringify(status));
  // The writer thread stored it; the search thread indexed it.
  const index = await admin.get('/v1/search/global-index/stats');
  assert.equal(index.status, 200, index.text);
  await admin.post('/v1/control/cancel-session', {});
  sub.close();
  assert.doesNotMatch(daemon.stderr(), /ERR_UNKNOWN_FILE_EXTENSION|Cannot find module/, 'every entry resolved');
});
