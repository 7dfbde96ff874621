// The download statechart: one file fetched over HTTP into `<dest>.incomplete`, verified, then
// renamed to `<dest>`. Fetching, hashing, renaming and deleting are I/O, supplied by
// actors/downloads/downloadActor.ts as the `transfer` and `verify` actors and the
// `discardPartial` action; the manager (actors/downloads/downloadRunner.ts) decides when a
// queued download may run.
//
//   queued ──run──▶ downloading(transferring ⇄ waiting) ──finished──▶ verifying ──▶ done
//     ▲                 │ pause                │ failed, retryable: wait 1, 2, 4, 8 s       │
//     └──resume── paused ◀┘                    │ failed 5 times in a row, or not retryable ▼
//                                              └──────────────────────────────────────▶ failed
//   cancel from any state that is not final ──▶ cancelled (the partial file is deleted)
//
// A failure after the attempt moved bytes starts a fresh run of attempts: a server that drops
// the connection every few megabytes still gets the whole file, one resumed range at a time.
import { assign, fromCallback, setup } from 'xstate';

export const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000];
export const MAX_ATTEMPTS = 5;

export interface DownloadRequest {
  /** Unique key the manager knows the download by (e.g. `exg:zuna`, `llm:<file>`). */
  id: string;
  url: string;
  /** Final path; the bytes arrive in `<dest>.incomplete` first. */
  dest: string;
  /** Expected lowercase hex digest; null when unknown (the download is then kept unverified). */
  sha256: string | null;
  /** Expected size in bytes; null when unknown. */
  size: number | null;
  /** Which subsystem asked for it; picks the events the download is reported with. */
  kind: string;
}

export interface DownloadInput extends DownloadRequest {
  /** Start in `paused` (restored from a paused entry after a restart). */
  paused?: boolean;
  /** Bytes already on disk, when known (for display until the transfer reports). */
  received?: number;
  /** The validator of those bytes, when known (restored from the queue file). */
  validator?: string | null;
  /** The digest their source stated, when known (restored from the queue file). */
  announcedSha256?: string | null;
  retryDelaysMs?: number[];
  maxAttempts?: number;
}

export interface DownloadContext extends DownloadRequest {
  retryDelaysMs: number[];
  maxAttempts: number;
  startPaused: boolean;
  received: number;
  /** Total size as the server reported it (or the expected size). */
  total: number | null;
  /** Bytes on disk when the current attempt began: tells a failure that moved data from one that did not. */
  attemptFrom: number;
  /** Failed attempts in a row. */
  attempt: number;
  /** Delay before the next attempt while waiting, else null. */
  retryInMs: number | null;
  /** Digest computed while the bytes arrived (null: verify re-hashes the file). */
  digest: string | null;
  /**
   * The server's validator (a strong ETag, or a Last-Modified date) of the bytes in the partial
   * file, sent as If-Range when resuming: a file that changed in between comes whole, from byte 0.
   */
  validator: string | null;
  /**
   * The file's SHA-256 as its source states it (the hub's `X-Linked-Etag`): what a download
   * asked for without a digest is verified against.
   */
  announcedSha256: string | null;
  error: string | null;
  statusMsg: string;
}

export type DownloadEvent =
  // From the manager:
  | { type: 'download.run' }
  | { type: 'download.pause' }
  | { type: 'download.resume' }
  | { type: 'download.cancel' }
  // From the transfer actor:
  /** `announcedSha256`: the source's own statement of the file's digest (the hub's `X-Linked-Etag`). */
  | { type: 'transfer.started'; from: number; total: number | null; validator: string | null; announcedSha256: string | null }
  | { type: 'transfer.progress'; received: number; total: number | null }
  | { type: 'transfer.finished'; received: number; total: number | null; sha256: string }
  | { type: 'transfer.failed'; reason: string; retryable: boolean }
  // From the verify actor:
  | { type: 'verify.done'; sha256: string; bytes: number }
  | { type: 'verify.failed'; reason: string };

export interface TransferInput {
  url: string;
  dest: string;
  size: number | null;
  validator: string | null;
}

export interface VerifyInput {
  dest: string;
  sha256: string | null;
  size: number | null;
  digest: string | null;
  /** Bytes the transfer left in the partial file, all of them covered by `digest`. */
  received: number;
}

/** The states a client sees (`waiting` is downloading's pause between attempts). */
export type DownloadState = 'queued' | 'downloading' | 'waiting' | 'paused' | 'verifying' | 'done' | 'failed' | 'cancelled';

export const FINAL_STATES: ReadonlySet<DownloadState> = new Set(['done', 'failed', 'cancelled']);

/** The client-facing state of a snapshot's value. */
export function downloadStateOf(value: unknown): DownloadState {
  if (typeof value === 'string') return value === 'init' ? 'queued' : (value as DownloadState);
  const inner = (value as { downloading?: string }).downloading;
  return inner === 'waiting' ? 'waiting' : 'downloading';
}

const delayFor = (c: DownloadContext) => c.retryDelaysMs[Math.min(c.attempt - 1, c.retryDelaysMs.length - 1)] ?? 1_000;

