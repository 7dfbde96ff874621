// Finding GGUF models on the Hugging Face hub to add to the catalog (notes §9.2): a search of
// repositories and the files of one, through `HF_ENDPOINT` (actors/llm/hfHub.ts). The reference
// answers hub failures with 200 `{ok:false, error}`; here they are 502 `hub_error` with the
// hub's reason, and a repository the hub does not have is 404 `repo_not_found`.
import * as z from 'zod';
import { HubError } from '../../actors/llm/hfHub.ts';
import { HttpError, unavailable } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export const HUB_SEARCH_MAX_LIMIT = 50;

async function fromHub<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof HubError) {
      if (err.kind === 'not_found') throw new HttpError(404, 'repo_not_found', err.message);
      // Not the hub's failure but this daemon's configuration: the hub was never asked.
      if (err.kind === 'refused') throw unavailable(err.message);
      throw new HttpError(502, 'hub_error', err.message);
    }
    throw err;
  }
}

export function llmHubSearchRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/llm/catalog/search', scope: 'acl',
      summary:
        `Search the Hugging Face hub (\`$HF_ENDPOINT/api/models?filter=gguf\`, most downloaded first) for GGUF repositories: \`?q=\` (1–200 characters) and \`?limit=\` (1–${HUB_SEARCH_MAX_LIMIT}, default 12) → \`{ok, results: [{repo, author, downloads, likes, tags, pipeline_tag, last_modified}]}\`. ` +
        'The hub unreachable, slow (15 s) or answering an error is 502 `hub_error` with its reason; 503 `unavailable` when this daemon may not contact it (SKILL_NETWORK=loopback and a non-loopback HF_ENDPOINT, or an HF_ENDPOINT that is not a URL).',
      query: z.object({
        q: z.string().trim().min(1, 'must not be empty').max(200),
        limit: z.coerce.number().int().min(1).max(HUB_SEARCH_MAX_LIMIT).default(12),
      }),
      handler: ({ query, signal }) => fromHub(async () => ({ ok: true, results: await s.llm.hub.search(query.q, query.limit, signal) })),
    }),
    route({
      method: 'GET', path: '/v1/llm/catalog/search/files', scope: 'acl',
      summary:
        'The GGUF files of a hub repository `?repo=owner/name` (its `tree/main` listing, top folder only, imatrix files left out; a split model once, by its first shard) and its README (first 32 KiB, null when it has none): ' +
        '`{ok, repo, files: [{filename, size_bytes, size_gb (GiB), quant, is_mmproj, shard_files?}], readme}`. A `filename` is what `POST /v1/llm/catalog/add-model` takes. 404 `repo_not_found`, 502 `hub_error`, 503 `unavailable` as for the search.',
      query: z.object({
        repo: z
          .string()
          .regex(/^[\w.-]+\/[\w.-]+$/, 'must be "owner/name"')
          // `..` would climb out of the hub's API path once put in a URL.
          .refine((r) => !r.split('/').some((part) => /^\.+$/.test(part)), 'must be "owner/name"'),
      }),
      handler: ({ query, signal }) => fromHub(async () => ({ ok: true, ...(await s.llm.hub.repoFiles(query.repo, signal)) })),
    }),
  ];
}
