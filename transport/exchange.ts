// One HTTP request/response on uWebSockets.js, with the library's hard parts kept here:
// `onAborted` before any asynchronous reply, `cork` around every write, neutered `onData`
// buffers copied, a body limit enforced while the bytes arrive (not after), and streamed
// bodies that wait for the socket to drain before the next chunk is produced.
import type { HttpResponse } from 'uWebSockets.js';
import { CORS_HEADERS, preflightHeaders } from './cors.ts';
import { HttpError, internalError, payloadTooLarge, requestTimeout } from './errors.ts';
import { RawReply, Reply, SseReply, StreamReply } from './route.ts';
import { startSse } from './sse.ts';

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 204: '204 No Content', 206: '206 Partial Content',
  400: '400 Bad Request', 401: '401 Unauthorized', 403: '403 Forbidden', 404: '404 Not Found',
  405: '405 Method Not Allowed', 409: '409 Conflict', 413: '413 Payload Too Large',
  415: '415 Unsupported Media Type', 416: '416 Range Not Satisfiable', 422: '422 Unprocessable Entity',
  426: '426 Upgrade Required', 429: '429 Too Many Requests', 500: '500 Internal Server Error',
  408: '408 Request Timeout', 501: '501 Not Implemented', 502: '502 Bad Gateway', 503: '503 Service Unavailable',
  504: '504 Gateway Timeout',
};

/**
 * The header lines every reply carries after its content type, sent as the content type's value
 * in one `writeHeader` call: each call crosses into the native addon, and these lines are
 * constants. uWS writes `name: value\r\n` as given, so a value of `\r\n`-joined lines goes out
 * as those lines. Only constants are joined this way, never a value from a request.
 */
const lines = (pairs: ReadonlyArray<readonly [string, string]>) => pairs.map(([k, v]) => `\r\n${k}: ${v}`).join('');
const CORS_LINES = lines(CORS_HEADERS);
/** API replies are never cached; a reply that says how it may be cached (static files) wins. */
const NO_STORE_AND_CORS_LINES = lines([['cache-control', 'no-store'], ...CORS_HEADERS]);
const JSON_HEAD = 'application/json' + NO_STORE_AND_CORS_LINES;

/** The content-type header's value with the constant lines after it. */
function headBlock(contentType: string, headers: Record<string, string>): string {
  if ('cache-control' in headers) return contentType + CORS_LINES;
  return contentType === 'application/json' ? JSON_HEAD : contentType + NO_STORE_AND_CORS_LINES;
}

/** How much of an oversized body is read and dropped (× the limit) before the connection is cut. */
const DISCARD_FACTOR = 16;

export const statusLine = (status: number) => STATUS_TEXT[status] ?? `${status} Status`;

export type ErrorReporter = (requestId: string, routeName: string, err: unknown) => void;

export class Exchange {
  private aborted = false;
  private armed = false;
  private done = false;
  // Created only when a handler asks for it: most replies are synchronous and never need one.
  private controller: AbortController | null = null;
  routeName = '';
  /** The matched route's own error shape, if it has one. */
  errorReply: ((err: HttpError) => Reply) | undefined;

  #requestId: string | null = null;

  constructor(
    private readonly res: HttpResponse,
    private readonly head: boolean,
    private readonly newRequestId: () => string,
    private readonly reportError: ErrorReporter,
  ) {}