export const downloadMachine = setup({
  types: {
    context: {} as DownloadContext,
    events: {} as DownloadEvent,
    input: {} as DownloadInput,
  },
  actors: {
    /** Fetches into `<dest>.incomplete` from what is already there; reports transfer.* events. */
    transfer: fromCallback<DownloadEvent, TransferInput>(() => undefined),
    /** Checks size and digest, then renames into place (or removes the bad file); reports verify.*. */
    verify: fromCallback<DownloadEvent, VerifyInput>(() => undefined),
  },
  actions: {
    /** Deletes `<dest>.incomplete` (once any transfer has let go of it). */
    discardPartial: () => undefined,
  },
  guards: {
    startPaused: ({ context }) => context.startPaused,
    /** Another attempt is allowed: the failure is retryable and the budget is not spent. */
    canRetry: ({ context, event }) =>
      event.type === 'transfer.failed' && event.retryable && nextAttempt(context) < context.maxAttempts,
  },
  delays: {
    retryDelay: ({ context }) => delayFor(context),
  },
}).createMachine({
  id: 'download',
  context: ({ input }) => ({
    id: input.id,
    url: input.url,
    dest: input.dest,
    sha256: input.sha256?.toLowerCase() ?? null,
    size: input.size,
    kind: input.kind,
    retryDelaysMs: input.retryDelaysMs ?? RETRY_DELAYS_MS,
    maxAttempts: input.maxAttempts ?? MAX_ATTEMPTS,
    startPaused: input.paused ?? false,
    received: input.received ?? 0,
    total: input.size,
    attemptFrom: input.received ?? 0,
    attempt: 0,
    retryInMs: null,
    digest: null,
    validator: input.validator ?? null,
    announcedSha256: input.announcedSha256 ?? null,
    error: null,
    statusMsg: input.paused ? 'Paused — resume to continue.' : 'Queued',
  }),
  initial: 'init',
  states: {
    init: { always: [{ guard: 'startPaused', target: 'paused' }, { target: 'queued' }] },
    queued: {
      entry: assign({ statusMsg: 'Queued', error: null }),
      on: {
        'download.run': 'downloading',
        'download.pause': 'paused',
        'download.cancel': 'cancelled',
      },
    },
    downloading: {
      initial: 'transferring',
      on: {
        'download.pause': 'paused',
        'download.cancel': 'cancelled',
      },
      states: {
        transferring: {
          entry: assign(({ context }) => ({ retryInMs: null, attemptFrom: context.received, statusMsg: context.attempt > 0 ? `Retrying (attempt ${context.attempt + 1} of ${context.maxAttempts})` : 'Connecting' })),
          invoke: {
            src: 'transfer',
            input: ({ context }) => ({ url: context.url, dest: context.dest, size: context.size, validator: context.validator }),
          },
          on: {
            'transfer.started': {
              actions: assign(({ context, event }) => ({
                received: event.from,
                attemptFrom: event.from,
                total: event.total ?? context.total,
                validator: event.validator,
                // Resumed bytes keep the digest stated with their first part if this hop says none.
                announcedSha256: event.announcedSha256 ?? (event.from > 0 ? context.announcedSha256 : null),
                statusMsg: 'Downloading',
              })),
            },
            'transfer.progress': {
              actions: assign(({ context, event }) => ({ received: event.received, total: event.total ?? context.total, statusMsg: 'Downloading' })),
            },
            'transfer.finished': {
              target: '#download.verifying',
              actions: assign(({ context, event }) => ({ received: event.received, total: event.total ?? context.total, digest: event.sha256, attempt: 0 })),
            },
            'transfer.failed': [
              {
                guard: 'canRetry',
                target: 'waiting',
                actions: assign(({ context, event }) => ({ attempt: nextAttempt(context), error: event.reason })),
              },
              {
                target: '#download.failed',
                actions: assign(({ context, event }) => ({
                  attempt: nextAttempt(context),
                  error: event.retryable ? `${event.reason} (gave up after ${nextAttempt(context)} attempts)` : event.reason,
                })),
              },
            ],
          },
        },
        waiting: {
          entry: assign(({ context }) => ({
            retryInMs: delayFor(context),
            statusMsg: `${context.error ?? 'Connection failed'}; retrying in ${Math.ceil(delayFor(context) / 1000)} s`,
          })),
          after: { retryDelay: 'transferring' },
        },
      },
    },
    paused: {
      entry: assign({ retryInMs: null, statusMsg: 'Paused — resume to continue.' }),
      on: {
        // Back through the queue so a resumed download waits for a free slot like any other.
        'download.resume': { target: 'queued', actions: assign({ attempt: 0, startPaused: false }) },
        'download.cancel': 'cancelled',
      },
    },
    verifying: {
      entry: assign({ retryInMs: null, statusMsg: 'Verifying' }),
      invoke: {
        src: 'verify',
        input: ({ context }) => ({ dest: context.dest, sha256: context.sha256 ?? context.announcedSha256, size: context.size, digest: context.digest, received: context.received }),
      },
      on: {
        'verify.done': { target: 'done', actions: assign(({ event }) => ({ digest: event.sha256, received: event.bytes, total: event.bytes })) },
        'verify.failed': { target: 'failed', actions: assign(({ event }) => ({ error: event.reason })) },
        'download.cancel': 'cancelled',
      },
    },
    done: { type: 'final', entry: assign({ statusMsg: 'Downloaded', error: null }) },
    failed: { type: 'final', entry: assign(({ context }) => ({ retryInMs: null, statusMsg: context.error ?? 'Download failed' })) },
    cancelled: { type: 'final', entry: ['discardPartial', assign({ retryInMs: null, received: 0, validator: null, announcedSha256: null, statusMsg: 'Cancelled', error: null })] },
  },
});

/** The attempt count after the current attempt failed: a run that moved bytes counts as the first failure of a new run. */
function nextAttempt(c: DownloadContext): number {
  return c.received > c.attemptFrom ? 1 : c.attempt + 1;
}
