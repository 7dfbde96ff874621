// The LLM server's settings routes (notes §12): `LlmConfig` and the inference device. Both are
// stored at once; what shapes the loaded model (threads, context, parallel, device, layers)
// applies at the next start or model switch, the crash policy and queue bound at once.
import * as z from 'zod';
import { effectiveThreads, LLM_INFERENCE_DEVICES, llmConfigPatchSchema } from '../../actors/llm/llmConfig.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function llmSettingsRoutes(s: RouteServices): Route[] {

  const configView = () => {
    const active = s.llm.catalog.activeModel ? s.llm.catalog.find(s.llm.catalog.activeModel) : undefined;
    const mmproj = s.llm.catalog.activeMmproj ? s.llm.catalog.find(s.llm.catalog.activeMmproj) : undefined;
    const c = s.llm.config.get();
    return {
      ...c,
      model_path: active ? s.llm.catalog.localPathOf(active) : null,
      mmproj: mmproj ? s.llm.catalog.localPathOf(mmproj) : null,
      effective_threads: effectiveThreads(c),
    };
  };
  const deviceView = () => ({ value: s.llm.config.inferenceDevice(), available: [...LLM_INFERENCE_DEVICES], gpu_in_use: s.llm.server.status().gpu });

  return [
    route({
      method: 'GET', path: '/v1/settings/llm-config', scope: 'acl',
      summary:
        '`LlmConfig`: the reference\'s fields (`enabled, model_path, n_gpu_layers, ctx_size, parallel, api_key, tools, mmproj, mmproj_n_threads, no_mmproj_gpu, autoload_mmproj, verbose, autostart, n_batch, n_ubatch, flash_attention, offload_kqv, gpu_memory_threshold, gpu_memory_gen_threshold, cache_type_k, cache_type_v, attn_rot_disabled`) and ours: `n_threads` (null: one per core), `effective_threads` (never more than the cores), `restart_on_crash`, `max_queued`.',
      handler: configView,
    }),
    route({
      method: 'POST', path: '/v1/settings/llm-config', scope: 'acl',
      summary:
        'Set any subset of `LlmConfig` (`model_path` and `mmproj` follow the catalog and are ignored). `restart_on_crash` and `max_queued` apply at once, the rest at the next start or switch. `{ok, …config}`.',
      body: llmConfigPatchSchema,
      handler: ({ body }) => {
        const { model_path: _p, mmproj: _m, ...patch } = body;
        const before = s.llm.config.get().restart_on_crash;
        s.llm.config.update(patch);
        if (s.llm.config.get().restart_on_crash !== before) s.llm.server.configure();
        return { ok: true, ...configView() };
      },
    }),
    route({
      method: 'GET', path: '/v1/settings/inference-device', scope: 'acl',
      summary: 'Where the LLM runs: `{value: gpu|cpu, available, gpu_in_use}`; `gpu` uses a GPU when llama.cpp finds one (this build ships the CPU backend only, so `gpu_in_use` is false).',
      handler: deviceView,
    }),
    route({
      method: 'POST', path: '/v1/settings/inference-device', scope: 'acl',
      summary: 'Set `{value: gpu|cpu}` for the LLM; applies at the next start or model switch. `{ok, value, available, gpu_in_use}`.',
      body: z.object({ value: z.enum(LLM_INFERENCE_DEVICES) }),
      handler: ({ body }) => {
        s.llm.config.setInferenceDevice(body.value);
        return { ok: true, ...deviceView() };
      },
    }),
  ];
}
