// Remote access under the reference's `/v1/iroh/*` paths, so its clients find the same routes.
// The transport differs (a TLS listener with a pinned self-signed certificate instead of an iroh
// QUIC tunnel, docs/remote.md); credentials, clients and scopes keep the reference's shapes.
// Errors carry real statuses (401, 404, 409, 422, 429) rather than `{ok:false}` with 200.
import * as z from 'zod';
import { RegistrationRefused } from '../../actors/remote/remoteAuthStore.ts';
import { aclForScope, CLIENT_SCOPES, isScopeGroup, READ_GROUPS, SCOPE_GROUPS } from '../../actors/remote/remoteScopes.ts';
import { conflict, HttpError, notFound, tooManyRequests } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

const name = z.string().trim().min(1).max(64);
const id = z.string().min(1).max(128);
const groups = z.array(z.string().refine(isScopeGroup, { message: 'unknown scope group' })).max(SCOPE_GROUPS.length);

export function remoteAccessRoutes(s: RouteServices): Route[] {
  const remote = s.remoteAccess;
  const store = s.remoteClients;
  const unknownTotp = (totpId: string) => notFound(`no usable TOTP credential with id "${totpId}"`);
  const unknownClient = (clientId: string) => notFound(`no remote client with id "${clientId}"`);

  return [
    route({
      method: 'GET', path: '/v1/iroh/info', scope: 'acl',
      summary: 'Remote listener state: `online`, `address`, `local_port`, `cert_fingerprint_sha256` (pin it), `endpoint_id`, `last_error`, and credential/client counts.',
      handler: () => ({ ...remote.info(), ok: true }),
    }),
    route({
      method: 'POST', path: '/v1/iroh/phone-invite', scope: 'admin',
      summary: 'One-time pairing payload `{name}` (new single-use TOTP, valid 10 min) or `{totp_id}`: address, certificate fingerprint, TOTP secret, and `qr_text` to render. 409 while the listener is off.',
      body: z
        .object({ name: name.optional(), totp_id: id.optional() })
        .refine((b) => b.name !== undefined || b.totp_id !== undefined, { message: 'give "name" (new credential) or "totp_id" (existing one)' }),
      handler: ({ body }) => {
        if (!remote.online) throw conflict('the remote listener is not running; start the daemon with SKILL_REMOTE_ADDR');
        const credential = body.totp_id !== undefined ? store.totpSecret(body.totp_id) : null;
        if (body.totp_id !== undefined && !credential) throw unknownTotp(body.totp_id);
        const made = credential ?? (() => {
          const created = store.createTotp(body.name!, true);
          return { entry: created.totp, secret_b32: created.secret_b32, otpauth_url: created.otpauth_url };
        })();
        const info = remote.info();
        const payload = {
          endpoint_id: info.endpoint_id,
          relay_url: null,
          address: info.address,
          direct_addrs: info.direct_addrs,
          cert_fingerprint_sha256: info.cert_fingerprint_sha256,
          totp_id: made.entry.id,
          secret_base32: made.secret_b32,
          name: made.entry.name,
          created_at: Math.floor(Date.now() / 1000),
          expires_at: made.entry.expires_at,
          single_use: made.entry.single_use,
        };
        return { payload, otpauth_url: made.otpauth_url, qr_text: JSON.stringify(payload), qr_png_base64: null, ok: true };
      },
    }),
    route({
      method: 'GET', path: '/v1/iroh/totp', scope: 'admin', summary: 'TOTP credentials, newest first (secrets never listed).',
      handler: () => ({ totp: store.listTotp(), ok: true }),
    }),
    route({
      method: 'POST', path: '/v1/iroh/totp', scope: 'admin',
      summary: 'Create a TOTP credential `{name}` (SHA-1, 6 digits, 30 s, issuer "Skill"): `{totp, otpauth_url, qr_text}`; the secret is in the URL, shown now.',
      body: z.object({ name }),
      handler: ({ body }) => {
        const created = store.createTotp(body.name);
        return { totp: created.totp, otpauth_url: created.otpauth_url, qr_text: created.otpauth_url, qr_png_base64: null, ok: true };
      },
    }),
    route({
      method: 'GET', path: '/v1/iroh/totp/{id}/qr', scope: 'admin', summary: 'The `otpauth://` URL of a credential again, as `qr_text` for an authenticator app. 404 when unknown or revoked.',
      handler: ({ params }) => {
        const credential = store.totpSecret(params.id!);
        if (!credential) throw unknownTotp(params.id!);
        return { id: params.id, otpauth_url: credential.otpauth_url, qr_text: credential.otpauth_url, qr_png_base64: null, ok: true };
      },
    }),
    route({
      method: 'POST', path: '/v1/iroh/totp/{id}/revoke', scope: 'admin', summary: 'Revoke a TOTP credential and every client registered with it.',
      handler: ({ params }) => {
        if (!store.revokeTotp(params.id!)) throw unknownTotp(params.id!);
        return { revoked: true, id: params.id, ok: true };
      },
    }),
    route({
      method: 'GET', path: '/v1/iroh/clients', scope: 'acl', summary: 'Registered remote clients, newest first (tokens as a preview only).',
      handler: () => ({ clients: store.listClients(), ok: true }),
    }),
    route({
      method: 'POST', path: '/v1/iroh/clients/register', scope: 'public',
      summary: 'Register a client `{endpoint_id, otp, totp_id?, name?, scope?}` with a current, unused TOTP code; returns `{client, token}` (the token shown once). 401 for a wrong or replayed code, 429 after 5 failures a minute.',
      body: z.object({
        endpoint_id: z.string().trim().min(1).max(256),
        otp: z.string().trim().regex(/^\d{6}$/, 'a 6-digit code'),
        totp_id: id.optional(),
        name: name.optional(),
        scope: z.enum(CLIENT_SCOPES).optional(),
      }),
      handler: ({ body }) => {
        try {
          const { client, token } = store.register(body);
          return { client, token, registered: true, ok: true };
        } catch (err) {
          if (!(err instanceof RegistrationRefused)) throw err;
          if (err.reason === 'rate_limited') throw tooManyRequests(60);
          // An unknown credential id answers like a wrong code: this route is public, so it
          // does not confirm which ids exist.
          throw new HttpError(401, 'invalid_otp', 'invalid, expired or already used one-time code');
        }
      },
    }),
    route({
      method: 'POST', path: '/v1/iroh/clients/{id}/revoke', scope: 'admin', summary: 'Revoke a remote client; its token is refused from its next request on.',
      handler: ({ params }) => {
        if (!store.revokeClient(params.id!)) throw unknownClient(params.id!);
        return { revoked: true, id: params.id, ok: true };
      },
    }),
    route({
      method: 'POST', path: '/v1/iroh/clients/{id}/scope', scope: 'admin',
      summary: 'Change a client\'s scope `{scope, groups?}`: `read`, `full`, `custom` (with `groups`) or an ACL name; applies to its next request.',
      body: z.object({ scope: z.enum(CLIENT_SCOPES), groups: groups.optional() }),
      handler: ({ params, body }) => {
        const client = store.setScope(params.id!, body.scope, body.groups);
        if (!client) throw unknownClient(params.id!);
        const dangerous = SCOPE_GROUPS.filter((g) => g.dangerous && client.permissions.groups.includes(g.id));
        return {
          id: client.id,
          permissions: client.permissions,
          warnings: dangerous.length ? ['dangerous groups enabled:', ...dangerous.map((g) => `  • ${g.label} — ${g.description}`)] : [],
          dangerous_groups: dangerous.map((g) => g.label),
          ok: true,
        };
      },
    }),
    route({
      method: 'GET', path: '/v1/iroh/clients/{id}/permissions', scope: 'acl', summary: 'What a client may reach: its scope, the ACL it acts with and each group allowed or not.',
      handler: ({ params }) => {
        const client = store.client(params.id!);
        if (!client) throw unknownClient(params.id!);
        const acl = aclForScope(client.scope);
        const report = {
          scope: client.scope,
          acl,
          revoked: client.revoked_at !== null,
          groups: SCOPE_GROUPS.map((g) => ({
            id: g.id,
            label: g.label,
            dangerous: g.dangerous,
            allowed: client.scope === 'custom' ? client.permissions.groups.includes(g.id) : acl === 'admin' || (acl === 'read_only' && !g.mutating),
          })),
        };
        return { id: client.id, name: client.name, endpoint_id: client.endpoint_id, report, ok: true };
      },
    }),
    route({
      method: 'GET', path: '/v1/iroh/scope-groups', scope: 'acl', summary: 'The permission groups a `custom` client can be given, and what `read` and `full` stand for.',
      handler: () => ({
        groups: SCOPE_GROUPS.map((g) => ({ id: g.id, label: g.label, description: g.description, dangerous: g.dangerous, mutating: g.mutating, commands: g.paths.map((p) => `/v1${p}`) })),
        builtin_scopes: { read: READ_GROUPS, full: 'all groups' },
        ok: true,
      }),
    }),
  ];
}
