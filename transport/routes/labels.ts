// Labels: text moments on the EEG timeline, searchable by text and by EEG (notes §8.1).
import * as z from 'zod';
import { LabelNotFound, LabelsBusy, TextModelUnavailable } from '../../actors/labels/labels.ts';
import { HttpError, notFound, unavailable } from '../errors.ts';
import { Reply, route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** Up to the year 3000: anything later is a unit mistake (ms sent as s), not a date. */
const unixSeconds = z.number().finite().min(0).max(32_503_680_000);
const MAX_TEXT = 65_536;
const labelText = z.string().max(MAX_TEXT).refine((t) => t.trim() !== '', 'must not be empty');
const contextText = z.string().max(MAX_TEXT);
const k = z.number().int().min(1).max(1000).default(10);
const ef = z.number().int().min(1).max(10_000).default(64);
export const LIST_LIMIT = 1000;

const windowOrdered = <T extends { eegStart?: number; eegEnd?: number }>(b: T) =>
  b.eegStart === undefined || b.eegEnd === undefined || b.eegEnd >= b.eegStart;
const windowIssue = { message: 'eegEnd must not be before eegStart', path: ['eegEnd'] };

const labelFields = {
  text: labelText,
  context: contextText.optional(),
  eegStart: unixSeconds.optional(),
  eegEnd: unixSeconds.optional(),
};

/** The route's failures in the one error shape: 404 unknown label, 409 busy, 503 no text model. */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof LabelNotFound) throw notFound(err.message);
    if (err instanceof LabelsBusy) throw new HttpError(409, 'already_running', err.message);
    if (err instanceof TextModelUnavailable) throw unavailable(err.message);
    throw err;
  }
}

/** A label id from the path; anything but a positive integer names no label. */
function labelId(raw: string | undefined): number {
  const id = raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw notFound(`no label with id ${raw}`);
  return id;
}

const NEIGHBOR =
  '`LabelNeighbor` `{label_id, text, context, eeg_start, eeg_end, created_at, embedding_model?, distance (cosine, 0 = identical), eeg_metrics?}`; ' +
  '`eeg_metrics` are means over the epochs overlapping the label window (relaxation, engagement, faa, tar, mood, meditation, cognitive_load, drowsiness, hr, snr, rel_alpha, rel_beta, rel_theta, headache_index, migraine_index, consciousness_lzc, consciousness_wakefulness, consciousness_integration), absent when no epoch is stored there';

