// The device statechart with a scripted session actor and xstate's simulated clock: opening,
// streaming, idle timeout, the reconnect countdown with its backoff, give-up, retry and cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { deviceMachine, GIVE_UP_ERROR, type DeviceEvent, type DeviceMachineInput } from '../machines/device.ts';

type Script = (target: string, send: (e: DeviceEvent) => void) => void;

function start(script: Script, over: Partial<DeviceMachineInput> = {}) {
  const clock = new SimulatedClock();
  const opened: string[] = [];
  let closed = 0;
  let send: (e: DeviceEvent) => void = () => undefined;
  const machine = deviceMachine.provide({
    actors: {
      session: fromCallback<DeviceEvent, { target: string }>(({ input, sendBack }) => {
        opened.push(input.target);
        send = sendBack;
        script(input.target, sendBack);
        return () => void closed++;
      }),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: {
      retryDelaysSecs: [1, 2, 3, 5], maxAttempts: 12, idleTimeoutMs: 30_000, lslIdleTimeoutMs: 15_000,
      firstFrameTimeoutMs: 10_000, reconnectEnabled: true, ...over,
    },
  }).start();
  // SimulatedClock runs every due timer at the end time of one increment; step in 100 ms so
  // timers re-armed by a tick start from when the tick fired, as with a real clock.
  const advance = (ms: number) => {
    for (let left = ms; left > 0; left -= 100) clock.increment(Math.min(100, left));
  };
  return { actor, clock: { increment: advance }, opened, closed: () => closed, send: (e: DeviceEvent) => send(e), value: () => actor.getSnapshot().value, ctx: () => actor.getSnapshot().context };
}

const opensFine: Script = (_t, send) => send({ type: 'device.opened' });
const failsToOpen: Script = (_t, send) => send({ type: 'device.openFailed', error: 'no such device' });

test('start opens the target and the first frame moves to streaming', () => {
  const m = start(opensFine);
  assert.equal(m.value(), 'disconnected');
  m.actor.send({ type: 'device.start', target: 'virtual' });
  assert.deepEqual(m.value(), { session: 'connected' });
  m.send({ type: 'device.activity' });
  assert.deepEqual(m.value(), { session: { streaming: 'receiving' } });
  assert.deepEqual(m.opened, ['virtual']);
});

test('scanning is shown while a source reports it', () => {
  const m = start(() => undefined);
  m.actor.send({ type: 'device.start', target: 'muse' });
  assert.deepEqual(m.value(), { session: { connecting: 'opening' } });
  m.send({ type: 'device.phase', phase: 'scanning' });
  assert.deepEqual(m.value(), { session: { connecting: 'scanning' } });
  m.send({ type: 'device.phase', phase: 'connecting' });
  assert.deepEqual(m.value(), { session: { connecting: 'opening' } });
});

test('30 s without a frame after the first one ends the session (idle_timeout), then reconnects', () => {
  const m = start(opensFine);
  m.actor.send({ type: 'device.start', target: 'virtual' });
  m.send({ type: 'device.activity' });
  m.clock.increment(29_000);
  m.send({ type: 'device.activity' });
  m.clock.increment(29_000);
  assert.deepEqual(m.value(), { session: { streaming: 'receiving' } }, 'activity resets the idle timer');
  m.clock.increment(1_001);
  assert.equal(m.ctx().lastReason, 'idle_timeout');
  assert.deepEqual(m.value(), { reconnecting: 'counting' });
  assert.equal(m.closed(), 1, 'the session was closed');
});

test('LSL targets use the LSL idle timeout', () => {
  const m = start(opensFine);
  m.actor.send({ type: 'device.start', target: 'lsl:TestEEG' });
  m.send({ type: 'device.activity' });
  m.clock.increment(15_001);
  assert.equal(m.ctx().lastReason, 'idle_timeout');
});

test('the countdown uses the 1/2/3/5 s backoff and gives up after 12 attempts', () => {
  const m = start(failsToOpen);
  m.actor.send({ type: 'device.start', target: 'muse' });
  assert.deepEqual(m.value(), { reconnecting: 'counting' });
  assert.equal(m.ctx().deviceError, 'no such device');
  const countdowns: number[] = [];
  for (let attempt = 1; attempt <= 12; attempt++) {
    countdowns.push(m.ctx().countdown);
    const secs = m.ctx().countdown;
    m.clock.increment(secs * 1000 - 100);
    assert.equal(m.opened.length, attempt, `attempt ${attempt} not before its countdown ends`);
    m.clock.increment(100);
    assert.equal(m.opened.length, attempt + 1);
    assert.equal(m.ctx().attempt, attempt);
  }
  assert.deepEqual(countdowns, [1, 2, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
  assert.equal(m.value(), 'disconnected');
  assert.equal(m.ctx().deviceError, GIVE_UP_ERROR);
  m.clock.increment(60_000);
  assert.equal(m.opened.length, 13, 'no more attempts after giving up');
});

test('a successful reopen resets the attempt counter', () => {
  let fail = true;
  const m = start((_t, send) => send(fail ? { type: 'device.openFailed', error: 'x' } : { type: 'device.opened' }));
  m.actor.send({ type: 'device.start', target: 'muse' });
  m.clock.increment(1_000);
  m.clock.increment(2_000);
  assert.equal(m.ctx().attempt, 2);
  fail = false;
  m.clock.increment(3_000);
  assert.deepEqual(m.value(), { session: 'connected' });
  assert.equal(m.ctx().attempt, 0);
  assert.equal(m.ctx().deviceError, null);
});

test('retry-connect skips the countdown; cancel-retry stops and disables reconnect', () => {
  const m = start(failsToOpen);
  m.actor.send({ type: 'device.start', target: 'muse' });
  m.actor.send({ type: 'device.retry' });
  assert.equal(m.opened.length, 2);
  m.actor.send({ type: 'device.cancelRetry' });
  assert.equal(m.value(), 'disconnected');
  assert.equal(m.ctx().reconnectEnabled, false);
  m.clock.increment(60_000);
  assert.equal(m.opened.length, 2);
});

test('without reconnect a lost device just disconnects, keeping the error', () => {
  const m = start(failsToOpen, { reconnectEnabled: false });
  m.actor.send({ type: 'device.start', target: 'muse' });
  assert.equal(m.value(), 'disconnected');
  assert.equal(m.ctx().deviceError, 'no such device');
  m.actor.send({ type: 'device.enableReconnect' });
  assert.deepEqual(m.value(), { reconnecting: 'counting' }, 'enabling reconnect with a known target starts the countdown');
});

test('an opened device that never sends a frame is treated as lost', () => {
  const m = start(opensFine, { reconnectEnabled: false });
  m.actor.send({ type: 'device.start', target: 'virtual' });
  m.clock.increment(10_001);
  assert.equal(m.value(), 'disconnected');
  assert.equal(m.ctx().lastReason, 'no_data');
});

test('cancel closes the session and forgets the target; switch reopens with the new one', () => {
  const m = start(opensFine);
  m.actor.send({ type: 'device.start', target: 'virtual' });
  m.actor.send({ type: 'device.switch', target: 'lsl' });
  assert.deepEqual(m.opened, ['virtual', 'lsl']);
  assert.equal(m.closed(), 1);
  m.actor.send({ type: 'device.cancel' });
  assert.equal(m.value(), 'disconnected');
  assert.equal(m.ctx().target, null);
  assert.equal(m.closed(), 2);
  m.clock.increment(60_000);
  assert.equal(m.opened.length, 2, 'a cancelled session is not reconnected');
});
