// Who is calling, and may they call this route. Decision order as the reference (notes §10.2):
// no token → 401; the default token (in memory, then the file if it changed) → full access;
// a scoped token that is valid → allowed or 403 by its scope; anything else → 401.
import { aclAllows } from '../actors/auth/acl.ts';
import type { DefaultToken } from '../actors/auth/defaultToken.ts';
import { sha256 } from '../actors/auth/secret.ts';
import type { TokenStore } from '../actors/auth/tokenStore.ts';
import { forbidden, unauthorized, type HttpError } from './errors.ts';
import type { Principal, RouteScope } from './route.ts';

/** The bearer token of a request: the Authorization header first, else `?token=`. */
export function extractToken(authorization: string, query: string): string | null {
  if (authorization.startsWith('Bearer ')) return authorization.slice(7).trim() || null;
  if (!query.includes('token=')) return null;
  const value = new URLSearchParams(query).get('token');
  return value || null;
}

// Shared, as every request with the default token gets the same answer.
const DEFAULT_PRINCIPAL: Principal = Object.freeze({ kind: 'default' });
const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });

export class Authenticator {
  constructor(private readonly defaultToken: DefaultToken, private readonly store: TokenStore) {}

  /** The principal for a presented token, or null when it authenticates no one. */
  identify(token: string | null): Principal | null {
    if (!token) return null;
    if (this.defaultToken.matches(token)) return DEFAULT_PRINCIPAL;
    if (!token.startsWith('sk-')) return null;
    const check = this.store.check(token, sha256(token));
    if (!check.ok) return null;
    return { kind: 'token', id: check.token.id, name: check.token.name, acl: check.token.acl };
  }

  authorize(scope: RouteScope, method: string, path: string, token: string | null): Principal | HttpError {
    if (scope === 'public') return ANONYMOUS;
    const who = this.identify(token);
    if (!who) return unauthorized();
    if (!mayCall(who, scope, method, path)) return forbidden();
    return who;
  }
}

export function mayCall(who: Principal, scope: RouteScope, method: string, path: string): boolean {
  if (scope === 'public' || who.kind === 'default') return true;
  if (who.kind !== 'token') return false;
  if (scope === 'admin') return who.acl === 'admin';
  return aclAllows(who.acl, method, path);
}
