// Time correction messages and arithmetic (protocol doc §8). An inlet sends `LSL:timedata` probes
// to the outlet's UDP service port; the outlet answers each, to the probe's source address and
// port, with the probe's t0 echoed plus its own clock at receipt (t1) and at reply (t2). With t3
// the inlet's clock at arrival, NTP's formulas give the round trip and the clock offset.
import { formatG } from './numberText.ts';

export interface TimeProbe {
  waveId: string;
  t0: number;
}

export interface TimeReply extends TimeProbe {
  t1: number;
  t2: number;
}

export function buildTimeProbe(probe: TimeProbe): Buffer {
  return Buffer.from(`LSL:timedata\r\n${probe.waveId} ${formatG(probe.t0, 16, false)}\r\n`, 'latin1');
}

export function parseTimeProbe(datagram: Buffer): TimeProbe | null {
  const m = /^[ \t]*LSL:timedata[ \t\r]*\n\s*(\S+)\s+(\S+)/.exec(datagram.toString('latin1'));
  if (!m) return null;
  const t0 = Number(m[2]);
  return Number.isFinite(t0) ? { waveId: m[1] ?? '', t0 } : null;
}

/** ` <wave-id> <t0> <t1> <t2>`: a leading space, no line break, t0 re-printed like liblsl does. */
export function buildTimeReply(reply: TimeReply): Buffer {
  const g = (x: number) => formatG(x, 16, false);
  return Buffer.from(` ${reply.waveId} ${g(reply.t0)} ${g(reply.t1)} ${g(reply.t2)}`, 'latin1');
}

export function parseTimeReply(datagram: Buffer): TimeReply | null {
  const parts = datagram.toString('latin1').trim().split(/\s+/);
  if (parts.length < 4) return null;
  const [waveId = '', t0, t1, t2] = [parts[0], Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![t0, t1, t2].every(Number.isFinite)) return null;
  return { waveId, t0, t1, t2 };
}

export interface ClockEstimate {
  /** Round trip without the outlet's processing time. */
  rtt: number;
  /** Outlet clock minus inlet clock. */
  offset: number;
  /** What to add to the outlet's timestamps to get the inlet's clock (liblsl's time_correction). */
  correction: number;
}

export function estimateClock(reply: TimeReply, t3: number): ClockEstimate {
  const rtt = t3 - reply.t0 - (reply.t2 - reply.t1);
  const offset = (reply.t1 - reply.t0 + (reply.t2 - t3)) / 2;
  return { rtt, offset, correction: -offset };
}

/** liblsl keeps the probe with the smallest round trip of a wave. */
export function bestEstimate(estimates: ClockEstimate[]): ClockEstimate | null {
  let best: ClockEstimate | null = null;
  for (const e of estimates) if (!best || e.rtt < best.rtt) best = e;
  return best;
}
