// A loopback HTTP client for tests, on node:http so that tests control every header
// (fetch would not let them set Host) and see exact status codes and bodies.
import http from 'node:http';
import { failedOnStaleSocket } from './staleSocket.ts';

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is (not JSON-encoded). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** A whole response: status, headers, text, and its JSON when it parses. */
export function collectResult(res: http.IncomingMessage): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
    });
  });
}

export function call(port: number, method: string, path: string, opts: CallOptions = {}, retried = false): Promise<CallResult> {
  const qs = opts.query ? '?' + new URLSearchParams(opts.query).toString() : '';
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: path + qs, headers, agent }, (res) => void collectResult(res).then(resolve, reject));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && failedOnStaleSocket(req, err)) resolve(call(port, method, path, opts, true));
      else reject(err);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A client bound to one daemon and token. */
export function client(port: number, token: string | null) {
  return {
    get: (path: string, o: CallOptions = {}) => call(port, 'GET', path, { token, ...o }),
    post: (path: string, body?: unknown, o: CallOptions = {}) => call(port, 'POST', path, { token, body: body ?? {}, ...o }),
    call: (method: string, path: string, o: CallOptions = {}) => call(port, method, path, { token, ...o }),
  };
}
