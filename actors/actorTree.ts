// What the supervisor tree looks like right now, and the recent transitions of each actor,
// for GET /v1/debug/actors, the watchdog's liveness figures and the state-machine visualizer.
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { ChildRecord, SupervisorContext } from '../machines/supervisor.ts';
import type { EventBus } from './eventBus.ts';

export interface ActorNode {
  id: string;
  machine: string;
  /** Supervisor's view: running | restarting | stopped | given_up. */
  status: string;
  /** The statechart's current state value (null while not running). */
  state: unknown;
  restarts: number;
  last_error: string | null;
  last_failure_at: number | null;
  transitions: Transition[];
  children: ActorNode[];
}

export interface Transition {
  ts_unix_ms: number;
  event: string;
  from: unknown;
  to: unknown;
}

const TRANSITIONS_KEPT = 20;

/** Records state-value changes of every actor in the system (an xstate `inspect` observer). */
export class TransitionLog {
  private readonly byActor = new Map<string, Transition[]>();
  private readonly lastValue = new Map<string, string>();

  constructor(private readonly bus: EventBus | null, private readonly now: () => number = Date.now) {}

  readonly inspect = (ev: InspectionEvent): void => {
    if (ev.type !== '@xstate.snapshot') return;
    const snapshot = ev.snapshot as { value?: unknown; status?: string };
    if (!('value' in snapshot)) return;
    const id = (ev.actorRef as AnyActorRef).id;
    const text = JSON.stringify(snapshot.value);
    const before = this.lastValue.get(id);
    if (before === text) return;
    this.lastValue.set(id, text);
    const t: Transition = {
      ts_unix_ms: this.now(),
      event: ev.event.type,
      from: before === undefined ? null : JSON.parse(before),
      to: snapshot.value,
    };
    const list = this.byActor.get(id) ?? [];
    list.push(t);
    if (list.length > TRANSITIONS_KEPT) list.shift();
    this.byActor.set(id, list);
    this.bus?.publish('actor-transition', { actor: id, ...t });
  };

  of(id: string): Transition[] {
    return this.byActor.get(id) ?? [];
  }
}

type SupervisorSnapshot = { context: SupervisorContext; children: Record<string, AnyActorRef | undefined>; value: unknown };

export function describeTree(root: AnyActorRef, rootId: string, log: TransitionLog): ActorNode {
  const snap = root.getSnapshot() as SupervisorSnapshot;
  return {
    id: rootId,
    machine: 'supervisor',
    status: root.getSnapshot().status === 'active' ? 'running' : 'stopped',
    state: snap.value,
    restarts: 0,
    last_error: null,
    last_failure_at: null,
    transitions: log.of(root.id),
    children: childrenOf(snap, log),
  };
}

function childrenOf(snap: SupervisorSnapshot, log: TransitionLog): ActorNode[] {
  return Object.values(snap.context.children).map((rec: ChildRecord) => {
    const ref = snap.children[rec.id];
    const childSnap = ref?.getSnapshot() as (SupervisorSnapshot & { status: string }) | undefined;
    const isSupervisor = rec.machine === 'supervisor' && childSnap?.context?.children !== undefined;
    return {
      id: rec.id,
      machine: rec.machine,
      status: rec.status,
      state: childSnap && 'value' in childSnap ? childSnap.value : null,
      restarts: rec.restarts,
      last_error: rec.lastError,
      last_failure_at: rec.lastFailureAt,
      transitions: log.of(rec.id),
      children: isSupervisor && childSnap ? childrenOf(childSnap, log) : [],
    };
  });
}

export function liveness(tree: ActorNode): { total: number; alive: number; givenUp: string[] } {
  let total = 0;
  let alive = 0;
  const givenUp: string[] = [];
  const walk = (n: ActorNode) => {
    for (const c of n.children) {
      total++;
      if (c.status === 'running') alive++;
      if (c.status === 'given_up') givenUp.push(c.id);
      walk(c);
    }
  };
  walk(tree);
  return { total, alive, givenUp };
}
