// Supervision in a running daemon: an actor made to throw is restarted with backoff while the
// daemon keeps answering; past its restart intensity it is given up and the process lives on.
// Settings reach the owning actor live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from './helpers/http.ts';
import { subscribe } from './helpers/events.ts';
import { spawnDaemon, useDaemon } from './helpers/daemonProcess.ts';

const ctx = useDaemon({ env: { SKILL_FAULT_INJECTION: '1' } });

const actor = async (id: string) => (await ctx.admin.get('/v1/debug/actors')).json.children.find((c: any) => c.id === id);
const until = async (cond: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
};

test('the tree shows the root supervisor and its children with live states', async () => {
  const tree = (await ctx.admin.get('/v1/debug/actors')).json;
  assert.equal(tree.id, 'root');
  assert.equal(tree.machine, 'supervisor');
  const watchdog = tree.children.find((c: any) => c.id === 'watchdog');
  assert.equal(watchdog.status, 'running');
  assert.deepEqual(watchdog.state, { watching: 'healthy' });
  assert.equal(watchdog.restarts, 0);
  assert.ok(watchdog.transitions.length >= 1);
});

test('a thrown actor is restarted after its backoff and the daemon answers throughout', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  assert.equal((await ctx.admin.post('/v1/debug/actors/fault', { id: 'watchdog' })).status, 200);
  const failed = await sub.next((f) => f.type === 'actor-failed');
  assert.equal(failed.payload.actor, 'watchdog');
  assert.match(failed.payload.error, /injected fault/);
  assert.equal(failed.payload.restart_in_ms, 250);
  assert.equal((await call(ctx.daemon.port, 'GET', '/healthz')).status, 200);
  const restarted = await sub.next((f) => f.type === 'actor-restarted');
  assert.equal(restarted.payload.restarts, 1);
  const w = await actor('watchdog');
  assert.equal(w.status, 'running');
  assert.equal(w.restarts, 1);
  assert.match(w.last_error, /injected fault/);
  sub.close();
});

test('settings reach the watchdog live, and a restarted watchdog starts from them', async () => {
  assert.equal((await ctx.admin.post('/v1/settings/daemon-watchdog', { enabled: false })).status, 200);
  await until(async () => (await actor('watchdog')).state === 'disabled');
  assert.equal((await ctx.admin.post('/v1/debug/actors/fault', { id: 'watchdog' })).status, 200);
  await until(async () => (await actor('watchdog')).restarts === 2);
  assert.equal((await actor('watchdog')).state, 'disabled', 'restarted from the current settings');
  assert.equal((await ctx.admin.post('/v1/settings/daemon-watchdog', { enabled: true })).status, 200);
  await until(async () => JSON.stringify((await actor('watchdog')).state) === '{"watching":"healthy"}');
});

test('past its restart intensity the actor is given up, reported, and the daemon keeps serving', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  // Intensity is 5 restarts in 60 s; two were used above.
  for (let i = 0; i < 10; i++) {
    const w = await actor('watchdog');
    if (w.status === 'given_up') break;
    await until(async () => (await actor('watchdog')).status === 'running');
    await ctx.admin.post('/v1/debug/actors/fault', { id: 'watchdog' });
  }
  const gaveUp = await sub.next((f) => f.type === 'actor-given-up', 20_000);
  assert.equal(gaveUp.payload.actor, 'watchdog');
  const w = await actor('watchdog');
  assert.equal(w.status, 'given_up');
  assert.equal(w.state, null);
  assert.equal((await call(ctx.daemon.port, 'GET', '/healthz')).status, 200);
  assert.equal((await ctx.admin.get('/v1/status')).status, 200);
  assert.equal((await ctx.admin.post('/v1/debug/actors/fault', { id: 'watchdog' })).status, 404);
  const log = (await ctx.admin.get('/v1/log/recent')).json.lines.map((l: any) => l.message).join('\n');
  assert.match(log, /actor watchdog exceeded its restart intensity/);
  sub.close();
});

test('fault injection is off unless enabled', async () => {
  const plain = await spawnDaemon();
  const res = await call(plain.port, 'POST', '/v1/debug/actors/fault', { token: plain.token, body: { id: 'watchdog' } });
  assert.equal(res.status, 404);
  assert.match(res.json.message, /disabled/);
  await plain.stop();
});
