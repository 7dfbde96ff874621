// History routes: recorded sessions, their statistics and export (notes §4.5).
import type { Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function historyRoutes(_s: RouteServices): Route[] {
  return [];
}
