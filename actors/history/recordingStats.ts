// Totals over recorded sessions: the history page's counters and its per-day bar chart
// (notes §4.5). A session counts for the week in which it started and for the UTC day folder
// it is stored in; the recorder splits sessions at UTC midnight, so no session spans two days.
export interface TimedSession {
  day: string;
  startSecs: number;
  endSecs: number;
}

export interface HistoryStats {
  total_sessions: number;
  total_secs: number;
  this_week_secs: number;
  last_week_secs: number;
}

const DAY = 86_400;
const durationOf = (s: TimedSession) => Math.max(0, s.endSecs - s.startSecs);

/** Unix seconds of Monday 00:00 UTC of the week containing `nowSecs` (1970-01-01 was a Thursday). */
export function weekStartUtc(nowSecs: number): number {
  const days = Math.floor(nowSecs / DAY);
  return (days - ((days + 3) % 7)) * DAY;
}

export function historyStats(sessions: readonly TimedSession[], nowSecs: number): HistoryStats {
  const thisWeek = weekStartUtc(nowSecs);
  const lastWeek = thisWeek - 7 * DAY;
  const out: HistoryStats = { total_sessions: sessions.length, total_secs: 0, this_week_secs: 0, last_week_secs: 0 };
  for (const s of sessions) {
    const d = durationOf(s);
    out.total_secs += d;
    if (s.startSecs >= thisWeek) out.this_week_secs += d;
    else if (s.startSecs >= lastWeek) out.last_week_secs += d;
  }
  return out;
}

/**
 * Whole minutes recorded on each of the last `days` UTC days, oldest first, today last:
 * `[{day: "YYYY-MM-DD", minutes}]`. Seconds are summed per day before rounding down, so many
 * short sessions are not each rounded to nothing.
 */
export function dailyRecordingMinutes(sessions: readonly TimedSession[], days: number, nowSecs: number): Array<{ day: string; minutes: number }> {
  const secsByFolder = new Map<string, number>();
  for (const s of sessions) secsByFolder.set(s.day, (secsByFolder.get(s.day) ?? 0) + durationOf(s));
  const today = Math.floor(nowSecs / DAY);
  const out: Array<{ day: string; minutes: number }> = [];
  for (let d = today - days + 1; d <= today; d++) {
    const iso = new Date(d * DAY * 1000).toISOString().slice(0, 10);
    out.push({ day: iso, minutes: Math.floor((secsByFolder.get(iso.replace(/-/g, '')) ?? 0) / 60) });
  }
  return out;
}
