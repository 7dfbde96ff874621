// Labels: text moments on the EEG timeline, searchable by text and by EEG (notes §8.1).
import type { Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function labelRoutes(_s: RouteServices): Route[] {
  return [];
}
