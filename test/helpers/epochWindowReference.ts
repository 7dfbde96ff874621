// A stored epoch's 5 s window as the reembed tests define it, computed from the rows a fixture
// wrote rather than by the code under test: the first row at or after the epoch's start (half a
// sample early allowed for 6-decimal timestamps), then round(5·rate) rows; an empty cell holds the
// channel's previous value (0 at the start).
import type { WrittenSession } from './sessionFixture.ts';

export function expectedWindow(s: Pick<WrittenSession, 'times' | 'values'>, startMs: number, rateHz: number): Float32Array[] | null {
  const n = Math.round(5 * rateHz);
  const from = s.times.findIndex((t) => t >= startMs / 1000 - 0.5 / rateHz);
  if (from < 0 || from + n > s.times.length) return null;
  return s.values.map((ch) => {
    const out = new Float32Array(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const v = ch[from + i]!;
      prev = Number.isNaN(v) ? prev : v;
      out[i] = prev;
    }
    return out;
  });
}
