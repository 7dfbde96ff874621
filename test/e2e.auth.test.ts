// Every route in the route table × every kind of caller, against a real daemon:
// no token, a wrong token, the default token, each scope, an expired and a revoked token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { call, client } from './helpers/http.ts';
import { spawnDaemon, tempDirs, type RunningDaemon } from './helpers/daemonProcess.ts';
import { concretePath, ROUTES } from './helpers/routes.ts';
import type { Route } from '../transport/route.ts';

type Caller = 'none' | 'wrong' | 'wrong_sk' | 'default' | 'admin' | 'read_only' | 'data' | 'stream' | 'expired' | 'revoked';
const SCOPED = ['admin', 'read_only', 'data', 'stream'] as const;

// The reference's rules (notes §10.3), restated here as the test's own specification, with one
// deliberate difference (docs/quirks.md): a data token may read OpenAI's model list, `/models` exactly.
function scopeMay(scope: (typeof SCOPED)[number], method: string, path: string): boolean {
  const p = path.replace(/^\/v1(?=\/)/, '');
  const read = method === 'GET';
  if (scope === 'admin') return true;
  if (scope === 'read_only') return read;
  if (scope === 'data') {
    if (/^\/events/.test(p)) return false;
    if (/^\/(labels|history|search|analysis|llm\/chat|chat\/completions)/.test(p)) return true;
    return read && (/^\/(version|status|activity\/latest-bands)/.test(p) || p === '/models');
  }
  return read && /^\/(events|status|version|activity\/latest-bands)/.test(p);
}

function expected(caller: Caller, r: Route): 'allowed' | 401 | 403 {
  if (r.scope === 'public') return 'allowed';
  if (['none', 'wrong', 'wrong_sk', 'expired', 'revoked'].includes(caller)) return 401;
  if (caller === 'default' || caller === 'admin') return 'allowed';
  const scope = caller as (typeof SCOPED)[number];
  if (r.scope === 'admin') return 403;
  return scopeMay(scope, r.method, r.path) ? 'allowed' : 403;
}

const DAY = 86_400;
let daemon: RunningDaemon;
const tokens = {} as Record<Caller, string | null>;

before(async () => {
  const dirs = tempDirs();
  // An admin token that expired yesterday, written the way the store keeps tokens: salted SHA-256.
  const secret = 'sk-' + randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  fs.mkdirSync(path.join(dirs.data, 'daemon'), { recursive: true });
  fs.writeFileSync(path.join(dirs.data, 'daemon', 'tokens.json'), JSON.stringify({
    tokens: [{
      id: 'e0e0e0e0e0e0e0e0', name: 'expired', token: '', token_salt: salt,
      token_hash: createHash('sha256').update(salt + secret).digest('hex'), token_preview: 'sk-xxx…xxxx',
      acl: 'admin', created_at: now - 10 * DAY, expires_at: now - DAY, last_used_at: null, revoked: false,
    }],
  }));
  tokens.expired = secret;
  daemon = await spawnDaemon({ dirs });
  tokens.none = null;
  tokens.wrong = randomBytes(32).toString('base64url');
  tokens.wrong_sk = 'sk-' + randomBytes(32).toString('base64url');
  tokens.default = daemon.token;
  const admin = client(daemon.port, tokens.default!);
  for (const acl of SCOPED) {
    const res = await admin.post('/v1/auth/tokens', { name: `t-${acl}`, acl, expiry: 'week' });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.token, /^sk-/);
    tokens[acl] = res.json.token;
  }
  const revoked = await admin.post('/v1/auth/tokens', { name: 'revoked', acl: 'admin', expiry: 'never' });
  assert.equal((await admin.post('/v1/auth/tokens/revoke', { id: revoked.json.id })).status, 200);
  tokens.revoked = revoked.json.token;
});

after(async () => {
  const exit = await daemon.stop();
  assert.equal(exit.code, 0, exit.stderr);
});

