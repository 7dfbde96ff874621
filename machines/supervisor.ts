// The supervisor statechart, after Erlang/OTP: it holds no business logic, only a child-spec
// table. Each child has a restart policy, a restart intensity (at most N restarts within T ms)
// and an exponential backoff. A child that fails too often is escalated: a nested supervisor
// fails itself so that its own parent restarts the whole subtree; the root supervisor, which
// has no parent, gives the child up (and says so) so the process stays alive.
import { assign, enqueueActions, setup, type AnyActorLogic, type AnyActorRef } from 'xstate';
import { stopOrphanedChildren } from './orphanedChildren.ts';

export type RestartPolicy =
  /** Always restarted, also after it completes normally. */
  | 'permanent'
  /** Restarted only after a failure. */
  | 'transient'
  /** Never restarted. */
  | 'temporary';

export interface ChildSpec {
  id: string;
  /** Name of the statechart the child runs, for diagnostics and the visualizer. */
  machine: string;
  logic: AnyActorLogic;
  /** Evaluated at every (re)start, so a restarted child begins from the current configuration. */
  input?: () => unknown;
  restart: RestartPolicy;
  intensity: { maxRestarts: number; withinMs: number };
  backoff: { initialMs: number; maxMs: number };
}

export type ChildStatus = 'running' | 'restarting' | 'stopped' | 'given_up';

export interface ChildRecord {
  id: string;
  machine: string;
  status: ChildStatus;
  restarts: number;
  /** Failure times (ms) inside the current intensity window, and exits a restart followed. */
  recentFailures: number[];
  lastError: string | null;
  lastFailureAt: number | null;
}

export type Escalation =
  /** Root: stop restarting the child, report it, keep running. */
  | 'give_up'
  /** Nested: fail this supervisor so that its parent decides. */
  | 'fail';

export interface SupervisorInput {
  specs: ChildSpec[];
  escalation: Escalation;
  now?: () => number;
}

export interface SupervisorContext {
  specs: ChildSpec[];
  children: Record<string, ChildRecord>;
  escalation: Escalation;
  now: () => number;
}

export type SupervisorEvent =
  | { type: 'supervisor.restart'; id: string }
  | { type: 'supervisor.shutdown' }
  /** The child stopped answering heartbeats (actors/actorHeartbeat.ts): fail it as if it threw. */
  | { type: 'supervisor.stalled'; id: string; error: string }
  | { type: `xstate.error.actor.${string}`; actorId?: string; error: unknown }
  | { type: `xstate.done.actor.${string}`; actorId?: string; output?: unknown };

export type SupervisorEmitted =
  | { type: 'child.failed'; id: string; error: string; restartInMs: number | null }
  | { type: 'child.restarted'; id: string; restarts: number }
  | { type: 'child.given_up'; id: string; error: string }
  /** A child completed normally (an xstate `done`); restarted only when permanent. */
  | { type: 'child.exited'; id: string; restartInMs: number | null };

export class StalledError extends Error {
  constructor(readonly childId: string, reason: string) {
    super(`actor "${childId}" stalled: ${reason}`);
  }
}

