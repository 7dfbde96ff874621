// A remote client as a phone would be one: it trusts the daemon's self-signed certificate only
// because its SHA-256 fingerprint equals the pinned one (from the invite), never through a CA.
// The first handshake fetches the certificate and checks the pin; requests then run with that
// certificate as the only trusted root and the pin checked again on every connection.
import https from 'node:https';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { collectResult, type CallResult } from './http.ts';

export async function fetchPinnedCertificate(port: number, fingerprint256: string): Promise<string> {
  const der = await new Promise<Buffer>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (cert.fingerprint256 !== fingerprint256) reject(new Error(`certificate pin mismatch: got ${cert.fingerprint256}, pinned ${fingerprint256}`));
      else resolve(cert.raw);
    });
    socket.on('error', reject);
  });
  return new X509Certificate(der).toString();
}

/** An agent that trusts only the pinned certificate, and checks the pin on every connection (also for `ws`). */
export function pinnedAgent(certPem: string, fingerprint256: string): https.Agent {
  return new https.Agent({
    keepAlive: false,
    ca: certPem,
    checkServerIdentity: (_host, cert) => (cert.fingerprint256 === fingerprint256 ? undefined : new Error('certificate pin mismatch')),
  });
}

export function pinnedClient(port: number, certPem: string, fingerprint256: string) {
  const agent = pinnedAgent(certPem, fingerprint256);
  const call = (method: string, path: string, opts: { token?: string | null; body?: unknown } = {}): Promise<CallResult> => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, method, path, headers, agent, servername: 'localhost' }, (res) => void collectResult(res).then(resolve, reject));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  };
  return {
    get: (path: string, token?: string | null) => call('GET', path, { token }),
    post: (path: string, body: unknown = {}, token?: string | null) => call('POST', path, { token, body }),
  };
}
