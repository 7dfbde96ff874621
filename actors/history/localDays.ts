// Local calendar days for a client in another timezone (notes §4.5). The client sends its offset
// east of UTC in seconds (`-new Date().getTimezoneOffset() * 60`); a session belongs to the local
// day that contains its start. Day keys are `YYYY-MM-DD`, bounds are unix seconds [start, end).
export interface LocalDay {
  key: string;
  start_utc: number;
  end_utc: number;
}

const KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function localDateKey(utcSecs: number, tzOffsetSecs: number): string {
  return new Date((utcSecs + tzOffsetSecs) * 1000).toISOString().slice(0, 10);
}

/** Bounds of a local day, or null for a key that is not a real calendar date ("2026-02-30"). */
export function localDayBounds(key: string, tzOffsetSecs: number): LocalDay | null {
  const m = KEY.exec(key);
  if (!m) return null;
  const midnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000;
  if (localDateKey(midnight, 0) !== key) return null;
  const start = midnight - tzOffsetSecs;
  return { key, start_utc: start, end_utc: start + 86_400 };
}

/** The local days on which any of `startSecs` falls, newest first. */
export function localDaysOf(startSecs: Iterable<number>, tzOffsetSecs: number): LocalDay[] {
  const keys = new Set<string>();
  for (const s of startSecs) keys.add(localDateKey(s, tzOffsetSecs));
  return [...keys].sort().reverse().map((k) => localDayBounds(k, tzOffsetSecs)!);
}

export const startsWithin = (startSecs: number, day: LocalDay) => startSecs >= day.start_utc && startSecs < day.end_utc;
