// One attempt at fetching a file over HTTP(S) into `<dest>.incomplete`, resuming from the bytes
// already there. The body streams through a SHA-256 hash to disk, never held in memory; the
// hash first reads back the bytes already on disk, so the digest covers the whole file however
// many attempts and restarts it took.
//
// Server behaviours handled (RFC 9110 §14): 206 with a Content-Range starting where we asked →
// append; 200 to a ranged request (Range ignored, or the file changed since the validator sent as
// If-Range, §13.1.5) → start again from byte 0; a 206 whose validator differs from the partial
// file's (a server that ignores If-Range) → start again from byte 0; 416 → the partial file is
// already complete if its size is the resource's size, otherwise it is stale and is started again;
// redirects (the Hugging Face hub redirects to its CDN) are followed with the Range header kept,
// and an Authorization header only where `authorization` gives one for that hop's URL (the hub's
// token stays with the hub). A connection silent for `stallTimeoutMs` counts as dropped. A body
// that would leave the disk too full for recordings is refused before it is written (diskRoom.ts).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { shortOfRoom } from './diskRoom.ts';
import { hashInto, partialPath, sizeOf } from './partialFile.ts';

export interface TransferOptions {
  url: string;
  dest: string;
  /** Expected size; a server reporting another size is an error. */
  size: number | null;
  /** The validator of the bytes already in the partial file (sent as If-Range), or null. */
  validator: string | null;
  /** Why a URL may not be fetched (e.g. a non-loopback host in loopback mode), or null when it may. */
  refuse(url: URL): string | null;
  /** The Authorization header for one hop's URL, or null: asked again after each redirect. */
  authorization(url: URL): string | null;
  stallTimeoutMs: number;
  /** Least time between two `progress` reports. */
  progressIntervalMs: number;
  signal: AbortSignal;
}

export interface TransferReport {
  /**
   * `validator`: of the bytes now in the partial file, to resume against next time.
   * `announcedSha256`: the file's SHA-256 as the hub states it (`X-Linked-Etag`), or null.
   */
  started(from: number, total: number | null, validator: string | null, announcedSha256: string | null): void;
  progress(received: number, total: number | null): void;
  finished(received: number, total: number | null, sha256: string): void;
  failed(reason: string, retryable: boolean): void;
}

/** A failure with its verdict: worth another attempt (network, 5xx) or not (404, disk full). */
export class TransferError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

const MAX_REDIRECTS = 10;
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
]);

