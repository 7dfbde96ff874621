// Analysis routes over the per-day databases and session CSVs (notes §7).
import type { Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function analysisRoutes(_s: RouteServices): Route[] {
  return [];
}
