// EEG models: catalog, config, status (notes §5.2–5.4).
import type { Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function modelRoutes(_s: RouteServices): Route[] {
  return [];
}
