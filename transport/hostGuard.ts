// DNS-rebinding defence: a web page on evil.example that resolves its name to 127.0.0.1 can
// reach the daemon, but its requests carry `Host: evil.example`. Only loopback names and
// addresses (plus the listen address and SKILL_ALLOWED_HOSTS) are accepted.
import { isLoopbackHost } from '../actors/config.ts';

/** The host part of a Host header: `127.0.0.1:18444` → `127.0.0.1`, `[::1]:80` → `::1`. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export class HostGuard {
  private readonly extra: Set<string>;
  private readonly cache = new Map<string, boolean>();

  constructor(listenHost: string, allowedHosts: string[]) {
    this.extra = new Set([listenHost.toLowerCase(), ...allowedHosts]);
  }

  allows(header: string): boolean {
    let ok = this.cache.get(header);
    if (ok === undefined) {
      const name = hostName(header);
      ok = name !== '' && (isLoopbackHost(name) || this.extra.has(name));
      // Bounded: a client cycling through Host values cannot grow this without limit.
      if (this.cache.size < 256) this.cache.set(header, ok);
    }
    return ok;
  }
}
