// Similarity search over EEG embeddings (notes §6).
import type { Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function searchRoutes(_s: RouteServices): Route[] {
  return [];
}
