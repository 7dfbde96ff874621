// `<data>/model_config.json`: which EEG encoder is active and the similarity-index parameters
// (the reference's `ExgModelConfig`, notes §5.2, plus `active_family`). Read tolerantly — a
// missing or unreadable file means the defaults, so the daemon always starts — and written
// atomically, so a crash never leaves half a file.
//
// `active_family` is the source of truth. `model_backend` and `hf_repo`, the reference's way of
// naming the encoder, are derived from it when read; a client that only sends `model_backend`
// selects that backend's family (LUNA by `luna_variant`). Weights always come from the family's
// own repository (exgWeightDownloads.ts), so a posted `hf_repo` is not stored.
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { writeJsonAtomic } from '../store/atomicFile.ts';
import { BUILTIN_FAMILY, EXG_FAMILIES } from './exgCatalog.ts';

/** Same file the weights downloader reads `active_family` from. */
export const MODEL_CONFIG_FILE = 'model_config.json';

/** The reference's backend names, and ours for the built-in encoder. */
export const MODEL_BACKENDS = [
  'skill_spectral', 'zuna', 'luna', 'reve', 'cbramod', 'eegpt', 'labram', 'signaljepa', 'osf', 'sleepfm', 'sleeplm',
  'sensorlm', 'opentslm', 'tribev2', 'neurorvq', 'steegformer',
] as const;
export type ModelBackend = (typeof MODEL_BACKENDS)[number];

const familyName = z.string().refine((f) => Object.hasOwn(EXG_FAMILIES, f), { message: 'not a family of GET /v1/models/exg-catalog' });

const storedFields = {
  active_family: familyName,
  hnsw_m: z.number().int().min(2).max(128),
  hnsw_ef_construction: z.number().int().min(8).max(4096),
  data_norm: z.number().positive().max(1e6),
  luna_variant: z.enum(['base', 'large', 'huge']),
  luna_hf_repo: z.string().min(1).max(200),
};

export type StoredModelConfig = { [K in keyof typeof storedFields]: z.output<(typeof storedFields)[K]> };

export const DEFAULT_MODEL_CONFIG: StoredModelConfig = {
  active_family: BUILTIN_FAMILY,
  hnsw_m: 16,
  hnsw_ef_construction: 200,
  data_norm: 10,
  luna_variant: 'base',
  luna_hf_repo: 'PulpBio/LUNA',
};

/** Body of POST /v1/models/config: any subset of the fields. */
export const modelConfigPatchSchema = z.object({
  ...Object.fromEntries(Object.entries(storedFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof storedFields]: z.ZodOptional<(typeof storedFields)[K]> },
  model_backend: z.enum(MODEL_BACKENDS).optional(),
  hf_repo: z.string().max(200).optional(),
});
export type ModelConfigPatch = z.infer<typeof modelConfigPatchSchema>;

/** The config as GET /v1/models/config returns it. */
export interface ModelConfig extends StoredModelConfig {
  model_backend: string;
  hf_repo: string;
}

export function backendOfFamily(family: string): string {
  if (family === BUILTIN_FAMILY) return 'skill_spectral';
  return family.replace(/-(base|large|huge|small)$/, '');
}

export function familyOfBackend(backend: ModelBackend, lunaVariant: StoredModelConfig['luna_variant']): string {
  switch (backend) {
    case 'skill_spectral': return BUILTIN_FAMILY;
    case 'luna': return `luna-${lunaVariant}`;
    case 'reve':
    case 'osf':
    case 'steegformer': return `${backend}-base`;
    default: return backend;
  }
}

export function modelConfigPath(dataDir: string): string {
  return path.join(dataDir, MODEL_CONFIG_FILE);
}

/** The stored config; every field that is missing or invalid takes its default. */
export function readStoredModelConfig(dataDir: string): StoredModelConfig {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(modelConfigPath(dataDir), 'utf8'));
    if (parsed && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  } catch {
    // Missing or corrupt: defaults.
  }
  const out: Record<string, unknown> = { ...DEFAULT_MODEL_CONFIG };
  for (const [key, schema] of Object.entries(storedFields)) {
    const r = schema.safeParse(raw[key]);
    if (r.success) out[key] = r.data;
  }
  return out as StoredModelConfig;
}

export function describeModelConfig(c: StoredModelConfig): ModelConfig {
  return { ...c, model_backend: backendOfFamily(c.active_family), hf_repo: EXG_FAMILIES[c.active_family]?.repo ?? '' };
}

export function readModelConfig(dataDir: string): ModelConfig {
  return describeModelConfig(readStoredModelConfig(dataDir));
}

/**
 * Applies a validated patch and saves the result; returns it and whether the active family
 * changed. A backend without its own family in the catalog is refused by the caller's check
 * (`familyOfBackend` names a family that must exist).
 */
export function updateModelConfig(dataDir: string, patch: ModelConfigPatch): { config: ModelConfig; familyChanged: boolean } {
  const before = readStoredModelConfig(dataDir);
  const { model_backend, hf_repo: _ignored, ...fields } = patch;
  const next: StoredModelConfig = { ...before, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
  if (patch.active_family === undefined && model_backend !== undefined) next.active_family = familyOfBackend(model_backend, next.luna_variant);
  writeJsonAtomic(modelConfigPath(dataDir), next, { mode: 0o600, dirMode: 0o700 });
  return { config: describeModelConfig(next), familyChanged: next.active_family !== before.active_family };
}
