// `LlmConfig` (notes §9.1): the LLM server's settings, kept under `llm` in settings.json, with
// the reference's fields and defaults plus three of ours (`n_threads`, `restart_on_crash`,
// `max_queued`). `model_path` and `mmproj` are not stored: they follow the catalog's active
// model and projector.
import os from 'node:os';
import * as z from 'zod';
import type { SettingsStore } from '../settings/settingsStore.ts';

export const LLM_SETTINGS_KEY = 'llm';
export const INFERENCE_DEVICE_KEY = 'llm_inference_device';
export const LLM_INFERENCE_DEVICES = ['gpu', 'cpu'] as const;
export type LlmInferenceDevice = (typeof LLM_INFERENCE_DEVICES)[number];

/** u32::MAX, the reference's "every layer". */
const ALL_LAYERS = 4294967295;

const nullableInt = (min: number, max: number) => z.number().int().min(min).max(max).nullable();

export const llmConfigSchema = z.object({
  /** Run the server; set by start/stop, and the server starts with the daemon while it is true. */
  enabled: z.boolean(),
  n_gpu_layers: z.number().int().min(0).max(ALL_LAYERS),
  /** Tokens of context; null: the model's training size, capped at 8192. */
  ctx_size: nullableInt(64, 1 << 20),
  /** Chats generated at once (sequences of the llama.cpp context). */
  parallel: z.number().int().min(1).max(16),
  api_key: z.string().nullable(),
  tools: z.record(z.string(), z.unknown()),
  mmproj_n_threads: z.number().int().min(1).max(256),
  no_mmproj_gpu: z.boolean(),
  autoload_mmproj: z.boolean(),
  verbose: z.boolean(),
  autostart: z.boolean(),
  n_batch: nullableInt(1, 1 << 16),
  n_ubatch: nullableInt(1, 1 << 16),
  flash_attention: z.boolean(),
  offload_kqv: z.boolean(),
  gpu_memory_threshold: z.number().min(0).max(1),
  gpu_memory_gen_threshold: z.number().min(0).max(1),
  cache_type_k: z.string(),
  cache_type_v: z.string(),
  attn_rot_disabled: z.boolean(),
  /** CPU threads for llama.cpp; null: one per core. Never more than the machine's cores. */
  n_threads: nullableInt(1, 1024),
  /** Start the llama.cpp process again after it crashes (up to 5 times a minute). */
  restart_on_crash: z.boolean(),
  /** Chats that may wait for a free sequence; one more is refused with 429. */
  max_queued: z.number().int().min(0).max(1024),
});

export type LlmConfig = z.infer<typeof llmConfigSchema>;

export const DEFAULT_LLM_CONFIG: LlmConfig = {
  enabled: false,
  n_gpu_layers: ALL_LAYERS,
  ctx_size: null,
  parallel: 1,
  api_key: null,
  tools: { enabled: false },
  mmproj_n_threads: 4,
  no_mmproj_gpu: false,
  autoload_mmproj: true,
  verbose: false,
  autostart: false,
  n_batch: null,
  n_ubatch: null,
  flash_attention: true,
  offload_kqv: true,
  gpu_memory_threshold: 0.5,
  gpu_memory_gen_threshold: 0.3,
  cache_type_k: 'f16',
  cache_type_v: 'f16',
  attn_rot_disabled: false,
  n_threads: null,
  restart_on_crash: true,
  max_queued: 8,
};

/** A POST body: any subset of the fields (`model_path`/`mmproj` are read-only and ignored). */
export const llmConfigPatchSchema = llmConfigSchema.partial().extend({ model_path: z.unknown().optional(), mmproj: z.unknown().optional() }).strict();

export class LlmSettings {
  constructor(private readonly settings: SettingsStore) {}

  /** The stored config over the defaults; fields that no longer validate fall back to theirs. */
  get(): LlmConfig {
    const stored = this.settings.get()[LLM_SETTINGS_KEY];
    const out: LlmConfig = { ...DEFAULT_LLM_CONFIG };
    if (stored && typeof stored === 'object') {
      for (const [k, v] of Object.entries(stored)) {
        const field = llmConfigSchema.shape[k as keyof LlmConfig];
        if (field?.safeParse(v).success) (out as Record<string, unknown>)[k] = v;
      }
    }
    return out;
  }

  update(patch: Partial<LlmConfig>): LlmConfig {
    const { model_path: _p, mmproj: _m, ...fields } = patch as Partial<LlmConfig> & { model_path?: unknown; mmproj?: unknown };
    const next = { ...this.get(), ...fields };
    this.settings.update({ [LLM_SETTINGS_KEY]: next });
    return next;
  }

  inferenceDevice(): LlmInferenceDevice {
    const v = this.settings.get()[INFERENCE_DEVICE_KEY];
    return v === 'cpu' ? 'cpu' : 'gpu';
  }

  setInferenceDevice(value: LlmInferenceDevice): void {
    this.settings.update({ [INFERENCE_DEVICE_KEY]: value });
  }
}

/** Threads llama.cpp may use: the configured count, never more than the cores this process may run on. */
export function effectiveThreads(config: Pick<LlmConfig, 'n_threads'>, cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(config.n_threads ?? cores, cores));
}
