// The device scanner: start, stop and its state; which transports it looks on; the addresses
// and credentials of devices it cannot scan for (WiFi Shield, Galea, Emotiv Cortex). What it
// finds is listed by `GET /v1/devices` (routes/devices.ts).
import { isIP } from 'node:net';
import * as z from 'zod';
import { cortexCredentials, maskSecret, setCortexCredentials, setWifiConfig } from '../../actors/scanner/networkDeviceConfig.ts';
import { scannerToggles } from '../../actors/scanner/scannerToggles.ts';
import { unavailable } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** An IPv4 or IPv6 address, or '' to clear it. */
const ipAddress = z.string().trim().max(64).refine((v) => v === '' || isIP(v) !== 0, 'must be an IPv4 or IPv6 address, or ""');

export function scannerRoutes(s: RouteServices): Route[] {
  const sent = (delivered: boolean) => {
    if (!delivered) throw unavailable('the scanner is not running (see GET /v1/debug/actors)');
    return s.scanner.state();
  };
  const cortex = () => {
    const c = cortexCredentials(s.settings.get());
    return { emotiv_client_id: c.emotiv_client_id, emotiv_client_secret: maskSecret(c.emotiv_client_secret), emotiv_client_secret_set: c.emotiv_client_secret !== '' };
  };
  return [
    route({
      method: 'POST', path: '/v1/control/scanner/start', scope: 'acl',
      summary: 'Start the device scanner (it also starts by itself 500 ms after boot); returns its state. 503 when the scanner actor has been given up.',
      handler: () => sent(s.scanner.start()),
    }),
    route({
      method: 'POST', path: '/v1/control/scanner/stop', scope: 'acl',
      summary: 'Stop the device scanner; it lists nothing until started again. Returns its state.',
      handler: () => sent(s.scanner.stop()),
    }),
    route({
      method: 'GET', path: '/v1/control/scanner/state', scope: 'acl',
      summary: 'Scanner state `{running, state, transports: {ble, usb_serial, lsl, cortex, wifi: {enabled, available, scanning, reason, devices}}, discovered}`; `state` is `stopped|starting|running|paused` (paused: BLE held while a Bluetooth session connects).',
      handler: () => s.scanner.state(),
    }),
    route({
      method: 'POST', path: '/v1/control/scanner/wifi-config', scope: 'acl',
      summary: 'Store the OpenBCI WiFi Shield and Galea addresses `{wifi_shield_ip?, galea_ip?}` (IP or `""`); returns them. Not scanned for by this daemon.',
      body: z.object({ wifi_shield_ip: ipAddress.optional(), galea_ip: ipAddress.optional() }),
      handler: ({ body }) => ({
        ok: true,
        ...setWifiConfig(s.settings, {
          ...(body.wifi_shield_ip !== undefined && { wifi_shield_ip: body.wifi_shield_ip }),
          ...(body.galea_ip !== undefined && { galea_ip: body.galea_ip }),
        }),
      }),
    }),
    route({
      method: 'POST', path: '/v1/control/scanner/cortex-config', scope: 'acl',
      summary: 'Store the Emotiv Cortex app credentials `{emotiv_client_id?, emotiv_client_secret?}`; returns the id and the secret masked (`••••` and its last 4 characters), never the secret itself.',
      body: z.object({
        emotiv_client_id: z.string().trim().max(256).optional(),
        emotiv_client_secret: z.string().trim().max(1024).optional(),
      }),
      handler: ({ body }) => {
        setCortexCredentials(s.settings, {
          ...(body.emotiv_client_id !== undefined && { emotiv_client_id: body.emotiv_client_id }),
          ...(body.emotiv_client_secret !== undefined && { emotiv_client_secret: body.emotiv_client_secret }),
        });
        return { ok: true, ...cortex() };
      },
    }),
    route({
      method: 'GET', path: '/v1/settings/scanner-config', scope: 'acl',
      summary: 'Scanner transports `{ble, usb_serial, cortex, lsl}` (all `true` by default; `lsl` is this daemon\'s).',
      handler: () => scannerToggles(s.settings.get()),
    }),
    route({
      method: 'POST', path: '/v1/settings/scanner-config', scope: 'acl',
      summary: 'Turn scanner transports on or off `{ble?, usb_serial?, cortex?, lsl?}`; a running scanner applies it at once.',
      body: z.object({ ble: z.boolean().optional(), usb_serial: z.boolean().optional(), cortex: z.boolean().optional(), lsl: z.boolean().optional() }),
      handler: ({ body }) => {
        const next = { ...scannerToggles(s.settings.get()) };
        for (const k of ['ble', 'usb_serial', 'cortex', 'lsl'] as const) if (body[k] !== undefined) next[k] = body[k];
        s.settings.update({ scanner: next });
        return { ok: true, ...next };
      },
    }),
  ];
}
