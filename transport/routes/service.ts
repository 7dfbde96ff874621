// The OS service that keeps the daemon running (root-level `/service/*`, as the reference):
// a systemd user unit on Linux, a LaunchAgent on macOS. Admin only: it changes what runs at login.
import * as z from 'zod';
import { ServiceUnsupported } from '../../actors/service/serviceInstaller.ts';
import { HttpError } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** These routes take no parameters; anything else in the body is a mistake, refused before acting. */
const noFields = z.object({}).strict();

export function serviceRoutes(s: RouteServices): Route[] {
  const refuseUnsupported = (err: unknown): never => {
    if (err instanceof ServiceUnsupported) throw new HttpError(501, 'not_supported', err.message);
    throw err;
  };
  return [
    route({
      method: 'POST', path: '/service/install', scope: 'admin',
      summary: 'Write the systemd user unit (Restart=always) or LaunchAgent that starts this daemon at login, and enable it unless SKILL_SERVICE_MANAGER=none.',
      body: noFields,
      handler: async () => ({ ...(await s.service.install().catch(refuseUnsupported)), installed: true, ok: true }),
    }),
    route({
      method: 'POST', path: '/service/uninstall', scope: 'admin', summary: 'Disable and remove the unit or LaunchAgent; `removed:false` when none was installed.',
      body: noFields,
      handler: async () => ({ ...(await s.service.uninstall().catch(refuseUnsupported)), installed: false, ok: true }),
    }),
    route({
      method: 'GET', path: '/service/status', scope: 'admin',
      summary: 'Whether the unit is installed (and matches what install would write), where it is, and whether systemctl/launchctl is on PATH.',
      handler: () => ({ ...s.service.status(), ok: true }),
    }),
  ];
}
