// Token management: scoped tokens (secret shown once) and rotation of the default token.
import * as z from 'zod';
import { ACLS } from '../../actors/auth/acl.ts';
import { EXPIRIES, TokenLimitError, type Expiry } from '../../actors/auth/tokenStore.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

const tokenId = z.object({ id: z.string().min(1).max(64) });

export function authRoutes(s: RouteServices): Route[] {
  return [
    route({ method: 'GET', path: '/v1/auth/tokens', scope: 'acl', summary: 'List scoped tokens (secrets redacted to a preview).', handler: () => s.tokens.list() }),
    route({
      method: 'POST', path: '/v1/auth/tokens', scope: 'admin',
      summary: 'Create a scoped token `{name, acl, expiry}`; the reply carries the secret, shown only this once. 409 past 50 active tokens.',
      body: z.object({
        name: z.string().trim().min(1).max(100),
        acl: z.enum(ACLS),
        expiry: z.enum(Object.keys(EXPIRIES) as [Expiry, ...Expiry[]]).default('month'),
      }),
      handler: ({ body }) => {
        try {
          return s.tokens.create(body.name, body.acl, body.expiry);
        } catch (err) {
          if (err instanceof TokenLimitError) throw conflict(err.message);
          throw err;
        }
      },
    }),
    route({
      method: 'POST', path: '/v1/auth/tokens/revoke', scope: 'admin', summary: 'Revoke a token `{id}`; it stops working at once.',
      body: tokenId,
      handler: ({ body }) => {
        if (!s.tokens.revoke(body.id)) throw notFound(`no token with id "${body.id}"`);
        return { ok: true };
      },
    }),
    route({
      method: 'POST', path: '/v1/auth/tokens/delete', scope: 'admin', summary: 'Delete a token `{id}` from the store.',
      body: tokenId,
      handler: ({ body }) => {
        if (body.id === 'default') throw badRequest('cannot delete the default token — use refresh instead');
        if (!s.tokens.delete(body.id)) throw notFound(`no token with id "${body.id}"`);
        return { ok: true };
      },
    }),
    route({
      method: 'POST', path: '/v1/auth/default-token/refresh', scope: 'admin',
      summary: 'Rotate the default token; the file is rewritten atomically. Returns `{ok, token}`.',
      handler: () => {
        if (s.defaultToken.isOverridden) throw conflict('the default token is fixed by SKILL_DAEMON_TOKEN and cannot be rotated');
        return { ok: true, token: s.defaultToken.refresh() };
      },
    }),
  ];
}