  /** Made when first read (an error, a log line, a handler that asks): most replies need none. */
  get requestId(): string {
    return (this.#requestId ??= this.newRequestId());
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** Must run, synchronously in the uWS handler, before anything asynchronous. */
  armAbort(): void {
    if (this.armed) return;
    this.armed = true;
    this.res.onAborted(() => {
      this.aborted = true;
      this.controller?.abort();
    });
  }

  get finished(): boolean {
    return this.aborted || this.done;
  }

  /**
   * Reads the whole body; past `limit` bytes the request is refused with 413. A body still
   * incomplete after `deadlineMs` is answered 408 and the connection closed, so a client that
   * trickles its upload (slowloris) holds neither memory nor a connection for long.
   */
  readBody(limit: number, deadlineMs: number, onBody: (body: Buffer) => void): void {
    this.armAbort();
    const chunks: Buffer[] = [];
    let size = 0;
    const deadline = this.#bodyDeadline(deadlineMs, () => (chunks.length = 0));
    this.res.onData((chunk, isLast) => {
      if (deadline.expired) return;
      size += chunk.byteLength;
      if (isLast) deadline.clear();
      if (size > limit) {
        chunks.length = 0;
        return this.dropping(size, limit, isLast);
      }
      // uWS reuses the chunk's memory after this callback returns.
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (isLast) onBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
  }

  #bodyDeadline(ms: number, onExpiry: () => void): { readonly expired: boolean; clear(): void } {
    let expired = false;
    const timer = setTimeout(() => {
      if (this.finished) return;
      expired = true;
      onExpiry();
      this.error(requestTimeout(ms), true);
    }, ms);
    timer.unref();
    this.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    return {
      get expired() {
        return expired;
      },
      clear: () => clearTimeout(timer),
    };
  }

  /** A body declared larger than `limit`: refused without keeping a byte of it. */
  refuseBody(limit: number, declared: number, deadlineMs: number): void {
    this.armAbort();
    if (declared > DISCARD_FACTOR * limit) return this.error(payloadTooLarge(limit), true);
    let size = 0;
    const deadline = this.#bodyDeadline(deadlineMs, () => undefined);
    this.res.onData((chunk, isLast) => {
      if (deadline.expired) return;
      size += chunk.byteLength;
      if (isLast) deadline.clear();
      this.dropping(size, limit, isLast);
    });
  }

  /**
   * The 413 goes out once the client has finished sending: a connection closed with unread
   * bytes pending is reset by the kernel, and the client would lose the answer. A client that
   * keeps sending past DISCARD_FACTOR × limit is answered and cut off at once.
   */
  private dropping(size: number, limit: number, isLast: boolean): void {
    if (isLast) this.error(payloadTooLarge(limit));
    else if (size > DISCARD_FACTOR * limit) this.error(payloadTooLarge(limit), true);
  }

  /** Sends whatever a handler returned. */
  send(result: unknown): void {
    if (result instanceof SseReply) return this.sse(result);
    if (result instanceof StreamReply) return void this.stream(result);
    if (result instanceof RawReply) return this.write(result.status, result.contentType, result.bytes, result.headers);
    if (result instanceof Reply) return this.json(result.status, result.body, result.headers);
    this.json(200, result === undefined ? { ok: true } : result);
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    let text: string;
    try {
      text = JSON.stringify(body);
    } catch (err) {
      return this.fail(err);
    }
    this.write(status, 'application/json', text, headers);
  }

  error(err: HttpError, closeConnection = false): void {
    const own = this.errorReply?.(err);
    if (own) return this.write(own.status, 'application/json', JSON.stringify(own.body), { ...err.headers, ...own.headers }, closeConnection);
    this.write(err.status, 'application/json', JSON.stringify(err.body()), err.headers, closeConnection);
  }

  /** An unexpected exception: logged with a request id, answered 500 without a stack. */
  fail(err: unknown): void {
    if (err instanceof HttpError) return this.error(err);
    this.reportError(this.requestId, this.routeName, err);
    this.error(internalError(this.requestId));
  }

  preflight(requestedHeaders: string): void {
    if (this.finished) return;
    this.done = true;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(204));
      for (const [k, v] of preflightHeaders(requestedHeaders)) this.res.writeHeader(k, v);
      this.res.endWithoutBody();
    });
  }

