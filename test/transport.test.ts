// Transport pieces without a server: routing, field-name folding, Host names, addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as z from 'zod';
import { ConfigError, isLoopbackHost, loadConfig, parseAddr } from '../actors/config.ts';
import { extractToken } from '../transport/auth.ts';
import { normalizeKeys } from '../transport/fieldCase.ts';
import { hostName, HostGuard } from '../transport/hostGuard.ts';
import { route } from '../transport/route.ts';
import { Router } from '../transport/router.ts';
import { validate } from '../transport/validate.ts';
import { HttpError } from '../transport/errors.ts';

const r = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string) => route({ method, path, scope: 'acl', summary: '', handler: () => path });

test('router: static, parameterised, 405 with allowed methods, 404', () => {
  const router = new Router([r('GET', '/v1/labels'), r('POST', '/v1/labels'), r('PUT', '/v1/labels/{id}'), r('DELETE', '/v1/labels/{id}')]);
  assert.equal(router.match('GET', '/v1/labels').kind, 'found');
  const put = router.match('PUT', '/v1/labels/a%20b');
  assert.ok(put.kind === 'found' && put.params.id === 'a b');
  const wrong = router.match('GET', '/v1/labels/7');
  assert.ok(wrong.kind === 'method_not_allowed' && wrong.allow.join() === 'PUT,DELETE');
  assert.equal(router.match('GET', '/v1/labels/7/extra').kind, 'not_found');
  assert.equal(router.match('PUT', '/v1/labels/%E0%A4%A').kind, 'not_found', 'bad escapes do not throw');
  assert.equal(router.match('HEAD', '/v1/labels').kind, 'found');
  assert.throws(() => new Router([r('GET', '/a'), r('GET', '/a')]), /duplicate route/);
});

test('camelCase and snake_case request fields land on the schema spelling, nested too', () => {
  const schema = z.object({ startUtc: z.number(), csv_paths: z.array(z.object({ filePath: z.string() })).optional(), inner: z.object({ max_ts_points: z.number() }).optional() });
  assert.deepEqual(normalizeKeys(schema, { start_utc: 1, csvPaths: [{ file_path: 'a' }], inner: { maxTsPoints: 3 } }), {
    startUtc: 1, csv_paths: [{ filePath: 'a' }], inner: { max_ts_points: 3 },
  });
  assert.deepEqual(normalizeKeys(schema, { startUtc: 1, start_utc: 2 }), { startUtc: 1 }, 'the schema spelling wins');
  assert.deepEqual(validate(schema, { start_utc: 5 }, 'body'), { startUtc: 5 });
  assert.throws(() => validate(schema, { start_utc: 'x' }, 'body'), (e: HttpError) => e.status === 422 && (e.extra.issues as any)[0].path === 'startUtc');
});

test('tokens come from the Bearer header first, then ?token=', () => {
  assert.equal(extractToken('Bearer abc', 'token=q'), 'abc');
  assert.equal(extractToken('', 'a=1&token=q%2B1'), 'q+1');
  assert.equal(extractToken('Basic xyz', ''), null);
  assert.equal(extractToken('', 'tokens=1'), null);
});

test('Host header names: loopback only, plus the listen address and configured names', () => {
  assert.equal(hostName('LocalHost:8080'), 'localhost');
  assert.equal(hostName('[::1]:1'), '::1');
  const guard = new HostGuard('127.0.0.1', ['skill.local']);
  for (const ok of ['127.0.0.1', '127.9.9.9:1', 'localhost', 'app.localhost', '[::1]', 'skill.local:18444']) assert.ok(guard.allows(ok), ok);
  for (const bad of ['', 'evil.com', '127.0.0.1.evil.com', '0.0.0.0', '[::]', '10.0.0.1', 'localhost.evil']) assert.ok(!guard.allows(bad), bad);
});

test('addresses: defaults, port 0, IPv6, and refusal of non-loopback without --allow-remote', () => {
  assert.deepEqual(parseAddr('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseAddr('[::1]:18444'), { host: '::1', port: 18444 });
  assert.deepEqual(parseAddr(':9000'), { host: '127.0.0.1', port: 9000 });
  assert.throws(() => parseAddr('127.0.0.1'), ConfigError);
  assert.throws(() => parseAddr('127.0.0.1:70000'), ConfigError);
  assert.ok(isLoopbackHost('::ffff:127.0.0.1'));
  assert.ok(!isLoopbackHost('128.0.0.1'));
  const env = { SKILL_DAEMON_ADDR: '0.0.0.0:1' };
  assert.throws(() => loadConfig({ env, argv: [], homedir: '/h' }), /--allow-remote/);
  assert.equal(loadConfig({ env, argv: ['--allow-remote'], homedir: '/h' }).host, '0.0.0.0');
  const c = loadConfig({ env: {}, argv: [], homedir: '/h' });
  assert.equal(`${c.host}:${c.port}`, '127.0.0.1:18444');
  assert.equal(c.dataDir, '/h/.skill');
  assert.equal(c.daemonConfigDir, '/h/.config/skill/daemon');
  assert.equal(c.network, 'lan');
  assert.equal(loadConfig({ env: { SKILL_NETWORK: 'loopback', XDG_CONFIG_HOME: '/x' }, argv: [], homedir: '/h' }).daemonConfigDir, '/x/skill/daemon');
});
