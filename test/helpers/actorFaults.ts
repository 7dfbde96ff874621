// One injected fault, followed through the supervisor: each mode must take its own path —
// throw and hang end in actor-failed (an injected error; a stall found by the heartbeat),
// exit in actor-exited — and then actor-restarted. Anything else is reported as a mismatch.
import type { FaultMode } from '../../actors/faults.ts';
import type { client } from './http.ts';
import type { SupervisorEvent, SupervisorEvents } from './supervisorEvents.ts';

export interface FaultOutcome {
  ok: boolean;
  /** What went wrong, when not ok. */
  problem?: string;
  events: SupervisorEvent[];
  /** The request was sent twice (a reset kept-alive connection). */
  retried?: boolean;
}

const expected: Record<FaultMode, (e: SupervisorEvent) => boolean> = {
  throw: (e) => e.type === 'actor-failed' && /injected fault/.test(e.error ?? ''),
  hang: (e) => e.type === 'actor-failed' && /stalled/.test(e.error ?? ''),
  exit: (e) => e.type === 'actor-exited' && typeof e.restart_in_ms === 'number',
};

export async function injectAndAwaitRestart(
  admin: ReturnType<typeof client>,
  events: SupervisorEvents,
  actor: string,
  mode: FaultMode,
  timeoutMs = 30_000,
): Promise<FaultOutcome> {
  events.clear(actor);
  // A kept-alive connection the server closed as it was reused fails before the request is
  // read: that one is sent again, once (counted by the caller through `retried`).
  const post = () => admin.post('/v1/debug/actors/fault', { id: actor, mode }).catch((err: Error) => ({ status: 0, text: err.message }));
  let res = await post();
  const retried = res.status === 0 && /ECONNRESET|socket hang up/.test(res.text);
  if (retried) res = await post();
  if (res.status !== 200) return { ok: false, problem: `fault refused: ${res.status} ${res.text}`, events: [] };
  let seen: SupervisorEvent[];
  try {
    seen = await events.until(actor, (e) => e.type === 'actor-restarted' || e.type === 'actor-given-up', timeoutMs);
  } catch (err) {
    return { ok: false, problem: (err as Error).message, events: [] };
  }
  const end = seen.at(-1)!;
  if (end.type === 'actor-given-up') return { ok: false, problem: `given up: ${end.error}`, events: seen };
  const ends = seen.filter((e) => e.type !== 'actor-restarted');
  if (ends.length !== 1 || !expected[mode](ends[0]!)) return { ok: false, problem: `${mode} took the wrong path: ${JSON.stringify(seen)}`, events: seen };
  return { ok: true, events: seen, retried };
}
