// Rate limits on the routes that cost real work (search, UMAP, re-embedding, index rebuilds,
// chat), after the Signet sibling's per-operation limits: a client looping on one of them gets
// 429 with `retry-after` instead of queueing CPU-bound work without end, and other clients and
// the cheap routes are not affected. One token bucket per caller and cost class.
//
// The table is data: which route costs what, and each class's rate. `SKILL_RATE_LIMITS` (JSON,
// `{"search": {"per_minute": 60, "burst": 5}, …}`) overrides classes; `off` disables limiting
// (benchmarks that measure raw throughput).
import type { Principal } from './route.ts';

export type CostClass = 'search' | 'umap' | 'rebuild' | 'chat';

export interface Rate {
  per_minute: number;
  /** Requests allowed at once before the per-minute refill applies. */
  burst: number;
}

export const DEFAULT_RATES: Readonly<Record<CostClass, Rate>> = {
  search: { per_minute: 600, burst: 60 },
  umap: { per_minute: 60, burst: 10 },
  rebuild: { per_minute: 30, burst: 10 },
  chat: { per_minute: 600, burst: 60 },
};

/** `METHOD path` of each costly route and what it costs. */
export const COSTLY_ROUTES: Readonly<Record<string, CostClass>> = {
  'POST /v1/search/eeg': 'search',
  'POST /v1/search/eeg/stream': 'search',
  'POST /v1/search/compare': 'search',
  'POST /v1/search/commands': 'search',
  'POST /v1/labels/search': 'search',
  'POST /v1/labels/search-by-eeg': 'search',
  'POST /v1/settings/screenshot/search-text': 'search',
  'POST /v1/analysis/umap': 'umap',
  'POST /v1/models/trigger-reembed': 'rebuild',
  'POST /v1/models/trigger-reembed/stream': 'rebuild',
  'POST /v1/labels/reembed': 'rebuild',
  'POST /v1/labels/index/rebuild': 'rebuild',
  'POST /v1/search/global-index/rebuild': 'rebuild',
  'POST /v1/chat/completions': 'chat',
  'POST /v1/llm/chat-completions': 'chat',
};

/** Buckets kept at most; full (idle) ones are dropped first when the map grows past it. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly rates: Readonly<Record<CostClass, Rate>> | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** From `SKILL_RATE_LIMITS`: unset → defaults, `off` → none, JSON → defaults with those classes replaced. */
  static fromEnv(value: string | undefined): RateLimiter {
    if (value === undefined || value.trim() === '') return new RateLimiter(DEFAULT_RATES);
    if (value.trim() === 'off') return new RateLimiter(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error(`SKILL_RATE_LIMITS is neither "off" nor JSON: ${value}`);
    }
    const rates: Record<CostClass, Rate> = { ...DEFAULT_RATES };
    for (const [cls, rate] of Object.entries(parsed as Record<string, Partial<Rate>>)) {
      if (!(cls in DEFAULT_RATES)) throw new Error(`SKILL_RATE_LIMITS: unknown class "${cls}" (known: ${Object.keys(DEFAULT_RATES).join(', ')})`);
      const perMinute = Number(rate.per_minute);
      const burst = Number(rate.burst);
      if (!(perMinute > 0) || !(burst >= 1)) throw new Error(`SKILL_RATE_LIMITS.${cls}: per_minute > 0 and burst ≥ 1 are needed`);
      rates[cls as CostClass] = { per_minute: perMinute, burst: Math.floor(burst) };
    }
    return new RateLimiter(rates);
  }

  /** Null when `route` may run now (a token is taken); else the whole seconds until it may. */
  take(routeKey: string, principal: Principal): number | null {
    const cls = COSTLY_ROUTES[routeKey];
    if (!cls || !this.rates) return null;
    const rate = this.rates[cls];
    const key = `${callerOf(principal)}|${cls}`;
    const now = this.now();
    const perMs = rate.per_minute / 60_000;
    const b = this.#buckets.get(key) ?? { tokens: rate.burst, at: now };
    b.tokens = Math.min(rate.burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.#buckets.set(key, b);
      if (this.#buckets.size > MAX_BUCKETS) this.#prune(now);
      return null;
    }
    this.#buckets.set(key, b);
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
  }

  #prune(now: number): void {
    for (const [key, b] of this.#buckets) {
      const cls = key.slice(key.lastIndexOf('|') + 1) as CostClass;
      const rate = this.rates![cls];
      if (b.tokens + (now - b.at) * (rate.per_minute / 60_000) >= rate.burst) this.#buckets.delete(key);
    }
    // Every bucket busy: drop the oldest rather than grow without bound.
    while (this.#buckets.size > MAX_BUCKETS) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}

/** Who is limited: each token on its own; the default token and anonymous callers as one each. */
function callerOf(p: Principal): string {
  return p.kind === 'token' ? `token:${p.id}` : p.kind;
}
