// Scoped API tokens (`<data>/daemon/tokens.json`). A secret (`sk-` + 32 random bytes) is shown
// once, at creation; only a salted SHA-256 of it is kept on disk. Lookups by secret go through
// an in-memory digest index, so validating a token costs one hash, not one per stored token.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile.ts';
import { hexEqual, newSecret, saltedHash, sha256 } from './secret.ts';
import type { Acl } from './acl.ts';

export const MAX_ACTIVE_TOKENS = 50;
export const EXPIRIES = { week: 7, month: 30, quarter: 90, never: null } as const;
export type Expiry = keyof typeof EXPIRIES;

export interface ApiToken {
  id: string;
  name: string;
  /** The secret at creation; a preview (or "stored_as_hash") in listings. */
  token: string;
  token_hash: string;
  token_salt: string;
  token_preview: string;
  acl: Acl;
  /** Unix seconds. */
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked: boolean;
}

export type TokenCheck = { ok: true; token: ApiToken } | { ok: false };

export class TokenLimitError extends Error {
  constructor() {
    super(`maximum active token count reached (${MAX_ACTIVE_TOKENS})`);
  }
}

const DAY_SECS = 86_400;

export class TokenStore {
  private tokens: ApiToken[];
  private readonly byDigest = new Map<string, ApiToken>();
  readonly file: string;

  constructor(dataDir: string, private readonly nowMs: () => number = Date.now) {
    this.file = path.join(dataDir, 'daemon', 'tokens.json');
    this.tokens = readJsonFile<{ tokens: ApiToken[] }>(this.file, { tokens: [] }).tokens ?? [];
    this.migratePlaintext();
  }

  private nowSecs(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  isActive(t: ApiToken): boolean {
    return !t.revoked && (t.expires_at === null || t.expires_at > this.nowSecs());
  }

  list(): ApiToken[] {
    return this.tokens.map((t) => ({ ...t, token: t.token_preview || 'stored_as_hash', token_hash: '', token_salt: '' }));
  }

  create(name: string, acl: Acl, expiry: Expiry): ApiToken {
    if (this.tokens.filter((t) => this.isActive(t)).length >= MAX_ACTIVE_TOKENS) throw new TokenLimitError();
    const secret = 'sk-' + newSecret();
    const salt = randomBytes(16).toString('base64url');
    const days = EXPIRIES[expiry];
    const now = this.nowSecs();
    const stored: ApiToken = {
      id: randomBytes(8).toString('hex'),
      name,
      token: '',
      token_hash: saltedHash(salt, secret),
      token_salt: salt,
      token_preview: `${secret.slice(0, 6)}…${secret.slice(-4)}`,
      acl,
      created_at: now,
      expires_at: days === null ? null : now + days * DAY_SECS,
      last_used_at: null,
      revoked: false,
    };
    this.tokens.push(stored);
    this.save();
    this.byDigest.set(sha256(secret).toString('hex'), stored);
    return { ...stored, token: secret, token_hash: '', token_salt: '' };
  }

  /** Returns false when no token has that id. */
  revoke(id: string): boolean {
    const t = this.tokens.find((x) => x.id === id);
    if (!t) return false;
    t.revoked = true;
    this.save();
    return true;
  }

  delete(id: string): boolean {
    const before = this.tokens.length;
    this.tokens = this.tokens.filter((t) => t.id !== id);
    if (this.tokens.length === before) return false;
    for (const [digest, t] of this.byDigest) if (t.id === id) this.byDigest.delete(digest);
    this.save();
    return true;
  }

  /** Finds the token a secret belongs to; revoked or expired tokens do not authenticate. */
  check(secret: string, digest: Buffer): TokenCheck {
    if (!secret.startsWith('sk-')) return { ok: false };
    const key = digest.toString('hex');
    let token = this.byDigest.get(key);
    if (!token) {
      token = this.tokens.find((t) => hexEqual(saltedHash(t.token_salt, secret), t.token_hash));
      if (token) this.byDigest.set(key, token);
    }
    if (!token || !this.tokens.includes(token) || !this.isActive(token)) return { ok: false };
    token.last_used_at = this.nowSecs();
    return { ok: true, token };
  }

  private migratePlaintext(): void {
    let changed = false;
    for (const t of this.tokens) {
      if (!t.token_hash && t.token) {
        t.token_salt = randomBytes(16).toString('base64url');
        t.token_hash = saltedHash(t.token_salt, t.token);
        t.token_preview = `${t.token.slice(0, 6)}…${t.token.slice(-4)}`;
        t.token = '';
        changed = true;
      }
    }
    if (changed) this.save();
  }

  private save(): void {
    // Validation never writes: last_used_at reaches the disk with the next change to the store.
    writeJsonAtomic(this.file, { tokens: this.tokens.map((t) => ({ ...t, token: '' })) }, { mode: 0o600, dirMode: 0o700 });
  }
}
