// The dashboard: a static bundle served by the daemon itself. The built bundle (dist/dashboard,
// made by `npm run build`) is served when present, the source folder (dashboard/, plain ES
// modules that run as they are) otherwise, so a fresh clone serves it without a build.
// The files are public: they hold no data and no secret, and a browser loads scripts and styles
// without an Authorization header. Everything they show comes from the token-checked API.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_DIR } from '../../actors/runtimeLayout.ts';
import { route, type Route } from '../route.ts';
import { serveStatic, type StaticFolder } from '../staticFiles.ts';
import type { RouteServices } from './services.ts';

export const DASHBOARD_SOURCE_DIR = path.join(PROJECT_DIR, 'dashboard');
export const DASHBOARD_BUILD_DIR = path.join(PROJECT_DIR, 'dist', 'dashboard');

/**
 * The page arrives with `?token=` once; the script moves it to session storage and removes it from
 * the address bar. `no-referrer` keeps it out of any Referer header meanwhile, and the CSP lets
 * the page talk to this daemon only.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

let folder: StaticFolder | null = null;
function dashboardFolder(): StaticFolder {
  folder ??= {
    dir: existsSync(path.join(DASHBOARD_BUILD_DIR, 'index.html')) ? DASHBOARD_BUILD_DIR : DASHBOARD_SOURCE_DIR,
    headers: (name) => (name.endsWith('.html') ? PAGE_HEADERS : { 'referrer-policy': 'no-referrer' }),
  };
  return folder;
}

export function dashboardRoutes(_s: RouteServices): Route[] {
  const page = () => serveStatic(dashboardFolder(), 'index.html');
  return [
    route({
      method: 'GET', path: '/dashboard', scope: 'public',
      summary: 'The dashboard page (docs/dashboard.md). Open it once as `/dashboard?token=<token>`; a read_only token is enough to view, an admin token also starts and stops sessions.',
      handler: page,
    }),
    route({
      method: 'GET', path: '/dashboard/', scope: 'public',
      summary: 'The same page.',
      handler: page,
    }),
    route({
      method: 'GET', path: '/dashboard/{file}', scope: 'public',
      summary: 'A file of the dashboard bundle (scripts, styles). Names are one plain path segment; anything else, or a file that is not there, is 404. Built files with a content hash are cached for a year, others revalidated (`no-cache`).',
      handler: ({ params }) => serveStatic(dashboardFolder(), params.file ?? ''),
    }),
  ];
}
