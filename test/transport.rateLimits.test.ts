// Rate limits on the costly routes: the token bucket's arithmetic on a clock the test controls,
// the SKILL_RATE_LIMITS override, the table naming only real routes, and through the daemon:
// 429 in the error shape (OpenAI's on the chat routes) with retry-after, one caller's limit
// leaving another caller and the cheap routes alone, and a malformed request not counted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COSTLY_ROUTES, DEFAULT_RATES, RateLimiter } from '../transport/rateLimits.ts';
import type { Principal } from '../transport/route.ts';
import { liveGroups, routeKey } from '../scripts/docs-api.ts';
import { useDaemon } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';

const alice: Principal = { kind: 'token', id: 'a', name: 'alice', acl: 'data' } as Principal;
const bob: Principal = { kind: 'token', id: 'b', name: 'bob', acl: 'data' } as Principal;

describe('token buckets', () => {
  test('a burst, then one request per refill interval; callers and classes apart', () => {
    let now = 0;
    const limiter = new RateLimiter({ ...DEFAULT_RATES, search: { per_minute: 60, burst: 3 } }, () => now);
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('POST /v1/search/eeg', alice), null, `burst request ${i + 1}`);
    assert.equal(limiter.take('POST /v1/search/eeg', alice), 1, 'the fourth waits a second (60 a minute)');
    assert.equal(limiter.take('POST /v1/labels/search', alice), 1, 'the class is shared by its routes');
    assert.equal(limiter.take('POST /v1/search/eeg', bob), null, 'another caller has its own bucket');
    assert.equal(limiter.take('POST /v1/analysis/umap', alice), null, 'another class has its own bucket');
    assert.equal(limiter.take('GET /v1/status', alice), null, 'a cheap route is never limited');
    now += 999;
    assert.equal(limiter.take('POST /v1/search/eeg', alice), 1, 'not yet refilled');
    now += 1;
    assert.equal(limiter.take('POST /v1/search/eeg', alice), null, 'one token after a second');
    now += 60_000;
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('POST /v1/search/eeg', alice), null, `refilled to the burst only (${i + 1})`);
    assert.notEqual(limiter.take('POST /v1/search/eeg', alice), null, 'not beyond it');
  });

  test('retry-after counts whole seconds to the next token', () => {
    let now = 0;
    const limiter = new RateLimiter({ ...DEFAULT_RATES, rebuild: { per_minute: 6, burst: 1 } }, () => now);
    assert.equal(limiter.take('POST /v1/labels/reembed', alice), null, 'first');
    assert.equal(limiter.take('POST /v1/labels/reembed', alice), 10, 'six a minute: ten seconds');
    now += 2_500;
    assert.equal(limiter.take('POST /v1/labels/reembed', alice), 8, 'rounded up');
  });

  test('SKILL_RATE_LIMITS: off, overrides, and mistakes refused at start-up', () => {
    const off = RateLimiter.fromEnv('off');
    for (let i = 0; i < 1_000; i++) assert.equal(off.take('POST /v1/search/eeg', alice), null, 'never limited when off');
    const tight = RateLimiter.fromEnv('{"search": {"per_minute": 1, "burst": 1}}');
    assert.equal(tight.take('POST /v1/search/eeg', alice), null, 'one');
    assert.equal(tight.take('POST /v1/search/eeg', alice), 60, 'then a minute');
    for (const bad of ['{', '{"serach": {"per_minute": 1, "burst": 1}}', '{"search": {"per_minute": 0, "burst": 1}}', '{"search": {"per_minute": 5, "burst": 0}}']) {
      assert.throws(() => RateLimiter.fromEnv(bad), /SKILL_RATE_LIMITS/, `refused: ${bad}`);
    }
  });

  test('every costly route named in the table exists in the route table', () => {
    const known = new Set(liveGroups().flatMap((g) => g.routes.map(routeKey)));
    for (const key of Object.keys(COSTLY_ROUTES)) assert.ok(known.has(key), `${key} is a route`);
  });
});

describe('rate limits through the daemon', () => {
  const ctx = useDaemon({ env: { SKILL_RATE_LIMITS: '{"search": {"per_minute": 6, "burst": 3}, "chat": {"per_minute": 6, "burst": 2}}' } });
  const palette = { query: 'start', candidates: [{ id: 1, text: 'start recording' }] };

  test('past the burst: 429 with retry-after; others and cheap routes unaffected; bad bodies not counted', async () => {
    const created = await ctx.admin.post('/v1/auth/tokens', { name: 'second', acl: 'data' });
    assert.equal(created.status, 200, `second token: ${created.text}`);
    const other = client(ctx.daemon.port, created.json.token);

    for (let i = 0; i < 5; i++) {
      const bad = await ctx.admin.post('/v1/search/commands', { query: 'x', candidates: 'all' });
      assert.equal(bad.status, 422, `malformed request ${i + 1} is a 422, not counted`);
    }
    for (let i = 0; i < 3; i++) assert.equal((await ctx.admin.post('/v1/search/commands', palette)).status, 200, `burst ${i + 1}`);
    const limited = await ctx.admin.post('/v1/search/commands', palette);
    assert.equal(limited.status, 429, limited.text);
    assert.equal(limited.json.code, 'rate_limited', `error shape: ${limited.text}`);
    assert.ok(Number(limited.headers['retry-after']) >= 1, `retry-after header: ${limited.headers['retry-after']}`);
    assert.equal((await ctx.admin.post('/v1/labels/search', { query: 'x' })).status, 429, 'the whole search class is limited');
    assert.equal((await other.post('/v1/search/commands', palette)).status, 200, 'another token is not');
    assert.equal((await ctx.admin.get('/v1/status')).status, 200, 'cheap routes are not');
  });

  test('the chat routes answer 429 in OpenAI\'s error shape', async () => {
    const ask = { model: 'none', messages: [{ role: 'user', content: 'hi' }] };
    for (let i = 0; i < 2; i++) assert.equal((await ctx.admin.post('/v1/chat/completions', ask)).status, 503, `no model runs (${i + 1})`);
    const limited = await ctx.admin.post('/v1/chat/completions', ask);
    assert.equal(limited.status, 429, limited.text);
    assert.equal(limited.json.error?.type, 'rate_limit_error', `OpenAI shape: ${limited.text}`);
    assert.equal(limited.json.error?.code, 'rate_limit_exceeded', `OpenAI code: ${limited.text}`);
  });
});
