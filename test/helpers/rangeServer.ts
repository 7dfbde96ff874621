// A file server on 127.0.0.1:0 inside the test process, for the downloader: it answers Range
// requests (206, 416) and can misbehave on demand — drop the connection part-way through a body,
// ignore Range (200 with the whole file), serve wrong bytes, answer with an error status, or
// trickle the body slowly enough to pause, cancel or kill a daemon mid-file; and serve a file that
// changed, with an ETag and If-Range (honoured or not); state a digest as the hub does. Behaviour
// can be changed between requests through `options`.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeServerOptions {
  /** Close the connection after this many body bytes… */
  dropAfterBytes?: number;
  /** …for this many responses (then serve normally). */
  drops?: number;
  /** Answer every request with 200 and the whole file. */
  ignoreRange?: boolean;
  /** Serve bytes that differ from `body` (one flipped byte per MiB). */
  corrupt?: boolean;
  /** Answer with this status and no body (e.g. 503, 404). */
  status?: number;
  /** Body rate; unlimited when absent. */
  bytesPerSec?: number;
  /** Serve these bytes instead of `body` from now on: the file changed on the server. */
  replacedBy?: Buffer;
  /** ETag of what is served; an If-Range naming another gets 200 and the whole file. */
  etag?: string;
  /** Send the ETag but ignore If-Range (a 206 whatever the validator). */
  ignoreIfRange?: boolean;
  /** An `X-Linked-Etag` header, as the Hugging Face hub states an LFS file's SHA-256. */
  linkedEtag?: string;
}

export interface RequestLog {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  authorization: string | undefined;
  status: number;
  atMs: number;
}

export interface RangeServer {
  port: number;
  body: Buffer;
  sha256: string;
  options: RangeServerOptions;
  requests: RequestLog[];
  url(path?: string): string;
  close(): Promise<void>;
}

export const FILE_PATH = '/file.bin';

export function testBody(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** Serves `body` at `served` (one path, or every path a pattern matches; others are 404). */
export async function startRangeServer(body: Buffer, options: RangeServerOptions = {}, served: string | RegExp = FILE_PATH): Promise<RangeServer> {
  const isServed = (p: string) => (typeof served === 'string' ? p === served : served.test(p));
  const corrupted = Buffer.from(body);
  for (let i = 0; i < corrupted.length; i += 1 << 20) corrupted[i] = corrupted[i]! ^ 0xff;
  const requests: RequestLog[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const state: RangeServer = {
    port: 0,
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
    options,
    requests,
    url: (p = typeof served === 'string' ? served : FILE_PATH) => `http://127.0.0.1:${state.port}${p}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server = http.createServer((req, res) => {
    const o = state.options;
    const log: RequestLog = { path: req.url ?? '', range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, authorization: req.headers.authorization, status: 0, atMs: Date.now() };
    requests.push(log);
    const reply = (status: number, headers: Record<string, string | number> = {}) => {
      log.status = status;
      res.writeHead(status, { ...headers, ...(o.etag ? { etag: o.etag } : {}), ...(o.linkedEtag ? { 'x-linked-etag': o.linkedEtag } : {}) });
    };
    if (!isServed(req.url ?? '')) return reply(404), res.end();
    if (o.status) return reply(o.status), res.end();
    const served = o.replacedBy ?? body;
    const size = served.length;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'] as string | undefined;
    const stale = ifRange !== undefined && !o.ignoreIfRange && ifRange !== o.etag;
    if (m && !o.ignoreRange && !stale) {
      start = Number(m[1]);
      if (start >= size) return reply(416, { 'content-range': `bytes */${size}` }), res.end();
      reply(206, { 'content-range': `bytes ${start}-${size - 1}/${size}`, 'content-length': size - start, 'accept-ranges': 'bytes' });
    } else {
      reply(200, { 'content-length': size, 'accept-ranges': 'bytes' });
    }
    const source = o.corrupt ? corrupted : served;
    const drop = o.dropAfterBytes !== undefined && (o.drops ?? Infinity) > 0;
    if (drop) o.drops = (o.drops ?? Infinity) - 1;
    const end = drop ? Math.min(size, start + o.dropAfterBytes!) : size;
    const chunk = 64 * 1024;
    const interval = o.bytesPerSec ? (chunk / o.bytesPerSec) * 1000 : 0;
    let at = start;
    let closed = false;
    res.on('close', () => (closed = true));
    const next = () => {
      if (closed) return;
      if (at >= end) {
        if (drop && end < size) {
          // Let the bytes written so far leave, then cut the connection mid-body.
          return setTimeout(() => req.socket.destroy(), 20);
        }
        return res.end();
      }
      const piece = source.subarray(at, Math.min(end, at + chunk));
      at += piece.length;
      const more = res.write(piece);
      if (interval) setTimeout(next, interval);
      else if (more) setImmediate(next);
      else res.once('drain', next);
    };
    next();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}
