// Finding and choosing LLM models through the real daemon: the Hugging Face search routes against
// an imitation of the hub's two endpoints served by this test process on 127.0.0.1 (HF_ENDPOINT
// points the daemon at it), with paging, split models, the README cap and the hub failing; the
// selection routes (choose without starting, 404/400/409 changing nothing, kept on disk); and the
// vision and tool routes' honest refusals. One daemon for the file; tests run in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { HfHub, HubError, README_MAX_BYTES } from '../actors/llm/hfHub.ts';
import { ensureTinyGguf, TINY_GGUF_NAME } from '../scripts/build-tiny-gguf.ts';
import { spawnDaemon, tempDirs, type RunningDaemon } from './helpers/daemonProcess.ts';
import { client, type CallResult } from './helpers/http.ts';

const timeout = 60_000;
const dirs = tempDirs('skill-llm-hub-');
const modelsDir = path.join(dirs.data, 'models', 'llm');
const PROJECTOR = 'local-mmproj-f16.gguf';
ensureTinyGguf(path.join(modelsDir, TINY_GGUF_NAME));
fs.writeFileSync(path.join(modelsDir, PROJECTOR), 'GGUF projector placeholder: selected, never loaded');

// ---- the imitation hub ----------------------------------------------------------------------

const REPOS = [
  { _id: '1', id: 'bartowski/Qwen2.5-0.5B-Instruct-GGUF', author: 'bartowski', downloads: 5000, likes: 40, tags: ['gguf', 'text-generation'], pipeline_tag: 'text-generation', lastModified: '2026-01-02T03:04:05.000Z' },
  { _id: '2', id: 'someone/qwen-tiny-GGUF', downloads: 12, likes: 0, tags: ['gguf'], createdAt: '2025-05-05T00:00:00.000Z' },
  { _id: '3', id: 'other/llama-GGUF', downloads: 7, likes: 1, tags: ['gguf', 7] },
];
const GiB = 1_073_741_824;
const TREE_PAGE_1 = [
  { type: 'file', oid: 'a', size: 1519, path: '.gitattributes' },
  { type: 'file', oid: 'b', size: 135, path: 'model-Q4_K_M.gguf', lfs: { oid: 'x', size: 2 * GiB, pointerSize: 135 } },
  { type: 'file', oid: 'c', size: 135, path: 'model-00002-of-00002.gguf', lfs: { oid: 'y', size: 1 * GiB, pointerSize: 135 } },
  { type: 'directory', oid: 'd', size: 0, path: 'extras' },
];
const TREE_PAGE_2 = [
  { type: 'file', oid: 'e', size: 135, path: 'model-00001-of-00002.gguf', lfs: { oid: 'z', size: 3 * GiB, pointerSize: 135 } },
  { type: 'file', oid: 'f', size: 600_000_000, path: 'mmproj-model-f16.gguf' },
  { type: 'file', oid: 'g', size: 135, path: 'model.imatrix.gguf', lfs: { oid: 'w', size: 5_000_000, pointerSize: 135 } },
  { type: 'file', oid: 'h', size: 135, path: 'extras/model-Q2_K.gguf', lfs: { oid: 'v', size: 1_000, pointerSize: 135 } },
  { type: 'file', oid: 'i', size: 40_000, path: 'README.md' },
];
const README = '# Model card ✓\n' + 'é'.repeat(30_000);

