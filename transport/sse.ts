// Server-Sent Events over a uWS response: `data:` frames, a comment every 15 s so proxies and
// idle timers keep the stream open, cleanup when the client goes away, and a bound on what a
// slow reader may leave buffered (past it the stream is closed rather than growing memory).
import type { HttpResponse } from 'uWebSockets.js';
import { CORS_HEADERS } from './cors.ts';
import type { SseReply, SseSink } from './route.ts';

export const SSE_KEEPALIVE_MS = 15_000;
export const SSE_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export function formatSse(data: unknown, event?: string): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const lines = text.split('\n').map((l) => `data: ${l}`).join('\n');
  return (event ? `event: ${event}\n` : '') + lines + '\n\n';
}

export function startSse(res: HttpResponse, reply: SseReply, controller: AbortController): void {
  let closed = false;
  let backlog = 0;
  let cleanup: void | (() => void);

  const finish = (endResponse: boolean) => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    controller.signal.removeEventListener('abort', onAbort);
    try {
      cleanup?.();
    } catch {
      // A failing cleanup must not leave the stream half-closed.
    }
    if (endResponse) res.cork(() => res.end());
  };
  const onAbort = () => finish(false);

  const writeRaw = (chunk: string): boolean => {
    if (closed) return false;
    let ok = true;
    res.cork(() => {
      ok = res.write(chunk);
    });
    if (!ok) {
      backlog += Buffer.byteLength(chunk);
      if (backlog > SSE_MAX_BUFFERED_BYTES) {
        finish(true);
        return false;
      }
      res.onWritable(() => {
        backlog = 0;
        return true;
      });
    }
    return true;
  };

  const sink: SseSink = {
    send: (data, event) => writeRaw(formatSse(data, event)),
    close: () => finish(true),
    get closed() {
      return closed;
    },
  };

  res.cork(() => {
    res.writeStatus('200 OK');
    res.writeHeader('content-type', 'text/event-stream');
    res.writeHeader('cache-control', 'no-cache');
    res.writeHeader('x-accel-buffering', 'no');
    for (const [k, v] of CORS_HEADERS) res.writeHeader(k, v);
    res.write(': stream open\n\n');
  });
  const keepalive = setInterval(() => writeRaw(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
  keepalive.unref();
  controller.signal.addEventListener('abort', onAbort);
  try {
    cleanup = reply.start(sink, controller.signal);
  } catch {
    finish(true);
  }
}
