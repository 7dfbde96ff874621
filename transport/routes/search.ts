// Similarity search over EEG embeddings (notes §6). Every search runs on the search index
// thread against the global index; bodies are the reference's camelCase (snake_case works too);
// times are unix seconds, inclusive.
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { TextModelUnavailable } from '../../actors/labels/labels.ts';
import { scanRecordedSessions } from '../../actors/history/recordedSessions.ts';
import { historyStats } from '../../actors/history/recordingStats.ts';
import { PALETTE_MIN_SCORE, PALETTE_TOP, rankCandidates } from '../../actors/search/commandPalette.ts';
import { epochTotals } from '../../actors/search/epochTotals.ts';
import { SearchUnavailable, type RangeSearch } from '../../actors/search/globalSearch.ts';
import { RANK_METRICS } from '../../actors/search/interactiveGraph.ts';
import { EMPTY_GRAPH } from '../../actors/search/searchShapes.ts';
import { DAY_DB_FILE, listDayDirs } from '../../actors/store/dayDirs.ts';
import { HttpError, unavailable } from '../errors.ts';
import { route, SseReply, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** 9999-12-31T23:59:59Z: the last second the reference's `YYYYMMDDHHmmss` encoding can hold. */
const MAX_UNIX_SECS = 253_402_300_799;
const unixSecs = z.number().int().min(0).max(MAX_UNIX_SECS);
export const MAX_K = 200;
export const MAX_EF = 2_000;
const k = (byDefault: number) => z.number().int().min(1).max(MAX_K).default(byDefault);
const ef = z.number().int().min(1).max(MAX_EF).default(50);
const deviceName = z.string().max(256).optional();

const ordered = (start: string, end: string) => ({ message: `${end} must not be before ${start}`, path: [end] });

/** Values of `eegRankBy`: a metric to rank a label's epochs by, or nearest-in-time first ("" or "time"). */
const rankBy = z.enum(['', 'time', ...RANK_METRICS]);

/** POST /v1/search/eeg: a range search, or the interactive graph of a text query. */
const searchBody = z
  .object({
    startUtc: unixSecs.optional(),
    endUtc: unixSecs.optional(),
    k: k(5),
    ef,
    deviceName,
    query: z.string().max(4096).optional(),
    kText: z.number().int().min(0).max(MAX_K).optional(),
    kEeg: z.number().int().min(0).max(MAX_K).optional(),
    kLabels: z.number().int().min(0).max(MAX_K).optional(),
    kScreenshots: z.number().int().min(0).max(MAX_K).optional(),
    reachMinutes: z.number().min(0).max(24 * 60).optional(),
    mode: z.string().max(64).optional(),
    snrPositiveOnly: z.boolean().optional(),
    filterStartUtc: unixSecs.optional(),
    filterEndUtc: unixSecs.optional(),
    eegRankBy: rankBy.optional(),
  })
  .refine((b) => (b.startUtc === undefined) === (b.endUtc === undefined), { message: 'startUtc and endUtc go together', path: ['endUtc'] })
  .refine((b) => b.startUtc === undefined || b.endUtc === undefined || b.startUtc <= b.endUtc, ordered('startUtc', 'endUtc'));

const streamBody = z
  .object({ startUtc: unixSecs, endUtc: unixSecs, k: k(5), ef, deviceName })
  .refine((b) => b.startUtc <= b.endUtc, ordered('startUtc', 'endUtc'));

const compareBody = z
  .object({ aStartUtc: unixSecs, aEndUtc: unixSecs, bStartUtc: unixSecs, bEndUtc: unixSecs })
  .refine((r) => r.aStartUtc <= r.aEndUtc, ordered('aStartUtc', 'aEndUtc'))
  .refine((r) => r.bStartUtc <= r.bEndUtc, ordered('bStartUtc', 'bEndUtc'));

const MAX_CANDIDATES = 2_000;
const MAX_CANDIDATE_CHARS = 1_000;
const commandsBody = z.object({
  query: z.string().max(MAX_CANDIDATE_CHARS),
  candidates: z.array(z.object({ id: z.union([z.string().max(256), z.number().finite()]), text: z.string().max(MAX_CANDIDATE_CHARS) })).max(MAX_CANDIDATES),
});

const NEIGHBOR =
  '`{hnsw_id, timestamp (as stored), timestamp_unix, distance (1 − cos), date: "YYYYMMDD", device_id, device_name, labels:[{id, eeg_start, eeg_end, label_start, label_end, text}], metrics?:{relaxation, engagement, faa, tar, mood, meditation, cognitive_load, drowsiness, hr, snr, rel_alpha, rel_beta, rel_theta, headache_index, migraine_index, consciousness_lzc, consciousness_wakefulness, consciousness_integration}}` (null metrics left out)';

/** The search subsystem's failures in the one error shape. */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SearchUnavailable || err instanceof TextModelUnavailable) throw unavailable(err.message);
    if (err instanceof Error && !(err instanceof HttpError)) throw new HttpError(500, 'search_failed', `search failed: ${err.message}`);
    throw err;
  }
}

