// Lab Streaming Layer: discovery, paired streams, auto-connect, the LSL idle timeout, and the
// virtual headset published as an LSL outlet.
import * as z from 'zod';
import { virtualSourceOptionsSchema } from '../../actors/devices/virtual/virtualOptions.ts';
import { notFound } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export const DEFAULT_LSL_IDLE_TIMEOUT_SECS = 15;

export function lslRoutes(s: RouteServices): Route[] {
  const config = () => ({ auto_connect: s.lslAutoConnect.enabled, paired_streams: s.lslAutoConnect.pairedStreams() });
  const idleTimeout = () => {
    const v = s.settings.get().lsl_idle_timeout_secs;
    return { secs: typeof v === 'number' ? v : DEFAULT_LSL_IDLE_TIMEOUT_SECS };
  };
  return [
    route({
      method: 'GET', path: '/v1/lsl/discover', scope: 'acl',
      summary: 'LSL streams visible now (3 s look): `[{name, stream_type, channels, sample_rate, source_id, hostname}]`.',
      handler: () => s.discoverLsl(3_000),
    }),
    route({ method: 'GET', path: '/v1/lsl/config', scope: 'acl', summary: 'LSL settings `{auto_connect, paired_streams}`.', handler: config }),
    route({
      method: 'POST', path: '/v1/lsl/auto-connect', scope: 'acl',
      summary: 'Turn auto-connect `{enabled}` on or off; while on and idle, the first paired stream found is opened.',
      body: z.object({ enabled: z.boolean() }),
      handler: ({ body }) => {
        s.settings.update({ lsl_auto_connect: body.enabled });
        s.lslAutoConnect.sync();
        return { ok: true, ...config() };
      },
    }),
    route({
      method: 'POST', path: '/v1/lsl/pair', scope: 'acl',
      summary: 'Pair a stream `{sourceId, name, streamType?, channels?, sampleRate?}` (camelCase or snake_case).',
      body: z.object({
        sourceId: z.string().trim().max(256).default(''),
        name: z.string().trim().min(1).max(256),
        streamType: z.string().trim().max(64).default('EEG'),
        channels: z.number().int().min(0).max(4096).default(0),
        sampleRate: z.number().min(0).max(1_000_000).default(0),
      }),
      handler: ({ body }) => {
        const entry = { source_id: body.sourceId, name: body.name, stream_type: body.streamType, channels: body.channels, sample_rate: body.sampleRate };
        const others = s.lslAutoConnect.pairedStreams().filter((p) => (body.sourceId ? p.source_id !== body.sourceId : p.name !== body.name));
        s.settings.update({ lsl_paired_streams: [...others, entry] });
        return { ok: true, ...config() };
      },
    }),
    route({
      method: 'POST', path: '/v1/lsl/unpair', scope: 'acl', summary: 'Unpair the stream `{sourceId}`; 404 when it is not paired.',
      body: z.object({ sourceId: z.string().trim().min(1).max(256) }),
      handler: ({ body }) => {
        const list = s.lslAutoConnect.pairedStreams();
        const rest = list.filter((p) => p.source_id !== body.sourceId);
        if (rest.length === list.length) throw notFound(`no paired LSL stream with source id "${body.sourceId}"`);
        s.settings.update({ lsl_paired_streams: rest });
        return { ok: true, ...config() };
      },
    }),
    route({ method: 'GET', path: '/v1/lsl/idle-timeout', scope: 'acl', summary: 'Seconds an LSL stream may stay silent before its session ends `{secs}` (default 15).', handler: idleTimeout }),
    route({
      method: 'POST', path: '/v1/lsl/idle-timeout', scope: 'acl',
      summary: 'Set `{secs}` (1–3600; `null` restores the default 15 s); applies to the open session at once.',
      body: z.object({ secs: z.number().int().min(1).max(3600).nullable() }),
      handler: ({ body }) => {
        s.settings.update({ lsl_idle_timeout_secs: body.secs ?? DEFAULT_LSL_IDLE_TIMEOUT_SECS });
        return { ok: true, ...idleTimeout() };
      },
    }),
    route({
      method: 'POST', path: '/v1/lsl/virtual-source/start', scope: 'acl',
      summary: 'Publish the virtual headset as the LSL stream `SkillVirtualEEG` with `{channels=32, sample_rate=256, template, quality, amplitude_uv, noise_uv, line_noise, dropout_prob, seed, …}`; the `virtual` target uses the same options.',
      body: virtualSourceOptionsSchema,
      handler: async ({ body }) => ({ ok: true, ...(await s.startVirtualSource(body)) }),
    }),
    route({
      method: 'POST', path: '/v1/lsl/virtual-source/stop', scope: 'acl', summary: 'Stop publishing the virtual headset.',
      handler: async () => ({ ok: true, ...(await s.virtualOutlet.stop()) }),
    }),
    route({
      method: 'GET', path: '/v1/lsl/virtual-source/running', scope: 'acl',
      summary: 'Whether the virtual headset is published `{running, name, source_id, channels, sample_rate}`.',
      handler: () => s.virtualOutlet.state(),
    }),
  ];
}
