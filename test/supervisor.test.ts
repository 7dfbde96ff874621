// The supervisor statechart with throwaway children and xstate's simulated clock:
// restart with backoff, intensity window, escalation, policies, shutdown order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, createMachine, fromCallback, SimulatedClock, type AnyActorLogic, type AnyActorRef } from 'xstate';
import { supervisorMachine, type ChildSpec, type SupervisorEmitted } from '../machines/supervisor.ts';

// A child that throws when told to; counts its starts so restarts are observable.
function crashable(starts: { n: number }): AnyActorLogic {
  return createMachine({
    id: 'crashable',
    entry: () => { starts.n++; },
    on: { CRASH: { actions: () => { throw new Error('boom'); } } },
  });
}

function spec(id: string, logic: AnyActorLogic, over: Partial<ChildSpec> = {}): ChildSpec {
  return {
    id, machine: 'crashable', logic, restart: 'permanent',
    intensity: { maxRestarts: 3, withinMs: 10_000 },
    backoff: { initialMs: 100, maxMs: 1_000 },
    ...over,
  };
}

function start(specs: ChildSpec[], escalation: 'give_up' | 'fail' = 'give_up') {
  const clock = new SimulatedClock();
  const emitted: SupervisorEmitted[] = [];
  const actor = createActor(supervisorMachine, { clock, input: { specs, escalation, now: () => clock.now() } });
  for (const t of ['child.failed', 'child.restarted', 'child.given_up'] as const) actor.on(t, (e) => emitted.push(e));
  const errors: unknown[] = [];
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  const children = () => actor.getSnapshot().children as Record<string, AnyActorRef | undefined>;
  const crash = (id: string) => children()[id]?.send({ type: 'CRASH' });
  return { actor, clock, emitted, errors, crash, children };
}

test('a failed child is restarted after its backoff, not before', () => {
  const starts = { n: 0 };
  const { actor, clock, emitted, crash, children } = start([spec('w', crashable(starts))]);
  assert.equal(starts.n, 1);
  crash('w');
  assert.equal(actor.getSnapshot().context.children.w?.status, 'restarting');
  assert.equal(children().w, undefined);
  clock.increment(99);
  assert.equal(starts.n, 1);
  clock.increment(1);
  assert.equal(starts.n, 2);
  assert.equal(actor.getSnapshot().context.children.w?.status, 'running');
  assert.equal(actor.getSnapshot().context.children.w?.restarts, 1);
  assert.deepEqual(emitted.map((e) => e.type), ['child.failed', 'child.restarted']);
});

test('backoff doubles inside the window and is capped', () => {
  const starts = { n: 0 };
  const { clock, emitted, crash } = start([spec('w', crashable(starts), { intensity: { maxRestarts: 10, withinMs: 60_000 } })]);
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    crash('w');
    const f = emitted.at(-1);
    assert.equal(f?.type, 'child.failed');
    delays.push((f as { restartInMs: number }).restartInMs);
    clock.increment(1_000);
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  assert.equal(starts.n, 7);
});

test('the root gives up a child past its intensity and keeps the others running', () => {
  const a = { n: 0 }, b = { n: 0 };
  const { actor, clock, emitted, errors, crash } = start([spec('a', crashable(a)), spec('b', crashable(b))]);
  for (let i = 0; i < 4; i++) { crash('a'); clock.increment(2_000); }
  assert.equal(actor.getSnapshot().context.children.a?.status, 'given_up');
  assert.equal(emitted.at(-1)?.type, 'child.given_up');
  assert.equal(a.n, 4, 'three restarts, then no more');
  assert.equal(actor.getSnapshot().status, 'active');
  assert.equal(actor.getSnapshot().context.children.b?.status, 'running');
  assert.deepEqual(errors, []);
});

test('failures outside the window do not count toward the intensity', () => {
  const a = { n: 0 };
  const { actor, clock, crash } = start([spec('a', crashable(a), { intensity: { maxRestarts: 2, withinMs: 5_000 } })]);
  for (let i = 0; i < 6; i++) { crash('a'); clock.increment(6_000); }
  assert.equal(actor.getSnapshot().context.children.a?.status, 'running');
  assert.equal(a.n, 7);
});

/** An outer (root) supervisor over one nested supervisor `inner` that escalates by failing. */
function nested(innerSpecs: ChildSpec[]) {
  const clock = new SimulatedClock();
  const outer = createActor(supervisorMachine, {
    clock,
    input: {
      escalation: 'give_up',
      now: () => clock.now(),
      specs: [spec('inner', supervisorMachine, { machine: 'supervisor', input: () => ({ specs: innerSpecs, escalation: 'fail', now: () => clock.now() }) })],
    },
  });
  return { outer, clock };
}

