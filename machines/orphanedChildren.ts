// The descendants a failed actor leaves running. xstate 5 stops an actor that fails without
// stopping what it invoked or spawned (its own source says so: "children don't belong entirely
// to the actor … that could throw and leave us with orphaned active actors"), so a failed
// recorder would keep its segment file open, a failed search actor its index thread, a failed
// LLM actor its llama.cpp process — each beside the ones its restart creates.
//
// The supervisor stops them here. Children only: a callback actor that failed itself cannot be
// reached (its cleanup is private to xstate); such actors release on their own error observer.
import type { AnyActorRef } from 'xstate';

interface Stoppable {
  /** xstate's own internal stop, the one a parent's stopChild uses: runs the child's cleanup. */
  _stop(): void;
}

const childrenOf = (ref: AnyActorRef): AnyActorRef[] =>
  Object.values((ref.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {}).filter(
    (c): c is AnyActorRef => !!c,
  );

/** Stops every descendant of `failed`, deepest first; returns how many were stopped. */
export function stopOrphanedChildren(failed: AnyActorRef): number {
  let stopped = 0;
  for (const child of childrenOf(failed)) {
    stopped += stopOrphanedChildren(child);
    (child as unknown as Stoppable)._stop();
    stopped++;
  }
  return stopped;
}
