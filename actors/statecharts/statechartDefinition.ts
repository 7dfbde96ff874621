// A statechart as plain JSON for drawing: its states (nested by path) and its transitions
// (event, source, targets, guard), read from the xstate machine object itself so the drawing
// cannot drift from the code. Delayed (`after`) and eventless (`always`) transitions are named
// the way a reader of the machine file would name them.
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface StateDefinition {
  /** Dotted path from the root (`session.streaming`); `""` for the root. */
  path: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Path of the initial child of a compound state. */
  initial: string | null;
  /** Child paths, in declaration order. */
  children: string[];
  /** Actors this state invokes (their ids). */
  invokes: string[];
}

export interface TransitionDefinition {
  source: string;
  /** The event type; `after <delay>` for delayed transitions, `always` for eventless ones. */
  event: string;
  /** Target paths; empty for a targetless transition (actions only). */
  targets: string[];
  guard: string | null;
  /** True when the transition leaves and re-enters its source (`reenter: true`). */
  reenter: boolean;
}

export interface StatechartDefinition {
  id: string;
  states: StateDefinition[];
  transitions: TransitionDefinition[];
}

const AFTER_PREFIX = 'xstate.after.';

const pathOf = (node: AnyStateNode): string => node.path.join('.');

function guardName(guard: unknown): string | null {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  // An inline arrow function is named after the property it was written in (`guard`).
  if (typeof guard === 'function') return guard.name && guard.name !== 'guard' ? guard.name : 'inline';
  return 'inline';
}

function delayLabel(delay: unknown): string {
  return typeof delay === 'number' ? `${delay} ms` : typeof delay === 'string' ? delay : 'computed';
}

export function describeMachine(machine: AnyStateMachine): StatechartDefinition {
  const states: StateDefinition[] = [];
  const transitions: TransitionDefinition[] = [];
  const visit = (node: AnyStateNode) => {
    const children = Object.values(node.states) as AnyStateNode[];
    const initialTarget = node.type === 'compound' ? node.initial?.target?.[0] : undefined;
    states.push({
      path: pathOf(node),
      key: node.key,
      type: node.type,
      initial: initialTarget ? pathOf(initialTarget) : null,
      children: children.map(pathOf),
      invokes: node.invoke.map((inv: { id: string }) => inv.id),
    });
    const delayed = new Map(node.after.map((t: { eventType: string; delay: unknown }) => [t.eventType, t.delay]));
    for (const [eventType, list] of node.transitions) {
      for (const t of list) {
        const event = eventType.startsWith(AFTER_PREFIX) ? `after ${delayLabel(delayed.get(eventType))}` : eventType;
        transitions.push(edge(node, event, t));
      }
    }
    for (const t of node.always ?? []) transitions.push(edge(node, 'always', t));
    children.forEach(visit);
  };
  visit(machine.root);
  return { id: machine.id, states, transitions };
}

function edge(node: AnyStateNode, event: string, t: { target?: ReadonlyArray<AnyStateNode> | undefined; guard?: unknown; reenter: boolean }): TransitionDefinition {
  return {
    source: pathOf(node),
    event,
    targets: (t.target ?? []).map(pathOf),
    guard: guardName(t.guard),
    reenter: t.reenter,
  };
}
