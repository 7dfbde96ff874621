// StreamReply on a real uWebSockets.js socket: bodies far larger than a socket buffer arrive
// whole, the producer is paced by the client (backpressure), a client that leaves stops and
// closes the producer, and failures before and after the first byte are told apart.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { Exchange } from '../transport/exchange.ts';
import type { EventsSocket } from '../transport/eventsSocket.ts';
import { StreamReply } from '../transport/route.ts';
import { listen, type HttpServer } from '../transport/server.ts';

type Producer = { pulled: number; closed: boolean; chunks: AsyncIterable<Uint8Array> };

/** `count` chunks of `size` bytes with a recognisable pattern; optionally failing at chunk `failAt`. */
function producer(count: number, size: number, failAt = -1): Producer {
  const p: Producer = { pulled: 0, closed: false, chunks: null! };
  p.chunks = (async function* () {
    try {
      for (let i = 0; i < count; i++) {
        if (i === failAt) throw new Error(`producer failed at chunk ${i}`);
        p.pulled++;
        yield Buffer.alloc(size, i % 251);
      }
    } finally {
      p.closed = true;
    }
  })();
  return p;
}

const expectedHash = (count: number, size: number) => {
  const h = createHash('sha256');
  for (let i = 0; i < count; i++) h.update(Buffer.alloc(size, i % 251));
  return h.digest('hex');
};

let server: HttpServer;
const routes = new Map<string, (ex: Exchange) => void>();
const reported: unknown[] = [];

before(async () => {
  server = await listen('127.0.0.1', 0, (res, req) => {
    const ex = new Exchange(res, req.getMethod() === 'head', () => 'req-1', (_id, _route, err) => reported.push(err));
    const handler = routes.get(req.getUrl());
    if (handler) handler(ex);
    else ex.json(404, {});
  }, { attach: () => undefined } as unknown as EventsSocket);
});
after(() => server.close());

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  hash: string;
  complete: boolean;
  body: string;
}

/** GETs a path; `pauseAfter` bytes in, stops reading for `pauseMs` (to build backpressure). */
function get(path: string, opts: { method?: string; pauseAfter?: number; pauseMs?: number; onPause?: () => void; destroyAfter?: number } = {}): Promise<Got> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method: opts.method ?? 'GET', agent: false }, (res) => {
      const h = createHash('sha256');
      let bytes = 0;
      let paused = false;
      let head = '';
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        resolve({ status: res.statusCode!, headers: res.headers, bytes, hash: h.digest('hex'), complete: res.complete, body: head });
      };
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        h.update(c);
        if (head.length < 2000) head += c.toString('latin1');
        if (opts.destroyAfter !== undefined && bytes >= opts.destroyAfter) {
          finished = true;
          req.destroy();
          resolve({ status: res.statusCode!, headers: res.headers, bytes, hash: '', complete: false, body: head });
        }
        if (!paused && opts.pauseAfter !== undefined && bytes >= opts.pauseAfter) {
          paused = true;
          res.pause();
          setTimeout(() => {
            opts.onPause?.();
            res.resume();
          }, opts.pauseMs ?? 300);
        }
      });
      res.on('end', finish);
      res.on('aborted', finish);
      res.on('error', () => finish());
    });
    // A connection cut before the response head arrived: reported as status 0, incomplete.
    req.on('error', () => resolve({ status: 0, headers: {}, bytes: 0, hash: '', complete: false, body: '' }));
    req.end();
  });
}

test('known length: 24 MiB arrive whole with content-length, and the producer waits for a paused client', async () => {
  const count = 384;
  const size = 64 * 1024;
  const p = producer(count, size);
  routes.set('/known', (ex) => ex.send(new StreamReply(200, 'application/octet-stream', p.chunks, { 'content-disposition': 'attachment; filename="x.bin"' }, count * size)));
  let pulledDuringPause = 0;
  const got = await get('/known', { pauseAfter: 1, pauseMs: 400, onPause: () => (pulledDuringPause = p.pulled) });
  assert.equal(got.status, 200);
  assert.equal(got.headers['content-length'], String(count * size));
  assert.equal(got.headers['transfer-encoding'], undefined);
  assert.equal(got.headers['content-disposition'], 'attachment; filename="x.bin"');
  assert.equal(got.bytes, count * size);
  assert.equal(got.hash, expectedHash(count, size));
  assert.ok(pulledDuringPause * size < 12 * 1024 * 1024, `while the client paused only ${pulledDuringPause} chunks were produced`);
  assert.ok(p.closed);
});

