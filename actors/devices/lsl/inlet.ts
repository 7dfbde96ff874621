// An inlet that keeps reading one stream across outlet restarts (protocol doc §7, §10 step 8).
// A feed is lost on EOF, a socket error, an error status, or — for a regular-rate stream — a
// silence longer than `stallTimeoutMs` after which the outlet no longer answers discovery. Then,
// if the stream has a source_id, it re-resolves with liblsl's recovery predicate (no session_id):
// the same uid means the outlet is still there (reconnect to it); exactly one other uid is the
// restarted source (adopt its info and reconnect); none or several means try again. Recovery
// gives up after `recoverTimeoutMs`, and without a source_id the stream is simply ended.
import type { NetworkMode } from '../../config.ts';
import { openFeed, type FeedConnection } from './feedConnection.ts';
import type { FeedError, LslSample } from './feedReader.ts';
import { equalsTerm } from './predicate.ts';
import { resolveStreams } from './resolver.ts';
import type { StreamInfo } from './streamInfo.ts';

export interface InletOptions {
  network: NetworkMode;
  knownPeers?: string[];
  /** Re-resolve and reconnect when the feed is lost (needs a source_id). Default true. */
  recover?: boolean;
  /** How long recovery may try before the inlet ends. Default 15 s. */
  recoverTimeoutMs?: number;
  /** Silence on a regular-rate stream that triggers a liveness check. Default 5 s. */
  stallTimeoutMs?: number;
  /** Connect, handshake and test patterns must complete within this. Default 10 s. */
  openTimeoutMs?: number;
  /** `Max-Buffer-Length` requested from the outlet; default 360 s of samples. */
  maxBufferLength?: number;
}

export interface InletHandlers {
  /** Decoded samples, timestamps on the outlet's clock; `info` is the stream they came from. */
  samples(samples: LslSample[], info: StreamInfo): void;
  /** The feed was lost and recovery started. */
  lost?(reason: string): void;
  /** Reading again, possibly from a restarted outlet (new uid, address or ports). */
  recovered?(info: StreamInfo): void;
  /** The inlet stopped for good (not called after `close`). */
  ended(reason: string): void;
}

/** liblsl's recovery query: the stream's identity without the session, so a restart matches. */
export function recoveryPredicate(info: StreamInfo): string {
  const terms = [equalsTerm('channel_count', String(info.channelCount))];
  if (info.name) terms.push(equalsTerm('name', info.name));
  if (info.type) terms.push(equalsTerm('type', info.type));
  if (info.sourceId) terms.push(equalsTerm('source_id', info.sourceId));
  terms.push(equalsTerm('channel_format', info.channelFormat));
  return terms.join(' and ');
}

const RECOVERY_WAVE_MS = 500;
const RECONNECT_PAUSE_MS = 250;

export class LslInlet {
  private current: StreamInfo;
  private feed: FeedConnection | null = null;
  private closed = false;
  private recovering = false;
  private checking = false;
  private watchdog: NodeJS.Timeout | null = null;
  private readonly stop = new AbortController();

  private constructor(
    info: StreamInfo,
    private readonly handlers: InletHandlers,
    private readonly options: InletOptions,
  ) {
    this.current = info;
  }

  /** Opens the feed (resolves after the test patterns were checked) and keeps it open. */
  static async open(info: StreamInfo, handlers: InletHandlers, options: InletOptions, signal?: AbortSignal): Promise<LslInlet> {
    const inlet = new LslInlet(info, handlers, options);
    await inlet.connect(signal);
    inlet.startWatchdog();
    return inlet;
  }

  get info(): StreamInfo {
    return this.current;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    if (this.watchdog) clearInterval(this.watchdog);
    this.feed?.close();
    this.feed = null;
  }

