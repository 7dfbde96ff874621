// The reembed statechart with fake I/O and xstate's simulated clock: the idle timer (restarted by
// a device and by a new delay), the idle check, manual runs, pausing on a busy device and resuming
// after the next idle period (or at once on a trigger), and how runs end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate';
import { reembedMachine, type CheckResult, type ReembedEvent, type ReembedMachineInput, type ReembedStatus, type RunInput } from '../machines/reembed.ts';

interface Fake {
  reports: ReembedStatus[];
  runs: RunInput[];
  /** sendBack of the run in progress, if any. */
  run: ((e: ReembedEvent) => void) | null;
  checks: number;
  check: CheckResult;
  loadFails: boolean;
}

function start(input: Partial<ReembedMachineInput> = {}) {
  const clock = new SimulatedClock();
  const fake: Fake = { reports: [], runs: [], run: null, checks: 0, check: { missing: 5, encoderReady: true }, loadFails: false };
  const machine = reembedMachine.provide({
    actors: {
      check: fromPromise(async () => {
        fake.checks++;
        return fake.check;
      }),
      loadEncoder: fromPromise(async () => {
        if (fake.loadFails) throw new Error('no encoder');
      }),
      scan: fromPromise(async () => 7),
      runBatches: fromCallback<ReembedEvent, RunInput>(({ sendBack, input: i }) => {
        fake.runs.push(i);
        fake.run = sendBack;
        return () => {
          if (fake.run === sendBack) fake.run = null;
        };
      }),
    },
    actions: {
      report: (_, params: { status: ReembedStatus }) => void fake.reports.push(params.status),
    },
  });
  const actor = createActor(machine, { clock, input: { idleEnabled: true, idleDelaySecs: 60, deviceBusy: false, ...input } }).start();
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    actor,
    fake,
    settle,
    advance: async (ms: number) => {
      clock.increment(ms);
      await settle();
    },
    send: async (e: ReembedEvent) => {
      actor.send(e);
      await settle();
    },
    value: () => actor.getSnapshot().value,
    ctx: () => actor.getSnapshot().context,
  };
}

test('idle timer: counts from boot, restarts after a device, runs only when there is something new to embed', async () => {
  const m = start();
  assert.equal(m.value(), 'waiting_for_idle');
  await m.advance(59_999);
  assert.equal(m.value(), 'waiting_for_idle');
  await m.send({ type: 'device.busy' });
  assert.equal(m.value(), 'idle');
  await m.advance(120_000);
  assert.equal(m.value(), 'idle', 'no timer while a device is busy');
  await m.send({ type: 'device.idle' });
  await m.advance(59_000);
  assert.equal(m.value(), 'waiting_for_idle', 'the idle period counts from the disconnect');
  await m.advance(1_000);
  assert.equal(m.fake.checks, 1);
  assert.equal(m.value(), 'running');
  assert.deepEqual(m.fake.reports, ['loading_encoder', 'scanning', 'started']);
  assert.equal(m.ctx().trigger, 'idle');
  assert.equal(m.ctx().total, 7);
  m.fake.run!({ type: 'run.progress', total: 7, done: 3, failed: 0, day: '20231114' });
  m.fake.run!({ type: 'run.finished', total: 7, done: 6, failed: 1, day: '20231114', left: 1 });
  await m.settle();
  assert.deepEqual(m.fake.reports.slice(3), ['running', 'done']);
  assert.equal(m.value(), 'waiting_for_idle');
  assert.deepEqual([m.ctx().done, m.ctx().failed, m.ctx().leftMissing], [6, 1, 1]);

  // Next idle period: only the row that failed is missing — nothing new, no run.
  m.fake.check = { missing: 1, encoderReady: true };
  await m.advance(60_000);
  assert.equal(m.fake.checks, 2);
  assert.equal(m.value(), 'waiting_for_idle');
  assert.equal(m.fake.runs.length, 1);
  // A new session left rows without embeddings, but the encoder is not loaded: still no run.
  m.fake.check = { missing: 4, encoderReady: false };
  await m.advance(60_000);
  assert.equal(m.fake.runs.length, 1);
  m.fake.check = { missing: 4, encoderReady: true };
  await m.advance(60_000);
  assert.equal(m.value(), 'running');
  assert.equal(m.fake.runs.length, 2);
});

