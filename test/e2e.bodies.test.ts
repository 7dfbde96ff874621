// Bad input on every route with a body: wrong types, missing fields, invalid JSON, a 2 MiB
// body. Each must get a 4xx in the JSON error shape, never a 5xx, and change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as z from 'zod';
import { call } from './helpers/http.ts';
import { useDaemon } from './helpers/daemonProcess.ts';
import { concretePath, ROUTES } from './helpers/routes.ts';
import type { Route } from '../transport/route.ts';

const ctx = useDaemon();

const BODY_ROUTES = ROUTES.filter((r) => r.method !== 'GET');

function assertErrorShape(res: { status: number; json: any; text: string }, where: string) {
  assert.ok(res.status >= 400 && res.status < 500, `${where}: expected 4xx, got ${res.status} ${res.text.slice(0, 200)}`);
  assert.equal(res.json?.ok, false, `${where}: ${res.text.slice(0, 200)}`);
  assert.equal(typeof res.json?.code, 'string', where);
  assert.equal(typeof res.json?.message, 'string', where);
}

/**
 * Routes with their own error shape (the OpenAI-compatible ones) answer in it, and a body that
 * fails validation with OpenAI's 400: seen through this, their errors read like every other
 * route's (`ok`, `code`, `message`, 422 with the first failing field as `issues`).
 */
function asDaemonError(r: Route, res: { status: number; json: any; text: string }) {
  if (!r.errorReply) return res;
  const e = res.json?.error;
  const status = res.status === 400 && (e?.code === 'invalid_body' || e?.code === 'invalid_query') ? 422 : res.status;
  return { status, text: res.text, json: e && { ok: false, code: e.code, message: e.message, issues: e.param ? [{ path: e.param }] : [] } };
}

/** Everything observable that a rejected request must leave untouched. */
async function snapshot() {
  const files = ['daemon/tokens.json', 'settings.json'].map((f) => {
    const p = path.join(ctx.daemon.dirs.data, f);
    return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null;
  });
  const tokens = (await ctx.admin.get('/v1/auth/tokens')).json.map((t: any) => [t.id, t.revoked]);
  const watchdog = (await ctx.admin.get('/v1/settings/daemon-watchdog')).json;
  return JSON.stringify({ files, tokens, watchdog });
}

/** A value of the wrong JSON type for a field of this JSON-schema type. */
function wrongValuesFor(schema: any): unknown[] {
  const t = schema?.type;
  const values: unknown[] = [null, [], { nested: { deeper: [1, 2, 3] } }];
  if (t !== 'string') values.push('not-a-' + (t ?? 'value'), '');
  if (t !== 'number' && t !== 'integer') values.push(12345, -1.5, 1e308);
  if (t === 'number' || t === 'integer') values.push('NaN', 1e308, -1e308, 0.5);
  if (t !== 'boolean') values.push(true);
  if (schema?.enum) values.push('definitely-not-in-the-enum');
  if (t === 'string') values.push('x'.repeat(10_000), '\u0000\ud83d\ude00');
  return values;
}

test('invalid JSON is 400 and a non-object body is 422 on every route that reads a body', async () => {
  const before = await snapshot();
  for (const r of BODY_ROUTES) {
    const p = concretePath(r);
    for (const raw of ['{', '{"a":', 'nul', '\u0000\u0001', '{"a":1}}']) {
      const res = asDaemonError(r, await call(ctx.daemon.port, r.method, p, { token: ctx.daemon.token, rawBody: raw }));
      assertErrorShape(res, `${r.method} ${r.path} with ${JSON.stringify(raw)}`);
      assert.equal(res.status, 400, `${r.method} ${r.path}`);
      assert.equal(res.json.code, 'invalid_json');
    }
    if (!r.body) continue;
    // A route whose body is a list (PUT /v1/hooks takes the rule list bare, as the reference does) accepts [].
    const listBody = (z.toJSONSchema(r.body, { unrepresentable: 'any', io: 'input' }) as any).type === 'array';
    for (const body of listBody ? ['text', 42, null, true, {}] : [[], 'text', 42, null, true]) {
      const res = asDaemonError(r, await call(ctx.daemon.port, r.method, p, { token: ctx.daemon.token, body }));
      assertErrorShape(res, `${r.method} ${r.path} with ${JSON.stringify(body)}`);
      assert.equal(res.status, 422);
    }
  }
  assert.equal(await snapshot(), before);
});

test('a string or key that is not well-formed Unicode (a lone surrogate) is 422 on every route that reads a body', async () => {
  const before = await snapshot();
  // A lone high and a lone low surrogate, beside a well-formed escaped pair (an emoji) that is fine.
  const rawBody = '{"name":"\\ud800","text":"ok \\ud83d\\ude00","nested":{"\\udfff":1}}';
  for (const r of BODY_ROUTES) {
    const res = asDaemonError(r, await call(ctx.daemon.port, r.method, concretePath(r), { token: ctx.daemon.token, rawBody }));
    assertErrorShape(res, `${r.method} ${r.path} with a lone surrogate`);
    assert.equal(res.status, 422, `${r.method} ${r.path}: ${res.text.slice(0, 200)}`);
    if (!r.errorReply) assert.deepEqual(res.json.issues.map((i: any) => i.path), ['name', 'nested.\udfff'], `${r.method} ${r.path}: ${res.text.slice(0, 300)}`);
  }
  assert.equal(await snapshot(), before);
  // The same route with a well-formed escaped pair works (a lone surrogate here once reached the
  // otpauth URL encoder, which threw: a 500).
  const made = await call(ctx.daemon.port, 'POST', '/v1/iroh/totp', { token: ctx.daemon.token, rawBody: '{"name":"phone \\ud83d\\ude00"}' });
  assert.equal(made.status, 200, made.text);
  assert.equal(made.json.totp.name, 'phone \u{1F600}', made.text);
});

