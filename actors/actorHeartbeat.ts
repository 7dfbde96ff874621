// Heartbeats for the supervised actors: the one way to notice an actor that has stopped
// processing its events. A thrown error and a normal exit reach the supervisor by themselves
// (xstate.error / xstate.done), but an actor that merely ignores its mailbox sends nothing, and
// the main thread around it stays healthy, so neither the supervisor nor the stall detector
// (a wedged main thread) would ever see it.
//
// Every supervised actor's logic is wrapped so that it answers `supervisor.heartbeat` itself,
// below the actor's own statechart (which never sees the event). A monitor sends each running
// child a heartbeat every interval; xstate delivers an event to an idle actor synchronously, so a
// healthy one has answered before `send` returns and one still unanswered after the timeout has
// stopped draining its mailbox. The monitor then reports it (`supervisor.stalled`) and the
// supervisor fails it like a throw: its children are stopped and it is restarted by its policy.
import type { AnyActorLogic, AnyActorRef } from 'xstate';

export const HEARTBEAT_EVENT = 'supervisor.heartbeat';

export interface HeartbeatTiming {
  /** How often each running child is sent a heartbeat. */
  everyMs: number;
  /** How long a heartbeat may stay unanswered before the child counts as stalled. */
  timeoutMs: number;
}

export interface Beating {
  id: string;
  ref: AnyActorRef;
}

export class ActorHeartbeats {
  // Per running actor (keyed by ref), so a restarted one starts with a clean slate.
  readonly #pendingSince = new WeakMap<AnyActorRef, number>();
  readonly #reported = new WeakSet<AnyActorRef>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The same logic, answering heartbeats without passing them to the actor's own statechart. */
  wrap<L extends AnyActorLogic>(logic: L): L {
    const wrapped = Object.create(logic) as L;
    wrapped.transition = (snapshot, event, scope) => {
      if ((event as { type: string }).type !== HEARTBEAT_EVENT) return logic.transition(snapshot, event, scope);
      this.#pendingSince.delete(scope.self);
      return snapshot;
    };
    return wrapped;
  }

  /**
   * One round: every child whose last heartbeat has waited `timeoutMs` or more is returned
   * (once per actor); every other child is sent a heartbeat unless one is still pending.
   */
  round(children: Beating[], timeoutMs: number): Array<{ id: string; silentMs: number }> {
    const stalled: Array<{ id: string; silentMs: number }> = [];
    const now = this.now();
    for (const { id, ref } of children) {
      if (this.#reported.has(ref)) continue;
      const since = this.#pendingSince.get(ref);
      if (since === undefined) {
        this.#pendingSince.set(ref, now);
        ref.send({ type: HEARTBEAT_EVENT });
      } else if (now - since >= timeoutMs) {
        this.#reported.add(ref);
        stalled.push({ id, silentMs: now - since });
      }
    }
    return stalled;
  }

  /** Runs rounds every `everyMs` until the returned function is called. */
  monitor(timing: HeartbeatTiming, children: () => Beating[], onStalled: (id: string, silentMs: number) => void): () => void {
    const timer = setInterval(() => {
      for (const s of this.round(children(), timing.timeoutMs)) onStalled(s.id, s.silentMs);
    }, timing.everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
