// The UMAP service behind POST /v1/analysis/umap: parameters from umap-config, the result cache,
// one run per distinct request, progress on the event bus.
//
// A request goes: inputs digest (on the analysis pool, read-only) → cache key → cached file, or
// the same request already running (joined, not started twice), or a new run on UmapRunner. Each
// run publishes `umap-progress {id, status, epoch, n_epochs, n_points, elapsed_ms}`: `queued`,
// `loading`, `neighbors`, `fitting` (at most 4 a second), then `done`, `failed` or `timeout`.
// `id` is the cache key, the same for every client asking the same question.
import type { EventBus } from '../eventBus.ts';
import type { UmapConfig } from '../settings/umapConfig.ts';
import { UmapCache, umapCacheKey } from './umapCache.ts';
import type { UmapParams, UmapRanges } from './umapProjection.ts';
import { UmapRunner, UmapTimeout, type UmapRun } from './umapRunner.ts';

export type UmapAnswer =
  /** A fresh result, as the worker encoded it. */
  | { kind: 'fresh'; json: Uint8Array }
  /** A cached result, marked `cached: true`. */
  | { kind: 'cached'; value: Record<string, unknown> };

export interface UmapProjectionsOptions {
  dataDir: string;
  bus: EventBus;
  config(): UmapConfig;
  /** Digest of the inputs of `ranges` (see umapInputDigest.ts), computed off the event loop. */
  inputDigest(ranges: UmapRanges, signal: AbortSignal): Promise<string>;
  runner?: UmapRunner;
}

export class UmapProjections {
  readonly #o: UmapProjectionsOptions;
  readonly #runner: UmapRunner;
  readonly #cache: UmapCache;
  readonly #inFlight = new Map<string, Promise<UmapRun>>();

  constructor(o: UmapProjectionsOptions) {
    this.#o = o;
    this.#runner = o.runner ?? new UmapRunner();
    this.#cache = new UmapCache(o.dataDir);
  }

  async project(ranges: UmapRanges, signal: AbortSignal): Promise<UmapAnswer> {
    const cfg = this.#o.config();
    const params: UmapParams = {
      n_neighbors: cfg.n_neighbors,
      n_epochs: cfg.n_epochs,
      repulsion_strength: cfg.repulsion_strength,
      neg_sample_rate: cfg.neg_sample_rate,
      cooldown_ms: cfg.cooldown_ms,
    };
    const key = umapCacheKey(await this.#o.inputDigest(ranges, signal), params);
    const cached = await this.#cache.read(ranges, key);
    if (cached) return { kind: 'cached', value: { ...cached, cached: true } };
    let run = this.#inFlight.get(key);
    if (!run) {
      run = this.#start(key, ranges, params, cfg.timeout_secs * 1000);
      this.#inFlight.set(key, run);
      const forget = () => this.#inFlight.delete(key);
      run.then(forget, forget);
    }
    // A client that goes away does not stop the run: the result still lands in the cache.
    return { kind: 'fresh', json: (await run).json };
  }

  close(): Promise<void> {
    return this.#runner.close();
  }

  async #start(id: string, ranges: UmapRanges, params: UmapParams, timeoutMs: number): Promise<UmapRun> {
    let started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const publish = (status: string, extra: Record<string, unknown> = {}) =>
      this.#o.bus.publish('umap-progress', { id, status, epoch: 0, n_epochs: params.n_epochs, n_points: 0, ...extra, elapsed_ms: elapsed() });
    publish('queued');
    try {
      const run = await this.#runner.run(
        { dataDir: this.#o.dataDir, ranges, params },
        timeoutMs,
        (p) => publish(p.status, { ...p }),
        () => (started = performance.now()),
      );
      try {
        if (run.cacheable) this.#cache.write(ranges, id, run.json);
      } catch {
        // A cache that cannot be written (disk full, permissions) costs a recomputation later,
        // not this answer.
      }
      publish('done', { epoch: params.n_epochs });
      return run;
    } catch (err) {
      publish(err instanceof UmapTimeout ? 'timeout' : 'failed', { error: (err as Error).message });
      throw err;
    }
  }
}
