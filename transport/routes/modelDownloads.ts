// Model weight downloads through the downloader actor (notes §5.4).
import type { Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function modelDownloadRoutes(_s: RouteServices): Route[] {
  return [];
}
