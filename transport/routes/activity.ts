// The latest live band powers and scores, for clients that poll instead of subscribing.
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function activityRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/activity/latest-bands', scope: 'acl',
      summary: 'The last `EegBands` payload of the open session, or `null` when no device is streaming (never stale values).',
      handler: () => s.latestBands(),
    }),
  ];
}
