// The three injected fault modes against the supervisor statechart, on xstate's simulated clock:
// throw fails the child, exit completes it (restarted by policy and counted against the
// intensity, as in OTP), hang is found only by the heartbeat and then fails the child. In every
// mode what the child invoked is stopped before it restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, createMachine, fromCallback, SimulatedClock, type AnyActorLogic, type AnyActorRef } from 'xstate';
import { supervisorMachine, type ChildSpec, type SupervisorEmitted } from '../machines/supervisor.ts';
import { ActorHeartbeats } from '../actors/actorHeartbeat.ts';
import { FAULT_EVENT, withFaultInjection, type FaultMode } from '../actors/faults.ts';

// A child that invokes a resource (so a leak is visible) and counts its starts.
function worker(live: Set<number>, starts: { n: number }): AnyActorLogic {
  let resources = 0;
  return createMachine({
    id: 'worker',
    entry: () => { starts.n++; },
    invoke: {
      src: fromCallback(() => {
        const token = ++resources;
        live.add(token);
        return () => live.delete(token);
      }),
    },
  });
}

function harness(opts: { restart?: ChildSpec['restart']; maxRestarts?: number } = {}) {
  const clock = new SimulatedClock();
  const heartbeats = new ActorHeartbeats(() => clock.now());
  const live = new Set<number>();
  const starts = { n: 0 };
  const spec: ChildSpec = {
    id: 'w', machine: 'worker', restart: opts.restart ?? 'permanent',
    logic: withFaultInjection(heartbeats.wrap(worker(live, starts)), 'w'),
    intensity: { maxRestarts: opts.maxRestarts ?? 3, withinMs: 10_000 },
    backoff: { initialMs: 100, maxMs: 1_000 },
  };
  const actor = createActor(supervisorMachine, { clock, input: { specs: [spec], escalation: 'give_up', now: () => clock.now() } });
  const emitted: SupervisorEmitted[] = [];
  for (const t of ['child.failed', 'child.exited', 'child.restarted', 'child.given_up'] as const) actor.on(t, (e) => emitted.push(e));
  actor.start();
  const child = () => (actor.getSnapshot().children as Record<string, AnyActorRef | undefined>).w;
  const fault = (mode: FaultMode) => child()?.send({ type: FAULT_EVENT, mode });
  const status = () => actor.getSnapshot().context.children.w?.status;
  // One heartbeat round, reporting stalls to the supervisor as actors/system.ts does.
  const beat = () => {
    const ref = child();
    for (const s of heartbeats.round(ref && status() === 'running' ? [{ id: 'w', ref }] : [], 300)) {
      actor.send({ type: 'supervisor.stalled', id: s.id, error: `silent ${s.silentMs} ms` });
    }
  };
  return { actor, clock, live, starts, emitted, fault, status, beat, child };
}

test('throw: the child fails, its invoked resource is released, and it restarts after the backoff', () => {
  const h = harness();
  h.fault('throw');
  assert.equal(h.status(), 'restarting', 'the supervisor saw the failure');
  assert.deepEqual([...h.live], [], 'the failed child left nothing running');
  assert.match(String((h.emitted[0] as { error?: string }).error), /injected fault/, 'reported as a failure');
  h.clock.increment(100);
  assert.equal(h.status(), 'running', 'restarted after 100 ms');
  assert.equal(h.starts.n, 2, 'started twice');
  assert.deepEqual([...h.live], [2], 'only the restarted child holds the resource');
});

test('exit: a permanent child is restarted with backoff, counted against the intensity, then given up', () => {
  const h = harness({ maxRestarts: 2 });
  const delays: Array<number | null> = [];
  for (let i = 0; i < 3; i++) {
    h.fault('exit');
    assert.deepEqual([...h.live], [], `exit ${i + 1}: nothing the child invoked keeps running`);
    const last = h.emitted.at(-1)!;
    if (last.type === 'child.given_up') break;
    assert.equal(last.type, 'child.exited', `exit ${i + 1} reported as an exit, not a failure`);
    delays.push((last as { restartInMs: number | null }).restartInMs);
    h.clock.increment(1_000);
    assert.equal(h.status(), 'running', `running again after exit ${i + 1}`);
  }
  assert.deepEqual(delays, [100, 200], 'the backoff doubles as for failures');
  assert.equal(h.status(), 'given_up', 'the third exit within the window exceeds an intensity of 2');
  assert.equal(h.emitted.at(-1)?.type, 'child.given_up', 'the give-up is reported');
  assert.deepEqual([...h.live], [], 'a given-up child holds nothing');
});

test('exit: a transient child that exits stays stopped', () => {
  const h = harness({ restart: 'transient' });
  h.fault('exit');
  h.clock.increment(5_000);
  assert.equal(h.status(), 'stopped', 'not restarted');
  assert.deepEqual(h.emitted.map((e) => e.type), ['child.exited'], 'only the exit was reported');
  assert.deepEqual([...h.live], [], 'its resource was released');
});

test('hang: a healthy child answers every heartbeat; a hung one is failed by the monitor and restarted', () => {
  const h = harness();
  for (let i = 0; i < 5; i++) {
    h.beat();
    h.clock.increment(100);
  }
  assert.equal(h.status(), 'running', 'heartbeats alone never fail a healthy child');
  assert.equal(h.emitted.length, 0, 'nothing reported while healthy');
  h.fault('hang');
  assert.equal(h.status(), 'running', 'a hang sends the supervisor nothing by itself');
  h.beat();
  h.clock.increment(200);
  h.beat();
  assert.equal(h.status(), 'running', 'not failed before the timeout');
  h.clock.increment(100);
  h.beat();
  assert.equal(h.status(), 'restarting', 'failed once a heartbeat waited 300 ms');
  const failed = h.emitted.find((e) => e.type === 'child.failed') as { error: string } | undefined;
  assert.match(failed?.error ?? '', /stalled: silent 300 ms/, 'reported as a stall');
  assert.deepEqual([...h.live], [], 'the hung child was stopped with what it invoked');
  h.clock.increment(100);
  assert.equal(h.status(), 'running', 'restarted after the backoff');
  for (let i = 0; i < 5; i++) {
    h.beat();
    h.clock.increment(100);
  }
  assert.equal(h.status(), 'running', 'the restarted child answers again');
});

test('a stale stall report (the child already restarted) is ignored', () => {
  const h = harness();
  h.fault('throw');
  h.actor.send({ type: 'supervisor.stalled', id: 'w', error: 'late' });
  h.clock.increment(100);
  h.actor.send({ type: 'supervisor.stalled', id: 'nobody', error: 'unknown' });
  assert.equal(h.status(), 'running', 'the restarted child was not failed by the stale report');
  assert.equal(h.emitted.filter((e) => e.type === 'child.failed').length, 1, 'one failure only');
});

test('a hung child stopped at shutdown still runs its cleanup', () => {
  const h = harness();
  h.fault('hang');
  h.actor.send({ type: 'supervisor.shutdown' });
  assert.deepEqual([...h.live], [], 'the stop reached the hung child');
});
