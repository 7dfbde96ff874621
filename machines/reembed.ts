// The reembed scheduler statechart: fills the embeddings of stored epochs that have none, when
// asked (`reembed.trigger`) or once no device has been busy for the idle delay. Counting,
// loading, reading and encoding are I/O, supplied by actors/reembed/reembedScheduler.ts.
//
//   idle ──device idle, idle runs on──▶ waiting_for_idle ──after idle delay──▶ checking
//    ▲  ◀──────────── device busy ─────────┘                                     │ rows missing
//    │                                                                           ▼
//    │   reembed.trigger (from idle, waiting_for_idle or checking) ──────▶ loading_encoder
//    │                                                                           ▼
//    │                                                                       scanning
//    │                                                                           ▼ started {total}
//    ├──────── done ◀──── finished ─── running ──device busy──▶ paused(busy ⇄ counting)
//    └──────── error ◀─── failed ──────┘  ▲                            │ after idle delay
//                                          └────────────────────────────┘ (or reembed.trigger)
//
// `done` and `error` report and fall through to waiting_for_idle (device idle, idle runs on) or
// idle. A run paused by a device resumes after the next idle period whether or not idle runs are
// on: the user (or the idle loop) asked for it, the device only postponed it.
import { assign, fromCallback, fromPromise, setup } from 'xstate';

export type ReembedTrigger = 'manual' | 'idle';

/** The `status` values of `reembed-progress` (notes §5.5). */
export type ReembedStatus = 'loading_encoder' | 'scanning' | 'started' | 'running' | 'paused' | 'done' | 'error' | 'idle_done';

export interface ReembedMachineInput {
  idleEnabled: boolean;
  idleDelaySecs: number;
  deviceBusy: boolean;
}

export interface ReembedContext {
  idleEnabled: boolean;
  idleDelaySecs: number;
  deviceBusy: boolean;
  trigger: ReembedTrigger | null;
  /** Counter of runs since start; the implementation keys its per-run state by it. */
  run: number;
  total: number;
  done: number;
  failed: number;
  day: string | null;
  reason: string | null;
  error: string | null;
  /** Rows still missing after the last run finished: the idle loop does not retry the same ones. */
  leftMissing: number | null;
}

export interface RunCounts {
  total: number;
  done: number;
  failed: number;
  day: string | null;
}

export interface CheckResult {
  missing: number;
  encoderReady: boolean;
}

export type ReembedEvent =
  | { type: 'device.busy' }
  | { type: 'device.idle' }
  | { type: 'reembed.configure'; idleEnabled: boolean; idleDelaySecs: number }
  | { type: 'reembed.trigger' }
  // From the run actor:
  | ({ type: 'run.progress' } & RunCounts)
  | ({ type: 'run.finished'; left: number } & RunCounts)
  | { type: 'run.failed'; error: string };

