// EEG models: catalog, config, status and the inference device (notes §5.2–5.4, §12).
import * as z from 'zod';
import { AVAILABLE_INFERENCE_DEVICES, encoderStatus, INFERENCE_DEVICES } from '../../actors/embeddings/encoderStatus.ts';
import { EXG_FAMILIES } from '../../actors/embeddings/exgCatalog.ts';
import { exgModelPath, weightsLookLoadable } from '../../actors/embeddings/exgWeights.ts';
import { modelConfigPatchSchema, readModelConfig, readStoredModelConfig, updateModelConfig } from '../../actors/embeddings/modelConfig.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function modelRoutes(s: RouteServices): Route[] {
  const inferenceDevice = () => String(s.settings.get().exg_inference_device ?? 'auto');
  const deviceReply = () => ({ value: inferenceDevice(), effective: 'cpu', available: [...AVAILABLE_INFERENCE_DEVICES] });
  return [
    route({
      method: 'GET', path: '/v1/models/exg-catalog', scope: 'acl',
      summary:
        'The EEG encoder catalog `{active_model, active_family, families: {id → {name, description, repo, tags, weights_file, onnx_file, params_m, embed_dim, size_mb, sha256, input: {sample_rate_hz, samples, channels}, paper, doi, builtin?, weights_cached}}, models: [{family, filename, size_mb, description, recommended, weights_cached}]}`. `weights_cached`: the family\'s ONNX file is in `<data>/models/exg/` and starts like an ONNX model.',
      handler: () => {
        const active = readStoredModelConfig(s.config.dataDir).active_family;
        const cached = Object.fromEntries(Object.entries(EXG_FAMILIES).map(([id, f]) => [id, weightsLookLoadable(exgModelPath(s.config.dataDir, f))]));
        return {
          active_model: EXG_FAMILIES[active]?.name ?? active,
          active_family: active,
          families: Object.fromEntries(Object.entries(EXG_FAMILIES).map(([id, f]) => [id, { ...f, weights_cached: cached[id] }])),
          models: Object.entries(EXG_FAMILIES).map(([id, f]) => ({
            family: id,
            filename: f.onnx_file,
            size_mb: f.size_mb,
            description: f.description,
            recommended: f.builtin === true,
            weights_cached: cached[id],
          })),
        };
      },
    }),
    route({
      method: 'GET', path: '/v1/models/config', scope: 'acl',
      summary:
        'The EEG model config (`<data>/model_config.json`): `{active_family, model_backend, hf_repo, hnsw_m, hnsw_ef_construction, data_norm, luna_variant, luna_hf_repo}`; `model_backend` and `hf_repo` follow `active_family`.',
      handler: () => readModelConfig(s.config.dataDir),
    }),
    route({
      method: 'POST', path: '/v1/models/config', scope: 'acl',
      summary:
        'Change any config fields; `active_family` must be a catalog family (or give the reference\'s `model_backend`), `hnsw_m` 2–128, `hnsw_ef_construction` 8–4096, `data_norm` > 0, `luna_variant` base|large|huge. Saved atomically; a new family is loaded at once (`reloading: true`). `{ok, reloading, ...config}`.',
      body: modelConfigPatchSchema,
      handler: ({ body }) => {
        const { config, familyChanged } = updateModelConfig(s.config.dataDir, body);
        const reloading = familyChanged && s.encoder.reload();
        return { ok: true, reloading, ...config };
      },
    }),
    route({
      method: 'GET', path: '/v1/models/status', scope: 'acl',
      summary:
        'Encoder status (`EegModelStatus`): `{encoder_loaded, embed_worker_active, encoder_state (unloaded|loading|ready|metrics_only|failed), encoder_describe, weights_found, weights_path, downloading_weights, download_progress, download_status_msg, …, active_model_backend, active_family, last_embed_ms, avg_embed_ms (mean of the last 100), last_inference_ms, embeddings_today (rows with an embedding in today\'s UTC day database), embedded_since_start, queued_epochs, dropped_epochs, skipped_epochs, failed_epochs, daily_db_path, daily_hnsw_path, latest_metrics, model_sample_rate_hz, model_samples, embed_dim, inference_device, effective_inference_device, last_error}`.',
      handler: () => encoderStatus({ dataDir: s.config.dataDir, encoder: s.encoder, download: s.exgWeights.status(), inferenceDevice: inferenceDevice(), now: Date.now() }),
    }),
    route({
      method: 'GET', path: '/v1/settings/exg-inference-device', scope: 'acl',
      summary: 'Where the EEG encoder should run `{value: auto|cpu|gpu|mlx, effective, available}`; this build runs onnxruntime on the CPU only, so `effective` is always `cpu`.',
      handler: deviceReply,
    }),
    route({
      method: 'POST', path: '/v1/settings/exg-inference-device', scope: 'acl',
      summary: 'Set `{value: auto|cpu|gpu|mlx}`; stored, and the encoder reloads. `{ok, value, effective, available}`.',
      body: z.object({ value: z.enum(INFERENCE_DEVICES) }),
      handler: ({ body }) => {
        const changed = body.value !== inferenceDevice();
        s.settings.update({ exg_inference_device: body.value });
        if (changed) s.encoder.reload();
        return { ok: true, ...deviceReply() };
      },
    }),
  ];
}
