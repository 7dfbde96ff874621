// The watchdog statechart with a scripted sampler: healthy, lagging and degraded states,
// live reconfiguration, and the heartbeat only running while enabled; lag figures beyond the
// histogram's sampling tick, from the real sampler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback } from 'xstate';
import { watchdogMachine, type WatchdogEvent, type WatchdogSample } from '../machines/watchdog.ts';
import type { EventBus } from '../actors/eventBus.ts';
import { LAG_RESOLUTION_MS, lagBeyondResolutionMs } from '../actors/watchdog/eventLoopLag.ts';
import { watchdogLogic } from '../actors/watchdog/watchdogActor.ts';

const sample = (over: Partial<WatchdogSample> = {}): WatchdogSample => ({
  lagMeanMs: 1, lagP99Ms: 2, lagMaxMs: 3, rssBytes: 1, heapUsedBytes: 1,
  actorsTotal: 3, actorsAlive: 3, actorsGivenUp: [], ...over,
});

function start(enabled = true) {
  const heartbeats = { started: 0, stopped: 0, timeoutSecs: 0 };
  const published: number[] = [];
  const machine = watchdogMachine.provide({
    actors: {
      sampler: fromCallback<WatchdogEvent>(() => undefined),
      heartbeat: fromCallback<WatchdogEvent, { timeoutSecs: number }>(({ input }) => {
        heartbeats.started++;
        heartbeats.timeoutSecs = input.timeoutSecs;
        return () => heartbeats.stopped++;
      }),
    },
    actions: { publish: ({ context }) => published.push(context.samples) },
  });
  const actor = createActor(machine, { input: { enabled, timeoutSecs: 10, lagBudgetMs: 100 } }).start();
  const feed = (s: WatchdogSample) => actor.send({ type: 'watchdog.sample', sample: s });
  return { actor, feed, heartbeats, published };
}

test('samples move the watchdog between healthy, lagging and degraded', () => {
  const { actor, feed, published } = start();
  assert.deepEqual(actor.getSnapshot().value, { watching: 'healthy' });
  feed(sample({ lagP99Ms: 150 }));
  assert.deepEqual(actor.getSnapshot().value, { watching: 'lagging' });
  assert.equal(actor.getSnapshot().context.lagEpisodes, 1);
  feed(sample({ lagP99Ms: 150, actorsAlive: 2 }));
  assert.deepEqual(actor.getSnapshot().value, { watching: 'degraded' }, 'a down actor outranks lag');
  feed(sample({ lagP99Ms: 150 }));
  assert.deepEqual(actor.getSnapshot().value, { watching: 'lagging' });
  feed(sample({ actorsGivenUp: ['device'] }));
  assert.deepEqual(actor.getSnapshot().value, { watching: 'degraded' });
  feed(sample());
  assert.deepEqual(actor.getSnapshot().value, { watching: 'healthy' });
  assert.deepEqual(published, [1, 2, 3, 4, 5], "every sample is published");
});

test('the heartbeat runs only while enabled, and reconfiguration is applied live', () => {
  const { actor, heartbeats } = start(false);
  assert.equal(actor.getSnapshot().value, 'disabled');
  assert.equal(heartbeats.started, 0);
  actor.send({ type: 'watchdog.configure', enabled: true, timeoutSecs: 30 });
  assert.deepEqual(actor.getSnapshot().value, { watching: 'healthy' });
  assert.equal(heartbeats.started, 1);
  assert.equal(heartbeats.timeoutSecs, 30);
  actor.send({ type: 'watchdog.configure', enabled: true, timeoutSecs: 5 });
  assert.equal(heartbeats.stopped, 1, 'a new timeout re-arms the heartbeat');
  assert.equal(heartbeats.timeoutSecs, 5);
  actor.send({ type: 'watchdog.configure', enabled: false, timeoutSecs: 5 });
  assert.equal(actor.getSnapshot().value, 'disabled');
  assert.equal(heartbeats.stopped, 2);
});

test('lag is reported beyond the histogram\'s 10 ms sampling tick, never below 0', () => {
  assert.equal(LAG_RESOLUTION_MS, 10);
  assert.ok(Math.abs(lagBeyondResolutionMs(10.4e6) - 0.4) < 1e-9, 'an idle loop reads ≈0.4 ms, not 10.4');
  assert.equal(lagBeyondResolutionMs(60e6), 50);
  assert.equal(lagBeyondResolutionMs(9.9e6), 0, 'a tick that came early');
  assert.equal(lagBeyondResolutionMs(Number.NaN), 0, 'an empty histogram\'s mean');
  assert.equal(lagBeyondResolutionMs(25e6, 20), 5);
});

test('the sampler publishes a blocked event loop as its delay beyond the tick', async () => {
  const published: Array<Record<string, unknown>> = [];
  const bus = { publish: (type: string, payload: Record<string, unknown>) => published.push({ type, ...payload }) } as unknown as EventBus;
  const actor = createActor(watchdogLogic({ bus, liveness: () => ({ total: 1, alive: 1, givenUp: [] }), sampleIntervalMs: 400 }), {
    input: { enabled: false, timeoutSecs: 10, lagBudgetMs: 200 },
  }).start();
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = performance.now();
    while (performance.now() - t0 < 80);
    while (published.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const s = published[0]!;
    assert.equal(s.type, 'watchdog');
    // The 80 ms block is one tick of ≥ 80 ms: ≥ 70 ms beyond the 10 ms tick (the raw histogram reads ≥ 80).
    assert.ok((s.lag_max_ms as number) >= 70, `max ${s.lag_max_ms}`);
    assert.ok((s.lag_p99_ms as number) <= (s.lag_max_ms as number));
    assert.ok((s.lag_mean_ms as number) >= 0 && (s.lag_mean_ms as number) < (s.lag_max_ms as number));
  } finally {
    actor.stop();
  }
});