/** `YYYYMMDD` folders holding a day database. */
function eegDays(dataDir: string): string[] {
  return listDayDirs(dataDir).filter((d) => fs.existsSync(path.join(d, DAY_DB_FILE))).map((d) => path.basename(d));
}

/** Captures stored, and those whose OCR text is searchable (this daemon embeds no images). */
function screenshotStats(s: RouteServices): { screenshot_total: number; screenshot_embedded: number } {
  const c = s.screenshots.counts();
  return { screenshot_total: c.total, screenshot_embedded: c.ocr_done };
}

export function searchRoutes(s: RouteServices): Route[] {
  const fastStats = async () => {
    const days = eegDays(s.config.dataDir);
    const labels = await s.labels.stats().catch(() => null);
    return {
      eeg_days: days.length,
      eeg_first_day: days[0] ?? null,
      eeg_last_day: days.at(-1) ?? null,
      label_total: s.labels.list(1, 0).total,
      label_text_index: labels?.text_nodes ?? 0,
      label_eeg_index: labels?.eeg_nodes ?? 0,
      label_embed_model: labels?.text_model ?? null,
      ...screenshotStats(s),
    };
  };
  const range = (b: { startUtc: number; endUtc: number; k: number; ef: number; deviceName?: string | undefined }): RangeSearch => ({
    startUtc: b.startUtc,
    endUtc: b.endUtc,
    k: b.k,
    ef: b.ef,
    deviceName: b.deviceName ?? null,
  });
  return [
    route({
      method: 'POST', path: '/v1/search/eeg', scope: 'acl',
      summary:
        `Range search \`{startUtc, endUtc, k=5, ef=50, deviceName?}\`: every embedded epoch of the range (any timestamp encoding; \`deviceName\` filters them) is a query, answered from the global index → \`{start_utc, end_utc, k, ef (as used: at least max(k, 64)), query_count, searched_days, results:[{timestamp, timestamp_unix, neighbors:[${NEIGHBOR}]}]}\`, queries in time order, neighbours nearest first (the query epoch itself included). k 1–${MAX_K}, ef 1–${MAX_EF}. Without a range, a text \`query\` builds the interactive graph \`{query, kText=3, kEeg=5, kLabels=2, reachMinutes=10, snrPositiveOnly=false, deviceName="all", filterStartUtc?, filterEndUtc?, eegRankBy? (engagement|snr|relaxation; else nearest in time first), mode? ("context" searches label context)}\` → \`{query, nodes:[{id, kind (query|text_label|eeg_point|found_label), text?, timestamp_unix?, distance, eeg_metrics?, parent_id?, proj_x/y/z?, device_name?, relevance_score?}], edges:[{from_id, to_id, distance, kind (text_sim|eeg_bridge|label_prox)}], dot, svg, svg_col, svg_3d, cached}\`: the kText labels nearest the query text, up to kEeg epochs within reachMinutes of each (deduplicated), up to kLabels other labels near each epoch. An EEG point's distance is its cosine distance to its label's own EEG; relevance_score = 0.5·text distance + 0.3·time distance/reach + 0.2·(1 − engagement). Answers are cached (8, 5 min) until a label changes or an epoch is stored in a span they read. Neither a range nor a query → \`{nodes:[], edges:[], dot:"", svg:"", svg_col:"", results:[]}\`.`,
      body: searchBody,
      handler: ({ body, signal }) => {
        if (body.startUtc !== undefined && body.endUtc !== undefined) {
          return answering(() => s.search.search(range({ ...body, startUtc: body.startUtc!, endUtc: body.endUtc! }), signal));
        }
        const query = body.query?.trim() ?? '';
        if (query === '') return EMPTY_GRAPH;
        return answering(() =>
          s.interactiveSearch.graph({
            query,
            kText: body.kText ?? 3,
            kEeg: body.kEeg ?? 5,
            kLabels: body.kLabels ?? 2,
            reachMinutes: body.reachMinutes ?? 10,
            snrPositiveOnly: body.snrPositiveOnly ?? false,
            deviceName: body.deviceName ?? 'all',
            filterStartUtc: body.filterStartUtc,
            filterEndUtc: body.filterEndUtc,
            eegRankBy: body.eegRankBy === '' || body.eegRankBy === 'time' ? undefined : body.eegRankBy,
            mode: body.mode,
          }),
        );
      },
    }),
    route({
      method: 'POST', path: '/v1/search/eeg/stream', scope: 'acl',
      summary:
        'The range search as Server-Sent Events, bare `data:` lines: `{"kind":"started","query_count","searched_days"}`, one `{"kind":"result","entry":{timestamp, timestamp_unix, neighbors},"done_count"}` per query epoch in time order, then `{"kind":"done","total"}` (or `{"kind":"error","error"}`); a comment every 15 s. Closing the connection stops the search at the next epoch.',
      body: streamBody,
      handler: ({ body }) =>
        new SseReply((sink, signal) => {
          void s.search.stream(range(body), (p) => sink.send(p), signal).finally(() => sink.close());
        }),
    }),
    route({
      method: 'POST', path: '/v1/search/compare', scope: 'acl',
      summary: 'Two range searches side by side, `{aStartUtc, aEndUtc, bStartUtc, bEndUtc}` → `{a, b}`, each the reply of POST /v1/search/eeg with k 10 and ef 50 (run as 64).',
      body: compareBody,
      handler: ({ body, signal }) =>
        answering(async () => {
          const [a, b] = await Promise.all([
            s.search.search({ startUtc: body.aStartUtc, endUtc: body.aEndUtc, k: 10, ef: 50 }, signal),
            s.search.search({ startUtc: body.bStartUtc, endUtc: body.bEndUtc, k: 10, ef: 50 }, signal),
          ]);
          return { a, b };
        }),
    }),
    route({
      method: 'GET', path: '/v1/search/global-index/stats', scope: 'acl',
      summary:
        '`{total_embeddings, file_size_bytes, path, ready, rebuilding, dim, model, m, ef_construction, capacity, days, skipped_dimension, skipped_zero, unsaved, last_saved_unix_ms, active_searches, cancelled_searches, widened_queries}` of the global index (`eeg_global.hnsw` in the data directory); `ready` is false until the first load or build is done. A parked index (no thread: nothing has needed it for 5 minutes) is loaded to answer.',
      handler: () => answering(() => s.search.stats()),
    }),
    route({
      method: 'POST', path: '/v1/search/global-index/rebuild', scope: 'acl',
      summary: 'Builds the global index again from every day database\'s stored embeddings (of the newest embedding\'s dimension) and answers with its stats once it is in use; searches meanwhile use the old index.',
      handler: () => answering(() => s.search.rebuild()),
    }),
    route({
      method: 'GET', path: '/v1/search/stats', scope: 'acl',
      summary:
        '`{eeg_days, eeg_first_day, eeg_last_day, label_total, label_text_index, label_eeg_index, label_embed_model, screenshot_total, screenshot_embedded}`: day folders with a database, labels and their index sizes; screenshots stored and those whose OCR text is searchable.',
      handler: fastStats,
    }),
    route({
      method: 'GET', path: '/v1/search/stats/stream', scope: 'acl',
      summary:
        'The search stats as Server-Sent Events: `event: fast` with the reply of GET /v1/search/stats at once, then `event: slow` with `{eeg_total_sessions, eeg_total_secs, label_stale, eeg_total_epochs, eeg_embedded_epochs, eeg_missing_epochs}` once every session and day database is counted (read a day at a time, never stalling the daemon); then the stream ends. `event: error` with `{error}` if counting fails.',
      handler: () =>
        new SseReply((sink, signal) => {
          void (async () => {
            sink.send(await fastStats(), 'fast');
            const [sessions, epochs, labelModel] = await Promise.all([
              scanRecordedSessions(s.config.dataDir),
              epochTotals(s.config.dataDir, signal),
              s.labels.embeddingStatus().catch(() => null),
            ]);
            if (signal.aborted) return;
            const totals = historyStats(sessions, Date.now() / 1000);
            sink.send({ eeg_total_sessions: totals.total_sessions, eeg_total_secs: totals.total_secs, label_stale: labelModel?.stale ?? 0, ...epochs }, 'slow');
          })()
            .catch((err: Error) => sink.send({ error: err.message }, 'error'))
            .finally(() => sink.close());
        }),
    }),
    route({
      method: 'POST', path: '/v1/search/commands', scope: 'acl',
      summary: `Command palette match \`{query, candidates:[{id, text}]}\` (id a string or number; up to ${MAX_CANDIDATES} candidates of up to ${MAX_CANDIDATE_CHARS} characters) → \`{results:[{id, score}]}\`: the ${PALETTE_TOP} candidates most similar to the query by cosine similarity of their label-text-model embeddings, best first, score > ${PALETTE_MIN_SCORE}. 503 when the text model cannot load.`,
      body: commandsBody,
      handler: ({ body }) =>
        answering(async () => {
          const query = body.query.trim();
          if (query === '' || body.candidates.length === 0) return { results: [] };
          const [q, ...vectors] = await s.labels.encode([query, ...body.candidates.map((c) => c.text)]);
          return { results: rankCandidates(q!, body.candidates, vectors) };
        }),
    }),
    route({
      method: 'GET', path: '/v1/search/devices', scope: 'acl',
      summary: '`{devices: [device_name…]}`: the distinct device names of every day database, sorted.',
      handler: () => answering(async () => ({ devices: await s.search.devices() })),
    }),
  ];
}
