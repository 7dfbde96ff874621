// The downloads manager against a file server in this process: resume after dropped connections
// with the hash intact, a server that ignores Range, 416 for a complete partial file, wrong bytes,
// pause and resume, cancel, retries with backoff then giving up, at most 5 reports a second, a file
// too big for the disk's free space, the digest the hub states, If-Range against a file that changed on the server, the queue, a restarted manager resuming from the queue file
// (and never writing beside the transfer it replaced), and a failed downloads actor letting go of
// its transfers.
//
// Every `assert.ok` carries a message: without one, node builds the message by re-parsing the
// failing source line, which for tsx's one-line output can take minutes of CPU (nodejs/node#52677).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createActor, setup } from 'xstate';
import { Downloads, type DownloadsOptions } from '../actors/downloads/downloads.ts';
import { downloadsLogic } from '../actors/downloads/downloadsActor.ts';
import type { DownloadView } from '../actors/downloads/downloadView.ts';
import { shortOfRoom } from '../actors/downloads/diskRoom.ts';
import { inTurn, partialPath } from '../actors/downloads/partialFile.ts';
import { FAULT_EVENT, withFaultInjection } from '../actors/faults.ts';
import type { DownloadRequest } from '../machines/download.ts';
import { startRangeServer, testBody, type RangeServer, type RangeServerOptions } from './helpers/rangeServer.ts';

const MiB = 1 << 20;
/** Each test's bound: a hang fails that test instead of holding up the run. */
const timeout = 60_000;

interface Harness {
  downloads: Downloads;
  dir: string;
  reports: Array<{ at: number; view: DownloadView }>;
  warnings: string[];
  restart(): void;
  stop(): void;
  request(over?: Partial<DownloadRequest>): DownloadRequest;
  until(id: string, cond: (v: DownloadView) => boolean, ms?: number): Promise<DownloadView>;
}

