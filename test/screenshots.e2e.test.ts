// Screenshots through the real daemon: the capture command is a script in a temp folder that
// copies an image rendered with known text (ImageMagick), so the whole path runs — capture →
// WebP → Tesseract → FTS5 → search-text — without ever touching a real screen. The same script
// fails on demand (a `fail` file beside it) for the failure and retry test, and counts its runs
// so that disabling can be seen to stop captures.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, client } from './helpers/http.ts';
import { spawnDaemon, tempDirs, type RunningDaemon } from './helpers/daemonProcess.ts';
import { subscribe, type Subscriber } from './helpers/events.ts';

const WORDS = 'NEUROSKILL FOCUS';

/** ImageMagick 6's binary by its Debian name first: a `convert` earlier on PATH may be something else. */
function imageMagick(): string | null {
  for (const bin of ['/usr/bin/convert-im6.q16', '/usr/bin/convert', 'magick', 'convert']) {
    const r = spawnSync(bin, ['-version'], { encoding: 'utf8' });
    if (r.status === 0 && /ImageMagick/.test(r.stdout)) return bin;
  }
  return null;
}

const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;
const magick = imageMagick();
const NO_TESSERACT = 'tesseract-ocr is not installed (Debian: apt-get install tesseract-ocr); OCR is not checked here';

let daemon: RunningDaemon;
let api: ReturnType<typeof client>;
let events: Subscriber;
let tools: string;
let secretOutside: string;

before(async () => {
  assert.ok(magick, 'ImageMagick is needed to draw the test image (Debian: apt-get install imagemagick fonts-dejavu-core)');
  tools = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-capture-'));
  const screen = path.join(tools, 'screen.png');
  const drawn = spawnSync(magick!, ['-size', '800x200', 'xc:white', '-fill', 'black', '-pointsize', '48', '-annotate', '+20+120', WORDS, screen], { encoding: 'utf8' });
  assert.equal(drawn.status, 0, `ImageMagick failed to draw the test image: ${drawn.stderr}`);
  const script = path.join(tools, 'capture.sh');
  fs.writeFileSync(script, [
    '#!/bin/sh',
    'dir=$(dirname "$0")',
    'echo run >> "$dir/runs"',
    'if [ -f "$dir/fail" ]; then echo "cannot open display :99" >&2; exit 3; fi',
    'cp "$dir/screen.png" "$1"',
    '',
  ].join('\n'), { mode: 0o755 });
  secretOutside = path.join(tools, 'secret.webp');
  fs.writeFileSync(secretOutside, 'SECRET-OUTSIDE-THE-FOLDER');
  const dirs = tempDirs();
  daemon = await spawnDaemon({ dirs, env: { SKILL_SCREENSHOT_COMMAND: JSON.stringify([script, '{output}']) } });
  api = client(daemon.port, daemon.token);
  events = await subscribe(daemon.port, daemon.token);
});

after(async () => {
  events?.close();
  const exit = await daemon?.stop();
  assert.equal(exit?.code, 0, `daemon exit: ${exit?.code ?? exit?.signal}\n${exit?.stderr}`);
  fs.rmSync(tools, { recursive: true, force: true });
});

const runs = () => (fs.existsSync(path.join(tools, 'runs')) ? fs.readFileSync(path.join(tools, 'runs'), 'utf8').split('\n').filter(Boolean).length : 0);
const metrics = async () => {
  const res = await api.get('/v1/settings/screenshot/metrics');
  assert.equal(res.status, 200, `metrics: ${res.text}`);
  return res.json;
};

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const captureCount = () => events.frames.filter((f) => f.type === 'screenshot-captured').length;

test('disabled by default: the worker is a supervised actor in `disabled`, nothing is captured', async () => {
  const m = await metrics();
  assert.equal(m.state, 'disabled', `state: ${JSON.stringify(m)}`);
  assert.equal(m.captures, 0, 'no captures yet');
  const tree = await api.get('/v1/debug/actors');
  assert.equal(tree.status, 200, tree.text);
  const find = (n: any): any => (n.id === 'screenshots' ? n : (n.children ?? []).map(find).find(Boolean));
  const node = find(tree.json.tree ?? tree.json);
  assert.ok(node, `the screenshots actor is in the tree: ${tree.text.slice(0, 500)}`);
  assert.equal(node.machine, 'screenshotCapture', `machine: ${JSON.stringify(node)}`);
  await sleep(500);
  assert.equal(runs(), 0, 'the capture command never ran while disabled');
});

