// The dashboard's static files over plain HTTP: content types and caching headers, the page's
// security headers, traversal refused however it is spelled, and the token rules (the files are
// public; the API behind them wants a token, a read_only one is enough to view).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { serveStatic } from '../transport/staticFiles.ts';
import { HttpError } from '../transport/errors.ts';
import { useDaemon } from './helpers/daemonProcess.ts';
import { call } from './helpers/http.ts';

const ctx = useDaemon();

/** A request with the path sent exactly as written (no client-side normalisation). */
function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: rawPath }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('GET /dashboard serves the page without a token, with its security and caching headers', async () => {
  for (const p of ['/dashboard', '/dashboard/']) {
    const res = await call(ctx.daemon.port, 'GET', p);
    assert.equal(res.status, 200, `${p}: ${res.status}`);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', `${p} is HTML`);
    assert.equal(res.headers['cache-control'], 'no-cache', 'the page is revalidated every time');
    assert.equal(res.headers['referrer-policy'], 'no-referrer', 'the ?token= never leaks in a Referer');
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/, 'a CSP confines the page to the daemon');
    assert.equal(res.headers['x-content-type-options'], 'nosniff', 'nosniff');
    assert.match(res.text, /<script type="module" src="\/dashboard\/[\w.-]+\.js">/, 'the page loads its script as a module');
  }
  const head = await call(ctx.daemon.port, 'HEAD', '/dashboard');
  assert.equal(head.status, 200, 'HEAD answers too');
  assert.equal(head.text, '', 'HEAD has no body');
  const post = await call(ctx.daemon.port, 'POST', '/dashboard', { body: {} });
  assert.equal(post.status, 405, 'the dashboard is read only');
});

test('scripts and styles carry their content types; built, hashed files are cached for a year', async () => {
  const page = (await call(ctx.daemon.port, 'GET', '/dashboard')).text;
  const script = /src="(\/dashboard\/[\w.-]+\.js)"/.exec(page)?.[1];
  const style = /href="(\/dashboard\/[\w.-]+\.css)"/.exec(page)?.[1];
  assert.ok(script && style, `the page names its script and stylesheet: ${script} ${style}`);
  const js = await call(ctx.daemon.port, 'GET', script);
  assert.equal(js.status, 200, `${script}: ${js.status}`);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8', 'JavaScript type (module scripts need it)');
  const css = await call(ctx.daemon.port, 'GET', style);
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8', 'CSS type');
  const hashed = /-[A-Za-z0-9_]{8,}\.js$/.test(script);
  assert.equal(js.headers['cache-control'], hashed ? 'public, max-age=31536000, immutable' : 'no-cache', `cache-control of ${script}`);
  if (!hashed) {
    // The source modules import one another by relative name; each must be served.
    for (const name of ['daemonApi.js', 'eventStream.js', 'charts.js', 'statechartSvg.js', 'actorsPage.js', 'livePage.js', 'historyPage.js', 'systemPage.js', 'dom.js']) {
      const res = await call(ctx.daemon.port, 'GET', `/dashboard/${name}`);
      assert.equal(res.status, 200, `${name}: ${res.status}`);
    }
  }
});

test('traversal is refused however it is spelled', async () => {
  const attempts = [
    '/dashboard/../package.json', '/dashboard/..%2Fpackage.json', '/dashboard/%2e%2e%2fpackage.json', '/dashboard/%2e%2e',
    '/dashboard/..', '/dashboard/.gitignore', '/dashboard/%2Fetc%2Fpasswd', '/dashboard//etc/passwd', '/dashboard/main.js%00.html',
    '/dashboard/..%5c..%5cpackage.json', '/dashboard/nested/index.html', '/dashboard/README', '/dashboard/%ZZ',
  ];
  for (const p of attempts) {
    const res = await rawGet(ctx.daemon.port, p);
    assert.ok(res.status === 404 || res.status === 400, `${p}: expected 404, got ${res.status}`);
    assert.doesNotMatch(res.body, /"dependencies"|root:x:0/, `${p} leaked a file`);
  }
});

test('serveStatic: only regular files of the folder, with a known extension, never through a symlink', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-static-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.js'), 'secret');
  fs.writeFileSync(path.join(dir, 'app.js'), 'ok');
  fs.writeFileSync(path.join(dir, 'notes.exe'), 'x');
  fs.mkdirSync(path.join(dir, 'sub.js'));
  fs.symlinkSync(path.join(outside, 'secret.js'), path.join(dir, 'link.js'));
  const refused = async (name: string) => {
    await assert.rejects(serveStatic({ dir }, name), (err) => err instanceof HttpError && err.status === 404, `${name} is refused with 404`);
  };
  try {
    const ok = await serveStatic({ dir }, 'app.js');
    assert.equal(ok.contentType, 'text/javascript; charset=utf-8', 'a served file');
    for (const name of ['link.js', 'notes.exe', 'sub.js', '../' + path.basename(outside) + '/secret.js', '.hidden.js', 'missing.js', '']) await refused(name);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test('the API behind the page: a read_only token may view the actors and statecharts, a data token may not', async () => {
  const port = ctx.daemon.port;
  const token = async (acl: string) => (await ctx.admin.post('/v1/auth/tokens', { name: `dash-${acl}`, acl, expiry: 'week' })).json.token as string;
  const readOnly = await token('read_only');
  const data = await token('data');
  assert.equal((await call(port, 'GET', '/v1/debug/machines')).status, 401, 'no token: 401');
  const machines = await call(port, 'GET', '/v1/debug/machines', { token: readOnly });
  assert.equal(machines.status, 200, `read_only reads the statecharts: ${machines.text.slice(0, 200)}`);
  const device = machines.json.machines.device;
  assert.ok(device.states.some((s: any) => s.path === 'session.streaming'), 'the device statechart has session.streaming');
  assert.ok(device.transitions.some((t: any) => t.source === 'disconnected' && t.event === 'device.start' && t.targets.includes('session')), 'and disconnected → session on device.start');
  const tree = await call(port, 'GET', '/v1/debug/actors', { query: { token: readOnly } });
  assert.equal(tree.status, 200, 'read_only reads the actor tree, also with ?token=');
  assert.equal((await call(port, 'GET', '/v1/debug/actors', { token: data })).status, 403, 'a data token may not');
  assert.equal((await call(port, 'POST', '/v1/debug/actors/fault', { token: readOnly, body: { id: 'watchdog' } })).status, 403, 'fault injection stays admin only');
  assert.equal((await call(port, 'POST', '/v1/control/start-session', { token: readOnly, body: { target: 'virtual' } })).status, 403, 'read_only cannot start a session');
  assert.equal((await call(port, 'GET', '/dashboard', { token: 'not-a-token' })).status, 200, 'a bad token does not stop the page itself loading');
});
