// The live event stream and what is known about its clients.
import * as z from 'zod';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export const EVENTS_PATH = '/v1/events';

export function eventRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: EVENTS_PATH, scope: 'acl',
      summary: 'WebSocket of daemon events `{type, ts_unix_ms, correlation_id, payload}`; first frame `DaemonStarted`. Send `{"command":"subscribe","types":[…]}` to filter.',
      handler: () => undefined,
    }),
    route({
      method: 'POST', path: '/v1/events/push', scope: 'admin',
      summary: 'Broadcast an event envelope `{type, payload, correlation_id?}` to every subscriber.',
      body: z.object({
        type: z.string().min(1).max(128),
        payload: z.unknown().optional(),
        correlation_id: z.string().max(128).nullable().optional(),
        ts_unix_ms: z.number().int().nonnegative().optional(),
      }),
      handler: ({ body }) => {
        const event = s.bus.publish(body.type, body.payload ?? {}, body.correlation_id ?? null);
        return { ok: true, ts_unix_ms: event.ts_unix_ms };
      },
    }),
    route({ method: 'GET', path: '/v1/ws-clients', scope: 'acl', summary: 'Connected WebSocket clients with their filters and delivery counters.', handler: () => s.wsClients() }),
    route({ method: 'GET', path: '/v1/ws-port', scope: 'acl', summary: 'The port of the WebSocket endpoint (the HTTP port): `{port}`.', handler: () => ({ port: s.port() }) }),
  ];
}