test('bad inputs on every new route: 422/404 JSON errors that change nothing', async () => {
  const before = (await api.get('/v1/settings/screenshot/config')).json;
  const bad: Array<[string, unknown]> = [
    ['/v1/settings/screenshot/around', {}],
    ['/v1/settings/screenshot/around', { timestamp: 'noon', windowSecs: 10 }],
    ['/v1/settings/screenshot/around', { timestamp: 1_700_000_000, windowSecs: -1 }],
    ['/v1/settings/screenshot/around', { timestamp: 1_700_000_000, windowSecs: 1e9 }],
    ['/v1/settings/screenshot/around', { timestamp: 1_700_000_000_000_000, windowSecs: 10 }],
    ['/v1/settings/screenshot/around', { timestamp: 1_700_000_000, windowSecs: 2.5 }],
    ['/v1/settings/screenshot/search-text', {}],
    ['/v1/settings/screenshot/search-text', { query: '   ' }],
    ['/v1/settings/screenshot/search-text', { query: 'focus', k: 0 }],
    ['/v1/settings/screenshot/search-text', { query: 'focus', k: 10_000 }],
    ['/v1/settings/screenshot/search-text', { query: 'focus', mode: 'fuzzy' }],
    ['/v1/settings/screenshot/search-text', { query: 'x'.repeat(5000) }],
    ['/v1/settings/screenshot/search-text', { query: 42 }],
  ];
  for (const [p, body] of bad) {
    const res = await api.post(p, body);
    assert.equal(res.status, 422, `${p} ${JSON.stringify(body).slice(0, 80)} → ${res.status} ${res.text.slice(0, 200)}`);
    assert.equal(res.json?.ok, false, `JSON error body for ${p}: ${res.text.slice(0, 200)}`);
    assert.ok(Array.isArray(res.json?.issues) && res.json.issues.length > 0, `issues named for ${p}: ${res.text.slice(0, 200)}`);
  }
  const broken = await api.call('POST', '/v1/settings/screenshot/search-text', { rawBody: '{"query":' });
  assert.equal(broken.status, 400, `invalid JSON: ${broken.text}`);
  const getOnly = await api.post('/v1/settings/screenshot/metrics', {});
  assert.equal(getOnly.status, 405, `POST on a GET route: ${getOnly.text}`);
  for (const p of ['/screenshots/x', '/screenshots/20260101/x', '/screenshots/2026010100000.webp', '/screenshots/20260101000000.png']) {
    const res = await api.get(p);
    assert.equal(res.status, 404, `${p} → ${res.status} ${res.text}`);
    assert.equal(res.json?.ok, false, `JSON error for ${p}`);
  }
  const after = (await api.get('/v1/settings/screenshot/config')).json;
  assert.deepEqual(after, before, 'the config is unchanged');
  assert.equal((await metrics()).captures, 0, 'nothing was captured');
  assert.equal(runs(), 0, 'the capture command never ran');
});

test('session_only waits for a device session before capturing', async () => {
  const res = await api.post('/v1/settings/screenshot/config', { enabled: true, session_only: true });
  assert.equal(res.status, 200, res.text);
  const m = await until('waiting_for_session', async () => ((await metrics()).state === 'waiting_for_session' ? true : null), 5_000);
  assert.ok(m, 'state reached');
  await sleep(700);
  assert.equal(runs(), 0, 'no capture without a session');
  const off = await api.post('/v1/settings/screenshot/config', { enabled: false });
  assert.equal(off.status, 200, off.text);
});