const hubRequests: URL[] = [];
const hub = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://hub');
  hubRequests.push(url);
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/api/models') {
    const q = url.searchParams.get('search') ?? '';
    if (q === 'boom') return json(500, { error: 'Internal Error - We are working hard to fix this' });
    if (q === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<html>maintenance</html>');
    }
    const limit = Number(url.searchParams.get('limit') ?? 1000);
    return json(200, REPOS.filter((r) => r.id.toLowerCase().includes(q.toLowerCase())).slice(0, limit));
  }
  if (url.pathname === '/api/models/bartowski/Qwen2.5-0.5B-Instruct-GGUF/tree/main') {
    if (url.searchParams.get('cursor') === 'page2') return json(200, TREE_PAGE_2);
    return json(200, TREE_PAGE_1, { link: `<http://127.0.0.1:${hubPort()}/api/models/bartowski/Qwen2.5-0.5B-Instruct-GGUF/tree/main?cursor=page2>; rel="next"` });
  }
  if (url.pathname === '/api/models/other/llama-GGUF/tree/main') return json(200, [{ type: 'file', size: 10, path: 'llama-Q8_0.gguf' }]);
  if (url.pathname === '/bartowski/Qwen2.5-0.5B-Instruct-GGUF/raw/main/README.md') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    return res.end(README);
  }
  return json(404, { error: 'Repository not found' });
});
const hubPort = () => (hub.address() as AddressInfo).port;

let daemon: RunningDaemon;
let admin: ReturnType<typeof client>;

before(async () => {
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  daemon = await spawnDaemon({ dirs, env: { HF_ENDPOINT: `http://127.0.0.1:${hubPort()}` } });
  admin = client(daemon.port, daemon.token);
});

after(async () => {
  if (hub.listening) hub.close();
  const exit = await daemon.stop();
  assert.equal(exit.code, 0, `daemon exit: ${exit.code ?? exit.signal}\n${exit.stderr}`);
});

function expectStatus(res: CallResult, status: number, what: string) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 400)}`);
}

// ---- hub search -------------------------------------------------------------------------------

test('search asks the hub for GGUF repositories, most downloaded first, and answers the reference\'s shape', { timeout }, async () => {
  const res = await admin.get('/v1/llm/catalog/search', { query: { q: 'qwen' } });
  expectStatus(res, 200, 'search');
  const asked = hubRequests.at(-1)!;
  assert.equal(asked.pathname, '/api/models', 'the hub\'s model search');
  assert.deepEqual(Object.fromEntries(asked.searchParams), { search: 'qwen', filter: 'gguf', sort: 'downloads', direction: '-1', limit: '12' }, 'query sent to the hub');
  assert.deepEqual(res.json, {
    ok: true,
    results: [
      { repo: 'bartowski/Qwen2.5-0.5B-Instruct-GGUF', author: 'bartowski', downloads: 5000, likes: 40, tags: ['gguf', 'text-generation'], pipeline_tag: 'text-generation', last_modified: '2026-01-02T03:04:05.000Z' },
      { repo: 'someone/qwen-tiny-GGUF', author: 'someone', downloads: 12, likes: 0, tags: ['gguf'], pipeline_tag: '', last_modified: '2025-05-05T00:00:00.000Z' },
    ],
  }, 'results; the author taken from the repo name when the hub leaves it out');

  const limited = await admin.get('/v1/llm/catalog/search', { query: { q: 'GGUF', limit: '2' } });
  expectStatus(limited, 200, 'search with a limit');
  assert.equal(hubRequests.at(-1)!.searchParams.get('limit'), '2', 'limit passed on');
  assert.equal(limited.json.results.length, 2, 'two results');
  const none = await admin.get('/v1/llm/catalog/search', { query: { q: 'nothing-like-it' } });
  assert.deepEqual(none.json, { ok: true, results: [] }, 'no match: an empty list');
});

test('search refuses bad queries (422) without asking the hub', { timeout }, async () => {
  const asked = hubRequests.length;
  for (const query of [{}, { q: '' }, { q: '   ' }, { q: 'x'.repeat(201) }, { q: 'qwen', limit: '0' }, { q: 'qwen', limit: '51' }, { q: 'qwen', limit: 'many' }]) {
    const res = await admin.get('/v1/llm/catalog/search', { query: query as Record<string, string> });
    expectStatus(res, 422, `search ${JSON.stringify(query).slice(0, 60)}`);
    assert.equal(res.json.code, 'invalid_query', 'code');
  }
  assert.equal(hubRequests.length, asked, 'the hub was not asked');
});

test('hub failures are 502 hub_error with the hub\'s reason', { timeout }, async () => {
  const failed = await admin.get('/v1/llm/catalog/search', { query: { q: 'boom' } });
  expectStatus(failed, 502, 'hub 500');
  assert.equal(failed.json.code, 'hub_error', 'code');
  assert.match(failed.json.message, /answered 500: Internal Error - We are working hard/, `the hub's status and message: ${failed.json.message}`);
  const garbage = await admin.get('/v1/llm/catalog/search', { query: { q: 'garbage' } });
  expectStatus(garbage, 502, 'a reply that is not JSON');
  assert.match(garbage.json.message, /not JSON/, `reason: ${garbage.json.message}`);
});

