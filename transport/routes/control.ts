// Session control: start, switch and cancel a session; drive the reconnect countdown.
// Every control route answers with the status object, as the reference does.
import * as z from 'zod';
import { ControlError } from '../../actors/devices/deviceControl.ts';
import { conflict, HttpError, unavailable } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

const targetField = z.string().trim().min(1).max(256);

/** Control errors as HTTP: impossible targets 422 with the field named, bad timing 409. */
function controlled<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ControlError)) throw err;
    if (err.kind === 'invalid') throw new HttpError(422, 'invalid_body', err.message, { issues: [{ path: 'target', message: err.message }] });
    if (err.kind === 'unavailable') throw unavailable(err.message);
    throw conflict(err.message);
  }
}

export function controlRoutes(s: RouteServices): Route[] {
  const c = s.deviceControl;
  const simple = (path: string, summary: string, fn: () => unknown) =>
    route({ method: 'POST', path, scope: 'acl', summary, handler: () => controlled(fn) });
  return [
    route({
      method: 'POST', path: '/v1/control/start-session', scope: 'acl',
      summary: 'Open a session with `{target?}` (`virtual`, `lsl`, `lsl:<name>`, `muse`, `ble:<id>`); without one, the last, preferred or first paired device. 409 while another device is in session.',
      body: z.object({ target: targetField.optional() }),
      handler: ({ body }) => controlled(() => c.start(body.target)),
    }),
    route({
      method: 'POST', path: '/v1/control/switch-session', scope: 'acl',
      summary: 'Close the current session (if any) and open `{target}`.',
      body: z.object({ target: targetField }),
      handler: ({ body }) => controlled(() => c.switch(body.target)),
    }),
    simple('/v1/control/cancel-session', 'Close the session and forget its target; no reconnect.', () => c.cancel()),
    simple('/v1/control/retry-connect', 'Try the target again now (skips the countdown), or open the default target.', () => c.retry()),
    simple('/v1/control/cancel-retry', 'Stop reconnecting: closes the session and disables reconnect.', () => c.cancelRetry()),
    simple('/v1/control/enable-reconnect', 'Reconnect automatically when the device is lost (starts the countdown if a target is known).', () => c.enableReconnect()),
    simple('/v1/control/disable-reconnect', 'Do not reconnect automatically.', () => c.disableReconnect()),
    route({
      method: 'GET', path: '/v1/reconnect-state', scope: 'acl',
      summary: 'Reconnect countdown `{pending, attempt, countdown}`.',
      handler: () => s.device.reconnectState(),
    }),
  ];
}
