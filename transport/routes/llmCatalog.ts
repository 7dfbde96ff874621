// The LLM catalog and model downloads (notes §9.2, §9.3): the catalog with each model's state,
// the models folder scan, adding a model by repo and file, and downloads through the shared
// downloads manager.
import * as z from 'zod';
import { HttpError } from '../errors.ts';
import { route, type Route } from '../route.ts';
import { refusedAs } from './downloadRefusals.ts';
import type { RouteServices } from './services.ts';

const filenameBody = z.object({ filename: z.string().min(1) });

/** A bare `.gguf` file name: it becomes a path in the models folder. */
const ggufName = z
  .string()
  .regex(/^[^/\\]+\.gguf$/i, 'must be a .gguf file name without a directory')
  .refine((n) => !n.startsWith('.'), 'must not start with a dot');

export function llmCatalogRoutes(s: RouteServices): Route[] {

  const catalogView = () => ({
    active_model: s.llm.catalog.activeModel,
    active_mmproj: s.llm.catalog.activeMmproj,
    models_dir: s.llm.catalog.modelsDir,
    families: s.llm.catalog.families(),
    models: s.llm.catalog.models().map((m) => {
      const st = s.llm.downloads.stateOf(m);
      return {
        ...m,
        repo: s.llm.catalog.repoOf(m),
        is_mmproj: s.llm.catalog.isMmproj(m),
        shard_files: s.llm.catalog.shardsOf(m),
        local_path: st.local_path,
        state: st.state,
        status_msg: st.status_msg,
        progress: st.progress,
        initiated_at_unix: st.initiated_at_unix,
        current_shard: st.current_shard,
        shard_count: st.shard_count,
      };
    }),
  });

  return [
    route({
      method: 'GET', path: '/v1/llm/catalog', scope: 'acl',
      summary:
        'The LLM catalog in the normalised format: `{active_model, active_mmproj, models_dir, families: {id: {name, description, repo, tags, is_mmproj?, params_b, max_context_length}}, models: [{family, filename, quant, size_gb, description, repo, recommended?, advanced?, shard_files, is_mmproj, local_path, state (not_downloaded|downloading|paused|downloaded|failed|cancelled), status_msg, progress, initiated_at_unix, current_shard, shard_count}]}`.',
      handler: catalogView,
    }),
    route({
      method: 'POST', path: '/v1/llm/catalog/refresh', scope: 'acl',
      summary:
        'Scan the models folder (`<data>/models/llm/`) for GGUF files copied in by hand: new ones join the catalog (family `local`, a split model once by its first shard) and can be chosen with `switch-model`; local entries whose files are gone leave it. `{ok, added: [filenames], removed: [filenames], catalog}`.',
      handler: () => ({ ok: true, ...s.llm.catalog.refresh(), catalog: catalogView() }),
    }),
    route({
      method: 'POST', path: '/v1/llm/catalog/add-model', scope: 'acl',
      summary:
        'Add a GGUF file of a Hugging Face repo to the catalog: `{repo: "owner/name", filename, sizeGb?, mmproj?, download?}`; idempotent per file name; a `name-00001-of-0000N.gguf` file brings its N shards. `download: true` starts the download too. `{ok, added, model, download}`.',
      body: z.object({
        repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be "owner/name"'),
        filename: ggufName,
        sizeGb: z.number().min(0).optional(),
        mmproj: z.boolean().optional(),
        download: z.boolean().optional(),
      }),
      handler: ({ body }) => {
        const { model, added } = s.llm.catalog.addModel(body);
        const download = body.download ? refusedAs(() => s.llm.downloads.start(model.filename)) : null;
        return { ok: true, added, model: { ...model, repo: s.llm.catalog.repoOf(model), ...s.llm.downloads.stateOf(model) }, download };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/download/start', scope: 'acl',
      summary:
        'Download a catalog model `{filename}` from `$HF_ENDPOINT/<repo>/resolve/main/<file>` into the models folder, every shard, resuming partial files (also after a daemon restart). `{ok, result: started|already_downloading|already_downloaded, filename, model}`; progress as `LlmDownloadProgress`, state changes as `LlmDownloadUpdated`, then `LlmDownloadCompleted`. 404 unknown model, 409 `no_repository` for a local file.',
      body: filenameBody,
      handler: ({ body }) => refusedAs(() => s.llm.downloads.start(body.filename)),
    }),
    route({
      method: 'POST', path: '/v1/llm/download/pause', scope: 'acl',
      summary: 'Pause a model download `{filename}`, keeping its partial files. 409 `not_downloading`.',
      body: filenameBody,
      handler: ({ body }) => refusedAs(() => s.llm.downloads.pause(body.filename)),
    }),
    route({
      method: 'POST', path: '/v1/llm/download/resume', scope: 'acl',
      summary: 'Resume a paused model download `{filename}` from its partial files (a failed or cancelled one starts again). 409 `not_paused`.',
      body: filenameBody,
      handler: ({ body }) => refusedAs(() => s.llm.downloads.resume(body.filename)),
    }),
    route({
      method: 'POST', path: '/v1/llm/download/cancel', scope: 'acl',
      summary: 'Cancel a model download `{filename}` (running or paused) and delete its partial files: `{ok, filename, cancelled, model}`; nothing to cancel is not an error.',
      body: filenameBody,
      handler: ({ body }) => refusedAs(() => s.llm.downloads.cancel(body.filename)),
    }),
    route({
      method: 'POST', path: '/v1/llm/download/delete', scope: 'acl',
      summary:
        'Delete a model\'s files `{filename}` (and any download of them): `{ok, filename, deleted: [files]}` and `LlmDownloadDeleted`. 409 `model_in_use` while the LLM server has it loaded.',
      body: filenameBody,
      handler: ({ body }) => {
        const model = s.llm.catalog.find(body.filename);
        const loaded = s.llm.server.status();
        if (model && loaded.filename === model.filename && loaded.status !== 'stopped' && loaded.status !== 'failed') {
          throw new HttpError(409, 'model_in_use', `"${model.filename}" is loaded by the LLM server; stop it or switch model first`);
        }
        return refusedAs(() => s.llm.downloads.delete(body.filename));
      },
    }),
    route({
      method: 'GET', path: '/v1/llm/downloads', scope: 'acl',
      summary:
        'Models with a download that is not idle (downloading, paused, failed or cancelled): `{downloads: [{repo, filename, quant, size_gb, description, is_mmproj, state, status_msg, progress, initiated_at_unix, local_path, shard_count, current_shard, received_bytes, total_bytes, error}]}`.',
      handler: () => ({ downloads: s.llm.downloads.list() }),
    }),
  ];
}