test('wrong field types and missing required fields are 422 with the failing field path', async () => {
  const before = await snapshot();
  let checked = 0;
  for (const r of BODY_ROUTES.filter((r) => r.body)) {
    const schema = z.toJSONSchema(r.body!, { unrepresentable: 'any', io: 'input' }) as any;
    const props: Record<string, any> = schema.properties ?? {};
    const required: string[] = schema.required ?? [];
    for (const [field, fieldSchema] of Object.entries(props)) {
      for (const value of wrongValuesFor(fieldSchema)) {
        // A value zod accepts for this field (e.g. any JSON for an `unknown` payload) is not bad input.
        const shape = (r.body as any).shape?.[field];
        if (shape && shape.safeParse(value).success) continue;
        const res = asDaemonError(r, await call(ctx.daemon.port, r.method, concretePath(r), { token: ctx.daemon.token, body: { [field]: value } }));
        assertErrorShape(res, `${r.method} ${r.path} ${field}=${JSON.stringify(value)?.slice(0, 40)}`);
        assert.equal(res.status, 422);
        assert.ok(res.json.issues.length > 0);
        checked++;
      }
    }
    if (required.length) {
      const res = asDaemonError(r, await call(ctx.daemon.port, r.method, concretePath(r), { token: ctx.daemon.token, body: {} }));
      assert.equal(res.status, 422, `${r.method} ${r.path} without required fields`);
      const paths = res.json.issues.map((i: any) => i.path);
      // An OpenAI error names one field; the others' routes name every one.
      for (const f of r.errorReply ? required.slice(0, 1) : required) assert.ok(paths.includes(f), `${r.method} ${r.path}: issue for missing "${f}"`);
    }
  }
  assert.ok(checked > 20, `only ${checked} wrong-type cases ran`);
  assert.equal(await snapshot(), before);
});

/**
 * Sends a request over a raw socket and returns the response's status line. The daemon answers
 * 413 and closes while the body is still being written, so write errors are expected and ignored.
 */
function rawStatus(method: string, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(ctx.daemon.port, '127.0.0.1');
    let response = '';
    socket.on('data', (d) => (response += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`${method} ${path}: no response: ${JSON.stringify(response.slice(0, 100))}`));
    });
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ctx.daemon.token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    socket.end(body);
  });
}

test('a 2 MiB body is refused with 413 on every route and the daemon keeps serving', async () => {
  const before = await snapshot();
  const big = Buffer.from(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), acl: 'admin' }));
  for (const r of BODY_ROUTES) assert.equal(await rawStatus(r.method, concretePath(r), big), 413, `${r.method} ${r.path}`);
  const shape = await call(ctx.daemon.port, 'POST', '/v1/auth/tokens', { token: ctx.daemon.token, headers: { 'content-length': String(2 * 1024 * 1024) }, rawBody: '{}' }).catch(() => null);
  if (shape) assertErrorShape(shape, '413 body');
  assert.equal((await call(ctx.daemon.port, 'GET', '/healthz')).status, 200);
  assert.equal(await snapshot(), before);
});

test('a body over the limit sent without Content-Length (chunked) is refused too', async () => {
  const http = await import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: ctx.daemon.port, method: 'POST', path: '/v1/events/push', headers: { authorization: `Bearer ${ctx.daemon.token}`, 'transfer-encoding': 'chunked' } },
      (res) => { res.resume(); resolve(res.statusCode ?? 0); },
    );
    req.on('error', (err) => (/EPIPE|ECONNRESET/.test(String(err)) ? resolve(413) : reject(err)));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 3 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  assert.equal(status, 413);
  assert.equal((await call(ctx.daemon.port, 'GET', '/healthz')).status, 200);
});

test('request fields are accepted in camelCase and snake_case; replies keep the reference spelling', async () => {
  const camel = await ctx.admin.post('/v1/settings/daemon-watchdog', { timeoutSecs: 42 });
  assert.equal(camel.status, 200);
  assert.equal(camel.json.timeout_secs, 42);
  const snake = await ctx.admin.post('/v1/settings/daemon-watchdog', { timeout_secs: 43, enabled: true });
  assert.equal(snake.json.timeout_secs, 43);
  const outOfRange = await ctx.admin.post('/v1/settings/daemon-watchdog', { timeout_secs: 0 });
  assert.equal(outOfRange.status, 422);
  assert.equal(outOfRange.json.issues[0].path, 'timeout_secs');
  assert.equal((await ctx.admin.get('/v1/settings/daemon-watchdog')).json.timeout_secs, 43);
  const stored = JSON.parse(fs.readFileSync(path.join(ctx.daemon.dirs.data, 'settings.json'), 'utf8'));
  assert.equal(stored.daemon_restart_timeout_secs, 43);
});

test('query strings are validated too', async () => {
  for (const since of ['NaN', '-1', '1.5', 'abc', '1e400']) {
    const res = await ctx.admin.get('/v1/log/recent', { query: { since } });
    assertErrorShape(res, `since=${since}`);
    assert.equal(res.status, 422);
    assert.equal(res.json.code, 'invalid_query');
  }
  const ok = await ctx.admin.get('/v1/log/recent', { query: { since: '0' } });
  assert.equal(ok.status, 200);
  assert.ok(ok.json.lines.some((l: any) => /listening on/.test(l.message)));
});
