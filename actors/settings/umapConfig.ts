// UMAP parameters (`GET/POST /v1/settings/umap-config`, notes §7.8), stored under `umap_config`
// in settings.json (the reference kept them in a separate umap_config.json). Numbers outside
// their range are clamped, as the reference does, rather than refused; a value of the wrong type
// or a fraction where a count is expected is a 422. `POST /v1/analysis/umap` reads them at each
// request, so a change applies to the next projection; results are cached per parameter set.
import * as z from 'zod';
import { objectSection } from './settingsSection.ts';

export interface UmapConfig extends Record<string, unknown> {
  repulsion_strength: number;
  neg_sample_rate: number;
  timeout_secs: number;
  n_epochs: number;
  n_neighbors: number;
  cooldown_ms: number;
  backend: 'auto' | 'mlx' | 'gpu' | 'cpu';
  precision: 'f32' | 'f16';
}

const clamped = (lo: number, hi: number, int: boolean) =>
  (int ? z.number().int() : z.number().finite())
    .transform((v) => Math.min(hi, Math.max(lo, v)))
    .describe(`clamped to ${lo}–${hi}`);

export const umapConfigSection = objectSection<UmapConfig>({
  name: 'umap-config',
  key: 'umap_config',
  fields: {
    repulsion_strength: clamped(0.1, 10, false),
    neg_sample_rate: clamped(1, 30, true),
    timeout_secs: clamped(10, 600, true),
    n_epochs: clamped(50, 2000, true),
    n_neighbors: clamped(2, 50, true),
    /** Pause between optimisation epochs, to leave the CPU to other work. */
    cooldown_ms: clamped(0, 10_000, true),
    backend: z.enum(['auto', 'mlx', 'gpu', 'cpu']),
    precision: z.enum(['f32', 'f16']),
  },
  defaults: {
    repulsion_strength: 3,
    neg_sample_rate: 15,
    timeout_secs: 120,
    n_epochs: 500,
    n_neighbors: 15,
    cooldown_ms: 0,
    backend: 'auto',
    precision: 'f32',
  },
});
