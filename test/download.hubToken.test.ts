// The Hugging Face token for gated repositories: where the configuration finds it, that it goes
// to the hub's origin and nowhere else, and, against an imitation hub on 127.0.0.1 that refuses
// anonymous requests and redirects downloads to a "CDN" on another port, that a download and a
// search get through with it while the CDN never sees it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../actors/config.ts';
import { Downloads } from '../actors/downloads/downloads.ts';
import { HubToken } from '../actors/downloads/hubToken.ts';
import type { DownloadView } from '../actors/downloads/downloadView.ts';
import { HfHub } from '../actors/llm/hfHub.ts';
import { startRangeServer, testBody } from './helpers/rangeServer.ts';

const timeout = 30_000;
const TOKEN = 'hf_test_0123456789';

const tokenOf = (env: NodeJS.ProcessEnv, homedir = '/home/u') => loadConfig({ env, argv: [], homedir }).hubToken;

test('the token is HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the file the hub login writes', () => {
  assert.deepEqual(tokenOf({ HF_TOKEN: ' a ', HUGGING_FACE_HUB_TOKEN: 'b' }), { token: 'a', file: '/home/u/.cache/huggingface/token' });
  assert.equal(tokenOf({ HUGGING_FACE_HUB_TOKEN: 'b' }).token, 'b');
  assert.deepEqual(tokenOf({}), { token: null, file: '/home/u/.cache/huggingface/token' });
  assert.equal(tokenOf({ HF_HOME: '/data/hf' }).file, '/data/hf/token');
  assert.equal(tokenOf({ HF_HOME: '/data/hf', HF_TOKEN_PATH: '/secrets/hf' }).file, '/secrets/hf');
});

test('the token goes to the hub\'s origin only, and the file is read at each use', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-hubtoken-'));
  try {
    const file = path.join(dir, 'token');
    const hub = new HubToken('https://hub.example:8443/mirror', { token: null, file });
    const at = (u: string) => hub.authorization(new URL(u));
    assert.equal(at('https://hub.example:8443/a/b/resolve/main/x.gguf'), null, 'no token yet');
    fs.writeFileSync(file, `${TOKEN}\n`);
    assert.equal(at('https://hub.example:8443/a/b/resolve/main/x.gguf'), `Bearer ${TOKEN}`, 'logging in needs no restart');
    for (const other of ['https://cdn.example/x', 'http://hub.example:8443/x', 'https://hub.example/x', 'https://hub.example.evil:8443/x']) {
      assert.equal(at(other), null, `not sent to ${other}`);
    }
    assert.equal(new HubToken('not a url', { token: TOKEN, file }).authorization(new URL('https://huggingface.co/')), null);
    assert.equal(new HubToken('https://hub.example:8443', { token: 'direct', file }).authorization(new URL('https://hub.example:8443/')), 'Bearer direct');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The imitation hub: 401 without the token; with it, `/api/models` answers and files redirect to `cdn`. */
async function startHub(cdnUrl: () => string) {
  const seen: Array<{ path: string; authorization: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Access to model gated/model is restricted. You must have access to it and be authenticated to access it.' }));
    } else if (req.url?.startsWith('/api/models?')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ id: 'gated/model-GGUF', downloads: 1, likes: 0, tags: ['gguf'] }]));
    } else {
      res.writeHead(302, { location: cdnUrl() }).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => (server.closeAllConnections(), server.close()) };
}

async function download(downloads: Downloads, url: string, dest: string): Promise<DownloadView> {
  const runner = downloads.createRunner();
  const detach = downloads.attach(runner);
  try {
    downloads.start({ id: 'gated', url, dest, kind: 'test' });
    for (const end = Date.now() + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
      const v = downloads.get('gated')!;
      if (v.state === 'done' || v.state === 'failed') return v;
    }
    throw new Error('the download did not finish');
  } finally {
    detach();
    runner.stop();
  }
}

test('a gated file downloads with the token, and the CDN the hub redirects to never sees it', { timeout }, async () => {
  const cdn = await startRangeServer(testBody(256 * 1024));
  const hub = await startHub(() => cdn.url());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-hubtoken-dl-'));
  try {
    const token = new HubToken(hub.url, { token: TOKEN, file: path.join(dir, 'none') });
    const url = `${hub.url}/gated/model-GGUF/resolve/main/model.gguf`;
    const dest = path.join(dir, 'models', 'model.gguf');

    const anonymous = new Downloads({ dataDir: path.join(dir, 'a'), network: 'loopback', warn: () => undefined, retryDelaysMs: [20] });
    const refused = await download(anonymous, url, dest);
    assert.equal(refused.state, 'failed');
    assert.match(refused.error!, /HTTP 401/);
    assert.equal(hub.seen.length, 1, 'a 401 is not retried');
    assert.equal(cdn.requests.length, 0);

    const withToken = new Downloads({ dataDir: path.join(dir, 'b'), network: 'loopback', warn: () => undefined, authorization: (u) => token.authorization(u) });
    const done = await download(withToken, url, dest);
    assert.equal(done.state, 'done', done.error ?? '');
    assert.ok(fs.readFileSync(dest).equals(cdn.body), 'the file is the CDN\'s');
    assert.equal(hub.seen.at(-1)!.authorization, `Bearer ${TOKEN}`);
    assert.equal(cdn.requests.length, 1);
    assert.equal(cdn.requests[0]!.authorization, undefined, 'the token stayed with the hub');
    assert.ok(!JSON.stringify(done).includes(TOKEN), 'the token is in no view');
  } finally {
    hub.close();
    await cdn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the hub search sends the token, and not across a redirect to another origin', { timeout }, async () => {
  const elsewhere: Array<string | undefined> = [];
  const other = http.createServer((req, res) => {
    elsewhere.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  other.listen(0, '127.0.0.1');
  await once(other, 'listening');
  const hub = await startHub(() => `http://127.0.0.1:${(other.address() as AddressInfo).port}/api/models`);
  try {
    const token = new HubToken(hub.url, { token: TOKEN, file: '/nonexistent' });
    await assert.rejects(new HfHub(hub.url, 'loopback').search('model', 5), /restricted/, 'anonymous: the hub\'s refusal');
    const found = await new HfHub(hub.url, 'loopback', undefined, (u) => token.authorization(u)).search('model', 5);
    assert.deepEqual(found.map((r) => r.repo), ['gated/model-GGUF']);
    // A listing the hub redirects elsewhere: fetch follows it without the token.
    const redirected = new HfHub(hub.url, 'loopback', undefined, (u) => token.authorization(u));
    await redirected.repoFiles('gated/model-GGUF').catch(() => undefined);
    assert.ok(elsewhere.length > 0, 'the redirect was followed');
    assert.deepEqual([...new Set(elsewhere)], [undefined], 'no token across origins');
  } finally {
    hub.close();
    other.closeAllConnections();
    other.close();
  }
});
