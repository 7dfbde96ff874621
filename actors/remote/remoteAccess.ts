// The remote listener's lifecycle and what GET /v1/iroh/info reports about it. The listener is
// opt-in (SKILL_REMOTE_ADDR); when set, the certificate is loaded or made and the TLS socket
// opened by `listen`, which the composition root supplies (this module never sees uWS). A failure
// to start is kept as `last_error` and the local API carries on without it.
import os from 'node:os';
import type { TlsCertificate } from './tlsCertificate.ts';
import { loadOrCreateCertificate } from './tlsCertificate.ts';
import type { RemoteAuthStore } from './remoteAuthStore.ts';

export interface RemoteListener {
  port: number;
  close(): void;
}

export interface RemoteAccessDeps {
  /** Where to listen, or null when remote access is off. */
  addr: { host: string; port: number } | null;
  certDir: string;
  store: RemoteAuthStore;
  listen(host: string, port: number, cert: TlsCertificate): Promise<RemoteListener>;
  log: { info(source: string, message: string): void; warn(source: string, message: string): void };
}

export class RemoteAccess {
  private listener: RemoteListener | null = null;
  private cert: TlsCertificate | null = null;
  private startedAt: number | null = null;
  private lastError: string | null = null;

  constructor(private readonly deps: RemoteAccessDeps) {}

  get online(): boolean {
    return this.listener !== null;
  }

  async start(): Promise<void> {
    const addr = this.deps.addr;
    if (!addr || this.listener) return;
    try {
      this.cert = await loadOrCreateCertificate(this.deps.certDir, addr.host);
      this.listener = await this.deps.listen(addr.host, addr.port, this.cert);
      this.startedAt = Math.floor(Date.now() / 1000);
      this.lastError = null;
      this.deps.log.info('remote', `remote listener on ${this.address()} (certificate SHA-256 ${this.cert.fingerprint256})`);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.deps.log.warn('remote', `remote listener did not start: ${this.lastError}`);
    }
  }

  stop(): void {
    this.listener?.close();
    this.listener = null;
  }

  /** `https://host:port` of the running listener, or null. */
  address(): string | null {
    if (!this.listener || !this.deps.addr) return null;
    const host = this.deps.addr.host;
    return `https://${host.includes(':') ? `[${host}]` : host}:${this.listener.port}`;
  }

  /** The certificate's fingerprint without colons, lower case: this endpoint's identity in invites. */
  endpointId(): string {
    return this.cert ? this.cert.fingerprint256.replaceAll(':', '').toLowerCase() : '';
  }

  info() {
    const port = this.listener?.port ?? null;
    return {
      online: this.online,
      enabled: this.deps.addr !== null,
      transport: 'tls' as const,
      endpoint_id: this.endpointId(),
      relay_url: null,
      address: this.address(),
      direct_addrs: port === null || !this.deps.addr ? [] : directAddrs(this.deps.addr.host, port),
      local_port: port,
      cert_fingerprint_sha256: this.cert?.fingerprint256 ?? null,
      cert_not_after: this.cert?.notAfter ?? null,
      started_at: this.startedAt,
      last_error: this.lastError,
      auth: this.deps.store.counts(),
    };
  }
}

/** The `host:port` pairs a client can dial: each interface address for a wildcard bind. */
function directAddrs(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [`${host.includes(':') ? `[${host}]` : host}:${port}`];
  const out: string[] = [];
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (host === '0.0.0.0' && a.family !== 'IPv4') continue;
      out.push(a.family === 'IPv6' ? `[${a.address}]:${port}` : `${a.address}:${port}`);
    }
  }
  return out;
}
