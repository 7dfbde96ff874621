// The /v1/events WebSocket against a real daemon: envelope and greeting, who may connect,
// subscription filters, and a slow reader that must not hold up a fast one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { subscribe } from './helpers/events.ts';
import { useDaemon } from './helpers/daemonProcess.ts';

const ctx = useDaemon();

const push = (type: string, payload: unknown = {}) => ctx.admin.post('/v1/events/push', { type, payload });

function upgradeStatus(token: string | null): Promise<number> {
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  const ws = new WebSocket(`ws://127.0.0.1:${ctx.daemon.port}/v1/events${q}`);
  return new Promise((resolve) => {
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

test('the first frame is DaemonStarted in the reference envelope', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const first = await sub.next(() => true);
  assert.deepEqual(Object.keys(first).sort(), ['correlation_id', 'payload', 'ts_unix_ms', 'type']);
  assert.equal(first.type, 'DaemonStarted');
  assert.deepEqual(first.payload, { message: 'connected' });
  assert.equal(first.correlation_id, null);
  assert.ok(Math.abs(first.ts_unix_ms - Date.now()) < 60_000);
  sub.close();
});

test('only admin, read_only and stream tokens may open the stream', async () => {
  const mk = async (acl: string) => (await ctx.admin.post('/v1/auth/tokens', { name: acl, acl })).json.token as string;
  assert.equal(await upgradeStatus(null), 401);
  assert.equal(await upgradeStatus('wrong'), 401);
  assert.equal(await upgradeStatus(await mk('data')), 403);
  assert.equal(await upgradeStatus(await mk('stream')), 101);
  assert.equal(await upgradeStatus(await mk('read_only')), 101);
  assert.equal(await upgradeStatus(ctx.daemon.token), 101);
});

test('pushed events reach subscribers with payload and correlation id', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const res = await ctx.admin.post('/v1/events/push', { type: 'TestEvent', payload: { n: 1 }, correlation_id: 'abc' });
  assert.equal(res.status, 200);
  const e = await sub.next((f) => f.type === 'TestEvent');
  assert.deepEqual(e.payload, { n: 1 });
  assert.equal(e.correlation_id, 'abc');
  sub.close();
});

test('a subscription filter delivers only the chosen types, and can be changed', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  sub.ws.send(JSON.stringify({ command: 'subscribe', types: ['Wanted'] }));
  const ack = await sub.next((f) => f.command === 'subscribe');
  assert.deepEqual(ack, { command: 'subscribe', ok: true, subscribed: true, types: ['Wanted'] });
  await push('Unwanted');
  await push('Wanted', { i: 1 });
  await sub.next((f) => f.type === 'Wanted');
  assert.equal(sub.frames.filter((f) => f.type === 'Unwanted').length, 0);
  sub.ws.send(JSON.stringify({ command: 'subscribe', types: ['*'] }));
  await sub.next((f) => f.command === 'subscribe' && f.types[0] === '*');
  await push('Unwanted');
  await sub.next((f) => f.type === 'Unwanted');
  sub.ws.send('not json');
  assert.equal((await sub.next((f) => f.ok === false && /JSON/.test(f.error))).ok, false);
  sub.ws.send(JSON.stringify({ command: 'launch-rockets' }));
  assert.match((await sub.next((f) => f.command === 'launch-rockets')).error, /unknown command/);
  sub.close();
});

test('GET /v1/ws-clients lists connections with their filters; a plain GET of the stream is told to upgrade', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  sub.ws.send(JSON.stringify({ command: 'subscribe', types: ['A', 'B'] }));
  await sub.next((f) => f.command === 'subscribe');
  const list = (await ctx.admin.get('/v1/ws-clients')).json;
  assert.ok(list.some((c: any) => c.peer === '127.0.0.1' && c.subscriptions?.join() === 'A,B'));
  assert.equal((await ctx.admin.get('/v1/ws-port')).json.port, ctx.daemon.port);
  assert.equal((await ctx.admin.get('/v1/events')).status, 426);
  sub.close();
});

test('a client that stops reading neither delays another nor grows without bound', async () => {
  const slow = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const fast = await subscribe(ctx.daemon.port, ctx.daemon.token);
  // The slow client's socket stops reading: the kernel buffers fill, then the daemon queues.
  (slow.ws as any)._socket.pause();
  const payload = { blob: 'x'.repeat(16 * 1024) };
  const total = 2000;
  for (let i = 0; i < total; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, total - i) }, (_, k) => push('Flood', { i: i + k, ...payload })));
  }
  await push('FloodEnd');
  // Generous: 32 MB through the fast client while other test files may load both cores.
  await fast.next((f) => f.type === 'FloodEnd', 120_000);
  assert.equal(fast.frames.filter((f) => f.type === 'Flood').length, total, 'the fast client got every event');
  const clients = (await ctx.admin.get('/v1/ws-clients')).json;
  const stuck = clients.find((c: any) => c.queued > 0 || c.dropped > 0);
  assert.ok(stuck, `the slow client should be queueing: ${JSON.stringify(clients)}`);
  assert.ok(stuck.queued <= 1024, 'the per-client queue is bounded');
  assert.ok(stuck.dropped > 0, `the flood should overflow the queue: ${JSON.stringify(stuck)}`);
  assert.ok(stuck.queued + stuck.dropped + stuck.delivered >= total, 'every event was queued, delivered or counted as dropped');
  // Reading again drains what is queued: the newest event arrives, older ones may have been dropped.
  (slow.ws as any)._socket.resume();
  await slow.next((f) => f.type === 'FloodEnd', 120_000);
  // Concurrent pushes are published in arrival order; the slow client sees a subsequence of it.
  const published = fast.frames.filter((f) => f.type === 'Flood').map((f) => f.payload.i);
  const got = slow.frames.filter((f) => f.type === 'Flood').map((f) => f.payload.i);
  let at = 0;
  for (const i of got) at = published.indexOf(i, at) + 1 || Number.NaN;
  assert.ok(Number.isFinite(at), 'delivery to the slow client stays in publish order');
  // Drop-oldest: whatever was lost, the newest events were kept.
  const received = new Set(got);
  assert.ok(published.slice(-1000).every((i) => received.has(i)), 'the newest events reached the slow client');
  slow.close();
  fast.close();
});

test('a client flooding the daemon with messages is disconnected; others are unaffected', async () => {
  const flooder = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const other = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const closed = new Promise<number>((resolve) => flooder.ws.once('close', (code) => resolve(code)));
  for (let i = 0; i < 500; i++) flooder.ws.send(JSON.stringify({ command: 'ping' }));
  assert.equal(await closed, 1008);
  await push('StillHere');
  await other.next((f) => f.type === 'StillHere');
  other.close();
});

test('EegSample is sent only to clients that subscribe to it by name', async () => {
  const everything = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const samples = await subscribe(ctx.daemon.port, ctx.daemon.token);
  samples.ws.send(JSON.stringify({ command: 'subscribe', types: ['EegSample', 'Marker'] }));
  await samples.next((f) => f.command === 'subscribe');
  await push('EegSample', { channels: [1, 2], timestamp: 1 });
  await push('Marker');
  await samples.next((f) => f.type === 'Marker');
  await everything.next((f) => f.type === 'Marker');
  assert.equal(samples.frames.filter((f) => f.type === 'EegSample').length, 1);
  assert.equal(everything.frames.filter((f) => f.type === 'EegSample').length, 0);
  everything.close();
  samples.close();
});