  private async connect(signal?: AbortSignal): Promise<void> {
    const info = this.current;
    let feed: FeedConnection | null = null;
    feed = await openFeed(
      info,
      {
        samples: (samples) => {
          if (!this.closed && this.current.uid === info.uid) this.handlers.samples(samples, info);
        },
        // Only the current feed's end matters; a replaced one was closed on purpose.
        closed: (error) => {
          if (this.feed === feed) this.onLost(error);
        },
      },
      {
        timeoutMs: this.options.openTimeoutMs ?? 10_000,
        maxBufferLength: this.options.maxBufferLength,
        signal: signal ?? this.stop.signal,
      },
    );
    this.feed = feed;
    if (this.closed) feed.close(); // closed while the handshake was in flight
  }

  private onLost(error: FeedError | string): void {
    if (this.closed || this.recovering) return;
    this.feed?.close();
    this.feed = null;
    const reason = typeof error === 'string' ? error : error.message;
    if (this.options.recover === false || !this.current.sourceId) {
      this.end(`stream ${this.current.name} lost: ${reason}`);
      return;
    }
    this.handlers.lost?.(reason);
    void this.recover(reason);
  }

  private async recover(reason: string): Promise<void> {
    this.recovering = true;
    const deadline = Date.now() + (this.options.recoverTimeoutMs ?? 15_000);
    while (!this.closed) {
      if (Date.now() >= deadline) {
        this.end(`stream ${this.current.name} lost (${reason}) and not found again within ${this.options.recoverTimeoutMs ?? 15_000} ms`);
        return;
      }
      const candidates = await this.lookup(Math.min(RECOVERY_WAVE_MS, Math.max(50, deadline - Date.now())));
      if (this.closed) return;
      const same = candidates.find((c) => c.uid === this.current.uid);
      const next = same ?? (candidates.length === 1 ? candidates[0] : undefined);
      if (next) {
        this.current = next;
        try {
          await this.connect();
          this.recovering = false;
          if (!this.closed) this.handlers.recovered?.(next);
          return;
        } catch {
          // The outlet vanished again between reply and connect, or refused: keep looking.
        }
      }
      await sleep(RECONNECT_PAUSE_MS, this.stop.signal);
    }
  }

  private async lookup(timeoutMs: number): Promise<StreamInfo[]> {
    try {
      return await resolveStreams({
        predicate: recoveryPredicate(this.current),
        sessionId: null,
        timeoutMs,
        network: this.options.network,
        knownPeers: this.options.knownPeers,
        signal: this.stop.signal,
      });
    } catch {
      return [];
    }
  }

  /** A regular-rate stream that goes quiet: still there (reconnect to it) or gone (recover)? */
  private startWatchdog(): void {
    const stallMs = this.options.stallTimeoutMs ?? 5000;
    if (!(this.current.nominalSrate > 0) || stallMs <= 0) return;
    this.watchdog = setInterval(() => void this.checkStall(stallMs), Math.min(1000, stallMs / 2));
    this.watchdog.unref();
  }

  private async checkStall(stallMs: number): Promise<void> {
    const feed = this.feed;
    if (!feed || this.recovering || this.checking || Date.now() - feed.lastDataAt < stallMs) return;
    this.checking = true;
    try {
      const candidates = await this.lookup(RECOVERY_WAVE_MS);
      if (this.closed || this.feed !== feed) return;
      const same = candidates.find((c) => c.uid === this.current.uid);
      if (!same) {
        this.onLost(`no data for ${Math.round(stallMs / 1000)} s and the outlet no longer answers discovery`);
        return;
      }
      // The outlet is alive, so the connection may be the dead part (a NAT or proxy that froze
      // without a FIN). liblsl keeps waiting here; a fresh connection costs one handshake and
      // cannot lose data, since an outlet only ever sends samples pushed after it connected.
      feed.lastDataAt = Date.now();
      this.current = same;
      try {
        await this.connect();
        feed.close();
      } catch {
        if (this.feed === feed) this.onLost('the outlet answers discovery but its feed cannot be reopened');
      }
    } finally {
      this.checking = false;
    }
  }

  private end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    if (this.watchdog) clearInterval(this.watchdog);
    this.handlers.ended(reason);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