test('capture → WebP → OCR → FTS5: search-text finds the word, around finds the shot, metrics count it', async (t: TestContext) => {
  const t0 = Date.now();
  const res = await api.post('/v1/settings/screenshot/config', { enabled: true, session_only: false, interval_secs: 5 });
  assert.equal(res.status, 200, res.text);
  const captured = await events.next((f) => f.type === 'screenshot-captured', 10_000);
  const shot = captured.payload;
  assert.match(shot.filename, /^\d{8}\/\d{14}(_\d+)?\.webp$/, `filename: ${shot.filename}`);
  assert.ok(shot.width > 0 && shot.width <= 768 && shot.height > 0, `scaled into image_size: ${JSON.stringify(shot)}`);
  assert.ok(Math.abs(shot.unix_ts * 1000 - t0) < 15_000, `unix_ts near now: ${shot.unix_ts}`);
  const stored = path.join(daemon.dirs.data, 'screenshots', shot.filename);
  const bytes = fs.readFileSync(stored);
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RIFF', 'stored as WebP (RIFF)');
  assert.equal(bytes.subarray(8, 12).toString('latin1'), 'WEBP', 'stored as WebP (WEBP)');
  assert.ok(fs.existsSync(path.join(daemon.dirs.data, 'screenshots.sqlite')), 'screenshots.sqlite exists');

  const around = await api.post('/v1/settings/screenshot/around', { timestamp: shot.unix_ts, windowSecs: 30 });
  assert.equal(around.status, 200, around.text);
  assert.ok(Array.isArray(around.json), 'around answers an array');
  assert.equal(around.json[0]?.filename, shot.filename, `nearest first: ${around.text.slice(0, 300)}`);
  assert.equal(around.json[0]?.similarity, 1, 'at the instant itself');
  for (const k of ['timestamp', 'unix_ts', 'filename', 'app_name', 'window_title', 'ocr_text', 'similarity', 'gif_filename']) assert.ok(k in around.json[0], `ScreenshotResult has ${k}`);
  const far = await api.post('/v1/settings/screenshot/around', { timestamp: shot.unix_ts - 7200, windowSecs: 60 });
  assert.deepEqual(far.json, [], 'nothing two hours earlier');

  if (!hasTesseract) {
    t.diagnostic(NO_TESSERACT);
    return;
  }
  const ocr = await events.next((f) => f.type === 'screenshot-ocr' && f.payload.filename === shot.filename, 30_000);
  t.diagnostic(`capture → searchable: ${ocr.payload.capture_to_searchable_ms} ms; OCR ${ocr.payload.ocr_ms} ms per image`);
  assert.ok(ocr.payload.chars > 0, `OCR read text: ${JSON.stringify(ocr.payload)}`);

  const found = await api.post('/v1/settings/screenshot/search-text', { query: 'neuroskill' });
  assert.equal(found.status, 200, found.text);
  assert.ok(found.json.some((r: any) => r.filename === shot.filename), `search-text finds the word: ${found.text.slice(0, 400)}`);
  const hit = found.json.find((r: any) => r.filename === shot.filename);
  assert.match(hit.ocr_text, /NEUROSKILL/, `ocr_text holds the word: ${hit.ocr_text}`);
  assert.ok(hit.similarity > 0 && hit.similarity < 1, `ranked similarity in (0,1): ${hit.similarity}`);
  const prefix = await api.post('/v1/settings/screenshot/search-text', { query: 'focu', k: 5 });
  assert.ok(prefix.json.some((r: any) => r.filename === shot.filename), `a word prefix finds it: ${prefix.text.slice(0, 300)}`);
  const sub = await api.post('/v1/settings/screenshot/search-text', { query: 'SKILL FOC', mode: 'substring' });
  assert.ok(sub.json.some((r: any) => r.filename === shot.filename && r.similarity === 1), `substring mode: ${sub.text.slice(0, 300)}`);
  const fts = await api.post('/v1/settings/screenshot/search-text', { query: 'focus" OR ocr_text:* NEAR(' });
  assert.equal(fts.status, 200, `FTS syntax in a query is taken as words: ${fts.text}`);
  const none = await api.post('/v1/settings/screenshot/search-text', { query: 'zebra' });
  assert.deepEqual(none.json, [], 'a word not on screen finds nothing');

  const m = await metrics();
  assert.ok(m.captures >= 1 && m.embeds >= 1, `metrics count captures and indexed text: ${JSON.stringify(m)}`);
  assert.equal(m.ocr.available, true, 'OCR available');
  assert.ok(m.ocr_us > 0 && m.capture_total_us > 0, `timings measured: ${JSON.stringify(m)}`);
  assert.ok(m.last_capture_unix >= shot.unix_ts, 'last capture time');
  const stats = await api.get('/v1/search/stats');
  assert.ok(stats.json.screenshot_total >= 1 && stats.json.screenshot_embedded >= 1, `search stats count screenshots: ${stats.text}`);
});