test('a nested supervisor escalates by failing, and its parent restarts the subtree', () => {
  const leaf = { n: 0 };
  const { outer, clock } = nested([spec('leaf', crashable(leaf), { intensity: { maxRestarts: 1, withinMs: 60_000 } })]);
  const errors: unknown[] = [];
  outer.subscribe({ error: (e) => errors.push(e) });
  outer.start();
  const crashLeaf = () => outer.system.get('leaf')?.send({ type: 'CRASH' });
  crashLeaf(); clock.increment(1_000);
  assert.equal(leaf.n, 2, 'first failure: the inner supervisor restarts the leaf');
  crashLeaf();
  const innerRecord = outer.getSnapshot().context.children.inner;
  assert.equal(innerRecord?.status, 'restarting');
  assert.match(innerRecord?.lastError ?? '', /exceeded its restart intensity/);
  clock.increment(1_000);
  assert.equal(outer.getSnapshot().context.children.inner?.restarts, 1);
  assert.equal(leaf.n, 3, 'the restarted subtree starts a fresh leaf');
  assert.deepEqual(errors, []);
});

// A child machine that invokes a resource (a callback with cleanup, as the recorder's segment
// writer or the search thread are) and throws when told to.
function withResource(live: Set<number>, starts: { n: number }): AnyActorLogic {
  return createMachine({
    id: 'withResource',
    invoke: {
      src: fromCallback(() => {
        const n = ++starts.n;
        live.add(n);
        return () => live.delete(n);
      }),
    },
    on: { CRASH: { actions: () => { throw new Error('boom'); } } },
  });
}

test('a failed child\'s own children are stopped before it restarts: nothing is left running twice', () => {
  const live = new Set<number>();
  const starts = { n: 0 };
  const { clock, crash } = start([spec('w', withResource(live, starts))]);
  assert.deepEqual([...live], [1], 'one resource while running');
  crash('w');
  assert.deepEqual([...live], [], 'the failed child\'s resource is released at once');
  clock.increment(100);
  assert.deepEqual([...live], [2], 'the restart holds the only resource');
  crash('w');
  clock.increment(200);
  assert.deepEqual([...live], [3], 'again after the second failure');
});

test('an escalating subtree releases its grandchildren\'s resources', () => {
  const live = new Set<number>();
  const starts = { n: 0 };
  const { outer, clock } = nested([spec('leaf', withResource(live, starts), { intensity: { maxRestarts: 0, withinMs: 60_000 } })]);
  outer.start();
  assert.deepEqual([...live], [1], 'the leaf holds one resource');
  // The leaf fails past its intensity: the inner supervisor throws and the outer one reaps it.
  outer.system.get('leaf')?.send({ type: 'CRASH' });
  assert.equal(outer.getSnapshot().context.children.inner?.status, 'restarting', 'the inner supervisor failed');
  assert.deepEqual([...live], [], 'nothing of the failed subtree is left running');
  clock.increment(100);
  assert.deepEqual([...live], [2], 'the restarted subtree holds the only resource');
  outer.stop();
  assert.deepEqual([...live], [], 'shutdown releases it');
});

test('transient children that finish stay stopped; permanent ones come back', () => {
  let permanentStarts = 0;
  const finishes = (counter?: () => void) => createMachine({ id: 'finisher', entry: () => counter?.(), initial: 'a', states: { a: { on: { FINISH: 'done' } }, done: { type: 'final' } } });
  const { actor, clock, children } = start([
    spec('t', finishes(), { restart: 'transient' }),
    spec('p', finishes(() => permanentStarts++), { restart: 'permanent' }),
  ]);
  children().t?.send({ type: 'FINISH' });
  children().p?.send({ type: 'FINISH' });
  clock.increment(1_000);
  assert.equal(actor.getSnapshot().context.children.t?.status, 'stopped');
  assert.equal(actor.getSnapshot().context.children.p?.status, 'running');
  assert.equal(permanentStarts, 2);
});

test('shutdown stops children in reverse start order', () => {
  const order: string[] = [];
  const tracked = (id: string) => fromCallback(() => () => order.push(id));
  const { actor } = start([spec('first', tracked('first')), spec('second', tracked('second')), spec('third', tracked('third'))]);
  actor.send({ type: 'supervisor.shutdown' });
  assert.deepEqual(order, ['third', 'second', 'first']);
  assert.equal(actor.getSnapshot().status, 'done');
});
