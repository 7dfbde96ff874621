// TOTP credentials and registered remote clients (`<data>/remote_auth.json`, mode 0600: it holds
// the TOTP secrets). A client registers once with a valid, unused TOTP code and receives a
// bearer token (`skc-` + 32 random bytes) shown that once; only its SHA-256 is kept. Every
// request on the remote listener looks its token up here, so a revoked client is refused on its
// very next request. Field names follow the reference's iroh_auth.json (notes §8.6).
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile.ts';
import { hexEqual, newSecret, sha256 } from '../auth/secret.ts';
import { matchTotp, newTotpSecret, otpauthUrl, secretBytesFromBase32 } from './totp.ts';
import { aclForScope, DEFAULT_CLIENT_SCOPE, READ_GROUPS, SCOPE_GROUPS, type ClientScope } from './remoteScopes.ts';
import type { Acl } from '../auth/acl.ts';

export const CLIENT_TOKEN_PREFIX = 'skc-';
/** An unused invite credential stops working after this long. */
export const INVITE_TTL_SECS = 600;
/** Failed registrations allowed per window before the route answers 429 (a 6-digit code is guessable otherwise). */
export const MAX_FAILED_REGISTRATIONS = 5;
export const FAILED_REGISTRATION_WINDOW_SECS = 60;

export interface TotpEntry {
  id: string;
  name: string;
  secret_b32: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  /** The last 30-second step a code was accepted for; that step and earlier ones are refused. */
  last_used_step: number | null;
  /** Invite credentials register one client, then are spent. */
  single_use: boolean;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface ClientPermissions {
  scope: ClientScope;
  groups: string[];
}

export interface ClientEntry {
  id: string;
  name: string;
  endpoint_id: string;
  totp_id: string;
  scope: ClientScope;
  permissions: ClientPermissions;
  created_at: number;
  revoked_at: number | null;
  last_connected_at: number | null;
  token_hash: string;
  token_preview: string;
}

export type TotpView = Omit<TotpEntry, 'secret_b32' | 'last_used_step'>;
export type ClientView = Omit<ClientEntry, 'token_hash'>;

interface RemoteAuthFile {
  totp: TotpEntry[];
  clients: ClientEntry[];
}

/** Why a registration was refused; the route turns each into its status. */
export class RegistrationRefused extends Error {
  constructor(readonly reason: 'invalid_otp' | 'rate_limited' | 'unknown_totp', message: string) {
    super(message);
  }
}

export class RemoteAuthStore {
  readonly file: string;
  private data: RemoteAuthFile;
  private failures: number[] = [];
  private readonly changeListeners: Array<(clientIds: string[]) => void> = [];

  constructor(dataDir: string, private readonly nowMs: () => number = Date.now) {
    this.file = path.join(dataDir, 'remote_auth.json');
    const raw = readJsonFile<Partial<RemoteAuthFile>>(this.file, {});
    this.data = { totp: raw.totp ?? [], clients: raw.clients ?? [] };
  }

