// The device statechart: one session at a time, from choosing a target to streaming, and the
// reconnect countdown when a device is lost. Opening the source and moving frames are I/O,
// supplied by actors/devices/deviceActor.ts as the `session` actor.
//
//   disconnected ──start──▶ session(scanning ▸ connecting ▸ connected ▸ streaming)
//        ▲                      │ lost (ended, open failed, idle timeout)
//        │                      ▼
//        └──give up / cancel── reconnecting (countdown 1, 2, 3, 5, 5 … s; at most 12 attempts)
//
// Differences from the reference (notes §2.4–2.5): the 1/2/3/5 s backoff is what the countdown
// uses (the reference keeps it as dead code and counts a fixed 3 s), and the LSL idle timeout
// setting is honoured for LSL targets.
import { assign, fromCallback, setup } from 'xstate';

export const MAX_RETRY_ATTEMPTS = 12;
export const GIVE_UP_ERROR = 'Reconnect failed after multiple attempts';

export interface DeviceMachineInput {
  /** Countdown before each attempt, in seconds; the last entry repeats. */
  retryDelaysSecs: number[];
  maxAttempts: number;
  /** No frame for this long after the first one ends the session. */
  idleTimeoutMs: number;
  /** The same for LSL targets (the `/v1/lsl/idle-timeout` setting). */
  lslIdleTimeoutMs: number;
  /** How long an opened device may stay silent before its first frame. */
  firstFrameTimeoutMs: number;
  reconnectEnabled: boolean;
}

export interface DeviceContext extends DeviceMachineInput {
  target: string | null;
  /** Retry attempts made since the last successful open. */
  attempt: number;
  countdown: number;
  deviceError: string | null;
  /** Why the last session ended: `idle_timeout`, `user_cancel`, the source's own reason, … */
  lastReason: string | null;
}

export type DeviceEvent =
  | { type: 'device.start'; target: string }
  | { type: 'device.switch'; target: string }
  | { type: 'device.cancel' }
  | { type: 'device.retry' }
  | { type: 'device.cancelRetry' }
  | { type: 'device.enableReconnect' }
  | { type: 'device.disableReconnect' }
  | { type: 'device.configure'; idleTimeoutMs?: number; lslIdleTimeoutMs?: number; retryDelaysSecs?: number[] }
  // From the session actor:
  | { type: 'device.phase'; phase: 'scanning' | 'connecting' }
  | { type: 'device.opened' }
  | { type: 'device.openFailed'; error: string }
  | { type: 'device.activity' }
  | { type: 'device.ended'; reason: string };

export const isLslTarget = (target: string | null) => !!target && /^lsl(:|$)/i.test(target);

const delayFor = (c: DeviceContext) => c.retryDelaysSecs[Math.min(c.attempt, c.retryDelaysSecs.length - 1)] ?? 5;