test('the files of a repository: GGUF at the top level, split models once with their total size, pages followed, README cut at 32 KiB', { timeout }, async () => {
  const res = await admin.get('/v1/llm/catalog/search/files', { query: { repo: 'bartowski/Qwen2.5-0.5B-Instruct-GGUF' } });
  expectStatus(res, 200, 'files');
  assert.equal(res.json.ok, true, 'ok');
  assert.equal(res.json.repo, 'bartowski/Qwen2.5-0.5B-Instruct-GGUF', 'repo');
  assert.deepEqual(res.json.files, [
    { filename: 'mmproj-model-f16.gguf', size_bytes: 600_000_000, size_gb: 0.56, quant: 'F16', is_mmproj: true },
    { filename: 'model-00001-of-00002.gguf', size_bytes: 4 * GiB, size_gb: 4, quant: 'unknown', is_mmproj: false, shard_files: ['model-00001-of-00002.gguf', 'model-00002-of-00002.gguf'] },
    { filename: 'model-Q4_K_M.gguf', size_bytes: 2 * GiB, size_gb: 2, quant: 'Q4_K_M', is_mmproj: false },
  ], 'both pages read; LFS sizes; shards grouped; imatrix, folders and other files left out');
  const readme = Buffer.from(res.json.readme, 'utf8');
  assert.ok(readme.length <= README_MAX_BYTES && readme.length > README_MAX_BYTES - 4, `README cut at ${README_MAX_BYTES} bytes: ${readme.length}`);
  assert.ok(README.startsWith(res.json.readme), 'the README\'s beginning, no character broken at the cut');

  const small = await admin.get('/v1/llm/catalog/search/files', { query: { repo: 'other/llama-GGUF' } });
  expectStatus(small, 200, 'a repository without README');
  assert.deepEqual(small.json, { ok: true, repo: 'other/llama-GGUF', files: [{ filename: 'llama-Q8_0.gguf', size_bytes: 10, size_gb: 0, quant: 'Q8_0', is_mmproj: false }], readme: null }, 'README null when the hub has none');
});

test('files: an unknown repository is 404, a malformed one 422 without asking the hub', { timeout }, async () => {
  const missing = await admin.get('/v1/llm/catalog/search/files', { query: { repo: 'nobody/nothing' } });
  expectStatus(missing, 404, 'unknown repository');
  assert.equal(missing.json.code, 'repo_not_found', 'code');
  assert.match(missing.json.message, /nobody\/nothing/, 'names the repository');
  const asked = hubRequests.length;
  for (const repo of [undefined, '', 'justname', 'a/b/c', '../..', 'owner/..', 'own er/x', 'a/b?x=1']) {
    const res = await admin.get('/v1/llm/catalog/search/files', { query: repo === undefined ? {} : { repo } });
    expectStatus(res, 422, `repo ${repo}`);
  }
  assert.equal(hubRequests.length, asked, 'the hub was not asked');
});

