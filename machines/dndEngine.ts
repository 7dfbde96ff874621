// The Do Not Disturb engine (notes §8.3): the reference's decision rules run on the live focus
// score, one tick per `EegBands` snapshot (about 4 a second, which the window sizes assume).
// Turning the system's DND on or off is I/O, supplied by actors/dnd/doNotDisturb.ts as `feed` and `apply`.
//
//   disabled ──enabled──▶ watching.idle ⇄ watching.focusing      (window mean vs threshold)
//                           │ window full, mean ≥ threshold, SNR ≥ snr_exit_db
//                           ▼
//                        entering (apply on) ──ok──▶ active.holding ⇄ active.held_by_lookback
//                           │ failed                    │                ⇅
//                           ▼                           │          active.exiting (low ticks counting)
//                        enter_retry ──5 s──▶ watching  │ exit window of low ticks, SNR low for 60 s,
//                                                       ▼ disabled, or the device gone
//                                                    leaving (apply off) ──ok──▶ watching / disabled
//                                                       │ failed
//                                                       ▼
//                                                    exit_retry ──5 s──▶ leaving
//
// The reference retried a failed OS call on the very next tick; here a failure waits 5 s, so a
// broken command is not run four times a second.
import { and, assign, fromCallback, fromPromise, not, setup } from 'xstate';

/** The `do_not_disturb` settings the engine reads (actors/settings/dndConfig.ts). */
export interface DndEngineConfig {
  enabled: boolean;
  focus_threshold: number;
  duration_secs: number;
  exit_duration_secs: number;
  focus_lookback_secs: number;
  exit_notification: boolean;
  snr_exit_db: number;
  focus_mode_identifier: string;
}

/** Why DND was turned off; each has the reference's notification text. */
export type DndExitReason = 'focus' | 'snr' | 'disabled' | 'signal_lost';

export const EXIT_MESSAGES: Record<DndExitReason, string> = {
  focus: 'Your focus score dropped. Focus mode has been deactivated.',
  snr: 'Signal quality (SNR) dropped below threshold for 1 minute. Focus mode deactivated.',
  disabled: 'Do Not Disturb automation was disabled. Focus mode deactivated.',
  signal_lost: 'The headset stopped streaming. Focus mode deactivated.',
};

/** The reference assumes four band snapshots a second. */
export const TICKS_PER_SEC = 4;
/** Low-SNR ticks that force an exit: one minute. */
export const SNR_LOW_TICKS = 240;
/** Wait before a failed apply is tried again. */
export const APPLY_RETRY_MS = 5_000;

export const windowSize = (c: DndEngineConfig) => Math.max(c.duration_secs * TICKS_PER_SEC, 8);
export const exitWindowSize = (c: DndEngineConfig) => Math.max(c.exit_duration_secs * TICKS_PER_SEC, 4);
export const lookbackSize = (c: DndEngineConfig) => Math.max(c.focus_lookback_secs * TICKS_PER_SEC, 4);

export interface DndEngineInput {
  config: DndEngineConfig;
}

export interface DndEngineContext {
  config: DndEngineConfig;
  /** Focus scores of the activation window, oldest first. */
  focusWindow: number[];
  /** Focus scores of the lookback window, oldest first. */
  history: number[];
  avgScore: number;
  lastFocus: number | null;
  lastSnr: number | null;
  belowTicks: number;
  snrLowTicks: number;
  exitHeld: boolean;
  ticks: number;
  activations: number;
  exits: number;
  /** When DND was last turned on / off (unix ms, the engine's clock). */
  activatedAt: number | null;
  deactivatedAt: number | null;
  exitReason: DndExitReason | null;
  lastError: string | null;
  /** Whether the last apply ran a command (false where DND is events only). */
  commandApplied: boolean;
}

export type DndEngineEvent =
  | { type: 'dnd.tick'; focus: number; snr: number }
  | { type: 'dnd.configure'; config: DndEngineConfig }
  /** The device session ended: no more focus scores will come. */
  | { type: 'dnd.signal_lost' };

export interface ApplyInput {
  enable: boolean;
  modeId: string;
}

export interface ApplyResult {
  /** A command ran (and succeeded); false when only events are sent on this platform. */
  commandRan: boolean;
}

