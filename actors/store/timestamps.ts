// Timestamps in the per-day `embeddings` table. This daemon writes unix milliseconds only; the
// reference also wrote `YYYYMMDDHHmmss` (14 digits) and `YYYYMMDDHHmmss × 1000` (17 digits), both
// UTC, and files written by it must still read correctly (notes §4.2, quirk §15.1). Readers
// classify a stored value by its digit count and query all three ranges at once.

/** Unix ms of a stored timestamp of any of the three encodings (unix seconds too, for CSV-era data). */
export function storedToUnixMs(ts: number): number {
  const digits = Math.floor(Math.abs(ts)).toString().length;
  if (digits === 17) return compactToUnixMs(Math.floor(ts / 1000));
  if (digits === 14) return compactToUnixMs(ts);
  if (digits <= 10) return ts * 1000;
  return ts;
}

/** `YYYYMMDDHHmmss` (UTC) → unix ms. */
export function compactToUnixMs(compact: number): number {
  const s = Math.floor(compact).toString().padStart(14, '0');
  return Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14));
}

/** unix ms → `YYYYMMDDHHmmss` (UTC). */
export function unixMsToCompact(ms: number): number {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => n.toString().padStart(w, '0');
  return Number(
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`,
  );
}

/**
 * A WHERE fragment matching `column` in [startS, endS] (unix seconds, inclusive) in any encoding,
 * with its parameters. Unix-ms first: it is what current rows use, so SQLite's index hits it first.
 */
export function timestampRange(column: string, startS: number, endS: number): { sql: string; params: number[] } {
  const c14a = unixMsToCompact(startS * 1000);
  const c14b = unixMsToCompact(endS * 1000);
  return {
    sql: `((${column} BETWEEN ? AND ?) OR (${column} BETWEEN ? AND ?) OR (${column} BETWEEN ? AND ?))`,
    // 17-digit values are whole seconds × 1000, so the last second's value is the bound: `+ 999`
    // would round to the next second's value, as doubles near 2e16 are 4 apart.
    params: [Math.floor(startS * 1000), Math.ceil(endS * 1000), c14a, c14b, c14a * 1000, c14b * 1000],
  };
}

/** SQL expression converting `column` (any encoding) to unix seconds, for ORDER BY and sampling. */
export function unixSecondsSql(column: string): string {
  // 17 digits ≥ 1e16, 14 digits ≥ 1e13; unix ms sits between 1e12 and 1e13 until the year 2286.
  const compact = (x: string) =>
    `CAST(strftime('%s', substr(${x},1,4)||'-'||substr(${x},5,2)||'-'||substr(${x},7,2)||' '||substr(${x},9,2)||':'||substr(${x},11,2)||':'||substr(${x},13,2)) AS INTEGER)`;
  return `(CASE WHEN ${column} >= 10000000000000000 THEN ${compact(`CAST(${column} / 1000 AS TEXT)`)}` +
    ` WHEN ${column} >= 10000000000000 THEN ${compact(`CAST(${column} AS TEXT)`)}` +
    ` ELSE ${column} / 1000.0 END)`;
}
