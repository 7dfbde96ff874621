// A download as clients, event reporters and the queue file see it: the request, where it is,
// and how far it got. Built from the statechart's snapshot; the queue file stores these views,
// and a restart rebuilds each download's request from its view.
import type { DownloadContext, DownloadRequest, DownloadState } from '../../machines/download.ts';

export interface DownloadView {
  id: string;
  kind: string;
  url: string;
  dest: string;
  sha256: string | null;
  size: number | null;
  state: DownloadState;
  received_bytes: number;
  total_bytes: number | null;
  /** 0–1, or null while the size is unknown. */
  progress: number | null;
  /** Failed attempts in a row. */
  attempt: number;
  max_attempts: number;
  /** Seconds until the next attempt while waiting, else null. */
  retry_in_secs: number | null;
  /** SHA-256 of the finished file. */
  digest: string | null;
  /** The server's ETag or Last-Modified of the bytes on disk, sent as If-Range on resume. */
  validator: string | null;
  /** The SHA-256 the source states for the file (the hub's), checked when `sha256` is null. */
  announced_sha256: string | null;
  error: string | null;
  status_msg: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export function viewOf(
  state: DownloadState,
  c: DownloadContext,
  times: { createdAtMs: number; updatedAtMs: number; retryAtMs: number | null; now: number },
): DownloadView {
  const total = c.total;
  return {
    id: c.id,
    kind: c.kind,
    url: c.url,
    dest: c.dest,
    sha256: c.sha256,
    size: c.size,
    state,
    received_bytes: c.received,
    total_bytes: total,
    progress: state === 'done' ? 1 : total ? Math.min(1, c.received / total) : null,
    attempt: c.attempt,
    max_attempts: c.maxAttempts,
    retry_in_secs: state === 'waiting' && times.retryAtMs !== null ? Math.max(0, Math.ceil((times.retryAtMs - times.now) / 1000)) : null,
    digest: state === 'done' ? c.digest : null,
    validator: c.validator,
    announced_sha256: c.announcedSha256,
    error: c.error,
    status_msg: c.statusMsg,
    created_at_ms: times.createdAtMs,
    updated_at_ms: times.updatedAtMs,
  };
}

export const requestOf = (v: DownloadView): DownloadRequest => ({ id: v.id, url: v.url, dest: v.dest, sha256: v.sha256, size: v.size, kind: v.kind });

/**
 * What the partial file's bytes came with, for a download that resumes them: their validator
 * and the digest their source stated (null in queue files written before these were kept).
 */
export const partialFileOf = (v: DownloadView): { validator: string | null; announcedSha256: string | null } => ({
  validator: v.validator ?? null,
  announcedSha256: v.announced_sha256 ?? null,
});

/** Running or waiting to run: holds (or will hold) the partial file. */
export const isActive = (state: DownloadState) => state === 'queued' || state === 'downloading' || state === 'waiting' || state === 'verifying';