type Ctx = { context: DndEngineContext };
const aboveThreshold = ({ context }: Ctx) => context.focusWindow.length > 0 && context.avgScore >= context.config.focus_threshold;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const dndEngineMachine = setup({
  types: {
    context: {} as DndEngineContext,
    events: {} as DndEngineEvent,
    input: {} as DndEngineInput,
  },
  actors: {
    /** For the actor's whole life: focus scores, session ends and config changes as events. */
    feed: fromCallback<DndEngineEvent>(() => undefined),
    /** Turns the system's DND on or off; rejects when that failed. */
    apply: fromPromise<ApplyResult, ApplyInput>(async () => ({ commandRan: false })),
  },
  actions: {
    /** DND was turned on (`dnd-state-changed`). */
    announceEnter: () => undefined,
    /** DND was turned off, with its reason (`dnd-state-changed`, and the exit notification). */
    announceExit: () => undefined,
    /** The reference's tick bookkeeping: both rolling windows, their mean, the SNR counter. */
    record: assign(({ context, event }) => {
      if (event.type !== 'dnd.tick') return {};
      const focusWindow = [...context.focusWindow, event.focus].slice(-windowSize(context.config));
      const history = [...context.history, event.focus].slice(-lookbackSize(context.config));
      return {
        focusWindow,
        history,
        avgScore: focusWindow.reduce((a, b) => a + b, 0) / focusWindow.length,
        lastFocus: event.focus,
        lastSnr: event.snr,
        snrLowTicks: event.snr < context.config.snr_exit_db ? context.snrLowTicks + 1 : 0,
        ticks: context.ticks + 1,
      };
    }),
    /**
     * While active: a window mean below threshold counts a low tick, unless some score of the
     * lookback window reached the threshold (the exit is then held).
     */
    countBelow: assign(({ context }) => {
      if (context.avgScore >= context.config.focus_threshold) return { belowTicks: 0, exitHeld: false };
      if (context.history.some((v) => v >= context.config.focus_threshold)) return { belowTicks: 0, exitHeld: true };
      return { belowTicks: Math.min(context.belowTicks + 1, exitWindowSize(context.config)), exitHeld: false };
    }),
    configure: assign(({ event }) => (event.type === 'dnd.configure' ? { config: event.config } : {})),
    forgetScores: assign({ focusWindow: [], history: [], avgScore: 0, belowTicks: 0, snrLowTicks: 0, exitHeld: false }),
    exitBecause: assign((_, params: { reason: DndExitReason }) => ({ exitReason: params.reason })),
  },
  guards: {
    enabled: ({ context }) => context.config.enabled,
    aboveThreshold,
    /** Window full, its mean at or above threshold, and the signal good enough. */
    mayEnter: ({ context }) =>
      context.focusWindow.length >= windowSize(context.config) &&
      aboveThreshold({ context }) &&
      context.lastSnr !== null &&
      context.lastSnr >= context.config.snr_exit_db,
    snrLost: ({ context }) => context.snrLowTicks >= SNR_LOW_TICKS,
    focusLost: ({ context }) => context.belowTicks >= exitWindowSize(context.config),
    held: ({ context }) => context.exitHeld,
    counting: ({ context }) => context.belowTicks > 0,
  },
  delays: {
    retry: APPLY_RETRY_MS,
  },
}).createMachine({
  id: 'dnd',
  context: ({ input }) => ({
    config: input.config,
    focusWindow: [],
    history: [],
    avgScore: 0,
    lastFocus: null,
    lastSnr: null,
    belowTicks: 0,
    snrLowTicks: 0,
    exitHeld: false,
    ticks: 0,
    activations: 0,
    exits: 0,
    activatedAt: null,
    deactivatedAt: null,
    exitReason: null,
    lastError: null,
    commandApplied: false,
  }),
  initial: 'disabled',
  invoke: { id: 'feed', src: 'feed' },
  // Defaults; the active states add their own bookkeeping.
  on: {
    'dnd.tick': { actions: 'record' },
    'dnd.configure': { actions: 'configure' },
    'dnd.signal_lost': { actions: 'forgetScores' },
  },
  states: {
    disabled: {
      always: { guard: 'enabled', target: 'watching' },
    },
    watching: {
      initial: 'idle',
      always: [
        { guard: not('enabled'), target: 'disabled' },
        { guard: 'mayEnter', target: 'entering' },
      ],
      states: {
        idle: { always: { guard: 'aboveThreshold', target: 'focusing' } },
        /** The window mean is at the threshold; waiting for a full window or a good signal. */
        focusing: { always: { guard: not('aboveThreshold'), target: 'idle' } },
      },
    },
    entering: {
      invoke: {
        src: 'apply',
        input: ({ context }) => ({ enable: true, modeId: context.config.focus_mode_identifier }),
        onDone: {
          target: 'active',
          actions: [
            assign(({ context, event }) => ({
              activations: context.activations + 1,
              activatedAt: Date.now(),
              belowTicks: 0,
              snrLowTicks: 0,
              exitReason: null,
              lastError: null,
              commandApplied: event.output.commandRan,
            })),
            'announceEnter',
          ],
        },
        onError: { target: 'enter_retry', actions: assign({ lastError: ({ event }) => errorText(event.error) }) },
      },
    },
    enter_retry: {
      after: { retry: 'watching' },
    },
    active: {
      initial: 'holding',
      on: {
        'dnd.tick': { actions: ['record', 'countBelow'] },
        'dnd.signal_lost': { target: 'leaving', actions: ['forgetScores', { type: 'exitBecause', params: { reason: 'signal_lost' } }] },
      },
      always: [
        { guard: not('enabled'), target: 'leaving', actions: { type: 'exitBecause', params: { reason: 'disabled' } } },
        { guard: 'snrLost', target: 'leaving', actions: { type: 'exitBecause', params: { reason: 'snr' } } },
        { guard: 'focusLost', target: 'leaving', actions: { type: 'exitBecause', params: { reason: 'focus' } } },
      ],
      states: {
        holding: { always: [{ guard: 'held', target: 'held_by_lookback' }, { guard: 'counting', target: 'exiting' }] },
        /** Below threshold on average, but a recent score reached it: no exit countdown. */
        held_by_lookback: { always: [{ guard: 'counting', target: 'exiting' }, { guard: not('held'), target: 'holding' }] },
        /** Low ticks are counting towards the exit window. */
        exiting: { always: [{ guard: 'held', target: 'held_by_lookback' }, { guard: and([not('counting'), not('held')]), target: 'holding' }] },
      },
    },
    leaving: {
      invoke: {
        src: 'apply',
        input: ({ context }) => ({ enable: false, modeId: context.config.focus_mode_identifier }),
        onDone: {
          target: 'disabled',
          actions: [
            assign(({ context, event }) => ({
              exits: context.exits + 1,
              deactivatedAt: Date.now(),
              belowTicks: 0,
              snrLowTicks: 0,
              exitHeld: false,
              lastError: null,
              commandApplied: event.output.commandRan,
            })),
            'announceExit',
          ],
        },
        onError: { target: 'exit_retry', actions: assign({ lastError: ({ event }) => errorText(event.error) }) },
      },
    },
    exit_retry: {
      after: { retry: 'leaving' },
    },
  },
});