test('a hub that cannot be reached, is not on loopback in a loopback-only daemon, or is not a URL fails with the reason', { timeout }, async () => {
  await assert.rejects(new HfHub('https://huggingface.co', 'loopback').search('qwen', 1), (err: unknown) => {
    assert.ok(err instanceof HubError && err.kind === 'refused', `a HubError the daemon refused itself (503, not 502): ${String(err)}`);
    assert.match(err.message, /loopback-only/, `reason: ${err.message}`);
    return true;
  });
  await assert.rejects(new HfHub('not a url', 'lan').repoFiles('a/b'), /HF_ENDPOINT "not a url" is not a URL/, 'a malformed HF_ENDPOINT fails the search, not the daemon');
  await new Promise<void>((resolve) => hub.close(() => resolve()));
  hub.closeAllConnections();
  const res = await admin.get('/v1/llm/catalog/search', { query: { q: 'qwen' } });
  expectStatus(res, 502, 'hub down');
  assert.match(res.json.message, /could not reach http:\/\/127\.0\.0\.1:\d+/, `reason: ${res.json.message}`);
});

// ---- selection --------------------------------------------------------------------------------

async function selectionState() {
  const catalog = (await admin.get('/v1/llm/catalog')).json;
  const config = (await admin.get('/v1/settings/llm-config')).json;
  return { active_model: catalog.active_model, active_mmproj: catalog.active_mmproj, model_path: config.model_path, mmproj: config.mmproj, autoload_mmproj: config.autoload_mmproj };
}

test('selection refuses unknown (404), wrong-kind (400) and missing (409) files and changes nothing', { timeout }, async () => {
  const refresh = await admin.post('/v1/llm/catalog/refresh');
  expectStatus(refresh, 200, 'refresh');
  assert.deepEqual(refresh.json.added.sort(), [PROJECTOR, TINY_GGUF_NAME].sort(), 'both files found');
  const bundled = refresh.json.catalog.models.find((m: any) => m.state === 'not_downloaded' && !m.is_mmproj).filename;
  const bundledProjector = refresh.json.catalog.models.find((m: any) => m.state === 'not_downloaded' && m.is_mmproj).filename;
  const before = await selectionState();
  const catalogFile = path.join(dirs.data, 'llm_catalog.json');
  const fileBefore = fs.existsSync(catalogFile) ? fs.readFileSync(catalogFile, 'utf8') : null;
  const cases: Array<[string, unknown, number, string]> = [
    ['/v1/llm/selection/active-model', {}, 422, 'invalid_body'],
    ['/v1/llm/selection/active-model', { filename: '' }, 422, 'invalid_body'],
    ['/v1/llm/selection/active-model', { filename: 'no-such-model.gguf' }, 404, 'unknown_model'],
    ['/v1/llm/selection/active-model', { filename: PROJECTOR }, 400, 'is_mmproj'],
    ['/v1/llm/selection/active-model', { filename: bundled }, 409, 'not_downloaded'],
    ['/v1/llm/selection/active-mmproj', {}, 422, 'invalid_body'],
    ['/v1/llm/selection/active-mmproj', { filename: 'no-such-mmproj.gguf' }, 404, 'unknown_model'],
    ['/v1/llm/selection/active-mmproj', { filename: TINY_GGUF_NAME }, 400, 'not_mmproj'],
    ['/v1/llm/selection/active-mmproj', { filename: bundledProjector }, 409, 'not_downloaded'],
    ['/v1/llm/selection/autoload-mmproj', {}, 422, 'invalid_body'],
    ['/v1/llm/selection/autoload-mmproj', { value: 'yes' }, 422, 'invalid_body'],
    ['/v1/llm/selection/autoload-mmproj', { value: true, enabled: false }, 422, 'invalid_body'],
  ];
  for (const [p, body, status, code] of cases) {
    const res = await admin.post(p, body);
    expectStatus(res, status, `${p} ${JSON.stringify(body)}`);
    assert.equal(res.json.code, code, `${p} ${JSON.stringify(body)}: code`);
  }
  assert.deepEqual(await selectionState(), before, 'the selection is as it was');
  assert.equal(fs.existsSync(catalogFile) ? fs.readFileSync(catalogFile, 'utf8') : null, fileBefore, 'llm_catalog.json untouched');
});