test('unknown length: chunked, whole, paced the same way', async () => {
  const count = 200;
  const size = 50_000;
  const p = producer(count, size);
  routes.set('/chunked', (ex) => ex.send(new StreamReply(200, 'text/plain', p.chunks)));
  let pulledDuringPause = 0;
  const got = await get('/chunked', { pauseAfter: 1, pauseMs: 300, onPause: () => (pulledDuringPause = p.pulled) });
  assert.equal(got.headers['transfer-encoding'], 'chunked');
  assert.equal(got.bytes, count * size);
  assert.equal(got.hash, expectedHash(count, size));
  assert.ok(pulledDuringPause < count, `${pulledDuringPause} of ${count} chunks produced during the pause`);
});

test('a client that leaves stops the producer and closes it', async () => {
  const count = 4000;
  const size = 64 * 1024;
  const p = producer(count, size);
  routes.set('/leave', (ex) => ex.send(new StreamReply(200, 'application/octet-stream', p.chunks, {}, count * size)));
  await get('/leave', { destroyAfter: 256 * 1024 });
  for (let i = 0; i < 100 && !p.closed; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(p.closed, 'the iterator was closed');
  assert.ok(p.pulled < count / 4, `only ${p.pulled} of ${count} chunks produced`);
});

test('a failure before the first chunk is an ordinary 500; after it, the connection is cut', async () => {
  reported.length = 0;
  routes.set('/early', (ex) => ex.send(new StreamReply(200, 'application/octet-stream', producer(10, 10, 0).chunks, {}, 100)));
  const early = await get('/early');
  assert.equal(early.status, 500);
  assert.equal(JSON.parse(early.body).code, 'internal_error');
  assert.match(String(reported[0]), /failed at chunk 0/);

  routes.set('/late', (ex) => ex.send(new StreamReply(200, 'application/octet-stream', producer(100, 64 * 1024, 50).chunks, {}, 100 * 64 * 1024)));
  const late = await get('/late');
  assert.equal(late.status, 200);
  assert.equal(late.complete, false, 'the client sees a truncated body');
  assert.ok(late.bytes <= 50 * 64 * 1024);

  routes.set('/short', (ex) => ex.send(new StreamReply(200, 'application/octet-stream', producer(3, 10).chunks, {}, 100)));
  const short = await get('/short');
  assert.equal(short.complete, false, 'fewer bytes than declared: cut, not padded');
  assert.ok(short.bytes <= 30);
});

test('HEAD: headers and length only; the producer is never pulled', async () => {
  const p = producer(10, 10);
  routes.set('/head', (ex) => ex.send(new StreamReply(200, 'application/octet-stream', p.chunks, {}, 100)));
  const got = await get('/head', { method: 'HEAD' });
  assert.equal(got.status, 200);
  assert.equal(got.headers['content-length'], '100');
  assert.equal(got.bytes, 0);
  assert.equal(p.pulled, 0);
});

test('an empty body ends at once, with or without a declared length', async () => {
  routes.set('/empty-known', (ex) => ex.send(new StreamReply(200, 'text/csv', producer(0, 1).chunks, {}, 0)));
  routes.set('/empty-chunked', (ex) => ex.send(new StreamReply(200, 'text/csv', producer(0, 1).chunks)));
  const known = await get('/empty-known');
  assert.deepEqual([known.status, known.headers['content-length'], known.bytes, known.complete], [200, '0', 0, true]);
  const chunked = await get('/empty-chunked');
  assert.deepEqual([chunked.status, chunked.bytes, chunked.complete], [200, 0, true]);
});
