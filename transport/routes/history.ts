// History routes: recorded sessions, their statistics, deletion and export (notes §4.5).
// Decisions (docs/history.md): list routes answer the reference's bare JSON array and put paging
// metadata in headers (`x-total-count`, and `x-next-offset` while more remain); every `csvPath`
// goes through one sandbox (actors/history/sessionPathSandbox.ts) that answers 403
// `forbidden_path` before anything is read or removed.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { csvExport } from '../../actors/history/export/csvExport.ts';
import { edfChunks, EmptySessionError, planEdfExport } from '../../actors/history/export/edfExport.ts';
import { localDayBounds, localDaysOf, startsWithin } from '../../actors/history/localDays.ts';
import { MAX_PAGE_LIMIT, pageOf, PagingError, parsePaging } from '../../actors/history/paging.ts';
import { scanRecordedSessions, sessionAt } from '../../actors/history/recordedSessions.ts';
import { dailyRecordingMinutes, historyStats } from '../../actors/history/recordingStats.ts';
import { deleteSessionFiles } from '../../actors/history/sessionDeletion.ts';
import { resolveSessionCsv } from '../../actors/history/sessionPathSandbox.ts';
import { summarize } from '../../actors/history/sessionSummaries.ts';
import { utcDayName } from '../../actors/store/dayDirs.ts';
import { readSidecar, sessionPart } from '../../actors/store/sessionFiles.ts';
import { badRequest, conflict, HttpError, notFound } from '../errors.ts';
import { Reply, route, StreamReply, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

// Checked by parsePaging rather than zod, so a bad value is a 400 `bad_request` as specified.
const LIMIT_NOTE = `an integer 0–${MAX_PAGE_LIMIT}; default: no limit; anything else → 400 bad_request`;
const OFFSET_NOTE = 'an integer ≥ 0; default 0; anything else → 400 bad_request';
const pagingQuery = {
  limit: z.string().optional().describe(LIMIT_NOTE),
  offset: z.string().optional().describe(OFFSET_NOTE),
};
const pagingBody = {
  limit: z.unknown().optional().describe(LIMIT_NOTE),
  offset: z.unknown().optional().describe(OFFSET_NOTE),
};
const csvPathField = z.string().max(4096);
/** Real UTC offsets lie within ±18 h (ISO 8601). */
const tzOffsetField = z.number().int().min(-64_800).max(64_800);
const nowSecs = () => Math.floor(Date.now() / 1000);

/** A list as the reference's bare array, with its paging in headers. */
function listReply<T>(all: readonly T[], limit: unknown, offset: unknown): Reply {
  let paging;
  try {
    paging = parsePaging(limit, offset);
  } catch (err) {
    if (err instanceof PagingError) throw badRequest(err.message);
    throw err;
  }
  const page = pageOf(all, paging);
  const headers: Record<string, string> = { 'x-total-count': String(page.total) };
  if (page.nextOffset !== null) headers['x-next-offset'] = String(page.nextOffset);
  return new Reply(200, page.items, headers);
}

const forbiddenPath = (detail: string) => new HttpError(403, 'forbidden_path', detail);

export function historyRoutes(s: RouteServices): Route[] {
  const dataDir = () => s.config.dataDir;

  /** The real path of the session CSV a client named, or the 403/404 it gets instead. */
  async function sessionCsv(requested: string): Promise<string> {
    const verdict = await resolveSessionCsv(dataDir(), requested);
    if (verdict.ok) return verdict.csvPath;
    throw verdict.reason === 'missing' ? notFound(verdict.detail) : forbiddenPath(verdict.detail);
  }

  /** Real path of the raw CSV being recorded now, if any. */
  async function recordingCsv(): Promise<string | null> {
    const live = s.device.live.csvPath;
    return live ? realpath(live).catch(() => live) : null;
  }

  return [
    route({
      method: 'GET', path: '/v1/history/sessions', scope: 'acl',
      summary:
        'All recording sessions, newest first: `[{csv_path, csv_file, day, session_start_utc, session_end_utc, session_duration_s, end_estimated, device_name, total_samples, sample_rate_hz, channel_names, file_size_bytes, start_utc, end_utc, n_epochs, …}]`. ' +
        'A session without a sidecar (being recorded, or unfinished) is listed with its end read from the CSV (`end_estimated: true`). ' +
        '`start_utc`/`end_utc`/`n_epochs` come from its 5 s epoch rows. Paging: `?limit=&offset=`; headers `x-total-count`, `x-next-offset`.',
      query: z.object(pagingQuery),
      handler: async ({ query }) => listReply(summarize(await scanRecordedSessions(dataDir()), dataDir()), query.limit, query.offset),
    }),
    route({
      method: 'POST', path: '/v1/history/sessions', scope: 'acl',
      summary:
        'Local days: `{tzOffsetSecs}` (seconds east of UTC) → days with sessions, newest first `[{key:"YYYY-MM-DD", start_utc, end_utc}]`; ' +
        '`{tzOffsetSecs, localKey}` → the sessions starting on that local day (rows as `GET`). `limit`/`offset` in the body; paging headers as `GET`.',
      body: z.object({
        tzOffsetSecs: tzOffsetField.default(0),
        localKey: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((k) => localDayBounds(k, 0) !== null, 'not a calendar date').optional(),
        ...pagingBody,
      }),
      handler: async ({ body }) => {
        const tz = body.tzOffsetSecs;
        if (body.localKey === undefined) {
          const sessions = await scanRecordedSessions(dataDir());
          return listReply(localDaysOf(sessions.map((x) => x.startSecs), tz), body.limit, body.offset);
        }
        const day = localDayBounds(body.localKey, tz)!;
        // Day folders are UTC: a local day touches at most two; one more each side costs little.
        const lo = utcDayName((day.start_utc - 86_400) * 1000);
        const hi = utcDayName((day.end_utc + 86_400) * 1000);
        const sessions = await scanRecordedSessions(dataDir(), (d) => d >= lo && d <= hi);
        return listReply(summarize(sessions.filter((x) => startsWithin(x.startSecs, day)), dataDir()), body.limit, body.offset);
      },
    }),
    route({
      method: 'POST', path: '/v1/history/sessions/delete', scope: 'acl',
      summary:
        'Delete a session `{csvPath}` and every file of it (raw, metrics, PPG, IMU, fNIRS CSVs, sidecar, caches, meta.jsonl) → `{ok, csv_path, deleted:[names]}`. ' +
        'The path must really be a session CSV inside the data directory: otherwise 403 `forbidden_path` and nothing is touched; 404 when it does not exist; 409 while it is being recorded.',
      body: z.object({ csvPath: csvPathField }),
      handler: async ({ body }) => {
        const csvPath = await sessionCsv(body.csvPath);
        // Unlinking it would not stop the recorder: it would write on into a deleted file and
        // then leave a sidecar for a session that no longer exists.
        if (csvPath === (await recordingCsv())) throw conflict('this session is being recorded; end the session before deleting it');
        return { ok: true, csv_path: csvPath, deleted: await deleteSessionFiles(csvPath) };
      },
    }),
    route({
      method: 'GET', path: '/v1/history/stats', scope: 'acl',
      summary: 'Recording totals `{total_sessions, total_secs, this_week_secs, last_week_secs}`; weeks start Monday 00:00 UTC, a session counts for the week it started in.',
      handler: async () => historyStats(await scanRecordedSessions(dataDir()), nowSecs()),
    }),
    route({
      method: 'POST', path: '/v1/history/daily-recording-mins', scope: 'acl',
      summary: 'Minutes recorded on each of the last `{days=30}` UTC days (more than 365 is read as 365), oldest first: `[{day:"YYYY-MM-DD", minutes}]`.',
      body: z.object({ days: z.number().int().min(0).default(30) }),
      handler: async ({ body }) => {
        const days = Math.min(body.days, 365);
        const now = nowSecs();
        const from = utcDayName((now - days * 86_400) * 1000);
        const sessions = await scanRecordedSessions(dataDir(), (d) => d >= from);
        return dailyRecordingMinutes(sessions, days, now);
      },
    }),
    route({
      method: 'POST', path: '/v1/history/find-session', scope: 'acl',
      summary: 'The session containing `{timestampUnix}` (unix seconds), else the nearest one: `{csv_path}` (`null` when there are no sessions).',
      body: z.object({ timestampUnix: z.number().min(0) }),
      handler: async ({ body }) => ({ csv_path: sessionAt(await scanRecordedSessions(dataDir()), body.timestampUnix)?.csvPath ?? null }),
    }),
    route({
      method: 'GET', path: '/v1/history/sessions/export', scope: 'acl',
      summary:
        'Download a session `?csvPath=…&format=edf|csv` (default edf), streamed with content-length. ' +
        '`edf`: EDF+C, 16-bit, 1 s records, labels `EEG <channel>`, unit `uV`, physical range from the data, an `EDF Annotations` time-keeping channel. ' +
        '`csv`: the raw CSV up to its last complete line. Same path rules as delete (403 `forbidden_path`, 404); 422 `empty_session` for an EDF of a session without samples.',
      query: z.object({ csvPath: csvPathField, format: z.enum(['edf', 'csv']).default('edf') }),
      handler: async ({ query, signal }) => {
        const csvPath = await sessionCsv(query.csvPath);
        const stem = path.basename(csvPath, '.csv');
        if (query.format === 'csv') {
          const csv = await csvExport(csvPath, signal);
          return new StreamReply(200, 'text/csv; charset=utf-8', csv.chunks, { 'content-disposition': `attachment; filename="${stem}.csv"` }, csv.bytes);
        }
        const sidecar = readSidecar(sessionPart(csvPath, 'sidecar'));
        let plan;
        try {
          plan = await planEdfExport(csvPath, { sampleRateHz: sidecar?.sample_rate_hz ?? null, deviceName: sidecar?.device_name ?? null }, signal);
        } catch (err) {
          if (err instanceof EmptySessionError) throw new HttpError(422, 'empty_session', err.message);
          throw err;
        }
        return new StreamReply(200, 'application/octet-stream', edfChunks(plan, signal), { 'content-disposition': `attachment; filename="${stem}.edf"` }, plan.totalBytes);
      },
    }),
  ];
}