test('selection chooses the model and projector of the next start without starting the server, and keeps them on disk', { timeout }, async () => {
  const mmproj = await admin.post('/v1/llm/selection/active-mmproj', { filename: PROJECTOR });
  expectStatus(mmproj, 200, 'active-mmproj');
  assert.equal(mmproj.json.active_mmproj, PROJECTOR, 'projector selected');

  const model = await admin.post('/v1/llm/selection/active-model', { filename: TINY_GGUF_NAME });
  expectStatus(model, 200, 'active-model');
  assert.deepEqual(model.json, { ok: true, active_model: TINY_GGUF_NAME, active_mmproj: null, autoload_mmproj: true, running_model: null }, 'model selected; a projector of another repository cleared; nothing running');
  assert.equal((await admin.get('/v1/llm/server/status')).json.status, 'stopped', 'the server was not started');
  const state = await selectionState();
  assert.equal(state.model_path, path.join(modelsDir, TINY_GGUF_NAME), 'llm-config model_path follows the selection');

  expectStatus(await admin.post('/v1/llm/selection/active-mmproj', { filename: PROJECTOR }), 200, 'projector again');
  const cleared = await admin.post('/v1/llm/selection/active-mmproj', { filename: null });
  expectStatus(cleared, 200, 'clear the projector');
  assert.equal(cleared.json.active_mmproj, null, 'projector cleared');

  const off = await admin.post('/v1/llm/selection/autoload-mmproj', { enabled: false });
  expectStatus(off, 200, 'autoload off ({enabled})');
  assert.equal(off.json.value, false, 'value false');
  assert.equal((await selectionState()).autoload_mmproj, false, 'llm-config autoload_mmproj false');
  const on = await admin.post('/v1/llm/selection/autoload-mmproj', { value: true });
  assert.equal(on.json.value, true, 'value true ({value})');
  expectStatus(await admin.post('/v1/llm/selection/autoload-mmproj', { value: false }), 200, 'autoload off ({value})');

  const stored = JSON.parse(fs.readFileSync(path.join(dirs.data, 'llm_catalog.json'), 'utf8'));
  assert.equal(stored.active_model, TINY_GGUF_NAME, 'active model kept in llm_catalog.json');
  assert.equal(stored.active_mmproj, null, 'no projector kept');
  const settings = JSON.parse(fs.readFileSync(path.join(dirs.data, 'settings.json'), 'utf8'));
  assert.equal(settings.llm.autoload_mmproj, false, 'autoload_mmproj kept in settings.json');
  assert.equal((await admin.get('/v1/llm/server/status')).json.status, 'stopped', 'still not started');
});

// ---- vision and tools -------------------------------------------------------------------------

test('embed-image and ocr say 501 not_supported (after validating), cancel-tool-call says nothing was cancelled', { timeout }, async () => {
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  for (const p of ['/v1/llm/embed-image', '/v1/llm/ocr']) {
    const res = await admin.post(p, { pngBase64: png });
    expectStatus(res, 501, `${p} with an image`);
    assert.equal(res.json.code, 'not_supported', `${p} code`);
    assert.match(res.json.message, /no vision runtime/, `${p} says why: ${res.json.message}`);
    const snake = await admin.post(p, { png_base64: png });
    expectStatus(snake, 501, `${p} with png_base64`);
    for (const body of [{}, { pngBase64: '' }, { pngBase64: 'not base64!' }, { pngBase64: 42 }]) {
      expectStatus(await admin.post(p, body), 422, `${p} ${JSON.stringify(body)}`);
    }
  }
  const cancel = await admin.post('/v1/llm/cancel-tool-call', { toolCallId: 'call_1' });
  expectStatus(cancel, 200, 'cancel-tool-call');
  assert.equal(cancel.json.ok, false, 'not ok: nothing was cancelled');
  assert.equal(cancel.json.cancelled, false, 'cancelled false');
  assert.match(cancel.json.reason, /no tool calls run/, `reason: ${cancel.json.reason}`);
  expectStatus(await admin.post('/v1/llm/cancel-tool-call', {}), 422, 'cancel-tool-call without an id');
  expectStatus(await admin.post('/v1/llm/cancel-tool-call', { tool_call_id: 'call_2' }), 200, 'cancel-tool-call, snake_case');
});
