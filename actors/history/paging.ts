// `limit`/`offset` of the history list routes. Query strings and JSON bodies both reach here, so
// a value is accepted as a non-negative integer or the decimal text of one, and nothing else:
// "1.5", "-1", "", "1e3" and limit > 10 000 are refused rather than guessed at.
export const MAX_PAGE_LIMIT = 10_000;

export interface Paging {
  /** null: every item from `offset` on. */
  limit: number | null;
  offset: number;
}

export class PagingError extends Error {}

function count(name: string, raw: unknown, max: number): number | null {
  if (raw === undefined || raw === null) return null;
  const n = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new PagingError(`${name} must be a non-negative integer`);
  if (n > max) throw new PagingError(`${name} must be at most ${max}`);
  return n;
}

export function parsePaging(limit: unknown, offset: unknown): Paging {
  return {
    limit: count('limit', limit, MAX_PAGE_LIMIT),
    offset: count('offset', offset, Number.MAX_SAFE_INTEGER) ?? 0,
  };
}

/** True when the client asked for a page rather than the whole list. */
export const isPaged = (p: Paging) => p.limit !== null || p.offset > 0;

export interface Page<T> {
  items: T[];
  total: number;
  /** Offset of the next page, or null when this page reaches the end. */
  nextOffset: number | null;
}

export function pageOf<T>(all: readonly T[], p: Paging): Page<T> {
  const end = p.limit === null ? all.length : Math.min(all.length, p.offset + p.limit);
  const items = all.slice(p.offset, end);
  return { items, total: all.length, nextOffset: end < all.length ? end : null };
}
