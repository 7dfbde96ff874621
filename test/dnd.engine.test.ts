// The DND statechart in-process, fed focus scores by hand: the reference's decision rules
// (window, threshold, SNR, lookback hold, exit window, forced SNR exit, disable while active),
// and a failing apply retried after the delay on xstate's simulated clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate';
import { dndEngineMachine, SNR_LOW_TICKS, type ApplyInput, type DndEngineConfig } from '../machines/dndEngine.ts';

const base: DndEngineConfig = {
  enabled: true,
  focus_threshold: 60,
  duration_secs: 2, // window 8 ticks
  exit_duration_secs: 2, // exit window 8 ticks
  focus_lookback_secs: 1, // lookback 4 ticks
  exit_notification: true,
  snr_exit_db: 5,
  focus_mode_identifier: 'test',
};

function start(config: Partial<DndEngineConfig> = {}, apply?: (input: ApplyInput) => Promise<{ commandRan: boolean }>) {
  const calls: ApplyInput[] = [];
  const announced: string[] = [];
  const clock = new SimulatedClock();
  const actor = createActor(
    dndEngineMachine.provide({
      actors: {
        feed: fromCallback(() => undefined),
        apply: fromPromise<{ commandRan: boolean }, ApplyInput>(async ({ input }) => {
          calls.push(input);
          return apply ? apply(input) : { commandRan: true };
        }),
      },
      actions: {
        announceEnter: () => void announced.push('on'),
        announceExit: ({ context }) => void announced.push(`off:${context.exitReason}`),
      },
    }),
    { input: { config: { ...base, ...config } }, clock },
  );
  actor.start();
  const tick = async (focus: number, n = 1, snr = 10) => {
    for (let i = 0; i < n; i++) actor.send({ type: 'dnd.tick', focus, snr });
    // Let the apply promise settle.
    await new Promise((r) => setImmediate(r));
  };
  const state = () => JSON.stringify(actor.getSnapshot().value);
  return { actor, tick, state, calls, announced, clock };
}

test('enters only with a full window above threshold and a good signal, then exits after the exit window', async () => {
  const e = start();
  await e.tick(70, 7);
  assert.equal(e.state(), '{"watching":"focusing"}', 'seven ticks: the window of eight is not full');
  await e.tick(70, 1, 2);
  assert.equal(e.state(), '{"watching":"focusing"}', 'full window but SNR below snr_exit_db: no entry');
  await e.tick(70);
  assert.equal(e.state(), '{"active":"holding"}', `entered: ${e.state()}`);
  assert.deepEqual(e.calls, [{ enable: true, modeId: 'test' }], 'apply(on) once');
  assert.deepEqual(e.announced, ['on'], 'announced on');

  // Scores drop: the window mean falls below 60 after a few ticks; the lookback (4 ticks) holds the exit first.
  await e.tick(0, 2);
  const held = e.actor.getSnapshot().context;
  assert.ok(held.avgScore >= 60 || held.exitHeld, `mean still high or exit held: ${JSON.stringify({ avg: held.avgScore, held: held.exitHeld })}`);
  await e.tick(0, 4);
  assert.match(e.state(), /exiting|held_by_lookback/, `counting down or held: ${e.state()}`);
  let guard = 0;
  while (e.state().includes('active') && guard++ < 20) await e.tick(0);
  assert.equal(e.state(), '{"watching":"idle"}', `left after the exit window: ${e.state()}`);
  assert.deepEqual(e.calls.at(-1), { enable: false, modeId: 'test' }, 'apply(off)');
  assert.deepEqual(e.announced, ['on', 'off:focus'], 'announced off with its reason');
  const c = e.actor.getSnapshot().context;
  assert.equal(c.activations, 1, 'one activation');
  assert.equal(c.exits, 1, 'one exit');
  e.actor.stop();
});

test('a score at the threshold inside the lookback holds the exit', async () => {
  const e = start({ focus_lookback_secs: 3 }); // lookback 12 ticks
  await e.tick(90, 8);
  assert.equal(e.state(), '{"active":"holding"}', 'entered');
  // Alternate: the window mean sinks below 60, but a 60 keeps appearing within the lookback.
  for (let i = 0; i < 10; i++) {
    await e.tick(0, 3);
    await e.tick(60);
  }
  const c = e.actor.getSnapshot().context;
  assert.ok(c.avgScore < 60, `window mean below threshold: ${c.avgScore}`);
  assert.equal(e.state(), '{"active":"held_by_lookback"}', `held, not exiting: ${e.state()}`);
  assert.equal(c.belowTicks, 0, 'no low ticks counted while held');
  e.actor.stop();
});

test('a minute of low SNR forces the exit; disabling while active exits at once', async () => {
  const e = start();
  await e.tick(90, 8);
  assert.equal(e.state(), '{"active":"holding"}', 'entered');
  await e.tick(90, SNR_LOW_TICKS - 1, 1);
  assert.equal(e.state(), '{"active":"holding"}', 'one tick short of a minute: still on');
  await e.tick(90, 1, 1);
  assert.equal(e.announced.at(-1), 'off:snr', `forced exit: ${e.announced}`);

  const d = start();
  await d.tick(90, 8);
  d.actor.send({ type: 'dnd.configure', config: { ...base, enabled: false } });
  await d.tick(90, 0);
  assert.equal(d.state(), '"disabled"', `disabled: ${d.state()}`);
  assert.deepEqual(d.announced, ['on', 'off:disabled'], 'exit because disabled');
  e.actor.stop();
  d.actor.stop();
});

test('the session ending turns DND off and forgets the window', async () => {
  const e = start();
  await e.tick(90, 8);
  e.actor.send({ type: 'dnd.signal_lost' });
  await e.tick(90, 0);
  assert.deepEqual(e.announced, ['on', 'off:signal_lost'], 'off when the signal is lost');
  assert.equal(e.actor.getSnapshot().context.focusWindow.length, 0, 'window emptied');
  assert.equal(e.state(), '{"watching":"idle"}', 'watching again');
  e.actor.stop();
});

test('a failing apply is retried after 5 s of the engine clock, not on every tick', async () => {
  let fail = true;
  const e = start({}, async () => {
    if (fail) throw new Error('gsettings: no such schema');
    return { commandRan: true };
  });
  await e.tick(90, 8);
  assert.equal(e.state(), '"enter_retry"', `waiting to retry: ${e.state()}`);
  assert.equal(e.actor.getSnapshot().context.lastError, 'gsettings: no such schema', 'error kept for the status');
  await e.tick(90, 20);
  assert.equal(e.calls.length, 1, `no retry before the delay: ${e.calls.length} calls`);
  fail = false;
  e.clock.increment(5_000);
  await e.tick(90);
  assert.equal(e.calls.length, 2, 'retried once after 5 s');
  assert.equal(e.state(), '{"active":"holding"}', `entered on the retry: ${e.state()}`);
  assert.equal(e.actor.getSnapshot().context.lastError, null, 'error cleared');
  e.actor.stop();
});
