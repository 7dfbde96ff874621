// Screenshots (notes §8.5): the capture worker's metrics, its folder, captures near a moment,
// OCR text search, and the images themselves. `GET /v1/settings/screenshot/config` lives with the
// other settings sections (sectionSettings.ts); the worker applies its changes live.
//
// Images are served only by name — `YYYYMMDDHHmmss.webp` (folder from its first 8 digits) or
// `YYYYMMDD/YYYYMMDDHHmmss.webp` — through actors/screenshots/screenshotFiles.ts, which refuses
// every other name and any file whose real path leaves the screenshots folder. Like every route
// they take the token as `?token=` too, for `<img src>`.
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { resolveScreenshotFile } from '../../actors/screenshots/screenshotFiles.ts';
import { HttpError } from '../errors.ts';
import { RawReply, route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** Up to the year 3000: anything later is a unit mistake (ms sent as s), not a date. */
const unixSeconds = z.number().finite().min(0).max(32_503_680_000);
export const MAX_AROUND = 500;
const MAX_QUERY = 1_000;

const RESULT =
  '`[ScreenshotResult]` `{timestamp (YYYYMMDDHHmmss, UTC), unix_ts, filename (YYYYMMDD/….webp, for GET /screenshots/{filename}), app_name, window_title, ocr_text, similarity, gif_filename}`';

async function serve(s: RouteServices, date: string | null, name: string): Promise<RawReply> {
  const verdict = await resolveScreenshotFile(s.config.dataDir, date, name);
  if (!verdict.ok) throw new HttpError(verdict.status, verdict.status === 404 ? 'not_found' : 'forbidden_path', verdict.detail);
  const bytes = await readFile(verdict.file);
  // Captures never change once written; the token in a query string must not land in a shared cache.
  return new RawReply(200, name.endsWith('.gif') ? 'image/gif' : 'image/webp', bytes, { 'cache-control': 'private, max-age=86400, immutable', 'x-content-type-options': 'nosniff' });
}

export function screenshotRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/settings/screenshot/metrics', scope: 'acl',
      summary:
        'Capture statistics: the reference\'s `{captures (stored), capture_errors, drops, capture_us, ocr_us, resize_us, save_us, capture_total_us (last capture), embeds (captures whose OCR text is searchable), embed_errors (OCR failures), vision_embed_us, text_embed_us, embed_total_us, queue_depth (awaiting OCR), last_capture_unix, last_embed_unix, backoff_multiplier}`, ' +
        'then the worker\'s `state` (`disabled`, `waiting_for_session`, `waiting`, `capturing`, `ocr`, `failed`), `reason`, `consecutive_failures`, `last_error`, `captures_since_start`, `capture_command`, `ocr {engine, available, version, reason, done, pending, failed, last_error}` and `capture_to_searchable_ms` (last capture).',
      handler: () => s.screenshots.metrics(),
    }),
    route({
      method: 'GET', path: '/v1/settings/screenshot/dir', scope: 'acl',
      summary: 'Where captures are stored and the port that serves them: `{dir, port}` (the port this daemon really listens on).',
      handler: () => ({ dir: s.screenshots.dir(), port: s.port() }),
    }),
    route({
      method: 'POST', path: '/v1/settings/screenshot/around', scope: 'acl',
      summary: `Captures within \`windowSecs\` of \`timestamp\`: \`{timestamp (unix s), windowSecs (0–86400)}\` → ${RESULT}, nearest first, at most ${MAX_AROUND}; \`similarity\` falls from 1 at the instant to 0 at the window's edge.`,
      body: z.object({ timestamp: unixSeconds, windowSecs: z.number().int().min(0).max(86_400) }),
      handler: ({ body }) => s.screenshots.around(body.timestamp, body.windowSecs, MAX_AROUND),
    }),
    route({
      method: 'POST', path: '/v1/settings/screenshot/search-text', scope: 'acl',
      summary:
        `Search the OCR text of captures: \`{query, k? (1–200, default 20), mode? ("semantic" default | "substring")}\` → ${RESULT}. ` +
        '`semantic` ranks with the FTS5 index (every word of the query, as a prefix; similarity = BM25 relevance s as s/(1+s)) and falls back to substring when that finds nothing; `substring` matches the query literally (ASCII case-insensitive), newest first with similarity 1.',
      body: z.object({
        query: z.string().max(MAX_QUERY).refine((q) => q.trim() !== '', 'must not be empty'),
        k: z.number().int().min(1).max(200).default(20),
        mode: z.enum(['semantic', 'substring']).default('semantic'),
      }),
      handler: ({ body }) => s.screenshots.searchText(body.query.trim(), body.k, body.mode),
    }),
    route({
      method: 'GET', path: '/screenshots/{filename}', scope: 'acl',
      summary: 'A capture as `image/webp`, by name `YYYYMMDDHHmmss.webp` (its folder is the first 8 digits). Takes `?token=` for `<img>`. 404 for any other name (`..`, slashes, other files) or a missing capture; 403 `forbidden_path` for a file whose real path leads outside the folder (a symlink).',
      handler: ({ params }) => serve(s, null, params.filename ?? ''),
    }),
    route({
      method: 'GET', path: '/screenshots/{date}/{filename}', scope: 'acl',
      summary: 'A capture as `image/webp` from an explicit day folder: `/screenshots/YYYYMMDD/YYYYMMDDHHmmss.webp` (the `filename` of a result). Takes `?token=`. 403 `forbidden_path` / 404 as above.',
      handler: ({ params }) => serve(s, params.date ?? '', params.filename ?? ''),
    }),
  ];
}
