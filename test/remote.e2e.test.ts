// Remote access through the real daemon: the TLS listener on a loopback port (127.0.0.1 only),
// reached by a client that pins the certificate's fingerprint; TOTP registration (a wrong and a
// replayed code refused), the client's scope on the remote listener, scope changes, revocation,
// and bad input on every /v1/iroh route refused without changing anything.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { client } from './helpers/http.ts';
import { useDaemon } from './helpers/daemonProcess.ts';
import { fetchPinnedCertificate, pinnedAgent, pinnedClient } from './helpers/pinnedTls.ts';

/** RFC 6238 code for a base32 secret at a step, written independently of the daemon's module. */
function totpAt(base32: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const nowStep = () => Math.floor(Date.now() / 30_000);
const secretOf = (otpauthUrl: string) => new URL(otpauthUrl).searchParams.get('secret')!;

describe('remote listener on', () => {
  const ctx = useDaemon({ env: { SKILL_REMOTE_ADDR: '127.0.0.1:0' } });
  const state = {} as {
    remote: ReturnType<typeof pinnedClient>;
    port: number;
    cert: string;
    fingerprint: string;
    secret: string;
    totpId: string;
    clientId: string;
    token: string;
  };

  test('info reports the listener, its address and the certificate fingerprint', async () => {
    const info = await ctx.admin.get('/v1/iroh/info');
    assert.equal(info.status, 200, info.text);
    assert.equal(info.json.online, true, 'online');
    assert.equal(info.json.transport, 'tls', 'transport');
    assert.match(info.json.address, /^https:\/\/127\.0\.0\.1:\d+$/, 'address on loopback');
    assert.match(info.json.cert_fingerprint_sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'fingerprint');
    assert.equal(info.json.endpoint_id, info.json.cert_fingerprint_sha256.replaceAll(':', '').toLowerCase(), 'endpoint id is the fingerprint');
    assert.deepEqual(info.json.auth, { totp_total: 0, clients_total: 0, clients_active: 0 }, 'no credentials yet');
    const keyFile = path.join(ctx.daemon.dirs.daemonConfig, 'remote', 'tls.key');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600, 'the private key is 0600');

    state.fingerprint = info.json.cert_fingerprint_sha256;
    state.port = info.json.local_port;
    state.cert = await fetchPinnedCertificate(state.port, state.fingerprint);
    state.remote = pinnedClient(state.port, state.cert, state.fingerprint);
    const health = await state.remote.get('/healthz');
    assert.equal(health.status, 200, `healthz over pinned TLS: ${health.text}`);
    await assert.rejects(fetchPinnedCertificate(info.json.local_port, state.fingerprint.replace(/^../, '00')), /pin mismatch/, 'a wrong pin is refused');
  });

  test('TOTP credentials: create, list without secrets, QR text', async () => {
    const made = await ctx.admin.post('/v1/iroh/totp', { name: 'phone' });
    assert.equal(made.status, 200, made.text);
    assert.match(made.json.otpauth_url, /^otpauth:\/\/totp\/Skill:phone\?/, 'otpauth URL with issuer Skill');
    assert.equal(made.json.qr_text, made.json.otpauth_url, 'QR text is the URL');
    state.secret = secretOf(made.json.otpauth_url);
    state.totpId = made.json.totp.id;
    assert.match(state.totpId, /^totp_\d+_[0-9a-f]{16}$/, 'reference id shape');
    const list = await ctx.admin.get('/v1/iroh/totp');
    assert.equal(list.json.totp.length, 1, 'one credential');
    assert.ok(!list.text.includes(state.secret), 'the list never shows the secret');
    const qr = await ctx.admin.get(`/v1/iroh/totp/${state.totpId}/qr`);
    assert.equal(qr.json.otpauth_url, made.json.otpauth_url, 'the QR route gives the same URL');
  });

  test('registration over TLS: a wrong code and a replayed one are refused', async () => {
    const step = nowStep();
    const wrong = await state.remote.post('/v1/iroh/clients/register', { endpoint_id: 'phone-a', otp: totpAt(state.secret, step - 5) });
    assert.equal(wrong.status, 401, `stale code: ${wrong.text}`);
    assert.equal(wrong.json.code, 'invalid_otp', 'error code');

    const good = totpAt(state.secret, step);
    const reg = await state.remote.post('/v1/iroh/clients/register', { endpoint_id: 'phone-a', otp: good, totp_id: state.totpId, name: 'Phone A' });
    assert.equal(reg.status, 200, reg.text);
    assert.equal(reg.json.registered, true, 'registered');
    assert.match(reg.json.token, /^skc-/, 'client token');
    assert.equal(reg.json.client.scope, 'read', 'default scope read');
    state.token = reg.json.token;
    state.clientId = reg.json.client.id;

    const replay = await state.remote.post('/v1/iroh/clients/register', { endpoint_id: 'phone-b', otp: good });
    assert.equal(replay.status, 401, `replayed code: ${replay.text}`);
    const clients = await ctx.admin.get('/v1/iroh/clients');
    assert.equal(clients.json.clients.length, 1, 'only one client registered');
    assert.ok(!clients.text.includes(state.token), 'the list never shows the token');
  });

  test('the client reaches the API with its scope, and only on the remote listener', async () => {
    const status = await state.remote.get('/v1/status', state.token);
    assert.equal(status.status, 200, `read scope reads status: ${status.text}`);
    const write = await state.remote.post('/v1/labels', { text: 'x' }, state.token);
    assert.equal(write.status, 403, `read scope may not write: ${write.text}`);
    const admin = await state.remote.get('/v1/iroh/totp', state.token);
    assert.equal(admin.status, 403, 'read scope may not list credentials');
    assert.equal((await state.remote.get('/v1/status')).status, 401, 'no token');
    assert.equal((await state.remote.get('/v1/status', ctx.daemon.token)).status, 401, 'the local default token is refused remotely');
    assert.equal((await state.remote.get('/v1/status', state.token + 'x')).status, 401, 'a wrong token');
    const local = await client(ctx.daemon.port, state.token).get('/v1/status');
    assert.equal(local.status, 401, 'a remote client token is refused on the local listener');
  });

  test('scope changes apply on the next request', async () => {
    const full = await ctx.admin.post(`/v1/iroh/clients/${state.clientId}/scope`, { scope: 'full' });
    assert.equal(full.status, 200, full.text);
    assert.equal((await state.remote.get('/v1/iroh/totp', state.token)).status, 200, 'full scope is full access, not read-only');

    const custom = await ctx.admin.post(`/v1/iroh/clients/${state.clientId}/scope`, { scope: 'custom', groups: ['status', 'settings'] });
    assert.equal(custom.status, 200, custom.text);
    assert.deepEqual(custom.json.dangerous_groups, ['Settings'], 'dangerous groups named');
    assert.equal((await state.remote.get('/v1/status', state.token)).status, 200, 'custom: status group');
    assert.equal((await state.remote.get('/v1/search/stats', state.token)).status, 403, 'custom: outside its groups');
    assert.equal((await state.remote.get('/v1/iroh/totp', state.token)).status, 403, 'custom: never admin routes');

    const perms = await ctx.admin.get(`/v1/iroh/clients/${state.clientId}/permissions`);
    assert.equal(perms.status, 200, perms.text);
    const allowed = perms.json.report.groups.filter((g: { allowed: boolean }) => g.allowed).map((g: { id: string }) => g.id);
    assert.deepEqual(allowed, ['status', 'settings'], 'permissions report');
    const groups = await ctx.admin.get('/v1/iroh/scope-groups');
    assert.ok(groups.json.groups.some((g: { id: string }) => g.id === 'status'), 'scope groups listed');
    assert.ok(Array.isArray(groups.json.builtin_scopes.read), 'builtin read scope');
  });

  test('bad input on every route is refused and changes nothing', async () => {
    const before = JSON.stringify((await ctx.admin.get('/v1/iroh/clients')).json.clients);
    const totpBefore = (await ctx.admin.get('/v1/iroh/totp')).json.totp.length;
    const cases: Array<[string, string, unknown, number]> = [
      ['POST', '/v1/iroh/totp', { name: '' }, 422],
      ['POST', '/v1/iroh/totp', { name: 42 }, 422],
      ['POST', '/v1/iroh/phone-invite', {}, 422],
      ['POST', '/v1/iroh/phone-invite', { totp_id: 'totp_0_nope' }, 404],
      ['GET', '/v1/iroh/totp/totp_0_nope/qr', undefined, 404],
      ['POST', '/v1/iroh/totp/totp_0_nope/revoke', {}, 404],
      ['POST', '/v1/iroh/clients/register', { endpoint_id: 'x', otp: 'abcdef' }, 422],
      ['POST', '/v1/iroh/clients/register', { endpoint_id: '', otp: '123456' }, 422],
      ['POST', '/v1/iroh/clients/register', { endpoint_id: 'x', otp: '123456', scope: 'root' }, 422],
      ['POST', '/v1/iroh/clients/client_0_nope/revoke', {}, 404],
      ['POST', '/v1/iroh/clients/client_0_nope/scope', { scope: 'read' }, 404],
      ['POST', `/v1/iroh/clients/${state.clientId}/scope`, { scope: 'everything' }, 422],
      ['POST', `/v1/iroh/clients/${state.clientId}/scope`, { scope: 'custom', groups: ['nope'] }, 422],
      ['GET', '/v1/iroh/clients/client_0_nope/permissions', undefined, 404],
    ];
    for (const [method, route, body, expected] of cases) {
      const res = await ctx.admin.call(method, route, body === undefined ? {} : { body });
      assert.equal(res.status, expected, `${method} ${route} ${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.json?.ok, false, `${method} ${route}: JSON error body`);
    }
    const noToken = client(ctx.daemon.port, null);
    for (const route of ['/v1/iroh/info', '/v1/iroh/totp', '/v1/iroh/clients', '/v1/iroh/scope-groups']) {
      assert.equal((await noToken.get(route)).status, 401, `${route} without a token`);
    }
    const ro = await ctx.admin.post('/v1/auth/tokens', { name: 'viewer', acl: 'read_only' });
    const viewer = client(ctx.daemon.port, ro.json.token);
    assert.equal((await viewer.get('/v1/iroh/info')).status, 200, 'read_only reads info');
    for (const [method, route] of [['GET', '/v1/iroh/totp'], ['POST', '/v1/iroh/totp'], ['POST', '/v1/iroh/phone-invite'], ['POST', `/v1/iroh/clients/${state.clientId}/revoke`], ['POST', `/v1/iroh/clients/${state.clientId}/scope`]] as const) {
      const res = await viewer.call(method, route, method === 'POST' ? { body: { name: 'x', scope: 'full' } } : {});
      assert.equal(res.status, 403, `read_only ${method} ${route}`);
    }
    assert.equal(JSON.stringify((await ctx.admin.get('/v1/iroh/clients')).json.clients), before, 'clients unchanged');
    assert.equal((await ctx.admin.get('/v1/iroh/totp')).json.totp.length, totpBefore, 'credentials unchanged');
  });

  test('a phone invite carries the pin and registers exactly one client', async () => {
    const invite = await ctx.admin.post('/v1/iroh/phone-invite', { name: 'tablet' });
    assert.equal(invite.status, 200, invite.text);
    const payload = JSON.parse(invite.json.qr_text);
    assert.equal(payload.cert_fingerprint_sha256, state.fingerprint, 'the invite carries the certificate pin');
    assert.equal(payload.single_use, true, 'one-time');
    assert.ok(payload.expires_at > Date.now() / 1000, 'expires later');
    const step = nowStep();
    const reg = await state.remote.post('/v1/iroh/clients/register', { endpoint_id: 'tablet', otp: totpAt(payload.secret_base32, step), totp_id: payload.totp_id });
    assert.equal(reg.status, 200, reg.text);
    const again = await state.remote.post('/v1/iroh/clients/register', { endpoint_id: 'tablet-2', otp: totpAt(payload.secret_base32, step + 1), totp_id: payload.totp_id });
    assert.equal(again.status, 401, `a spent invite: ${again.text}`);
  });

  test('revocation refuses the client at once, and ends its event stream', async () => {
    assert.equal((await ctx.admin.post(`/v1/iroh/clients/${state.clientId}/scope`, { scope: 'read' })).status, 200, 'back to read');
    assert.equal((await state.remote.get('/v1/status', state.token)).status, 200, 'works before');
    const ws = new WebSocket(`wss://127.0.0.1:${state.port}/v1/events`, {
      headers: { authorization: `Bearer ${state.token}` },
      agent: pinnedAgent(state.cert, state.fingerprint),
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const greeting = await new Promise<any>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data))));
      ws.once('error', reject);
    });
    assert.equal(greeting.type, 'DaemonStarted', 'the remote event stream greets like the local one');
    const revoke = await ctx.admin.post(`/v1/iroh/clients/${state.clientId}/revoke`, {});
    assert.equal(revoke.status, 200, revoke.text);
    const after = await state.remote.get('/v1/status', state.token);
    assert.equal(after.status, 401, `revoked: ${after.text}`);
    const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 5_000).unref())]);
    ws.terminate();
    assert.equal(code, 1008, 'the open event stream is closed as a policy violation (-1: still open after 5 s)');
    const info = await ctx.admin.get('/v1/iroh/info');
    assert.equal(info.json.auth.clients_active, 1, 'the tablet is still active');
  });

  test('repeated failures are rate limited', async () => {
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await state.remote.post('/v1/iroh/clients/register', { endpoint_id: 'guess', otp: '000000' })).status;
    assert.equal(last, 429, 'guessing codes is throttled');
  });
});

describe('remote listener off (the default)', () => {
  const ctx = useDaemon();
  test('info says offline and an invite is refused', async () => {
    const info = await ctx.admin.get('/v1/iroh/info');
    assert.equal(info.status, 200, info.text);
    assert.equal(info.json.online, false, 'offline');
    assert.equal(info.json.enabled, false, 'not enabled');
    assert.equal(info.json.address, null, 'no address');
    const invite = await ctx.admin.post('/v1/iroh/phone-invite', { name: 'phone' });
    assert.equal(invite.status, 409, invite.text);
    assert.equal((await ctx.admin.get('/v1/iroh/totp')).json.totp.length, 0, 'the refused invite made no credential');
  });
});