export function labelRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/labels', scope: 'acl',
      summary:
        `Labels, newest first: \`[{id, text, context, eeg_start, eeg_end, label_start, label_end, created_at, embedding_model?}]\` (times in unix seconds). At most ${LIST_LIMIT} per call: \`?limit=\` (1–${LIST_LIMIT}, default ${LIST_LIMIT}) and \`?offset=\`; header \`x-total-count\`.`,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(LIST_LIMIT).default(LIST_LIMIT),
        offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
      }),
      handler: ({ query }) => {
        const { items, total } = s.labels.list(query.limit, query.offset);
        return new Reply(200, items, { 'x-total-count': String(total) });
      },
    }),
    route({
      method: 'POST', path: '/v1/labels', scope: 'acl',
      summary:
        'Create a label: `{text, context?, labelStartUtc? (default now), labelEndUtc? (default labelStartUtc), eegStart? (default labelStartUtc), eegEnd? (default the later of eegStart and labelEndUtc)}`, unix seconds. ' +
        'Text and context are embedded by the current text model (recorded as `embedding_model`) and the label enters the text, context and EEG indices (its EEG node is the mean embedding of its window ±30 s, when any is stored). → the created label, as in `GET`. 422 for empty text or eegEnd before eegStart; 503 when the text model cannot load.',
      body: z.object({ ...labelFields, labelStartUtc: unixSeconds.optional(), labelEndUtc: unixSeconds.optional() })
        .refine(windowOrdered, windowIssue)
        .refine((b) => b.labelStartUtc === undefined || b.labelEndUtc === undefined || b.labelEndUtc >= b.labelStartUtc, { message: 'labelEndUtc must not be before labelStartUtc', path: ['labelEndUtc'] }),
      handler: ({ body }) => answering(() => s.labels.create(body)),
    }),
    route({
      method: 'PUT', path: '/v1/labels/{id}', scope: 'acl',
      summary:
        'Edit a label: `{text, context?, eegStart?, eegEnd?}` (context defaults to empty; a window bound not given is kept). Re-embedded with the current model; its index nodes are replaced. `{ok:true}`; 404 for an unknown id.',
      body: z.object(labelFields).refine(windowOrdered, windowIssue),
      handler: async ({ params, body }) => {
        const id = labelId(params.id);
        await answering(() => s.labels.update(id, body));
        return { ok: true };
      },
    }),
    route({
      method: 'DELETE', path: '/v1/labels/{id}', scope: 'acl',
      summary: 'Delete a label and its index nodes. `{ok:true}`; 404 for an unknown id.',
      handler: async ({ params }) => {
        const id = labelId(params.id);
        await answering(() => s.labels.remove(id));
        return { ok: true };
      },
    }),
    route({
      method: 'POST', path: '/v1/labels/search', scope: 'acl',
      summary:
        `Labels nearest a text: \`{query, k=10 (1–1000), ef=64 (at least 64 is used), mode: "text" (default) | "context"}\` → \`{results: [LabelNeighbor]}\`, nearest first. ${NEIGHBOR}. ` +
        'Only labels embedded by the current text model are searched (see `embedding-status`). The built-in model is lexical: labels sharing words and spellings with the query rank first.',
      body: z.object({ query: labelText, k, ef, mode: z.enum(['text', 'context']).default('text') }),
      handler: ({ body }) => answering(async () => ({ results: await s.labels.search(body.query, body.k, body.ef, body.mode) })),
    }),
    route({
      method: 'POST', path: '/v1/labels/search-by-eeg', scope: 'acl',
      summary:
        `Labels whose EEG is nearest the EEG of a time range: \`{startUtc, endUtc, k=10, ef=64}\` (unix seconds). The query is the mean embedding of the range ±30 s (every stored timestamp encoding), searched in the label EEG index → \`{results: [LabelNeighbor]}\`; with nothing to compare, \`{results: [], error: "no EEG data in window" | "no label has EEG data"}\`. ${NEIGHBOR}.`,
      body: z.object({ startUtc: unixSeconds, endUtc: unixSeconds, k, ef })
        .refine((b) => b.endUtc >= b.startUtc, { message: 'endUtc must not be before startUtc', path: ['endUtc'] }),
      handler: ({ body }) => answering(() => s.labels.searchByEeg(body.startUtc, body.endUtc, body.k, body.ef)),
    }),
    route({
      method: 'POST', path: '/v1/labels/reembed', scope: 'acl',
      summary:
        'Embed every label\'s text and context again with the current text model, `batch_size` labels at a time with `batch_delay_ms` between batches (`/v1/settings/reembed-config`, defaults 10 and 50), then rebuild the text and context indices. Answers when done: `{ok, total, updated, model}`. 409 `already_running` while one runs.',
      handler: () => answering(() => s.labels.reembed()),
    }),
    route({
      method: 'GET', path: '/v1/labels/embedding-status', scope: 'acl',
      summary:
        '`{current_model, dim, lexical, total, stale, models: {<model> | "(none)": count}}`: the text model in use, and how many labels were embedded by which model; `stale` labels (another model, or none) are not found by text search until `reembed`.',
      handler: () => answering(() => s.labels.embeddingStatus()),
    }),
    route({
      method: 'GET', path: '/v1/labels/index/stats', scope: 'acl',
      summary:
        '`{text_nodes, context_nodes, eeg_nodes, eeg_skipped, text_model, text_dim, eeg_dim, reembedding}`: nodes in each label index (`label_text_index.hnsw`, `label_context_index.hnsw`, `label_eeg_index.hnsw` in the data directory); `eeg_skipped` counts labels with no EEG stored in their window.',
      handler: () => s.labels.stats(),
    }),
    route({
      method: 'POST', path: '/v1/labels/index/rebuild', scope: 'acl',
      summary:
        'Build all three label indices again from labels.sqlite and the day databases (EEG nodes from the dimension most labels have). Runs in slices, so the daemon keeps answering. `{ok, text_nodes, context_nodes, eeg_nodes, eeg_skipped}`.',
      handler: () => answering(() => s.labels.rebuild()),
    }),
  ];
}