  private nowSecs(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  private save(): void {
    writeJsonAtomic(this.file, this.data, { mode: 0o600, dirMode: 0o700 });
  }

  /** Called with the ids of clients revoked or re-scoped, so their open connections can be ended. */
  onClientsChanged(listener: (clientIds: string[]) => void): void {
    this.changeListeners.push(listener);
  }

  private changed(clientIds: string[]): void {
    if (clientIds.length) for (const l of this.changeListeners) l(clientIds);
  }

  listTotp(): TotpView[] {
    return this.data.totp.map(totpView).sort((a, b) => b.created_at - a.created_at);
  }

  listClients(): ClientView[] {
    return this.data.clients.map(clientView).sort((a, b) => b.created_at - a.created_at);
  }

  counts(): { totp_total: number; clients_total: number; clients_active: number } {
    return {
      totp_total: this.data.totp.length,
      clients_total: this.data.clients.length,
      clients_active: this.data.clients.filter((c) => c.revoked_at === null).length,
    };
  }

  createTotp(name: string, invite = false): { totp: TotpView; secret_b32: string; otpauth_url: string } {
    const now = this.nowSecs();
    const entry: TotpEntry = {
      id: newId('totp', now),
      name: name.trim(),
      secret_b32: newTotpSecret(),
      created_at: now,
      revoked_at: null,
      last_used_at: null,
      last_used_step: null,
      single_use: invite,
      expires_at: invite ? now + INVITE_TTL_SECS : null,
      consumed_at: null,
    };
    this.data.totp.push(entry);
    this.save();
    return { totp: totpView(entry), secret_b32: entry.secret_b32, otpauth_url: otpauthUrl(entry.secret_b32, entry.name) };
  }

  /** The secret of a usable credential (for an invite or its QR); null when unknown or revoked. */
  totpSecret(id: string): { entry: TotpView; secret_b32: string; otpauth_url: string } | null {
    const t = this.data.totp.find((x) => x.id === id);
    if (!t || t.revoked_at !== null) return null;
    return { entry: totpView(t), secret_b32: t.secret_b32, otpauth_url: otpauthUrl(t.secret_b32, t.name) };
  }

  /** Revokes a credential and every client registered with it (as the reference). False when unknown. */
  revokeTotp(id: string): boolean {
    const t = this.data.totp.find((x) => x.id === id);
    if (!t) return false;
    if (t.revoked_at === null) {
      const now = this.nowSecs();
      t.revoked_at = now;
      const cascade = this.data.clients.filter((c) => c.totp_id === id && c.revoked_at === null);
      for (const c of cascade) c.revoked_at = now;
      this.save();
      this.changed(cascade.map((c) => c.id));
    }
    return true;
  }

  /**
   * Registers a client with a TOTP code. With `totp_id` only that credential is tried, otherwise
   * every usable one. Returns the client and its bearer token (shown once).
   */
  register(input: { endpoint_id: string; otp: string; totp_id?: string; name?: string; scope?: ClientScope }): { client: ClientView; token: string } {
    const nowMs = this.nowMs();
    const now = Math.floor(nowMs / 1000);
    this.failures = this.failures.filter((t) => t > now - FAILED_REGISTRATION_WINDOW_SECS);
    if (this.failures.length >= MAX_FAILED_REGISTRATIONS) {
      throw new RegistrationRefused('rate_limited', `too many failed registrations; retry in ${FAILED_REGISTRATION_WINDOW_SECS} s`);
    }
    if (input.totp_id !== undefined && !this.data.totp.some((t) => t.id === input.totp_id)) {
      this.failures.push(now);
      throw new RegistrationRefused('unknown_totp', `unknown totp id: ${input.totp_id}`);
    }
    const usable = this.data.totp.filter(
      (t) =>
        (input.totp_id === undefined || t.id === input.totp_id) &&
        t.revoked_at === null &&
        t.consumed_at === null &&
        (t.expires_at === null || t.expires_at > now),
    );
    let matched: { entry: TotpEntry; step: number } | null = null;
    for (const entry of usable) {
      const step = matchTotp(secretBytesFromBase32(entry.secret_b32), input.otp, nowMs, entry.last_used_step);
      if (step !== null && matched === null) matched = { entry, step };
    }
    if (!matched) {
      this.failures.push(now);
      throw new RegistrationRefused('invalid_otp', 'invalid, expired or already used one-time code');
    }
    const { entry, step } = matched;
    entry.last_used_step = step;
    entry.last_used_at = now;
    if (entry.single_use) entry.consumed_at = now;

    const endpointId = input.endpoint_id.trim().toLowerCase();
    // A device registering again replaces its old registration: the old token stops working.
    const replaced = this.data.clients.filter((c) => c.endpoint_id === endpointId && c.revoked_at === null);
    for (const c of replaced) c.revoked_at = now;
    const token = CLIENT_TOKEN_PREFIX + newSecret();
    const scope = input.scope ?? DEFAULT_CLIENT_SCOPE;
    const client: ClientEntry = {
      id: newId('client', now),
      name: input.name?.trim() || `client-${endpointId.slice(0, 8)}`,
      endpoint_id: endpointId,
      totp_id: entry.id,
      scope,
      permissions: { scope, groups: defaultGroups(scope) },
      created_at: now,
      revoked_at: null,
      last_connected_at: null,
      token_hash: sha256(token).toString('hex'),
      token_preview: `${token.slice(0, 8)}…${token.slice(-4)}`,
    };
    this.data.clients.push(client);
    this.save();
    this.changed(replaced.map((c) => c.id));
    return { client: clientView(client), token };
  }

  /** False when the id is unknown; revoking twice keeps the first time. */
  revokeClient(id: string): boolean {
    const c = this.data.clients.find((x) => x.id === id);
    if (!c) return false;
    if (c.revoked_at === null) {
      c.revoked_at = this.nowSecs();
      this.save();
      this.changed([c.id]);
    }
    return true;
  }

  /** New scope (and, for `custom`, groups); null when the id is unknown. */
  setScope(id: string, scope: ClientScope, groups?: string[]): ClientView | null {
    const c = this.data.clients.find((x) => x.id === id);
    if (!c) return null;
    c.scope = scope;
    c.permissions = { scope, groups: groups ?? (scope === 'custom' ? c.permissions.groups : defaultGroups(scope)) };
    this.save();
    this.changed([c.id]);
    return clientView(c);
  }

  client(id: string): ClientView | null {
    const c = this.data.clients.find((x) => x.id === id);
    return c ? clientView(c) : null;
  }

  /**
   * The active client a bearer token belongs to, or null. Every active client's digest is
   * compared in constant time (no early exit), so timing says nothing about which one matched.
   */
  identify(token: string): { client: ClientView; acl: Acl } | null {
    if (!token.startsWith(CLIENT_TOKEN_PREFIX)) return null;
    const digest = sha256(token).toString('hex');
    let found: ClientEntry | null = null;
    for (const c of this.data.clients) {
      if (c.revoked_at === null && hexEqual(c.token_hash, digest) && !found) found = c;
    }
    if (!found) return null;
    const now = this.nowSecs();
    // Last-seen time is kept to the minute so a busy client does not rewrite the file per request.
    if (found.last_connected_at === null || now - found.last_connected_at >= 60) {
      found.last_connected_at = now;
      this.save();
    }
    return { client: clientView(found), acl: aclForScope(found.scope) };
  }
}

function defaultGroups(scope: ClientScope): string[] {
  if (scope === 'full' || scope === 'admin') return SCOPE_GROUPS.map((g) => g.id);
  return [...READ_GROUPS];
}

/** `client_<unix>_<hex16>` as the reference's ids. */
function newId(kind: string, nowSecs: number): string {
  return `${kind}_${nowSecs}_${randomBytes(8).toString('hex')}`;
}

function totpView(t: TotpEntry): TotpView {
  const { secret_b32: _secret, last_used_step: _step, ...view } = t;
  return view;
}

function clientView(c: ClientEntry): ClientView {
  const { token_hash: _hash, ...view } = c;
  return { ...view, permissions: { ...view.permissions, groups: [...view.permissions.groups] } };
}
