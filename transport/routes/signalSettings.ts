// Signal settings: the EEG filter (applied live to an open session) and the embedding epoch
// overlap (stored here, used by the epoching of the embeddings subsystem).
import * as z from 'zod';
import { filterConfigFrom, type FilterConfig } from '../../actors/signal/filterConfig.ts';
import { HttpError } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

const hz = z.number().positive().max(10_000);
const notch = z.enum(['Hz60', 'Hz50']).nullable();

export const MAX_EMBEDDING_OVERLAP_SECS = 4.5;

export function signalSettingsRoutes(s: RouteServices): Route[] {
  const current = (): FilterConfig => filterConfigFrom((s.settings.get().filter_config as Partial<FilterConfig> | undefined) ?? {});
  const save = (patch: Partial<FilterConfig>) => {
    const next = { ...current(), ...patch };
    if (next.high_pass_hz !== null && next.low_pass_hz !== null && next.high_pass_hz >= next.low_pass_hz) {
      const message = `high_pass_hz (${next.high_pass_hz}) must be below low_pass_hz (${next.low_pass_hz})`;
      throw new HttpError(422, 'invalid_body', message, { issues: [{ path: 'high_pass_hz', message }] });
    }
    s.settings.update({ filter_config: next });
    return { ok: true, ...next };
  };
  return [
    route({ method: 'GET', path: '/v1/settings/filter-config', scope: 'acl', summary: 'EEG filter `{sample_rate, low_pass_hz, high_pass_hz, notch, notch_bandwidth_hz}`.', handler: current }),
    route({
      method: 'POST', path: '/v1/settings/filter-config', scope: 'acl',
      summary: 'Set any of the filter fields (`null` turns a stage off); applied at once to an open session.',
      body: z.object({
        sample_rate: hz.optional(),
        low_pass_hz: hz.nullable().optional(),
        high_pass_hz: hz.nullable().optional(),
        notch: notch.optional(),
        notch_bandwidth_hz: z.number().min(0.1).max(10).optional(),
      }),
      handler: ({ body }) => save(body as Partial<FilterConfig>),
    }),
    route({
      method: 'POST', path: '/v1/settings/notch-preset', scope: 'acl',
      summary: 'Set only the mains notch `{value: "Hz60" | "Hz50" | null}`.',
      body: z.object({ value: notch }),
      handler: ({ body }) => save({ notch: body.value }),
    }),
    route({
      method: 'GET', path: '/v1/settings/embedding-overlap', scope: 'acl',
      summary: 'Overlap of consecutive 5 s embedding epochs `{value}` in seconds (0–4.5).',
      handler: () => ({ value: Number(s.settings.get().embedding_overlap_secs ?? 0) }),
    }),
    route({
      method: 'POST', path: '/v1/settings/embedding-overlap', scope: 'acl',
      summary: 'Set the epoch overlap `{value}` in seconds; clamped to 0–4.5 as the reference does.',
      body: z.object({ value: z.number().finite() }),
      handler: ({ body }) => {
        const value = Math.min(MAX_EMBEDDING_OVERLAP_SECS, Math.max(0, body.value));
        s.settings.update({ embedding_overlap_secs: value });
        return { ok: true, value };
      },
    }),
  ];
}
