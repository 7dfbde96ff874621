// The legacy WebSocket server address (`GET/POST /v1/settings/ws-config`, notes §1.3 and §12):
// `{host, port}`, stored as the reference's top-level `ws_host`/`ws_port`. The reference's old
// command server listened there; its daemon, like this one, serves WebSocket on the HTTP port
// (`GET /v1/ws-port`) and never binds this address. It is kept, validated as the reference does
// (host 127.0.0.1 or 0.0.0.0, port 1024–65535), for clients that still read and write it.
import * as z from 'zod';
import type { SettingsSection } from './settingsSection.ts';

export interface WsConfig extends Record<string, unknown> {
  host: '127.0.0.1' | '0.0.0.0';
  port: number;
}

export const wsConfigSection: SettingsSection<WsConfig> = {
  name: 'ws-config',
  fields: {
    host: z.enum(['127.0.0.1', '0.0.0.0']),
    port: z.number().int().min(1024).max(65_535),
  },
  defaults: { host: '127.0.0.1', port: 8375 },
  load: (settings) => ({
    ...(settings.ws_host !== undefined && { host: settings.ws_host }),
    ...(settings.ws_port !== undefined && { port: settings.ws_port }),
  }),
  store: (value) => ({ ws_host: value.host, ws_port: value.port }),
};
