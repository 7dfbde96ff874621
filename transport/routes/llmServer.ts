// The LLM server's lifecycle routes (notes §9.1): status, start, stop, log, model and
// projector switches, and aborting the generations in progress.
import * as z from 'zod';
import { LlmRefused } from '../../actors/llm/llmRefused.ts';
import { HttpError } from '../errors.ts';
import { llmRefusalError } from '../llmRefusal.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

function refusedAs<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof LlmRefused ? llmRefusalError(err) : err;
  }
}

const filenameBody = z.object({ filename: z.string().min(1) });

/**
 * A catalog model that is on disk, or the HTTP error saying why it cannot be used: 404 not in the
 * catalog, 400 a projector where a model is wanted (or the reverse), 409 not downloaded.
 */
export function usableModel(s: RouteServices, filename: string, wantMmproj: boolean) {
  const model = s.llm.catalog.find(filename);
  if (!model) throw new HttpError(404, 'unknown_model', `no model "${filename}" in the LLM catalog (GET /v1/llm/catalog)`);
  if (s.llm.catalog.isMmproj(model) !== wantMmproj) {
    throw wantMmproj
      ? new HttpError(400, 'not_mmproj', `"${filename}" is a model, not a vision projector; use POST /v1/llm/server/switch-model`)
      : new HttpError(400, 'is_mmproj', `"${filename}" is a vision projector; use POST /v1/llm/server/switch-mmproj`);
  }
  if (!s.llm.catalog.localPathOf(model)) throw new HttpError(409, 'not_downloaded', `"${filename}" is not downloaded; POST /v1/llm/download/start first, or copy it into ${s.llm.catalog.modelsDir} and POST /v1/llm/catalog/refresh`);
  return model;
}

export function llmServerRoutes(s: RouteServices): Route[] {
  const usable = (filename: string, wantMmproj: boolean) => usableModel(s, filename, wantMmproj);

  return [
    route({
      method: 'GET', path: '/v1/llm/server/status', scope: 'acl',
      summary:
        'LLM server status: `{status (stopped|loading|running|stopping|failed), model_name, n_ctx, supports_vision, supports_tools, start_error, filename, model_path, mmproj, pid (of the llama.cpp process), threads, parallel, gpu, chat_wrapper, load_ms, error, restarts, restart_in_secs, restart_on_crash, queue: {running, waiting, max_queued}}`.',
      handler: () => s.llm.server.status(),
    }),
    route({
      method: 'POST', path: '/v1/llm/server/start', scope: 'acl',
      summary:
        'Start the LLM server on the active model and keep it enabled across daemon restarts: `{ok, result: starting|already_running}`; progress as `llm:status` events (loading, then running or failed). 409 `no_model` when no downloaded model is selected.',
      handler: () => refusedAs(() => s.llm.server.start()),
    }),
    route({
      method: 'POST', path: '/v1/llm/server/stop', scope: 'acl',
      summary: 'Stop the LLM server (its llama.cpp process exits) and keep it disabled: `{ok, result: stopping|already_stopped}`; `llm:status` stopping, then stopped.',
      handler: () => refusedAs(() => s.llm.server.stop()),
    }),
    route({
      method: 'GET', path: '/v1/llm/server/logs', scope: 'acl',
      summary: 'The LLM log, oldest first: `{entries: [{seq, ts_unix_ms, level, message}]}` — lifecycle lines and llama.cpp output, the last 500. `?since=<seq>` for newer entries only, `?limit=`.',
      query: z.object({ since: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
      handler: ({ query }) => ({ entries: s.llm.logs.entries(query.since, query.limit) }),
    }),
    route({
      method: 'POST', path: '/v1/llm/server/switch-model', scope: 'acl',
      summary:
        'Make `{filename}` (a downloaded catalog model) the active model; a projector of another model is cleared. A running (or failed) server loads it at once: `{ok, result: switching|selected, active_model}`. 404 unknown, 400 `is_mmproj`, 409 `not_downloaded`.',
      body: filenameBody,
      handler: ({ body }) => {
        const model = usable(body.filename, false);
        s.llm.catalog.setActiveModel(model.filename);
        return { ok: true, result: refusedAs(() => s.llm.server.reload()), active_model: model.filename };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/server/switch-mmproj', scope: 'acl',
      summary:
        'Make `{filename}` (a downloaded vision projector; `null` for none) the active projector and reload a running server: `{ok, result, active_mmproj}`. This build records it but cannot load projectors (no vision in its llama.cpp bindings), so `supports_vision` stays false.',
      body: z.object({ filename: z.string().min(1).nullable() }),
      handler: ({ body }) => {
        const model = body.filename === null ? null : usable(body.filename, true);
        s.llm.catalog.setActiveMmproj(model?.filename ?? null);
        return { ok: true, result: refusedAs(() => s.llm.server.reload()), active_mmproj: model?.filename ?? null };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/abort-stream', scope: 'acl',
      summary: 'Stop every chat generation in progress; each ends at once with what it has generated (`finish_reason: "stop"`). `{ok, aborted: n}`.',
      handler: () => ({ ok: true, aborted: s.llm.server.abortAll() }),
    }),
  ];
}
