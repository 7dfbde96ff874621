// Who is calling on the remote listener. Only registered remote clients are recognised there,
// by their own `skc-` token: the default token and local API tokens are refused, so a secret
// meant for this machine is useless if it leaks to the network. A client acts with the ACL of
// its scope (remoteScopes.ts); a `custom` client reaches exactly its groups' paths (never admin routes). Public
// routes (health probes, and POST /v1/iroh/clients/register, gated by its TOTP code) need none.
import type { RemoteAuthStore } from '../actors/remote/remoteAuthStore.ts';
import { groupsAllow } from '../actors/remote/remoteScopes.ts';
import { mayCall } from './auth.ts';
import { forbidden, unauthorized, type HttpError } from './errors.ts';
import type { Principal, RouteScope } from './route.ts';

export class RemoteAuthenticator {
  constructor(private readonly store: RemoteAuthStore) {}

  authorize(scope: RouteScope, method: string, path: string, token: string | null): Principal | HttpError {
    if (scope === 'public') return { kind: 'anonymous' };
    const found = token ? this.store.identify(token) : null;
    if (!found) return unauthorized();
    const who: Principal = { kind: 'token', id: found.client.id, name: found.client.name, acl: found.acl };
    const allowed =
      found.client.scope === 'custom'
        ? scope !== 'admin' && groupsAllow(found.client.permissions.groups, method, path)
        : mayCall(who, scope, method, path);
    return allowed ? who : forbidden();
  }
}

/**
 * The remote listener is reached by whatever name or address the user's network gives this
 * machine, so the Host header cannot be checked against a list. DNS rebinding does not apply:
 * every non-public route needs a client token in a header, which a rebound page does not have.
 */
export const anyHost = { allows: (_host: string): boolean => true };
