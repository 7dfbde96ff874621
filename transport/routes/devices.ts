// Known devices: the paired list (persisted), the preferred device, and what scanners see.
import * as z from 'zod';
import { deviceList } from '../../actors/scanner/deviceList.ts';
import { notFound } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

const deviceId = z.string().trim().min(1).max(256);

export function deviceRoutes(s: RouteServices): Route[] {
  const list = () => deviceList(s.scanner.discovered(), s.paired.all(), s.paired.preferredId);
  return [
    route({ method: 'GET', path: '/v1/devices', scope: 'acl', summary: 'Devices the scanner sees now merged with the paired ones `[{id, name, last_seen, last_rssi, is_paired, is_preferred, transport}]`; `transport` is `ble|usb_serial|lsl`, or `unknown` for a paired device not in sight whose id names none.', handler: list }),
    route({
      method: 'POST', path: '/v1/devices/pair', scope: 'acl', summary: 'Pair `{id, name?}`; returns the device list.',
      body: z.object({ id: deviceId, name: z.string().trim().max(256).optional() }),
      handler: ({ body }) => {
        s.paired.pair(body.id, body.name ?? '');
        return list();
      },
    }),
    route({
      method: 'POST', path: '/v1/devices/forget', scope: 'acl', summary: 'Forget a paired device `{id}`; returns the device list. 404 when not paired.',
      body: z.object({ id: deviceId }),
      handler: ({ body }) => {
        if (!s.paired.forget(body.id)) throw notFound(`device "${body.id}" is not paired`);
        return list();
      },
    }),
    route({
      method: 'POST', path: '/v1/devices/set-preferred', scope: 'acl', summary: 'Set the preferred device `{id}` (`""` clears); returns the device list. 404 when not paired.',
      body: z.object({ id: z.string().trim().max(256) }),
      handler: ({ body }) => {
        if (body.id && !s.paired.has(body.id)) throw notFound(`device "${body.id}" is not paired`);
        s.paired.setPreferred(body.id);
        return list();
      },
    }),
  ];
}
