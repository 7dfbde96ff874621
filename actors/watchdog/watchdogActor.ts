// The watchdog's I/O: event-loop delay from perf_hooks' histogram (reported beyond the
// histogram's own sampling interval, see eventLoopLag.ts), process memory, actor liveness from
// the supervisor tree, the stall detector, and publishing to the event bus.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fromCallback } from 'xstate';
import { watchdogMachine, type WatchdogEvent, type WatchdogSample } from '../../machines/watchdog.ts';
import type { EventBus } from '../eventBus.ts';
import { LAG_RESOLUTION_MS, lagBeyondResolutionMs } from './eventLoopLag.ts';
import { startStallDetector } from './stallDetector.ts';

export interface Liveness {
  total: number;
  alive: number;
  givenUp: string[];
}

export interface WatchdogDeps {
  bus: EventBus;
  liveness: () => Liveness;
  sampleIntervalMs: number;
}

export function watchdogLogic(deps: WatchdogDeps) {
  return watchdogMachine.provide({
    actors: {
      sampler: fromCallback<WatchdogEvent>(({ sendBack }) => {
        const histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
        histogram.enable();
        const timer = setInterval(() => {
          const mem = process.memoryUsage();
          const live = deps.liveness();
          const sample: WatchdogSample = {
            // Each figure less the 10 ms sampling tick it includes (eventLoopLag.ts).
            lagMeanMs: round(lagBeyondResolutionMs(histogram.mean)),
            lagP99Ms: round(lagBeyondResolutionMs(histogram.percentile(99))),
            lagMaxMs: round(lagBeyondResolutionMs(histogram.max)),
            rssBytes: mem.rss,
            heapUsedBytes: mem.heapUsed,
            actorsTotal: live.total,
            actorsAlive: live.alive,
            actorsGivenUp: live.givenUp,
          };
          histogram.reset();
          sendBack({ type: 'watchdog.sample', sample });
        }, deps.sampleIntervalMs);
        timer.unref();
        return () => {
          clearInterval(timer);
          histogram.disable();
        };
      }),
      heartbeat: fromCallback<WatchdogEvent, { timeoutSecs: number }>(({ input }) => startStallDetector(input.timeoutSecs)),
    },
    actions: {
      publish: ({ context }) => {
        const s = context.last;
        if (!s) return;
        deps.bus.publish('watchdog', {
          enabled: context.enabled,
          timeout_secs: context.timeoutSecs,
          lag_mean_ms: s.lagMeanMs,
          lag_p99_ms: s.lagP99Ms,
          lag_max_ms: s.lagMaxMs,
          rss_bytes: s.rssBytes,
          heap_used_bytes: s.heapUsedBytes,
          actors_total: s.actorsTotal,
          actors_alive: s.actorsAlive,
          actors_given_up: s.actorsGivenUp,
        });
      },
    },
  });
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : 0);
