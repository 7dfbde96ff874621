// Fault injection for supervision tests (enabled only with SKILL_FAULT_INJECTION=1 or
// --fault-injection). The wrapper keeps the actor's own logic and, when it receives
// `debug.fault {mode}`, makes the actor fail the way a real one can, each through xstate's
// normal paths to the supervisor:
//   throw — its next step throws, as a bug in one of its actions would (xstate.error.actor);
//   hang  — it stops processing events, heartbeats included, as a wedged actor would; only the
//           heartbeat monitor (actors/actorHeartbeat.ts) can notice, and the supervisor then
//           fails it;
//   exit  — it completes, as a process that ended would (xstate.done.actor); the supervisor
//           treats that by the child's restart policy.
import type { AnyActorLogic, AnyActorRef } from 'xstate';

export type FaultMode = 'throw' | 'hang' | 'exit';
export const FAULT_MODES: readonly FaultMode[] = ['throw', 'hang', 'exit'];

export class InjectedFault extends Error {
  constructor(actorId: string) {
    super(`injected fault in actor "${actorId}"`);
  }
}

export const FAULT_EVENT = 'debug.fault';

// Stopping is the parent's act, not a message the actor may ignore: a hung actor still obeys it,
// as a hung process still dies of SIGKILL, so its own cleanup runs.
const STOP_EVENT = 'xstate.stop';

export function withFaultInjection<L extends AnyActorLogic>(logic: L, actorId: string): L {
  // Per running actor, so a restarted one starts healthy.
  const hung = new WeakSet<AnyActorRef>();
  const wrapped = Object.create(logic) as L;
  wrapped.transition = (snapshot, event, scope) => {
    const { type, mode } = event as { type: string; mode?: FaultMode };
    if (hung.has(scope.self) && type !== STOP_EVENT) return snapshot;
    if (type !== FAULT_EVENT) return logic.transition(snapshot, event, scope);
    if (mode === 'hang') {
      hung.add(scope.self);
      return snapshot;
    }
    if (mode === 'exit') return { ...snapshot, status: 'done', output: undefined };
    throw new InjectedFault(actorId);
  };
  return wrapped;
}
