// Settings routes owned by the daemon core. Each write is persisted by the settings store and
// applied live by the actor that owns the setting.
import * as z from 'zod';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function settingsRoutes(s: RouteServices): Route[] {
  const watchdog = () => {
    const v = s.settings.get();
    return { enabled: v.daemon_auto_restart, timeout_secs: v.daemon_restart_timeout_secs };
  };
  return [
    route({ method: 'GET', path: '/v1/settings/daemon-watchdog', scope: 'acl', summary: 'Watchdog settings `{enabled, timeout_secs}`.', handler: watchdog }),
    route({
      method: 'POST', path: '/v1/settings/daemon-watchdog', scope: 'acl',
      summary: 'Set `{enabled?, timeout_secs?}` (1–3600 s); the watchdog applies it at once.',
      body: z.object({ enabled: z.boolean().optional(), timeout_secs: z.number().int().min(1).max(3600).optional() }),
      handler: ({ body }) => {
        s.settings.update({
          ...(body.enabled !== undefined && { daemon_auto_restart: body.enabled }),
          ...(body.timeout_secs !== undefined && { daemon_restart_timeout_secs: body.timeout_secs }),
        });
        return { ok: true, ...watchdog() };
      },
    }),
  ];
}