test('the route table is not empty and every route is reachable by path', () => {
  assert.ok(ROUTES.length >= 15);
});

const CALLERS: Caller[] = ['none', 'wrong', 'wrong_sk', 'default', 'admin', 'read_only', 'data', 'stream', 'expired', 'revoked'];

for (const caller of CALLERS) {
  test(`auth matrix: ${caller}`, async () => {
    const failures: string[] = [];
    for (const r of ROUTES) {
      const opts = r.method === 'GET' || r.method === 'DELETE' ? {} : { body: {} };
      const res = await call(daemon.port, r.method, concretePath(r), { token: tokens[caller], ...opts });
      // Refreshing rotates the default token: keep using the new one.
      if (r.path === '/v1/auth/default-token/refresh' && res.status === 200) tokens.default = res.json.token;
      const want = expected(caller, r);
      const ok = want === 'allowed' ? res.status !== 401 && res.status !== 403 && res.status < 500 : res.status === want;
      if (!ok) failures.push(`${r.method} ${r.path}: expected ${want}, got ${res.status} ${res.text.slice(0, 120)}`);
      // OpenAI-compatible routes answer in OpenAI's error shape, with OpenAI's code for a bad key.
      const code = r.errorReply ? res.json?.error?.code : res.json?.code;
      if (want === 401) assert.equal(code, r.errorReply ? 'invalid_api_key' : 'unauthorized', `${r.method} ${r.path}`);
      if (want === 403) assert.equal(code, 'forbidden', `${r.method} ${r.path}`);
    }
    assert.deepEqual(failures, []);
  });
}

test('the token may also come as ?token=, and a Bearer header wins over it', async () => {
  const viaQuery = await call(daemon.port, 'GET', '/v1/version', { query: { token: tokens.default! } });
  assert.equal(viaQuery.status, 200);
  assert.equal(viaQuery.json.daemon, 'skill-daemon');
  const both = await call(daemon.port, 'GET', '/v1/version', { token: 'nope', query: { token: tokens.default! } });
  assert.equal(both.status, 401);
});

test('an unknown path is 404 even without a token; a known path with the wrong method is 405', async () => {
  const missing = await call(daemon.port, 'GET', '/v1/no-such-route');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.code, 'not_found');
  const wrongMethod = await call(daemon.port, 'PUT', '/v1/status', { token: tokens.default!, body: {} });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.allow, 'GET');
});

test('token listings never reveal secrets or hashes', async () => {
  const list = await client(daemon.port, tokens.default!).get('/v1/auth/tokens');
  assert.equal(list.status, 200);
  for (const t of list.json) {
    assert.doesNotMatch(t.token, /^sk-[A-Za-z0-9_-]{43}$/);
    assert.equal(t.token_hash, '');
    assert.equal(t.token_salt, '');
  }
  const stored = fs.readFileSync(path.join(daemon.dirs.data, 'daemon', 'tokens.json'), 'utf8');
  for (const acl of SCOPED) assert.ok(!stored.includes(tokens[acl]!), 'a secret reached tokens.json');
  assert.equal(fs.statSync(path.join(daemon.dirs.data, 'daemon', 'tokens.json')).mode & 0o777, 0o600);
});

test('a deleted token stops working at once', async () => {
  const admin = client(daemon.port, tokens.default!);
  const t = await admin.post('/v1/auth/tokens', { name: 'short-lived', acl: 'read_only' });
  assert.equal((await call(daemon.port, 'GET', '/v1/status', { token: t.json.token })).status, 200);
  assert.equal((await admin.post('/v1/auth/tokens/delete', { id: t.json.id })).status, 200);
  assert.equal((await call(daemon.port, 'GET', '/v1/status', { token: t.json.token })).status, 401);
  assert.equal((await admin.post('/v1/auth/tokens/delete', { id: t.json.id })).status, 404);
  assert.equal((await admin.post('/v1/auth/tokens/delete', { id: 'default' })).status, 400);
});