export class EscalationError extends Error {
  constructor(readonly childId: string, readonly childError: unknown) {
    super(`child "${childId}" exceeded its restart intensity: ${describe(childError)}`);
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Backoff before the n-th restart inside the window (n ≥ 1): initial·2^(n-1), capped. */
export function backoffMs(spec: ChildSpec, n: number): number {
  return Math.min(spec.backoff.initialMs * 2 ** Math.max(0, n - 1), spec.backoff.maxMs);
}

function childIdOf(event: SupervisorEvent): string {
  if (event.type === 'supervisor.stalled') return event.id;
  if ('actorId' in event && event.actorId) return event.actorId;
  return event.type.replace(/^xstate\.(error|done)\.actor\./, '');
}

// Children are registered under their id in the actor system, so they can be addressed by id.
// (The cast: setup() cannot type logic that arrives as data.)
function spawnOptions(spec: ChildSpec) {
  return { id: spec.id, systemId: spec.id, input: spec.input?.() } as never;
}

function record(spec: ChildSpec): ChildRecord {
  return {
    id: spec.id,
    machine: spec.machine,
    status: 'running',
    restarts: 0,
    recentFailures: [],
    lastError: null,
    lastFailureAt: null,
  };
}

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
    emitted: {} as SupervisorEmitted,
  },
  actions: {
    /** A child threw, or stalled: stop what it left, then restart it by its policy or escalate. */
    childFailed: enqueueActions(({ context, event, enqueue, self }) => {
      const id = childIdOf(event);
      const spec = context.specs.find((s) => s.id === id);
      if (!spec) return;
      // What the failed child invoked is still running: stop it before anything restarts.
      const failedRef = (self.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id];
      if (failedRef) enqueue(() => stopOrphanedChildren(failedRef));
      const cause = event.type === 'supervisor.stalled' ? new StalledError(id, event.error) : (event as { error: unknown }).error;
      const error = describe(cause);
      const now = context.now();
      const prev = context.children[id] ?? record(spec);
      const recentFailures = [...prev.recentFailures.filter((t) => now - t < spec.intensity.withinMs), now];
      const failed: ChildRecord = { ...prev, recentFailures, lastError: error, lastFailureAt: now };
      enqueue.stopChild(id);
      if (spec.restart === 'temporary') {
        enqueue.assign({ children: { ...context.children, [id]: { ...failed, status: 'stopped' } } });
        enqueue.emit({ type: 'child.failed', id, error, restartInMs: null });
        return;
      }
      if (recentFailures.length > spec.intensity.maxRestarts) {
        if (context.escalation === 'fail') {
          // Throwing from an action fails this supervisor; the parent receives xstate.error.actor.<us>.
          enqueue(() => {
            throw new EscalationError(id, cause);
          });
          return;
        }
        enqueue.assign({ children: { ...context.children, [id]: { ...failed, status: 'given_up' } } });
        enqueue.emit({ type: 'child.given_up', id, error });
        return;
      }
      const delay = backoffMs(spec, recentFailures.length);
      enqueue.assign({ children: { ...context.children, [id]: { ...failed, status: 'restarting' } } });
      enqueue.emit({ type: 'child.failed', id, error, restartInMs: delay });
      enqueue.raise({ type: 'supervisor.restart', id }, { delay, id: `restart:${id}` });
    }),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    specs: input.specs,
    children: Object.fromEntries(input.specs.map((s) => [s.id, record(s)])),
    escalation: input.escalation,
    now: input.now ?? Date.now,
  }),
  initial: 'supervising',
  states: {
    supervising: {
      entry: enqueueActions(({ context, enqueue }) => {
        for (const spec of context.specs) enqueue.spawnChild(spec.logic, spawnOptions(spec));
      }),
      on: {
        'xstate.error.actor.*': { actions: 'childFailed' },
        'supervisor.stalled': {
          // A stale report (the child already failed or was restarted) is ignored.
          guard: ({ context, event }) => context.children[event.id]?.status === 'running',
          actions: 'childFailed',
        },
        'xstate.done.actor.*': {
          actions: enqueueActions(({ context, event, enqueue, self }) => {
            const id = childIdOf(event);
            const spec = context.specs.find((s) => s.id === id);
            const prev = context.children[id];
            if (!spec || !prev) return;
            // Logic that reports done on its own (not by reaching a final state) leaves what it
            // invoked running: stop it, as after a failure.
            const doneRef = (self.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id];
            if (doneRef) enqueue(() => stopOrphanedChildren(doneRef));
            enqueue.stopChild(id);
            if (spec.restart !== 'permanent') {
              enqueue.assign({ children: { ...context.children, [id]: { ...prev, status: 'stopped' } } });
              enqueue.emit({ type: 'child.exited', id, restartInMs: null });
              return;
            }
            // As in OTP, every restart counts against the intensity, also one after a normal
            // exit: a permanent child that keeps exiting is escalated like one that keeps failing.
            const now = context.now();
            const recentFailures = [...prev.recentFailures.filter((t) => now - t < spec.intensity.withinMs), now];
            if (recentFailures.length > spec.intensity.maxRestarts) {
              const error = `exited ${recentFailures.length} times within ${spec.intensity.withinMs} ms`;
              if (context.escalation === 'fail') {
                enqueue(() => {
                  throw new EscalationError(id, new Error(error));
                });
                return;
              }
              enqueue.assign({ children: { ...context.children, [id]: { ...prev, recentFailures, status: 'given_up' } } });
              enqueue.emit({ type: 'child.given_up', id, error });
              return;
            }
            const delay = backoffMs(spec, recentFailures.length);
            enqueue.assign({ children: { ...context.children, [id]: { ...prev, recentFailures, status: 'restarting' } } });
            enqueue.emit({ type: 'child.exited', id, restartInMs: delay });
            enqueue.raise({ type: 'supervisor.restart', id }, { delay, id: `restart:${id}` });
          }),
        },
        'supervisor.restart': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const spec = context.specs.find((s) => s.id === event.id);
            const prev = context.children[event.id];
            if (!spec || !prev || prev.status !== 'restarting') return;
            const restarts = prev.restarts + 1;
            enqueue.spawnChild(spec.logic, spawnOptions(spec));
            enqueue.assign({ children: { ...context.children, [spec.id]: { ...prev, status: 'running', restarts } } });
            enqueue.emit({ type: 'child.restarted', id: spec.id, restarts });
          }),
        },
        'supervisor.shutdown': { target: 'stopped' },
      },
    },
    stopped: {
      // Children stop in the reverse of their start order, as in OTP.
      entry: [
        enqueueActions(({ context, enqueue }) => {
          for (const spec of [...context.specs].reverse()) {
            enqueue.cancel(`restart:${spec.id}`);
            enqueue.stopChild(spec.id);
          }
        }),
        assign({
          children: ({ context }) =>
            Object.fromEntries(Object.entries(context.children).map(([id, c]) => [id, { ...c, status: 'stopped' as const }])),
        }),
      ],
      type: 'final',
    },
  },
});
