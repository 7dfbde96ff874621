// The remote listener's self-signed TLS certificate, made once and kept in
// `<config>/skill/daemon/remote/` (key 0600, directory 0700). Clients do not trust it through a
// CA: they pin its SHA-256 fingerprint, which the invite carries and GET /v1/iroh/info shows, so
// the fingerprint must survive restarts. A certificate that is unreadable or within a month of
// expiry is replaced (and the new fingerprint has to be handed out again).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { writeFileAtomic } from '../store/atomicFile.ts';

const VALIDITY_DAYS = 3650;
const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface TlsCertificate {
  certFile: string;
  keyFile: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex (as `openssl x509 -fingerprint`). */
  fingerprint256: string;
  notAfter: string;
}

export async function loadOrCreateCertificate(dir: string, listenHost: string, nowMs = Date.now()): Promise<TlsCertificate> {
  const certFile = path.join(dir, 'tls.crt');
  const keyFile = path.join(dir, 'tls.key');
  const existing = readCertificate(certFile, keyFile, nowMs);
  if (existing) return existing;

  const altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [
    { type: 2, value: 'localhost' },
    { type: 2, value: os.hostname() },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (isIP(listenHost) && listenHost !== '0.0.0.0' && listenHost !== '::' && !listenHost.startsWith('127.')) altNames.push({ type: 7, ip: listenHost });
  // Loaded only when a certificate has to be made: the library and its ASN.1 stack take a
  // second or more to import, which every daemon start would otherwise pay.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'skill-daemon' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(nowMs - 60_000),
    notAfterDate: new Date(nowMs + VALIDITY_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  // The key first: a certificate on disk without its key would be read as broken next time.
  writeFileAtomic(keyFile, pems.private, { mode: 0o600, dirMode: 0o700 });
  writeFileAtomic(certFile, pems.cert, { mode: 0o644, dirMode: 0o700 });
  const made = readCertificate(certFile, keyFile, nowMs);
  if (!made) throw new Error(`the generated certificate in ${dir} could not be read back`);
  return made;
}

function readCertificate(certFile: string, keyFile: string, nowMs: number): TlsCertificate | null {
  try {
    if (!fs.existsSync(keyFile)) return null;
    const cert = new X509Certificate(fs.readFileSync(certFile));
    if (Date.parse(cert.validTo) - nowMs < RENEW_BEFORE_MS) return null;
    return { certFile, keyFile, fingerprint256: cert.fingerprint256, notAfter: new Date(cert.validTo).toISOString() };
  } catch {
    return null;
  }
}