  private write(
    status: number,
    contentType: string,
    body: string | Uint8Array,
    headers: Record<string, string>,
    closeConnection = false,
  ): void {
    if (this.finished) return;
    this.done = true;
    // Inside the synchronous handler uWS is already corked (nothing was armed yet); later
    // replies must cork themselves. 200 is uWS's default status line.
    const write = () => {
      if (status !== 200) this.res.writeStatus(statusLine(status));
      this.res.writeHeader('content-type', headBlock(contentType, headers));
      for (const k in headers) this.res.writeHeader(k, headers[k]!);
      if (this.head) {
        // Any argument to endWithoutBody aborts the process in this uWS build: set the length ourselves.
        this.res.writeHeader('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
        this.res.endWithoutBody();
      } else {
        this.res.end(body, closeConnection);
      }
    };
    if (this.armed) this.res.cork(write);
    else write();
  }

  /**
   * The first chunk is awaited before the status line, so a failure to start is still an
   * ordinary error reply. Each later chunk is pulled only once the previous one is in the
   * socket, so a slow client holds at most one chunk in memory. The iterator is always closed.
   */
  private async stream(reply: StreamReply): Promise<void> {
    const it = reply.chunks[Symbol.asyncIterator]();
    let open = true;
    try {
      if (this.finished) return;
      this.armAbort();
      let next: IteratorResult<Uint8Array> | null = null;
      if (!this.head) {
        try {
          next = await it.next();
        } catch (err) {
          open = false;
          return this.fail(err);
        }
      }
      if (this.finished) return;
      this.done = true;
      const total = reply.length;
      this.res.cork(() => {
        if (reply.status !== 200) this.res.writeStatus(statusLine(reply.status));
        this.res.writeHeader('content-type', headBlock(reply.contentType, reply.headers));
        for (const k in reply.headers) this.res.writeHeader(k, reply.headers[k]!);
        if (this.head) {
          if (total !== null) this.res.writeHeader('content-length', String(total));
          this.res.endWithoutBody();
        }
      });
      if (this.head) return;
      let sent = 0;
      while (next && !next.done) {
        sent += next.value.byteLength;
        if (total !== null && sent > total) throw new Error(`streamed body exceeds its declared ${total} bytes`);
        if (!(await this.drained(next.value, total))) return;
        next = await it.next();
        if (this.aborted) return;
      }
      // tryEnd ended the response with its last byte; a chunked or empty body still needs an end.
      if (total === null || total === 0) this.res.cork(() => this.res.end());
      else if (sent !== total) throw new Error(`streamed body ended after ${sent} of ${total} bytes`);
    } catch (err) {
      open = false;
      this.reportError(this.requestId, this.routeName, err);
      if (!this.aborted) this.res.close();
    } finally {
      if (open) await it.return?.();
    }
  }

  /**
   * Writes one chunk; resolves true once the socket has taken all of it, false if the client
   * left first. With a known length `tryEnd` is used (it sets content-length and does not
   * buffer what it could not send, so the rest is re-sent from `onWritable`'s offset);
   * otherwise `write` (chunked encoding, which buffers everything and reports backpressure).
   */
  private drained(chunk: Uint8Array, total: number | null): Promise<boolean> {
    if (this.aborted) return Promise.resolve(false);
    const start = this.res.getWriteOffset();
    let ok = false;
    this.res.cork(() => {
      if (total === null) ok = this.res.write(chunk);
      else {
        const [sent, ended] = this.res.tryEnd(chunk, total);
        ok = sent || ended;
      }
    });
    if (ok) return Promise.resolve(true);
    const signal = this.signal;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (value: boolean) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = () => settle(false);
      signal.addEventListener('abort', onAbort);
      // uWS drops the onWritable handler after it returns true, so the next write (which may
      // register a new one) must run after this callback, not in its microtasks.
      this.res.onWritable((offset) => {
        if (total === null) {
          setImmediate(settle, true);
          return true;
        }
        const [sent, ended] = this.res.tryEnd(chunk.subarray(offset - start), total);
        if (sent || ended) setImmediate(settle, true);
        return sent;
      });
    });
  }

  private sse(reply: SseReply): void {
    if (this.finished) return;
    // HEAD asks what a GET would answer: the stream's headers, and no stream (no work started).
    if (this.head) return this.write(200, 'text/event-stream', '', { 'cache-control': 'no-cache' });
    this.armAbort();
    this.done = true;
    void this.signal;
    startSse(this.res, reply, this.controller!);
  }
}
