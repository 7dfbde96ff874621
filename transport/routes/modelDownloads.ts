// Model weight downloads through the downloads manager (notes §5.4): the EEG encoder's ONNX
// weights, and the list of every download the manager holds (the LLM's too).
import * as z from 'zod';
import { EXG_FAMILIES } from '../../actors/embeddings/exgCatalog.ts';
import { route, type Route } from '../route.ts';
import { refusedAs } from './downloadRefusals.ts';
import type { RouteServices } from './services.ts';

const familyField = z
  .string()
  .refine((name) => name in EXG_FAMILIES, { message: 'not a family of GET /v1/models/exg-catalog' });

export function modelDownloadRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'POST', path: '/v1/models/trigger-weights-download', scope: 'acl',
      summary:
        'Download the ONNX weights of the active EEG encoder family (or of `{family}`) from `$HF_ENDPOINT/<repo>/resolve/main/<onnx_file>` into `<data>/models/exg/`, resuming a partial file; progress as `ExgDownloadProgress` events, then `ExgDownloadCompleted` or `ExgDownloadFailed`. `{ok, message, family, download}`; 409 `already_downloading` while it runs, 409 `builtin_model` for the built-in encoder (nothing to download).',
      body: z.object({ family: familyField.optional() }),
      handler: ({ body }) => refusedAs(() => s.exgWeights.trigger(body.family)),
    }),
    route({
      method: 'POST', path: '/v1/models/cancel-weights-download', scope: 'acl',
      summary: 'Cancel the EEG weights download (running or paused) and delete its partial file. `{ok, message, cancelled: [ids]}`; nothing to cancel is not an error.',
      handler: () => refusedAs(() => s.exgWeights.cancel()),
    }),
    route({
      method: 'POST', path: '/v1/models/pause-weights-download', scope: 'acl',
      summary: 'Pause the EEG weights download, keeping its partial file. 409 when none is running.',
      handler: () => refusedAs(() => s.exgWeights.pause()),
    }),
    route({
      method: 'POST', path: '/v1/models/resume-weights-download', scope: 'acl',
      summary: 'Resume a paused EEG weights download from its partial file. 409 when none is paused.',
      handler: () => refusedAs(() => s.exgWeights.resume()),
    }),
    route({
      method: 'GET', path: '/v1/models/downloads', scope: 'acl',
      summary:
        'Every download the manager holds, of every kind, in queue order: `{downloads: [{id, kind, url, dest, state (queued|downloading|waiting|paused|verifying|done|failed|cancelled), received_bytes, total_bytes, progress, attempt, retry_in_secs, error, status_msg, …}]}`.',
      handler: () => ({ downloads: s.downloads.list() }),
    }),
  ];
}
