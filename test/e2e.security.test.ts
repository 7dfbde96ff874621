// Transport-level defences against a real daemon: Host-header (DNS rebinding) refusal, CORS,
// rotation of the token file by another process, and the error shape of unexpected input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { call } from './helpers/http.ts';
import { useDaemon } from './helpers/daemonProcess.ts';

const ctx = useDaemon();

test('requests whose Host is not a loopback name are refused with 403, before auth', async () => {
  for (const host of ['evil.example', 'evil.example:18444', '10.0.0.1', 'localhost.evil.example', '127.0.0.1.nip.io']) {
    const res = await call(ctx.daemon.port, 'GET', '/v1/status', { token: ctx.daemon.token, headers: { host } });
    assert.equal(res.status, 403, host);
    assert.equal(res.json.code, 'forbidden_host', host);
    assert.equal((await call(ctx.daemon.port, 'GET', '/healthz', { headers: { host } })).status, 403, host);
  }
  for (const host of ['127.0.0.1', `127.0.0.1:${ctx.daemon.port}`, 'localhost', `localhost:${ctx.daemon.port}`, '[::1]:80', '127.1.2.3']) {
    assert.equal((await call(ctx.daemon.port, 'GET', '/v1/status', { token: ctx.daemon.token, headers: { host } })).status, 200, host);
  }
});

test('a WebSocket upgrade with a foreign Host is refused too', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${ctx.daemon.port}/v1/events?token=${ctx.daemon.token}`, { headers: { host: 'evil.example' } });
  const status = await new Promise<number>((resolve) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
  assert.equal(status, 403);
});

test('CORS: any origin, preflight without a token echoes the requested headers', async () => {
  const pre = await call(ctx.daemon.port, 'OPTIONS', '/v1/status', {
    headers: { origin: 'http://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, content-type' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-origin'], '*');
  assert.equal(pre.headers['access-control-allow-headers'], 'authorization, content-type');
  assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
  const res = await call(ctx.daemon.port, 'GET', '/v1/status', { token: ctx.daemon.token, headers: { origin: 'http://app.example' } });
  assert.equal(res.headers['access-control-allow-origin'], '*');
  const denied = await call(ctx.daemon.port, 'GET', '/v1/status', { headers: { origin: 'http://app.example' } });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers['access-control-allow-origin'], '*', 'errors carry CORS headers so browsers can read them');
});

test('a token rotated in the file by another process works at once; the old one stops within a second', async () => {
  const file = path.join(ctx.daemon.dirs.daemonConfig, 'auth.token');
  const old = ctx.daemon.token;
  const rotated = 'externally-rotated-' + Date.now();
  fs.writeFileSync(file + '.tmp', rotated + '\n', { mode: 0o600 });
  fs.renameSync(file + '.tmp', file);
  assert.equal((await call(ctx.daemon.port, 'GET', '/v1/status', { token: rotated })).status, 200);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await call(ctx.daemon.port, 'GET', '/v1/status', { token: old })).status, 401);
  // Rotate back through the API: the file is rewritten atomically with mode 0600.
  const refreshed = await call(ctx.daemon.port, 'POST', '/v1/auth/default-token/refresh', { token: rotated, body: {} });
  assert.equal(refreshed.status, 200);
  assert.equal(fs.readFileSync(file, 'utf8').trim(), refreshed.json.token);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp')), []);
  ctx.daemon.token = refreshed.json.token;
  assert.equal((await call(ctx.daemon.port, 'GET', '/v1/status', { token: rotated })).status, 401);
});

test('HEAD is answered like GET without a body; unknown methods are 404/405', async () => {
  const head = await call(ctx.daemon.port, 'HEAD', '/v1/status', { token: ctx.daemon.token });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.ok(Number(head.headers['content-length']) > 100);
  assert.equal((await call(ctx.daemon.port, 'PATCH', '/v1/version', { token: ctx.daemon.token, body: {} })).status, 405);
});

test('the token store rejects the 51st active token with 409 and creates nothing', async () => {
  const existing = (await call(ctx.daemon.port, 'GET', '/v1/auth/tokens', { token: ctx.daemon.token })).json.filter((t: any) => !t.revoked).length;
  for (let i = existing; i < 50; i++) {
    const res = await call(ctx.daemon.port, 'POST', '/v1/auth/tokens', { token: ctx.daemon.token, body: { name: `n${i}`, acl: 'stream' } });
    assert.equal(res.status, 200, res.text);
  }
  const over = await call(ctx.daemon.port, 'POST', '/v1/auth/tokens', { token: ctx.daemon.token, body: { name: 'one-too-many', acl: 'stream' } });
  assert.equal(over.status, 409);
  assert.match(over.json.error, /maximum active token count reached \(50\)/);
  const after = (await call(ctx.daemon.port, 'GET', '/v1/auth/tokens', { token: ctx.daemon.token })).json;
  assert.equal(after.filter((t: any) => !t.revoked).length, 50);
  assert.ok(!after.some((t: any) => t.name === 'one-too-many'));
  // Revoking one frees a slot.
  assert.equal((await call(ctx.daemon.port, 'POST', '/v1/auth/tokens/revoke', { token: ctx.daemon.token, body: { id: after[0].id } })).status, 200);
  assert.equal((await call(ctx.daemon.port, 'POST', '/v1/auth/tokens', { token: ctx.daemon.token, body: { name: 'fits-again', acl: 'stream' } })).status, 200);
});

test('HEAD on every GET route answers without a body and the daemon stays up', async () => {
  const { ROUTES, concretePath } = await import('./helpers/routes.ts');
  for (const r of ROUTES.filter((x) => x.method === 'GET')) {
    for (const token of [ctx.daemon.token, null]) {
      const res = await call(ctx.daemon.port, 'HEAD', concretePath(r), { token });
      assert.ok(res.status < 500, `HEAD ${r.path}: ${res.status}`);
      assert.equal(res.text, '');
    }
  }
  assert.equal((await call(ctx.daemon.port, 'GET', '/healthz')).status, 200);
});
