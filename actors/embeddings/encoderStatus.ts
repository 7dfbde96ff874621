// `GET /v1/models/status` (the reference's `EegModelStatus`, notes §5.4): the encoder's state and
// model, where its weights are, its timings, today's embedded epochs, and the weights download.
// Fields the reference has but this daemon does not fill yet keep its defaults (`daily_hnsw_path`
// is null until the similarity index exists).
import fs from 'node:fs';
import path from 'node:path';
import type { ExgDownloadStatus } from '../downloads/exgWeightDownloads.ts';
import { utcDayName } from '../store/dayDirs.ts';
import { dayDbPath, openDayDbReadOnly } from '../store/daySchema.ts';
import type { EegEncoder } from './eegEncoder.ts';
import { EXG_FAMILIES } from './exgCatalog.ts';
import { exgModelPath, weightsLookLoadable } from './exgWeights.ts';
import { backendOfFamily, readStoredModelConfig } from './modelConfig.ts';

/** `exg_inference_device` values; only `cpu` runs here (onnxruntime-node's bundled CPU provider). */
export const INFERENCE_DEVICES = ['auto', 'cpu', 'gpu', 'mlx'] as const;
export const AVAILABLE_INFERENCE_DEVICES = ['cpu'] as const;

export interface EncoderStatusDeps {
  dataDir: string;
  encoder: EegEncoder;
  download: ExgDownloadStatus;
  inferenceDevice: string;
  now: number;
}

/** Rows of today's (UTC) day database that carry an embedding. */
export function embeddingsToday(dataDir: string, now: number): number {
  const db = openDayDbReadOnly(path.join(dataDir, utcDayName(now)));
  if (!db) return 0;
  try {
    return (db.prepare('SELECT COUNT(*) FROM embeddings WHERE length(eeg_embedding) >= 4').pluck().get() as number) ?? 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

export function encoderStatus(d: EncoderStatusDeps) {
  const { encoder } = d;
  const familyId = readStoredModelConfig(d.dataDir).active_family;
  const family = EXG_FAMILIES[familyId]!;
  const weightsPath = exgModelPath(d.dataDir, family);
  const model = encoder.model;
  const counts = encoder.counts();
  const dayDb = dayDbPath(path.join(d.dataDir, utcDayName(d.now)));
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    encoder_loaded: encoder.state === 'ready',
    embed_worker_active: encoder.state !== 'unloaded',
    encoder_state: encoder.state,
    encoder_describe: model
      ? `${family.name}: ${path.basename(model.path)}, ${model.dataInput} [${model.dataShape.join(', ')}] at ${model.sampleRateHz} Hz → ${family.embed_dim}-d (${model.backend})`
      : null,
    weights_found: weightsLookLoadable(weightsPath),
    weights_path: weightsPath,
    ...d.download,
    active_model_backend: backendOfFamily(familyId),
    active_family: familyId,
    last_embed_ms: round(encoder.timings.lastMs),
    avg_embed_ms: round(encoder.timings.avgMs),
    last_inference_ms: round(encoder.timings.lastInThreadMs),
    embeddings_today: embeddingsToday(d.dataDir, d.now),
    embedded_since_start: counts.embedded,
    queued_epochs: counts.queued,
    dropped_epochs: counts.dropped,
    skipped_epochs: counts.skipped,
    failed_epochs: counts.failed,
    daily_db_path: fs.existsSync(dayDb) ? dayDb : null,
    daily_hnsw_path: null,
    latest_metrics: encoder.latestMetrics,
    model_sample_rate_hz: model?.sampleRateHz ?? family.input.sample_rate_hz,
    model_samples: model?.samples ?? family.input.samples,
    embed_dim: family.embed_dim,
    inference_device: d.inferenceDevice,
    effective_inference_device: 'cpu',
    last_error: encoder.lastError,
  };
}
