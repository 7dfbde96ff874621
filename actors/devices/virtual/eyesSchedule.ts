// When the virtual wearer has their eyes closed. Alternating open/closed blocks are the classic
// resting-state protocol (e.g. Barry et al. 2007, Clin. Neurophysiol. 118:2765–2773) and give a
// ground truth for the Berger effect: posterior alpha rises when the eyes close.

/** Alternating blocks, or explicit eyes-closed intervals in seconds from the start. */
export type EyesClosedSchedule =
  | { open_s: number; closed_s: number; first?: 'open' | 'closed' }
  | Array<{ start_s: number; end_s: number }>;

/** 20 s open, 20 s closed, starting open. */
export const DEFAULT_EYES_SCHEDULE = { open_s: 20, closed_s: 20, first: 'open' } as const;

/** Returns a predicate: are the eyes closed at `tS` seconds after the start? */
export function eyesClosedAt(schedule: EyesClosedSchedule): (tS: number) => boolean {
  if (Array.isArray(schedule)) {
    const intervals = schedule.map((i) => [i.start_s, i.end_s] as const);
    return (tS) => intervals.some(([a, b]) => tS >= a && tS < b);
  }
  const { open_s, closed_s, first = 'open' } = schedule;
  const period = open_s + closed_s;
  if (closed_s <= 0) return () => false;
  if (open_s <= 0) return () => true;
  return (tS) => {
    const inPeriod = ((tS % period) + period) % period;
    return first === 'open' ? inPeriod >= open_s : inPeriod < closed_s;
  };
}