export interface RunInput {
  run: number;
  trigger: ReembedTrigger;
  total: number;
  done: number;
  failed: number;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const reembedMachine = setup({
  types: {
    context: {} as ReembedContext,
    events: {} as ReembedEvent,
    input: {} as ReembedMachineInput,
  },
  actors: {
    /** For the actor's whole life: turns device status and config changes into device.* and reembed.configure. */
    watch: fromCallback<ReembedEvent>(() => undefined),
    /** Missing rows now, and whether the encoder could embed them (the idle loop's check). */
    check: fromPromise<CheckResult>(async () => ({ missing: 0, encoderReady: false })),
    /** Waits for the encoder to settle; rejects unless it is ready. */
    loadEncoder: fromPromise<void>(async () => undefined),
    /** Counts the rows to fill. */
    scan: fromPromise<number, { run: number }>(async () => 0),
    /** Fills rows chunk by chunk; reports run.progress, then run.finished or run.failed. Stopped on pause. */
    runBatches: fromCallback<ReembedEvent, RunInput>(() => undefined),
  },
  actions: {
    busy: assign({ deviceBusy: true }),
    notBusy: assign({ deviceBusy: false }),
    configure: assign(({ event }) =>
      event.type === 'reembed.configure' ? { idleEnabled: event.idleEnabled, idleDelaySecs: event.idleDelaySecs } : {},
    ),
    /** A status to announce (`reembed-progress`) and record in the run history. */
    report: (_, _params: { status: ReembedStatus }) => undefined,
  },
  guards: {
    idleRunsWanted: ({ context }) => context.idleEnabled && !context.deviceBusy,
    deviceBusy: ({ context }) => context.deviceBusy,
    deviceIdle: ({ context }) => !context.deviceBusy,
    idleRunsOn: ({ context }) => context.idleEnabled,
  },
  delays: {
    idleDelay: ({ context }) => Math.max(0, context.idleDelaySecs) * 1000,
  },
}).createMachine({
  id: 'reembed',
  context: ({ input }) => ({
    idleEnabled: input.idleEnabled,
    idleDelaySecs: input.idleDelaySecs,
    deviceBusy: input.deviceBusy,
    trigger: null,
    run: 0,
    total: 0,
    done: 0,
    failed: 0,
    day: null,
    reason: null,
    error: null,
    leftMissing: null,
  }),
  initial: 'settle',
  invoke: { id: 'watch', src: 'watch' },
  // Defaults; states that react differently override them.
  on: {
    'device.busy': { actions: 'busy' },
    'device.idle': { actions: 'notBusy' },
    'reembed.configure': { actions: 'configure' },
  },
  states: {
    /** Picks idle or waiting_for_idle from the device and the config. */
    settle: {
      always: [{ guard: 'idleRunsWanted', target: 'waiting_for_idle' }, { target: 'idle' }],
    },
    idle: {
      on: {
        'device.idle': { target: 'settle', actions: 'notBusy' },
        'reembed.configure': { target: 'settle', actions: 'configure' },
        'reembed.trigger': { target: 'loading_encoder', actions: assign({ trigger: 'manual' }) },
      },
    },
    waiting_for_idle: {
      after: { idleDelay: 'checking' },
      on: {
        'device.busy': { target: 'idle', actions: 'busy' },
        // A new delay counts from now.
        'reembed.configure': { target: 'settle', reenter: true, actions: 'configure' },
        'reembed.trigger': { target: 'loading_encoder', actions: assign({ trigger: 'manual' }) },
      },
    },
    checking: {
      invoke: {
        src: 'check',
        onDone: [
          {
            guard: ({ context, event }) => event.output.encoderReady && event.output.missing > 0 && event.output.missing !== context.leftMissing,
            target: 'loading_encoder',
            actions: assign({ trigger: 'idle' }),
          },
          // Nothing new (or no encoder): look again after the next idle period.
          { target: 'settle' },
        ],
        onError: { target: 'settle' },
      },
      on: {
        'device.busy': { target: 'idle', actions: 'busy' },
        'reembed.trigger': { target: 'loading_encoder', actions: assign({ trigger: 'manual' }) },
      },
    },
    loading_encoder: {
      entry: [
        assign(({ context }) => ({ run: context.run + 1, total: 0, done: 0, failed: 0, day: null, reason: null, error: null })),
        { type: 'report', params: { status: 'loading_encoder' } },
      ],
      invoke: {
        src: 'loadEncoder',
        onDone: 'scanning',
        onError: { target: 'error', actions: assign(({ event }) => ({ error: errorText(event.error) })) },
      },
    },
    scanning: {
      entry: { type: 'report', params: { status: 'scanning' } },
      invoke: {
        src: 'scan',
        input: ({ context }) => ({ run: context.run }),
        onDone: {
          target: 'running',
          actions: [assign(({ event }) => ({ total: event.output })), { type: 'report', params: { status: 'started' } }],
        },
        onError: { target: 'error', actions: assign(({ event }) => ({ error: errorText(event.error) })) },
      },
    },
    running: {
      // A trigger while a device is busy gets as far as counting, then waits.
      always: { guard: 'deviceBusy', target: 'paused' },
      invoke: {
        src: 'runBatches',
        input: ({ context }) => ({ run: context.run, trigger: context.trigger ?? 'manual', total: context.total, done: context.done, failed: context.failed }),
      },
      on: {
        'run.progress': {
          actions: [
            assign(({ event }) => ({ total: event.total, done: event.done, failed: event.failed, day: event.day })),
            { type: 'report', params: { status: 'running' } },
          ],
        },
        'run.finished': {
          target: 'done',
          actions: assign(({ event }) => ({ total: event.total, done: event.done, failed: event.failed, day: event.day, leftMissing: event.left })),
        },
        'run.failed': { target: 'error', actions: assign(({ event }) => ({ error: event.error })) },
        'device.busy': { target: 'paused', actions: 'busy' },
      },
    },
    paused: {
      entry: [assign({ reason: 'device_connected' }), { type: 'report', params: { status: 'paused' } }],
      exit: assign({ reason: null }),
      initial: 'route',
      states: {
        route: { always: [{ guard: 'deviceBusy', target: 'busy' }, { target: 'counting' }] },
        busy: { on: { 'device.idle': { target: 'counting', actions: 'notBusy' } } },
        counting: {
          after: { idleDelay: '#reembed.running' },
          on: {
            'device.busy': { target: 'busy', actions: 'busy' },
            'reembed.configure': { target: 'counting', reenter: true, actions: 'configure' },
            // The user asks again while nothing is connected: no need to wait.
            'reembed.trigger': '#reembed.running',
          },
        },
      },
    },
    done: {
      entry: { type: 'report', params: { status: 'done' } },
      always: 'settle',
    },
    error: {
      entry: { type: 'report', params: { status: 'error' } },
      always: 'settle',
    },
  },
});