/** Runs one attempt and reports its outcome; resolves once the partial file is closed. Never rejects. */
export async function runTransfer(opts: TransferOptions, report: TransferReport): Promise<void> {
  let received = 0;
  let total: number | null = null;
  let lastProgress = 0;
  let started = false;
  // Progress counts bytes on disk, not bytes hashed: what a resume would find if we stopped now.
  let onDisk = () => received;
  const tick = (force = false) => {
    const now = Date.now();
    if (!force && now - lastProgress < opts.progressIntervalMs) return;
    lastProgress = now;
    report.progress(onDisk(), total);
  };
  try {
    const part = partialPath(opts.dest);
    await fsp.mkdir(path.dirname(part), { recursive: true });
    // Twice at most: a stale partial file (416 for a size it does not have, a 206 for another
    // range) is dropped and the download starts over from byte 0 once.
    for (let round = 0; round < 2; round++) {
      let have = await sizeOf(part);
      if (opts.size !== null && have > opts.size) {
        await fsp.rm(part, { force: true });
        have = 0;
      }
      const hash = createHash('sha256');
      await hashInto(part, have, hash, opts.signal);
      const { res, announced } = await get(new URL(opts.url), have, opts);
      const status = res.statusCode ?? 0;

      if (status === 416 && have > 0) {
        res.resume();
        const complete = totalOfRange(res.headers['content-range']) ?? opts.size;
        if (complete === have) {
          received = have;
          total = have;
          report.started(have, have, opts.validator, announced);
          report.finished(have, have, hash.digest('hex'));
          return;
        }
        await fsp.rm(part, { force: true });
        continue;
      }
      if (status !== 200 && status !== 206) {
        res.resume();
        throw new TransferError(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''} from ${hostOf(opts.url)}`, RETRYABLE_STATUS.has(status));
      }

      let from = have;
      let validator = validatorOf(res);
      if (status === 206) {
        const range = parseContentRange(res.headers['content-range']);
        if (!range || range.start !== have || changedSince(opts.validator, validator)) {
          res.destroy();
          await fsp.rm(part, { force: true });
          continue;
        }
        total = range.total;
        // A partial file from before validators were kept takes this response's from now on.
        validator = opts.validator ?? validator;
      } else {
        // 200: the whole resource, whether or not we asked for a range.
        from = 0;
        total = lengthOf(res.headers['content-length']);
      }
      // A restart from byte 0 drops what the hash read from disk.
      const digest = from === have ? hash : createHash('sha256');
      if (opts.size !== null && total !== null && total !== opts.size) {
        res.destroy();
        throw new TransferError(`the server offers ${total} bytes, expected ${opts.size}`, false);
      }
      // A restart from byte 0 truncates the partial file, which frees its bytes.
      const shortage = total === null ? null : await shortOfRoom(path.dirname(part), total - from, from === 0 ? have : 0);
      if (shortage) {
        res.destroy();
        throw new TransferError(shortage, false);
      }

      received = from;
      started = true;
      report.started(from, total, validator, announced);
      lastProgress = Date.now();
      const out = fs.createWriteStream(part, { flags: from > 0 ? 'a' : 'w' });
      onDisk = () => from + out.bytesWritten;
      let diskError: Error | null = null;
      out.on('error', (err) => (diskError ??= err));
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          digest.update(chunk);
          received += chunk.length;
          tick();
          done(null, chunk);
        },
      });
      try {
        await pipeline(res, meter, out, { signal: opts.signal });
      } catch (err) {
        if (diskError) throw new TransferError(`cannot write ${part}: ${(diskError as Error).message}`, false);
        throw err;
      } finally {
        if (!out.closed) await once(out, 'close').catch(() => undefined);
      }
      if (total !== null && received < total) {
        throw new TransferError(`connection closed after ${received} of ${total} bytes`, true);
      }
      await syncFile(part);
      tick(true);
      report.finished(received, total, digest.digest('hex'));
      return;
    }
    throw new TransferError('the server keeps answering with a range other than the one asked for', true);
  } catch (err) {
    if (opts.signal.aborted) return;
    // The machine learns how far this attempt got, to tell a dropped connection from a dead one.
    if (started) tick(true);
    const { message, retryable } = classify(err, opts.url);
    report.failed(message, retryable);
  }
}

/**
 * GET with `Range: bytes=<from>-` and `If-Range` (when from > 0), following redirects; with the
 * SHA-256 any hop announced.
 */
async function get(url: URL, from: number, opts: TransferOptions): Promise<{ res: IncomingMessage; announced: string | null }> {
  let announced: string | null = null;
  for (let hops = 0; hops <= MAX_REDIRECTS; hops++) {
    const refusal = opts.refuse(url);
    if (refusal) throw new TransferError(refusal, false);
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!client) throw new TransferError(`unsupported URL scheme ${url.protocol}`, false);
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'skill-daemon' };
    if (from > 0) headers.range = `bytes=${from}-`;
    if (from > 0 && opts.validator) headers['if-range'] = opts.validator;
    // Per hop: the hub's token is not sent on to the CDN it redirects to.
    const authorization = opts.authorization(url);
    if (authorization) headers.authorization = authorization;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = client.get(url, { headers, signal: opts.signal }, resolve);
      req.on('error', reject);
      // A socket idle this long, before or during the body, is a dropped connection.
      req.setTimeout(opts.stallTimeoutMs, () => req.destroy(new TransferError(`no data for ${opts.stallTimeoutMs / 1000} s`, true)));
    });
    announced ??= announcedSha256(res);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && status !== 304 && location) {
      res.resume();
      url = new URL(location, url);
      continue;
    }
    return { res, announced };
  }
  throw new TransferError(`more than ${MAX_REDIRECTS} redirects`, false);
}

function classify(err: unknown, url: string): { message: string; retryable: boolean } {
  if (err instanceof TransferError) return { message: err.message, retryable: err.retryable };
  const e = err as NodeJS.ErrnoException;
  if ((e?.code && NETWORK_CODES.has(e.code)) || e?.message === 'aborted') {
    return { message: `connection to ${hostOf(url)} failed: ${e.code ?? e.message}`, retryable: true };
  }
  return { message: e?.message ?? String(err), retryable: false };
}

async function syncFile(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * The Hugging Face hub names a large (LFS) file's SHA-256 in `X-Linked-Etag` on its redirect to
 * the CDN, as its own client reads it; a small file's is a git blob id (40 hex digits), not a
 * SHA-256, and is not taken.
 */
function announcedSha256(res: IncomingMessage): string | null {
  const raw = res.headers['x-linked-etag'];
  const tag = (Array.isArray(raw) ? raw[0] : raw)?.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return tag && /^[0-9a-f]{64}$/.test(tag) ? tag : null;
}

/**
 * What If-Range may carry (RFC 9110 §13.1.5): a strong ETag, else a Last-Modified date the
 * response was sent at least a second after (only then is the date a strong validator, §8.8.2.2).
 */
function validatorOf(res: IncomingMessage): string | null {
  const etag = res.headers.etag?.trim();
  if (etag && !etag.startsWith('W/')) return etag;
  const lastModified = res.headers['last-modified'];
  const date = res.headers.date;
  if (lastModified && date && Date.parse(date) - Date.parse(lastModified) >= 1000) return lastModified;
  return null;
}

/** Whether a ranged response's validator shows the file is not the one the partial file came from. */
function changedSince(ours: string | null, theirs: string | null): boolean {
  if (!ours || !theirs) return false;
  const isEtag = (v: string) => v.startsWith('"');
  return isEtag(ours) === isEtag(theirs) && ours !== theirs;
}

function parseContentRange(header: string | undefined): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!m) return null;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

function totalOfRange(header: string | undefined): number | null {
  const m = /\/(\d+)\s*$/.exec(header ?? '');
  return m ? Number(m[1]) : null;
}

function lengthOf(header: string | undefined): number | null {
  return header && /^\d+$/.test(header) ? Number(header) : null;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
