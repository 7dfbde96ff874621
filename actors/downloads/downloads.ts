// The downloads manager as the rest of the daemon sees it: a generic API (start, pause, resume,
// cancel, forget, list) over whichever runner the supervised `downloads` actor is running, and
// a registry of reporters, one per kind of download, that turn a download's progress into that
// subsystem's own events (EXG weights: `ExgDownloadProgress`…; the LLM: `LlmDownloadProgress`…).
// This object outlives actor restarts; the runner behind it does not.
import type { DownloadRequest } from '../../machines/download.ts';
import { isLoopbackHost, type NetworkMode } from '../config.ts';
import type { DownloadIo } from './downloadActor.ts';
import { DownloadError } from './downloadError.ts';
import { queueFileIn } from './downloadQueueFile.ts';
import { DownloadRunner } from './downloadRunner.ts';
import type { DownloadView } from './downloadView.ts';

/** What one kind of download reports, and how. */
export interface DownloadReporter {
  /** A change of the download: at most 5 a second while it runs, and once for its final state. */
  update(view: DownloadView): void;
  /** The download was dropped from the list (`forget`). */
  removed?(view: DownloadView): void;
}

/** What a caller asks for: the request with the expected digest and size optional. */
export type DownloadStart = Omit<DownloadRequest, 'sha256' | 'size'> & { sha256?: string | null; size?: number | null };

export interface DownloadsOptions {
  dataDir: string;
  /** In `loopback` mode only loopback hosts may be fetched (tests, air-gapped machines). */
  network: NetworkMode;
  /** The Authorization header for a URL (the hub's token, hubToken.ts); none when absent. */
  authorization?: (url: URL) => string | null;
  warn(message: string): void;
  maxConcurrent?: number;
  retryDelaysMs?: number[];
  maxAttempts?: number;
  stallTimeoutMs?: number;
  reportIntervalMs?: number;
  /** The clock reports are throttled and stamped by (tests read it to time the reports). */
  now?: () => number;
}

export const REPORT_INTERVAL_MS = 200;

export class Downloads {
  #runner: DownloadRunner | null = null;
  readonly #reporters = new Map<string, DownloadReporter>();
  readonly #io: DownloadIo;

  constructor(private readonly opts: DownloadsOptions) {
    const reportIntervalMs = opts.reportIntervalMs ?? REPORT_INTERVAL_MS;
    this.#io = {
      refuse: (url) => refusal(url, opts.network),
      authorization: opts.authorization ?? (() => null),
      stallTimeoutMs: opts.stallTimeoutMs ?? 30_000,
      progressIntervalMs: Math.min(reportIntervalMs, REPORT_INTERVAL_MS),
    };
  }

  /** Registers the events of one kind of download (one reporter per kind). */
  reportKind(kind: string, reporter: DownloadReporter): void {
    this.#reporters.set(kind, reporter);
  }

  /** A runner for the supervised actor, restored from the queue file. */
  createRunner(): DownloadRunner {
    return new DownloadRunner({
      queueFile: queueFileIn(this.opts.dataDir),
      io: this.#io,
      maxConcurrent: this.opts.maxConcurrent ?? 2,
      retryDelaysMs: this.opts.retryDelaysMs,
      maxAttempts: this.opts.maxAttempts,
      reportIntervalMs: this.opts.reportIntervalMs ?? REPORT_INTERVAL_MS,
      now: this.opts.now,
      warn: this.opts.warn,
      report: (view, removed) => {
        const reporter = this.#reporters.get(view.kind);
        try {
          if (removed) reporter?.removed?.(view);
          else reporter?.update(view);
        } catch (err) {
          this.opts.warn(`download reporter for "${view.kind}" failed: ${(err as Error).stack ?? err}`);
        }
      },
    });
  }

  /** The running actor registers its runner here; the returned function detaches it. */
  attach(runner: DownloadRunner): () => void {
    this.#runner = runner;
    return () => {
      if (this.#runner === runner) this.#runner = null;
    };
  }

  get running(): boolean {
    return this.#runner !== null;
  }

  /** Starts (or, when paused, resumes) a download; `sha256` and `size` are checked when given. */
  start(req: DownloadStart): DownloadView {
    return this.#use().start({ ...req, sha256: req.sha256?.toLowerCase() ?? null, size: req.size ?? null });
  }

  pause(id: string): DownloadView {
    return this.#use().pause(id);
  }

  resume(id: string): DownloadView {
    return this.#use().resume(id);
  }

  cancel(id: string): DownloadView {
    return this.#use().cancel(id);
  }

  forget(id: string): DownloadView {
    return this.#use().forget(id);
  }

  get(id: string): DownloadView | null {
    return this.#runner?.get(id) ?? null;
  }

  /** Every download held, in queue order; empty while the manager restarts. */
  list(): DownloadView[] {
    return this.#runner?.list() ?? [];
  }

  #use(): DownloadRunner {
    if (!this.#runner) throw new DownloadError('unavailable', 'the downloads manager is restarting; try again shortly');
    return this.#runner;
  }
}

function refusal(url: URL, network: NetworkMode): string | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `unsupported URL scheme ${url.protocol}`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (network === 'loopback' && !isLoopbackHost(host)) return `network is loopback-only (SKILL_NETWORK=loopback); refusing to fetch from ${url.host}`;
  return null;
}
