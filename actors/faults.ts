// Fault injection for supervision tests (enabled only with SKILL_FAULT_INJECTION=1 or
// --fault-injection). The wrapper keeps the actor's own logic and makes its next step throw
// when it receives `debug.fault`, exactly as a bug in one of its actions would: the error takes
// xstate's normal path to the supervisor.
import type { AnyActorLogic } from 'xstate';

export class InjectedFault extends Error {
  constructor(actorId: string) {
    super(`injected fault in actor "${actorId}"`);
  }
}

export const FAULT_EVENT = 'debug.fault';

export function withFaultInjection<L extends AnyActorLogic>(logic: L, actorId: string): L {
  const wrapped = Object.create(logic) as L;
  wrapped.transition = (snapshot, event, scope) => {
    if ((event as { type: string }).type === FAULT_EVENT) throw new InjectedFault(actorId);
    return logic.transition(snapshot, event, scope);
  };
  return wrapped;
}