test('config applies live: off stops the timer, a new delay counts from now', async () => {
  const m = start();
  await m.advance(30_000);
  await m.send({ type: 'reembed.configure', idleEnabled: false, idleDelaySecs: 60 });
  assert.equal(m.value(), 'idle');
  await m.advance(600_000);
  assert.equal(m.fake.checks, 0);
  await m.send({ type: 'reembed.configure', idleEnabled: true, idleDelaySecs: 10 });
  assert.equal(m.value(), 'waiting_for_idle');
  await m.advance(5_000);
  await m.send({ type: 'reembed.configure', idleEnabled: true, idleDelaySecs: 8 });
  await m.advance(7_999);
  assert.equal(m.fake.checks, 0, 'the new delay counts from when it was set');
  await m.advance(1);
  assert.equal(m.fake.checks, 1);
});

test('a device connecting pauses the run at once; it resumes after the next idle period, or on a trigger', async () => {
  const m = start({ idleEnabled: false });
  assert.equal(m.value(), 'idle');
  await m.send({ type: 'reembed.trigger' });
  assert.equal(m.value(), 'running');
  assert.equal(m.ctx().trigger, 'manual');
  m.fake.run!({ type: 'run.progress', total: 7, done: 2, failed: 0, day: '20231114' });
  await m.send({ type: 'device.busy' });
  assert.deepEqual(m.value(), { paused: 'busy' });
  assert.equal(m.ctx().reason, 'device_connected');
  assert.equal(m.fake.run, null, 'the run was stopped');
  assert.deepEqual(m.fake.reports, ['loading_encoder', 'scanning', 'started', 'running', 'paused']);
  await m.advance(600_000);
  assert.deepEqual(m.value(), { paused: 'busy' }, 'nothing resumes while the device is busy');
  await m.send({ type: 'device.idle' });
  assert.deepEqual(m.value(), { paused: 'counting' });
  await m.advance(30_000);
  await m.send({ type: 'device.busy' });
  await m.send({ type: 'device.idle' });
  await m.advance(59_999);
  assert.deepEqual(m.value(), { paused: 'counting' }, 'a reconnect restarts the idle period');
  await m.advance(1);
  assert.equal(m.value(), 'running', 'resumed after the idle period although idle runs are off');
  assert.equal(m.fake.runs.length, 2);
  assert.deepEqual([m.fake.runs[1]!.done, m.fake.runs[1]!.total], [2, 7], 'the counts carry over');
  assert.equal(m.ctx().reason, null);

  await m.send({ type: 'device.busy' });
  await m.send({ type: 'device.idle' });
  await m.send({ type: 'reembed.trigger' });
  assert.equal(m.value(), 'running', 'a trigger resumes a paused run while nothing is connected');
  assert.equal(m.fake.runs.length, 3);
});

test('a trigger while a device is busy counts the rows, then waits paused', async () => {
  const m = start({ deviceBusy: true });
  assert.equal(m.value(), 'idle');
  await m.send({ type: 'reembed.trigger' });
  assert.deepEqual(m.value(), { paused: 'busy' });
  assert.deepEqual(m.fake.reports, ['loading_encoder', 'scanning', 'started', 'paused']);
  assert.equal(m.fake.runs.length, 0);
  assert.equal(m.ctx().total, 7);
});

test('errors: no encoder, a failed run; both report and return to waiting', async () => {
  const m = start();
  m.fake.loadFails = true;
  await m.send({ type: 'reembed.trigger' });
  assert.equal(m.value(), 'waiting_for_idle');
  assert.deepEqual(m.fake.reports, ['loading_encoder', 'error']);
  assert.equal(m.ctx().error, 'no encoder');
  m.fake.loadFails = false;
  await m.send({ type: 'reembed.trigger' });
  assert.equal(m.ctx().run, 2);
  assert.deepEqual([m.ctx().done, m.ctx().error], [0, null], 'a new run starts from zero');
  m.fake.run!({ type: 'run.failed', error: 'disk gone' });
  await m.settle();
  assert.equal(m.value(), 'waiting_for_idle');
  assert.equal(m.ctx().error, 'disk gone');
  assert.deepEqual(m.fake.reports.slice(2), ['loading_encoder', 'scanning', 'started', 'error']);
});