test('images are served with the header token and with ?token=, never outside the folder', async () => {
  const shot = events.frames.find((f) => f.type === 'screenshot-captured')?.payload;
  assert.ok(shot, 'a capture happened');
  const [date, name] = shot.filename.split('/');
  const byName = await api.get(`/screenshots/${name}`);
  assert.equal(byName.status, 200, byName.text.slice(0, 200));
  assert.equal(byName.headers['content-type'], 'image/webp', 'content type');
  const byQuery = await call(daemon.port, 'GET', `/screenshots/${date}/${name}`, { query: { token: daemon.token } });
  assert.equal(byQuery.status, 200, `?token= works: ${byQuery.text.slice(0, 200)}`);
  const noToken = await call(daemon.port, 'GET', `/screenshots/${name}`);
  assert.equal(noToken.status, 401, 'no token → 401');
  const wrong = await call(daemon.port, 'GET', `/screenshots/${name}`, { query: { token: 'sk-wrong' } });
  assert.equal(wrong.status, 401, 'a wrong ?token= → 401');
  const mint = async (acl: string) => (await api.post('/v1/auth/tokens', { name: `shots-${acl}`, acl, expiry: 'week' })).json.token as string;
  const readOnly = await call(daemon.port, 'GET', `/screenshots/${name}`, { query: { token: await mint('read_only') } });
  assert.equal(readOnly.status, 200, 'read_only tokens may read screenshots');
  const data = await call(daemon.port, 'GET', `/screenshots/${name}`, { query: { token: await mint('data') } });
  assert.equal(data.status, 403, 'data tokens may not (notes §10.3)');

  // Files a traversal would reach: settings.json in the data folder, and a file beside the test's tools.
  const dayDir = path.join(daemon.dirs.data, 'screenshots', date);
  fs.symlinkSync(secretOutside, path.join(dayDir, '20000101000000.webp'));
  fs.symlinkSync(path.dirname(secretOutside), path.join(daemon.dirs.data, 'screenshots', '20000102'));
  fs.copyFileSync(secretOutside, path.join(path.dirname(secretOutside), '20000102000000.webp'));
  const attempts: Array<[string, number[]]> = [
    ['/screenshots/..%2Fsettings.json', [404]],
    ['/screenshots/..%2F..%2Fsettings.json', [404]],
    ['/screenshots/%2e%2e/settings.json', [404]],
    ['/screenshots/%2E%2E/%2E%2E', [404]],
    ['/screenshots/../settings.json', [404]],
    ['/screenshots/..', [404]],
    ['/screenshots/%2Fetc%2Fpasswd', [404]],
    ['/screenshots//etc/passwd', [404]],
    [`/screenshots/${date}/..%2F..%2Fscreenshots.sqlite`, [404]],
    [`/screenshots/${date}/${name}%00.png`, [404]],
    [`/screenshots/..%5C${name}`, [404]],
    ['/screenshots/20000101000000.webp', [403, 404]],
    [`/screenshots/${date}/20000101000000.webp`, [403]],
    ['/screenshots/20000102/20000102000000.webp', [403]],
    ['/screenshots/20000102000000.webp', [403]],
  ];
  for (const [p, allowed] of attempts) {
    const res = await api.get(p);
    assert.ok(allowed.includes(res.status), `${p} → ${res.status} (want ${allowed.join('/')}) ${res.text.slice(0, 160)}`);
    assert.ok(!res.text.includes('SECRET-OUTSIDE') && !res.text.includes('"tokens"') && !res.text.includes('root:'), `${p} served nothing from outside`);
    assert.equal(res.json?.ok, false, `${p} answers a JSON error`);
  }
});

test('a failing capture command is reported and retried; the daemon lives on and recovers', async () => {
  const seen = events.frames.length;
  fs.writeFileSync(path.join(tools, 'fail'), '');
  const first = await events.next((f) => events.frames.indexOf(f) >= seen && f.type === 'screenshot-failed' && f.payload.stage === 'capture', 15_000);
  assert.match(first.payload.reason, /cannot open display/, `the reason: ${JSON.stringify(first.payload)}`);
  assert.equal(first.payload.failures, 1, 'first failure');
  let m = await metrics();
  assert.equal(m.state, 'failed', `state while failing: ${JSON.stringify(m)}`);
  assert.match(m.reason, /cannot open display/, 'metrics give the reason');
  const health = await call(daemon.port, 'GET', '/healthz');
  assert.equal(health.status, 200, 'the daemon still serves');
  const second = await events.next((f) => f.type === 'screenshot-failed' && f.payload.stage === 'capture' && f.payload.failures === 2, 15_000);
  assert.equal(second.payload.retry_in_ms, 10_000, `backoff doubles: ${JSON.stringify(second.payload)}`);
  assert.equal((await metrics()).backoff_multiplier, 2, 'backoff multiplier');
  fs.rmSync(path.join(tools, 'fail'));
  const before = captureCount();
  await until('a capture after the failures', async () => captureCount() > before, 20_000);
  m = await until('recovered', async () => {
    const x = await metrics();
    return x.consecutive_failures === 0 && x.state !== 'failed' ? x : null;
  }, 10_000);
  assert.equal(m.reason, null, 'the reason is cleared once a capture works');
  assert.ok(m.capture_errors >= 2, `errors counted: ${m.capture_errors}`);
});

test('disabling in the config stops captures at once', async () => {
  const res = await api.post('/v1/settings/screenshot/config', { enabled: false });
  assert.equal(res.status, 200, res.text);
  await until('disabled', async () => (await metrics()).state === 'disabled', 5_000);
  // A capture that had already started may still land: count from here.
  await sleep(300);
  const runsThen = runs();
  const capturedThen = captureCount();
  await sleep(6_000);
  assert.equal(runs(), runsThen, 'the capture command did not run again after an interval had passed');
  assert.equal(captureCount(), capturedThen, 'no screenshot-captured after disabling');
});
