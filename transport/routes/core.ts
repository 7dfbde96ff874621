// Health probes, version, status and the log ring.
import * as z from 'zod';
import { DAEMON_NAME, PROTOCOL_VERSION } from '../../actors/config.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function coreRoutes(s: RouteServices): Route[] {
  return [
    route({ method: 'GET', path: '/healthz', scope: 'public', summary: 'Liveness probe: `{ok:true}` while the process serves HTTP.', handler: () => ({ ok: true }) }),
    route({
      method: 'GET', path: '/readyz', scope: 'public',
      summary: 'Readiness: `{ok, ready, test_mode}`; ready once every actor has started.',
      handler: () => ({ ok: true, ready: s.isReady(), test_mode: false }),
    }),
    route({
      method: 'GET', path: '/v1/version', scope: 'acl',
      summary: 'Daemon name, protocol version and daemon version.',
      handler: () => ({ daemon: DAEMON_NAME, protocol_version: PROTOCOL_VERSION, daemon_version: s.version }),
    }),
    route({ method: 'GET', path: '/v1/status', scope: 'acl', summary: 'Full device status object (state, device, channels, battery, retry countdown, …).', handler: () => s.device.status() }),
    route({
      method: 'GET', path: '/v1/log/recent', scope: 'acl',
      summary: 'Recent log lines after `since` (a sequence number): `{next_seq, lines}`.',
      query: z.object({ since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0) }),
      handler: ({ query }) => s.log.since(query.since),
    }),
  ];
}
