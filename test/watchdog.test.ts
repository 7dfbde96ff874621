// The watchdog statechart with a scripted sampler: healthy, lagging and degraded states,
// live reconfiguration, and the heartbeat only running while enabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback } from 'xstate';
import { watchdogMachine, type WatchdogEvent, type WatchdogSample } from '../machines/watchdog.ts';

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
