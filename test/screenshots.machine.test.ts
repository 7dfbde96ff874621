// The screenshot capture statechart with fake I/O and xstate's simulated clock: enabling and
// disabling, session_only, the capture → ocr → waiting cycle, failures with a doubling retry
// delay, and a config change abandoning the capture in progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { MAX_RETRY_DELAY_MS, retryDelayMs, screenshotCaptureMachine, type CaptureOutput, type ScreenshotEvent, type ScreenshotMachineInput } from '../machines/screenshotCapture.ts';

interface Fake {
  captures: number;
  ocrs: number[];
  failures: number;
  fail: string | null;
  ocrWanted: boolean;
  /** Resolves the capture in progress; null when none runs. */
  finish: (() => void) | null;
  aborted: number;
}

function start(input: Partial<ScreenshotMachineInput> = {}) {
  const clock = new SimulatedClock();
  const fake: Fake = { captures: 0, ocrs: [], failures: 0, fail: null, ocrWanted: true, finish: null, aborted: 0 };
  const machine = screenshotCaptureMachine.provide({
    actors: {
      capture: fromPromise<CaptureOutput>(({ signal }) => {
        fake.captures++;
        const id = fake.captures;
        signal.addEventListener('abort', () => void fake.aborted++);
        return new Promise((resolve, reject) => {
          fake.finish = () => {
            fake.finish = null;
            if (fake.fail) reject(new Error(fake.fail));
            else resolve({ id, ocrWanted: fake.ocrWanted });
          };
        });
      }),
      ocr: fromPromise<void, { id: number }>(async ({ input }) => void fake.ocrs.push(input.id)),
    },
    actions: { reportFailure: () => void fake.failures++ },
  });
  const actor = createActor(machine, { clock, input: { enabled: false, intervalSecs: 5, sessionOnly: false, sessionActive: false, ...input } }).start();
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    actor,
    fake,
    advance: async (ms: number) => {
      clock.increment(ms);
      await settle();
    },
    send: async (e: ScreenshotEvent) => {
      actor.send(e);
      await settle();
    },
    finish: async () => {
      assert.ok(fake.finish, 'a capture is in progress');
      fake.finish!();
      await settle();
      await settle();
    },
    value: () => actor.getSnapshot().value,
    ctx: () => actor.getSnapshot().context,
  };
}

const enable = (over: Partial<Extract<ScreenshotEvent, { type: 'screenshot.configure' }>> = {}): ScreenshotEvent =>
  ({ type: 'screenshot.configure', enabled: true, intervalSecs: 5, sessionOnly: false, ...over });

test('disabled until enabled; then waits an interval, captures, reads the text, and waits again', async () => {
  const m = start();
  assert.equal(m.value(), 'disabled', 'starts disabled');
  await m.send(enable());
  assert.equal(m.value(), 'waiting', 'enabled → waiting');
  await m.advance(4_999);
  assert.equal(m.fake.captures, 0, 'not before the interval');
  await m.advance(1);
  assert.equal(m.value(), 'capturing', 'capturing at the interval');
  await m.finish();
  assert.deepEqual(m.fake.ocrs, [1], 'the capture went to OCR');
  assert.equal(m.value(), 'waiting', 'then waits for the next');
  m.fake.ocrWanted = false;
  await m.advance(5_000);
  await m.finish();
  assert.deepEqual(m.fake.ocrs, [1], 'no OCR when the capture says so');
  assert.equal(m.value(), 'waiting', 'straight back to waiting');
});

test('session_only holds captures until a device session is open, and stops them when it closes', async () => {
  const m = start({ enabled: true, sessionOnly: true });
  assert.equal(m.value(), 'waiting_for_session', 'no session yet');
  await m.advance(60_000);
  assert.equal(m.fake.captures, 0, 'nothing captured without a session');
  await m.send({ type: 'session.active' });
  assert.equal(m.value(), 'waiting', 'a session opens the loop');
  await m.advance(5_000);
  assert.equal(m.value(), 'capturing', 'captures during the session');
  await m.send({ type: 'session.inactive' });
  assert.equal(m.value(), 'waiting_for_session', 'the session ended: back to waiting for one');
  assert.equal(m.fake.aborted, 1, 'the capture in progress was abandoned');
});

test('without session_only a session change never interrupts a capture', async () => {
  const m = start({ enabled: true });
  await m.advance(5_000);
  assert.equal(m.value(), 'capturing', 'capturing');
  await m.send({ type: 'session.active' });
  assert.equal(m.value(), 'capturing', 'still capturing');
  assert.equal(m.fake.aborted, 0, 'not abandoned');
});

test('a failed capture is a state with its reason, retried after interval·2^(n−1)', async () => {
  const m = start({ enabled: true });
  m.fake.fail = 'grim: no Wayland display';
  await m.advance(5_000);
  await m.finish();
  assert.equal(m.value(), 'failed', 'failed');
  assert.equal(m.ctx().reason, 'grim: no Wayland display', 'the reason is kept');
  assert.equal(m.ctx().failures, 1, 'one failure');
  assert.equal(m.fake.failures, 1, 'reported once');
  await m.advance(4_999);
  assert.equal(m.value(), 'failed', 'not retried early');
  await m.advance(1);
  assert.equal(m.value(), 'capturing', 'retried after 5 s');
  await m.finish();
  assert.equal(m.ctx().failures, 2, 'two failures');
  await m.advance(9_999);
  assert.equal(m.value(), 'failed', 'the second retry waits 10 s');
  await m.advance(1);
  m.fake.fail = null;
  await m.finish();
  assert.equal(m.ctx().failures, 0, 'a success clears the count');
  assert.equal(m.ctx().reason, null, 'and the reason');
  assert.equal(m.value(), 'waiting', 'back to the loop (OCR done)');
});

test('retry delays double up to their cap', () => {
  assert.equal(retryDelayMs(5, 1), 5_000, 'first retry after an interval');
  assert.equal(retryDelayMs(5, 3), 20_000, 'doubling');
  assert.equal(retryDelayMs(60, 20), MAX_RETRY_DELAY_MS, 'capped');
});

test('disabling stops at once from any state, including a failure and a capture in progress', async () => {
  const m = start({ enabled: true });
  await m.advance(5_000);
  assert.equal(m.value(), 'capturing', 'capturing');
  await m.send(enable({ enabled: false }));
  assert.equal(m.value(), 'disabled', 'disabled mid-capture');
  assert.equal(m.fake.aborted, 1, 'the capture was abandoned');
  await m.advance(120_000);
  assert.equal(m.fake.captures, 1, 'no capture while disabled');
  await m.send(enable());
  m.fake.fail = 'boom';
  await m.advance(5_000);
  await m.finish();
  assert.equal(m.value(), 'failed', 'failed');
  await m.send(enable({ enabled: false }));
  assert.equal(m.value(), 'disabled', 'disabled from failed');
  assert.equal(m.ctx().failures, 0, 'failures forgotten');
  await m.advance(600_000);
  assert.equal(m.fake.captures, 2, 'no retry after disabling');
});

test('a new interval applies to the next wait', async () => {
  const m = start({ enabled: true });
  await m.send(enable({ intervalSecs: 30 }));
  await m.advance(29_999);
  assert.equal(m.value(), 'waiting', 'still waiting under the new interval');
  await m.advance(1);
  assert.equal(m.value(), 'capturing', 'captures at 30 s');
});
