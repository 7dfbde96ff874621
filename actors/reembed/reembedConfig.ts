// `ReembedConfig` (notes §5.5; `GET/POST /v1/settings/reembed-config`): the reference's fields
// and defaults, kept under the `reembed` key of settings.json as the reference does. Read
// tolerantly: a field missing or of the wrong type in the file takes its default.
//
// What each field does here:
// - `idle_reembed_enabled`, `idle_reembed_delay_secs`: the idle loop (machines/reembed.ts);
// - `batch_size`: epochs per chunk is max(batch_size, 10) — one encoder message and one write
//   transaction per chunk, as the reference;
// - `idle_reembed_throttle_ms`: the pause between chunks of every run (the reference used it for
//   idle runs and a fixed 10 ms for manual ones, which is also its default);
// - `batch_delay_ms`: the labels' text re-embedding (kept for it);
// - `idle_reembed_gpu`, `gpu_precision`, `auto_*`: stored and returned; this build's onnxruntime
//   runs on the CPU, and the reference does not read the `auto_*` flags in its EEG loops either.
import * as z from 'zod';
import type { SettingsStore } from '../settings/settingsStore.ts';

export const REEMBED_SETTINGS_KEY = 'reembed';

const fields = {
  auto_labels: z.boolean(),
  auto_eeg: z.boolean(),
  auto_screenshots: z.boolean(),
  batch_size: z.number().int().min(1).max(1000),
  batch_delay_ms: z.number().int().min(0).max(60_000),
  idle_reembed_enabled: z.boolean(),
  /** Up to a week; 0 starts as soon as the device is idle. */
  idle_reembed_delay_secs: z.number().int().min(0).max(7 * 86_400),
  idle_reembed_gpu: z.boolean(),
  gpu_precision: z.enum(['f16', 'f32']),
  idle_reembed_throttle_ms: z.number().int().min(0).max(60_000),
};

export type ReembedConfig = { [K in keyof typeof fields]: z.output<(typeof fields)[K]> };

export const DEFAULT_REEMBED_CONFIG: ReembedConfig = {
  auto_labels: false,
  auto_eeg: false,
  auto_screenshots: false,
  batch_size: 10,
  batch_delay_ms: 50,
  idle_reembed_enabled: true,
  idle_reembed_delay_secs: 1800,
  idle_reembed_gpu: true,
  gpu_precision: 'f16',
  idle_reembed_throttle_ms: 10,
};

/** Body of POST: any subset of the fields; unknown fields are refused so a typo is not silently ignored. */
export const reembedConfigPatchSchema = z
  .object(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]> })
  .strict();
export type ReembedConfigPatch = z.infer<typeof reembedConfigPatchSchema>;

/** Epochs per chunk: one encoder message, one write transaction. */
export const chunkSize = (c: ReembedConfig) => Math.max(c.batch_size, 10);

export function readReembedConfig(settings: SettingsStore): ReembedConfig {
  const stored = settings.get()[REEMBED_SETTINGS_KEY];
  const out = { ...DEFAULT_REEMBED_CONFIG } as Record<string, unknown>;
  if (stored && typeof stored === 'object') {
    for (const [k, schema] of Object.entries(fields)) {
      const v = (stored as Record<string, unknown>)[k];
      if (schema.safeParse(v).success) out[k] = v;
    }
  }
  return out as ReembedConfig;
}

export function updateReembedConfig(settings: SettingsStore, patch: ReembedConfigPatch): ReembedConfig {
  const next = { ...readReembedConfig(settings), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  settings.update({ [REEMBED_SETTINGS_KEY]: next });
  return next;
}
