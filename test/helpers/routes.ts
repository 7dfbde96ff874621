// The daemon's route table as data, for tests that sweep every route.
import type { Route } from '../../transport/route.ts';
import { buildRouteTable } from '../../transport/routeTable.ts';
import type { RouteServices } from '../../transport/routes/services.ts';

export const ROUTES: Route[] = buildRouteTable({} as RouteServices);

/** A concrete path for a route pattern (`{id}` → `x`). */
export function concretePath(route: Route): string {
  return route.path.replace(/\{[^}]+\}/g, 'x');
}