export const deviceMachine = setup({
  types: {
    context: {} as DeviceContext,
    events: {} as DeviceEvent,
    input: {} as DeviceMachineInput,
  },
  actors: {
    /** Opens `target`, then reports `device.opened`, `device.activity`, `device.ended`… until stopped. */
    session: fromCallback<DeviceEvent, { target: string }>(() => undefined),
  },
  guards: {
    canRetry: ({ context }) => context.reconnectEnabled && context.target !== null && context.attempt < context.maxAttempts,
    reconnectEnabled: ({ context }) => context.reconnectEnabled && context.target !== null,
    countdownDone: ({ context }) => context.countdown <= 0,
  },
  delays: {
    idleTimeout: ({ context }) => (isLslTarget(context.target) ? context.lslIdleTimeoutMs : context.idleTimeoutMs),
    firstFrameTimeout: ({ context }) => context.firstFrameTimeoutMs,
  },
}).createMachine({
  id: 'device',
  context: ({ input }) => ({ ...input, target: null, attempt: 0, countdown: 0, deviceError: null, lastReason: null }),
  initial: 'disconnected',
  on: {
    'device.configure': {
      actions: assign(({ context, event }) => ({
        idleTimeoutMs: event.idleTimeoutMs ?? context.idleTimeoutMs,
        lslIdleTimeoutMs: event.lslIdleTimeoutMs ?? context.lslIdleTimeoutMs,
        retryDelaysSecs: event.retryDelaysSecs ?? context.retryDelaysSecs,
      })),
    },
    'device.enableReconnect': { actions: assign({ reconnectEnabled: true }) },
    'device.disableReconnect': { actions: assign({ reconnectEnabled: false }) },
    'device.cancel': {
      target: '.disconnected',
      actions: assign({ target: null, attempt: 0, countdown: 0, lastReason: 'user_cancel' }),
    },
    'device.cancelRetry': {
      target: '.disconnected',
      actions: assign({ reconnectEnabled: false, attempt: 0, countdown: 0, lastReason: 'user_cancel' }),
    },
    'device.switch': {
      target: '.session',
      reenter: true,
      actions: assign(({ event }) => ({ target: event.target, attempt: 0, countdown: 0, deviceError: null })),
    },
  },
  states: {
    disconnected: {
      on: {
        'device.start': {
          target: 'session',
          actions: assign(({ event }) => ({ target: event.target, attempt: 0, deviceError: null })),
        },
        'device.retry': { guard: ({ context }) => context.target !== null, target: 'session', actions: assign({ deviceError: null }) },
        'device.enableReconnect': {
          actions: assign({ reconnectEnabled: true, attempt: 0 }),
          target: 'reconnecting',
          guard: ({ context }) => context.target !== null,
        },
      },
    },
    session: {
      invoke: { src: 'session', input: ({ context }) => ({ target: context.target! }) },
      initial: 'connecting',
      on: {
        'device.openFailed': {
          target: 'lost',
          actions: assign(({ event }) => ({ deviceError: event.error, lastReason: 'open_failed' })),
        },
        'device.ended': { target: 'lost', actions: assign(({ event }) => ({ lastReason: event.reason })) },
      },
      states: {
        connecting: {
          initial: 'opening',
          on: {
            'device.opened': {
              target: 'connected',
              actions: assign({ attempt: 0, countdown: 0, deviceError: null, lastReason: null }),
            },
          },
          states: {
            opening: { on: { 'device.phase': [{ guard: ({ event }) => event.phase === 'scanning', target: 'scanning' }] } },
            scanning: { on: { 'device.phase': [{ guard: ({ event }) => event.phase === 'connecting', target: 'opening' }] } },
          },
        },
        connected: {
          on: { 'device.activity': 'streaming' },
          after: { firstFrameTimeout: { target: '#device.lost', actions: assign({ lastReason: 'no_data' }) } },
        },
        streaming: {
          initial: 'receiving',
          states: {
            receiving: {
              on: { 'device.activity': { target: 'receiving', reenter: true } },
              after: { idleTimeout: { target: '#device.lost', actions: assign({ lastReason: 'idle_timeout' }) } },
            },
          },
        },
      },
    },
    lost: {
      always: [
        { guard: 'canRetry', target: 'reconnecting' },
        {
          guard: 'reconnectEnabled',
          target: 'disconnected',
          actions: assign({ deviceError: GIVE_UP_ERROR, countdown: 0 }),
        },
        { target: 'disconnected' },
      ],
    },
    reconnecting: {
      entry: assign(({ context }) => ({ countdown: delayFor(context) })),
      on: {
        'device.retry': { target: 'session', actions: assign(({ context }) => ({ attempt: context.attempt + 1, countdown: 0 })) },
        'device.disableReconnect': { target: 'disconnected', actions: assign({ reconnectEnabled: false, countdown: 0 }) },
        'device.start': {
          target: 'session',
          actions: assign(({ event }) => ({ target: event.target, attempt: 0, countdown: 0, deviceError: null })),
        },
      },
      initial: 'counting',
      states: {
        counting: {
          always: {
            guard: 'countdownDone',
            target: '#device.session',
            actions: assign(({ context }) => ({ attempt: context.attempt + 1 })),
          },
          after: {
            1000: { target: 'counting', reenter: true, actions: assign(({ context }) => ({ countdown: context.countdown - 1 })) },
          },
        },
      },
    },
  },
});