function harness(server: RangeServer | null, over: Partial<DownloadsOptions> = {}): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-dl-'));
  const warnings: string[] = [];
  // Reports are timed by the clock the manager throttles them by: its latest reading is the
  // time of the report it is about to deliver.
  let clock = 0;
  const now = () => (clock = Date.now());
  const downloads = new Downloads({ dataDir: dir, network: 'loopback', warn: (m) => warnings.push(m), retryDelaysMs: [50, 100, 200, 400], now, ...over });
  const reports: Harness['reports'] = [];
  downloads.reportKind('test', { update: (view) => reports.push({ at: clock, view }) });
  let runner = downloads.createRunner();
  let detach = () => undefined as unknown;
  const boot = () => {
    runner = downloads.createRunner();
    runner.restore();
    detach = downloads.attach(runner);
  };
  boot();
  return {
    downloads,
    dir,
    reports,
    warnings,
    restart: () => {
      detach();
      runner.stop();
      boot();
    },
    stop: () => {
      detach();
      runner.stop();
    },
    request: (o = {}) => ({ id: 'f', url: server?.url() ?? 'http://127.0.0.1:9/none', dest: path.join(dir, 'models', 'file.bin'), sha256: server?.sha256 ?? null, size: null, kind: 'test', ...o }),
    until: async (id, cond, ms = 15_000) => {
      const end = Date.now() + ms;
      for (;;) {
        const v = downloads.get(id);
        if (v && cond(v)) return v;
        if (Date.now() > end) throw new Error(`download ${id} did not get there in time: ${JSON.stringify(v)}`);
        await sleep(10);
      }
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for something that happens after a reply (a file deleted once its transfer let go). */
async function eventually(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}
const sha256Of = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const rangeStart = (range: string | undefined) => (range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0);

async function withServer(bytes: number, options: RangeServerOptions, fn: (s: RangeServer) => Promise<void>) {
  const server = await startRangeServer(testBody(bytes), options);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

test('a connection dropped mid-file is resumed with Range and the hash of the whole file matches', { timeout }, () =>
  withServer(6 * MiB, { dropAfterBytes: 1.5 * MiB, drops: 3 }, async (server) => {
    const h = harness(server);
    h.downloads.start(h.request());
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(done.state, 'done', done.error ?? '');
    assert.equal(done.digest, server.sha256);
    const dest = h.request().dest;
    assert.equal(sha256Of(dest), server.sha256);
    assert.ok(!fs.existsSync(partialPath(dest)), 'no partial file left');
    assert.equal(server.requests.length, 4);
    const starts = server.requests.map((r) => rangeStart(r.range));
    assert.equal(starts[0], 0);
    for (let i = 1; i < starts.length; i++) {
      assert.ok(starts[i]! > starts[i - 1]!, `attempt ${i + 1} resumed further on: ${starts}`);
      assert.equal(server.requests[i]!.status, 206);
    }
  }));

test('a server that ignores Range gets the file again from byte 0', { timeout }, () =>
  withServer(3 * MiB, { dropAfterBytes: MiB, drops: 1, ignoreRange: true }, async (server) => {
    const h = harness(server);
    h.downloads.start(h.request());
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(done.state, 'done', done.error ?? '');
    assert.equal(sha256Of(h.request().dest), server.sha256);
    assert.equal(server.requests.length, 2);
    assert.ok(rangeStart(server.requests[1]!.range) > 0, 'the second request asked for a range');
    assert.equal(server.requests[1]!.status, 200);
  }));

test('a partial file that is already complete gets 416 and is verified without a body', { timeout }, () =>
  withServer(MiB, {}, async (server) => {
    const h = harness(server);
    const dest = h.request().dest;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(partialPath(dest), server.body);
    h.downloads.start(h.request());
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(done.state, 'done', done.error ?? '');
    assert.deepEqual(server.requests.map((r) => r.status), [416]);
    assert.equal(sha256Of(dest), server.sha256);
  }));

test('wrong bytes fail verification with a clear reason and the bad file is removed', { timeout }, () =>
  withServer(2 * MiB, { corrupt: true }, async (server) => {
    const h = harness(server);
    h.downloads.start(h.request());
    const failed = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, new RegExp(`sha256 mismatch: received [0-9a-f]{64}, expected ${server.sha256}; the file was removed`));
    const dest = h.request().dest;
    assert.ok(!fs.existsSync(dest) && !fs.existsSync(partialPath(dest)), 'neither the file nor a partial file is left');
    assert.equal(server.requests.length, 1, 'a mismatch is not retried');
  }));

test('a wrong expected size fails at the first response', { timeout }, () =>
  withServer(MiB, {}, async (server) => {
    const h = harness(server);
    h.downloads.start(h.request({ size: MiB + 1 }));
    const failed = await h.until('f', (v) => v.state === 'failed');
    h.stop();
    assert.match(failed.error!, /offers 1048576 bytes, expected 1048577/);
  }));

test('a resume names the partial file\'s ETag in If-Range and, while the file is unchanged, appends the 206', { timeout }, () =>
  withServer(3 * MiB, { dropAfterBytes: MiB, drops: 1, etag: '"v1"' }, async (server) => {
    const h = harness(server);
    h.downloads.start(h.request({ sha256: null }));
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(done.state, 'done', done.error ?? '');
    assert.deepEqual(server.requests.map((r) => [r.status, r.ifRange]), [[200, undefined], [206, '"v1"']]);
    assert.equal(sha256Of(h.request().dest), server.sha256);
  }));

/**
 * A download without a digest, whose file is replaced on the server (new ETag "v2") once the
 * first request has its headers: it must end as the new version, whole.
 */
async function acrossAChange(server: RangeServer): Promise<DownloadView> {
  const h = harness(server);
  const next = testBody(3 * MiB);
  // No expected digest: nothing but the validator could tell the old bytes from the new.
  h.downloads.start(h.request({ sha256: null }));
  await eventually(() => server.requests.length >= 1, 'the first request');
  server.options.replacedBy = next;
  server.options.etag = '"v2"';
  const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
  h.stop();
  assert.equal(done.state, 'done', done.error ?? '');
  assert.ok(fs.readFileSync(h.request().dest).equals(next), 'the file is the new version, whole');
  return done;
}

test('a file that changed on the server between attempts comes whole from byte 0, never spliced onto the old bytes', { timeout }, () =>
  withServer(3 * MiB, { dropAfterBytes: MiB, drops: 1, etag: '"v1"', bytesPerSec: 8 * MiB }, async (server) => {
    const done = await acrossAChange(server);
    assert.deepEqual(server.requests.map((r) => [r.status, r.ifRange]), [[200, undefined], [200, '"v1"']]);
    assert.equal(done.validator, '"v2"');
  }));

test('a 206 with another ETag (a server that ignores If-Range) is dropped and the file fetched again from byte 0', { timeout }, () =>
  withServer(3 * MiB, { dropAfterBytes: MiB, drops: 1, etag: '"v1"', ignoreIfRange: true, bytesPerSec: 8 * MiB }, async (server) => {
    await acrossAChange(server);
    assert.deepEqual(server.requests.map((r) => [r.status, rangeStart(r.range) > 0]), [[200, false], [206, true], [200, false]]);
  }));

test('the validator survives a restart in the queue file, and a paused download resumed after the file changed starts over', { timeout }, () =>
  withServer(4 * MiB, { bytesPerSec: 4 * MiB, etag: '"v1"' }, async (server) => {
    const h = harness(server);
    h.downloads.start(h.request({ sha256: null }));
    await h.until('f', (v) => v.received_bytes > MiB);
    h.downloads.pause('f');
    await h.until('f', (v) => v.state === 'paused');
    h.restart();
    const stored = JSON.parse(fs.readFileSync(path.join(h.dir, 'downloads.json'), 'utf8'));
    assert.equal(stored.downloads[0].validator, '"v1"');
    const next = testBody(2 * MiB);
    server.options.replacedBy = next;
    server.options.etag = '"v2"';
    server.options.bytesPerSec = undefined;
    h.downloads.resume('f');
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(done.state, 'done', done.error ?? '');
    const last = server.requests.at(-1)!;
    assert.deepEqual([last.status, last.ifRange], [200, '"v1"']);
    assert.ok(fs.readFileSync(h.request().dest).equals(next), 'the file is the new version, whole');
  }));

test('a file asked for without a digest is verified against the SHA-256 the hub states in X-Linked-Etag', { timeout }, async () => {
  const body = testBody(MiB);
  const sha = createHash('sha256').update(body).digest('hex');
  const fetchWith = async (options: RangeServerOptions) => {
    const server = await startRangeServer(body, options);
    try {
      const h = harness(server);
      h.downloads.start(h.request({ sha256: null }));
      const view = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
      h.stop();
      return view;
    } finally {
      await server.close();
    }
  };
  // Wrong bytes under the hub's statement of the right ones: caught, and the file removed.
  const failed = await fetchWith({ corrupt: true, linkedEtag: `"${sha}"` });
  assert.equal(failed.state, 'failed');
  assert.match(failed.error!, new RegExp(`sha256 mismatch: received [0-9a-f]{64}, expected ${sha}; the file was removed`));
  // The right bytes: verified, and the statement kept with the download.
  const done = await fetchWith({ linkedEtag: `W/"${sha.toUpperCase()}"` });
  assert.equal(done.state, 'done', done.error ?? '');
  assert.deepEqual([done.announced_sha256, done.digest], [sha, sha]);
  // A small file's tag is a git blob id, not a SHA-256: not taken.
  const unverified = await fetchWith({ corrupt: true, linkedEtag: '"0123456789abcdef0123456789abcdef01234567"' });
  assert.equal(unverified.state, 'done', unverified.error ?? '');
  assert.equal(unverified.announced_sha256, null);
});

test('a file that would leave the disk too full for recordings is refused before a byte is written, and not retried', { timeout }, async () => {
  // A server that announces a petabyte: no disk here has that free.
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-length': String(2 ** 50) });
    res.write(Buffer.alloc(64 * 1024));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const h = harness(null);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/huge.bin`;
    h.downloads.start(h.request({ url, sha256: null }));
    const failed = await h.until('f', (v) => v.state === 'failed' || v.state === 'done');
    h.stop();
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, /not enough free space in .*: 1\.0 PiB to write, .* available, and 1\.0 GiB is kept free for recordings/);
    assert.ok(!fs.existsSync(partialPath(h.request().dest)), 'no partial file was written');
    assert.equal(requests, 1, 'a full disk is not retried');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('the room check counts the reserve and the bytes a restart from byte 0 frees', { timeout }, async () => {
  const dir = os.tmpdir();
  const st = fs.statfsSync(dir);
  const free = st.bavail * st.bsize;
  assert.equal(await shortOfRoom(dir, 1, 0, 0), null);
  assert.match((await shortOfRoom(dir, free * 2, 0, 0))!, /not enough free space/);
  // What the partial file gives back makes room; the reserve takes it away.
  assert.equal(await shortOfRoom(dir, free * 2, free * 2, 0), null);
  assert.match((await shortOfRoom(dir, 1, 0, free * 2))!, /kept free for recordings/);
});

test('pause keeps the partial file and stops fetching; resume continues from it', { timeout }, () =>
  withServer(4 * MiB, { bytesPerSec: 4 * MiB }, async (server) => {
    const h = harness(server);
    const dest = h.request().dest;
    h.downloads.start(h.request());
    await h.until('f', (v) => v.received_bytes > MiB / 2);
    const paused = h.downloads.pause('f');
    assert.equal(paused.state, 'paused');
    // The size once the stopped transfer has closed the file (the next turn on it).
    const kept = await inTurn(dest, async () => fs.statSync(partialPath(dest)).size);
    assert.ok(kept > 0, `the partial file was kept (${kept} bytes)`);
    await sleep(300);
    assert.equal(fs.statSync(partialPath(dest)).size, kept, 'nothing written while paused');
    assert.equal(server.requests.length, 1);
    server.options.bytesPerSec = undefined;
    h.downloads.resume('f');
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(done.state, 'done', done.error ?? '');
    assert.equal(server.requests.length, 2);
    assert.equal(rangeStart(server.requests[1]!.range), kept);
    assert.equal(sha256Of(dest), server.sha256);
  }));

test('cancel stops the transfer and deletes the partial file', { timeout }, () =>
  withServer(4 * MiB, { bytesPerSec: 2 * MiB }, async (server) => {
    const h = harness(server);
    const dest = h.request().dest;
    h.downloads.start(h.request());
    await h.until('f', (v) => v.received_bytes > MiB / 4);
    assert.ok(fs.existsSync(partialPath(dest)), 'a partial file is being written');
    assert.equal(h.downloads.cancel('f').state, 'cancelled');
    await eventually(() => !fs.existsSync(partialPath(dest)), 'the partial file is deleted');
    h.stop();
    assert.ok(!fs.existsSync(dest), 'no file under the final name');
    assert.equal(server.requests.length, 1);
    assert.equal(h.reports.at(-1)!.view.state, 'cancelled');
  }));

test('network errors are retried with growing delays, then the download gives up', { timeout }, () =>
  withServer(MiB, { status: 503 }, async (server) => {
    const h = harness(server);
    h.downloads.start(h.request());
    const failed = await h.until('f', (v) => v.state === 'failed');
    h.stop();
    assert.equal(server.requests.length, 5);
    assert.match(failed.error!, /HTTP 503 .*gave up after 5 attempts/);
    const gaps = server.requests.slice(1).map((r, i) => r.atMs - server.requests[i]!.atMs);
    [50, 100, 200, 400].forEach((min, i) => assert.ok(gaps[i]! >= min - 5, `gap ${i + 1} ${gaps[i]} ms ≥ ${min} ms`));
    assert.ok(h.reports.some((r) => r.view.state === 'waiting' && r.view.retry_in_secs !== null), 'waiting is reported with its countdown');
  }));

test('a refused connection is retried; a 404 is not', { timeout }, async () => {
  const gone = await startRangeServer(testBody(1024));
  const url = gone.url();
  await gone.close();
  const h = harness(null);
  h.downloads.start(h.request({ url }));
  const refused = await h.until('f', (v) => v.state === 'failed');
  assert.match(refused.error!, /ECONNREFUSED.*gave up after 5 attempts/);
  await withServer(1024, {}, async (server) => {
    h.downloads.start(h.request({ id: 'g', url: server.url('/missing'), dest: path.join(h.dir, 'g.bin') }));
    const missing = await h.until('g', (v) => v.state === 'failed');
    assert.match(missing.error!, /HTTP 404/);
    assert.equal(missing.attempt, 1);
    assert.equal(server.requests.length, 1);
  });
  h.stop();
});

test('in loopback mode a non-loopback host is refused without connecting', { timeout }, async () => {
  const h = harness(null);
  h.downloads.start(h.request({ url: 'https://huggingface.co/x/resolve/main/y.onnx' }));
  const failed = await h.until('f', (v) => v.state === 'failed');
  h.stop();
  assert.match(failed.error!, /loopback-only.*huggingface\.co/);
  assert.equal(failed.attempt, 1);
});

test('progress is reported at most 5 times a second, and the final state once', { timeout }, () =>
  withServer(3 * MiB, { bytesPerSec: 2 * MiB }, async (server) => {
    const h = harness(server);
    h.downloads.start(h.request());
    await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    const running = h.reports.filter((r) => r.view.state !== 'done');
    assert.ok(running.length >= 5, `some progress was reported (${running.length})`);
    for (let i = 1; i < running.length; i++) {
      assert.ok(running[i]!.at - running[i - 1]!.at >= 200, `reports ${i - 1} and ${i} are ${running[i]!.at - running[i - 1]!.at} ms apart`);
    }
    for (const r of running) {
      const inSecond = running.filter((o) => o.at >= r.at && o.at < r.at + 1000);
      assert.ok(inSecond.length <= 5, `${inSecond.length} reports in the second from ${r.at}: ${inSecond.map((o) => o.at - r.at).join(', ')} ms`);
    }
    assert.equal(h.reports.filter((r) => r.view.state === 'done').length, 1);
    assert.equal(h.reports.at(-1)!.view.state, 'done');
    const progress = running.map((r) => r.view.progress ?? 0);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress only grows');
  }));

test('at most two downloads transfer at once; the rest wait in the queue', { timeout }, () =>
  withServer(MiB, { bytesPerSec: 2 * MiB }, async (server) => {
    const h = harness(server);
    for (const id of ['a', 'b', 'c']) h.downloads.start(h.request({ id, dest: path.join(h.dir, `${id}.bin`) }));
    await sleep(50);
    assert.deepEqual(h.downloads.list().map((v) => v.state), ['downloading', 'downloading', 'queued']);
    assert.throws(() => h.downloads.start(h.request({ id: 'a', dest: path.join(h.dir, 'a.bin') })), /already downloading/);
    assert.throws(() => h.downloads.start(h.request({ id: 'z', dest: path.join(h.dir, 'a.bin') })), /already being downloaded as "a"/);
    for (const id of ['a', 'b', 'c']) await h.until(id, (v) => v.state === 'done');
    h.stop();
  }));

test('a restarted manager resumes the partial file from the queue file; a paused download stays paused', { timeout }, () =>
  withServer(4 * MiB, { bytesPerSec: 4 * MiB }, async (server) => {
    const h = harness(server);
    const dest = h.request().dest;
    h.downloads.start(h.request());
    h.downloads.start(h.request({ id: 'p', dest: path.join(h.dir, 'p.bin') }));
    await h.until('f', (v) => v.received_bytes > MiB);
    h.downloads.pause('p');
    h.restart();
    assert.equal(h.downloads.get('p')!.state, 'paused');
    server.options.bytesPerSec = undefined;
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    assert.equal(done.state, 'done', done.error ?? '');
    const fRequests = server.requests.filter((r) => r.path === '/file.bin');
    assert.ok(rangeStart(fRequests.at(-1)!.range) > MiB, 'resumed past the first MiB');
    assert.equal(sha256Of(dest), server.sha256);
    assert.equal(h.downloads.get('p')!.state, 'paused');
    h.downloads.cancel('p');
    h.stop();
    const stored = JSON.parse(fs.readFileSync(path.join(h.dir, 'downloads.json'), 'utf8'));
    assert.deepEqual(stored.downloads.map((d: DownloadView) => [d.id, d.state]), [['f', 'done'], ['p', 'cancelled']]);
  }));

test('a manager restarted again and again mid-file never writes beside the transfer it replaced', { timeout }, () =>
  withServer(8 * MiB, { bytesPerSec: 16 * MiB }, async (server) => {
    const h = harness(server);
    const dest = h.request().dest;
    h.downloads.start(h.request());
    // Each restart stops a transfer with writes in flight and starts one that measures, hashes
    // and appends to the same partial file.
    for (let i = 1; i <= 6; i++) {
      await h.until('f', (v) => v.received_bytes > i * MiB || v.state === 'done' || v.state === 'failed');
      if (h.downloads.get('f')!.state !== 'downloading') break;
      h.restart();
    }
    server.options.bytesPerSec = undefined;
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(done.state, 'done', done.error ?? '');
    assert.equal(fs.statSync(dest).size, server.body.length);
    assert.equal(sha256Of(dest), server.sha256);
  }));

test('a transfer waits until an earlier operation on its partial file, from any runner, has let go of it', { timeout }, () =>
  withServer(2 * MiB, {}, async (server) => {
    const h = harness(server);
    const dest = h.request().dest;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    // Stands for the transfer of a runner being replaced, still writing its last bytes.
    let release = () => undefined as void;
    const closing = inTurn(dest, async () => {
      fs.writeFileSync(partialPath(dest), server.body.subarray(0, MiB / 2));
      await new Promise<void>((resolve) => (release = resolve));
      fs.appendFileSync(partialPath(dest), server.body.subarray(MiB / 2, MiB));
    });
    h.downloads.start(h.request());
    await sleep(100);
    assert.equal(server.requests.length, 0, 'nothing is fetched while another operation holds the file');
    release();
    await closing;
    const done = await h.until('f', (v) => v.state === 'done' || v.state === 'failed');
    h.stop();
    assert.equal(done.state, 'done', done.error ?? '');
    assert.equal(rangeStart(server.requests[0]!.range), MiB, 'the file was measured after the earlier writer let go');
    assert.equal(sha256Of(dest), server.sha256);
  }));

test('a downloads actor that fails lets go of its runner and transfers before it is restarted', { timeout }, () =>
  withServer(4 * MiB, { bytesPerSec: 2 * MiB }, async (server) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-dl-'));
    const downloads = new Downloads({ dataDir: dir, network: 'loopback', warn: () => undefined });
    const parent = createActor(
      setup({ actors: { downloads: withFaultInjection(downloadsLogic(downloads), 'downloads') } }).createMachine({
        invoke: { id: 'downloads', src: 'downloads', onError: { actions: () => undefined } },
      }),
    ).start();
    const dest = path.join(dir, 'f.bin');
    downloads.start({ id: 'f', url: server.url(), dest, kind: 'test' });
    await eventually(() => (downloads.get('f')?.received_bytes ?? 0) > MiB / 4, 'bytes arrive');
    parent.getSnapshot().children.downloads!.send({ type: FAULT_EVENT });
    assert.equal(downloads.running, false, 'the failed actor detached its runner');
    const kept = await inTurn(dest, async () => fs.statSync(partialPath(dest)).size);
    await sleep(300);
    assert.equal(fs.statSync(partialPath(dest)).size, kept, 'nothing written after the failure');
    assert.equal(server.requests.length, 1);
    parent.stop();
  }));

test('forget drops a download and tells its reporter', { timeout }, () =>
  withServer(MiB, {}, async (server) => {
    const h = harness(server);
    const removed: string[] = [];
    h.downloads.reportKind('test', { update: () => undefined, removed: (v) => removed.push(v.id) });
    h.downloads.start(h.request());
    await h.until('f', (v) => v.state === 'done');
    h.downloads.forget('f');
    assert.equal(h.downloads.get('f'), null);
    assert.deepEqual(removed, ['f']);
    assert.throws(() => h.downloads.pause('f'), /no download "f"/);
    h.stop();
  }));
