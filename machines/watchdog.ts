// The watchdog statechart. It always samples (event-loop lag, memory, actor liveness) and
// publishes what it sees; when enabled it also arms a heartbeat that a separate thread checks,
// so a main thread wedged for longer than `timeoutSecs` is ended and restarted by the service
// manager. Sampling and the heartbeat are I/O, supplied by actors/watchdog.ts.
import { and, assign, fromCallback, not, setup } from 'xstate';

export interface WatchdogSample {
  /** Event-loop delay over the last interval, in ms. */
  lagMeanMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  actorsTotal: number;
  actorsAlive: number;
  /** Actors the supervisor gave up on. */
  actorsGivenUp: string[];
}

export interface WatchdogInput {
  enabled: boolean;
  timeoutSecs: number;
  /** p99 event-loop delay above which the daemon counts as lagging. */
  lagBudgetMs: number;
}

export interface WatchdogContext extends WatchdogInput {
  last: WatchdogSample | null;
  samples: number;
  lagEpisodes: number;
}

export type WatchdogEvent =
  | { type: 'watchdog.sample'; sample: WatchdogSample }
  | { type: 'watchdog.configure'; enabled: boolean; timeoutSecs: number };

const lagging = ({ context }: { context: WatchdogContext }) =>
  context.last !== null && context.last.lagP99Ms > context.lagBudgetMs;
const actorsDown = ({ context }: { context: WatchdogContext }) =>
  context.last !== null && (context.last.actorsAlive < context.last.actorsTotal || context.last.actorsGivenUp.length > 0);

export const watchdogMachine = setup({
  types: {
    context: {} as WatchdogContext,
    events: {} as WatchdogEvent,
    input: {} as WatchdogInput,
  },
  actors: {
    /** Sends `watchdog.sample` periodically. */
    sampler: fromCallback<WatchdogEvent>(() => undefined),
    /** Keeps the out-of-thread stall detector fed while enabled. */
    heartbeat: fromCallback<WatchdogEvent, { timeoutSecs: number }>(() => undefined),
  },
  actions: {
    /** Reports a sample (event bus); supplied by the actor. */
    publish: () => undefined,
  },
  guards: {
    enabled: ({ context }) => context.enabled,
    healthy: and([not(lagging), not(actorsDown)]),
    lagging,
    actorsDown,
  },
}).createMachine({
  id: 'watchdog',
  context: ({ input }) => ({ ...input, last: null, samples: 0, lagEpisodes: 0 }),
  invoke: { src: 'sampler' },
  initial: 'route',
  on: {
    'watchdog.sample': {
      actions: [assign({ last: ({ event }) => event.sample, samples: ({ context }) => context.samples + 1 }), 'publish'],
    },
    'watchdog.configure': {
      target: '.route',
      actions: assign({ enabled: ({ event }) => event.enabled, timeoutSecs: ({ event }) => event.timeoutSecs }),
    },
  },
  states: {
    route: {
      always: [{ guard: 'enabled', target: 'watching' }, { target: 'disabled' }],
    },
    disabled: {},
    watching: {
      invoke: { src: 'heartbeat', input: ({ context }) => ({ timeoutSecs: context.timeoutSecs }) },
      initial: 'healthy',
      states: {
        healthy: {
          always: [
            { guard: 'actorsDown', target: 'degraded' },
            { guard: 'lagging', target: 'lagging' },
          ],
        },
        lagging: {
          entry: assign({ lagEpisodes: ({ context }) => context.lagEpisodes + 1 }),
          always: [{ guard: 'actorsDown', target: 'degraded' }, { guard: 'healthy', target: 'healthy' }],
        },
        // Actors down outranks lag: leaving here needs every actor back.
        degraded: {
          always: [{ guard: 'healthy', target: 'healthy' }, { guard: and(['lagging', not('actorsDown')]), target: 'lagging' }],
        },
      },
    },
  },
});
