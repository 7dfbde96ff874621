// The recorder statechart: one recording per device session, split into segments. Writing the
// files is I/O, supplied by actors/recorder/recorderActor.ts as the `segment` actor; frames flow
// to the open segment directly, not through this machine (it decides lifecycle, not data).
//
//   idle ──session.open──▶ recording(flowing ⇄ backlogged) ──session.close──▶ idle
//                            │  ▲ segment.rollover (UTC midnight): finish this segment, open the
//                            │  │ next one in the new day's folder
//                            ▼  │ after RETRY_AFTER_MS, in a new segment
//                           failed (disk full, permissions, writer thread lost)
//
// Leaving `recording` always finishes the segment (writes its sidecar) with the reason of the
// transition; a stop of the whole actor (restart, shutdown) finishes it with "shutdown".
import { assign, fromCallback, sendTo, setup } from 'xstate';
import type { DeviceInfo } from '../actors/devices/source.ts';

export const RETRY_AFTER_MS = 10_000;

export interface SegmentInput {
  info: DeviceInfo;
  /** Unix ms the segment starts at; null means now. */
  startMs: number | null;
  continuesFrom: string | null;
}

export interface RecorderContext {
  info: DeviceInfo | null;
  target: string | null;
  /** Start of the next segment to open (null: now). */
  nextStartMs: number | null;
  continuesFrom: string | null;
  csvPath: string | null;
  error: string | null;
  errorCode: string | null;
  segments: number;
}

export type RecorderEvent =
  | { type: 'session.open'; target: string; info: DeviceInfo; atMs: number }
  | { type: 'session.close'; reason: string }
  | { type: 'segment.rollover'; atMs: number; from: string }
  | { type: 'segment.opened'; csvPath: string }
  | { type: 'segment.failed'; code: string; message: string }
  | { type: 'segment.backlog'; behind: boolean }
  | { type: 'segment.finish'; reason: string };

export const recorderMachine = setup({
  types: {
    context: {} as RecorderContext,
    events: {} as RecorderEvent,
  },
  actors: {
    /** Opens a segment, moves frames to it while running, finishes it when told or stopped. */
    segment: fromCallback<RecorderEvent, SegmentInput>(() => undefined),
    /** For the actor's whole life: reports the device session opening and closing. */
    sessionFeed: fromCallback<RecorderEvent>(() => undefined),
  },
  actions: {
    openSession: assign(({ event }) => {
      if (event.type !== 'session.open') return {};
      return { info: event.info, target: event.target, nextStartMs: event.atMs, continuesFrom: null, csvPath: null, error: null, errorCode: null };
    }),
  },
  delays: { retryAfter: RETRY_AFTER_MS },
}).createMachine({
  id: 'recorder',
  initial: 'idle',
  context: {
    info: null,
    target: null,
    nextStartMs: null,
    continuesFrom: null,
    csvPath: null,
    error: null,
    errorCode: null,
    segments: 0,
  },
  invoke: { id: 'sessionFeed', src: 'sessionFeed' },
  states: {
    idle: {
      entry: assign({ info: null, target: null, csvPath: null }),
      on: { 'session.open': { target: 'recording', actions: 'openSession' } },
    },
    recording: {
      initial: 'flowing',
      invoke: {
        id: 'segment',
        src: 'segment',
        input: ({ context }) => ({ info: context.info!, startMs: context.nextStartMs, continuesFrom: context.continuesFrom }),
      },
      exit: sendTo('segment', ({ event }) => ({
        type: 'segment.finish' as const,
        reason: event.type === 'session.close' ? event.reason : event.type === 'segment.rollover' ? 'day_rollover' : event.type === 'session.open' ? 'switched' : 'shutdown',
      })),
      on: {
        'segment.opened': { actions: assign(({ context, event }) => ({ csvPath: event.csvPath, segments: context.segments + 1, error: null, errorCode: null })) },
        'segment.rollover': {
          target: 'recording',
          reenter: true,
          actions: assign(({ event }) => ({ nextStartMs: event.atMs, continuesFrom: event.from })),
        },
        'segment.failed': {
          target: 'failed',
          actions: assign(({ event }) => ({ error: event.message, errorCode: event.code })),
        },
        'session.close': 'idle',
        'session.open': { target: 'recording', reenter: true, actions: 'openSession' },
      },
      states: {
        flowing: { on: { 'segment.backlog': { guard: ({ event }) => event.behind, target: 'backlogged' } } },
        backlogged: { on: { 'segment.backlog': { guard: ({ event }) => !event.behind, target: 'flowing' } } },
      },
    },
    failed: {
      after: {
        retryAfter: {
          target: 'recording',
          actions: assign(({ context }) => ({ nextStartMs: null, continuesFrom: context.csvPath })),
        },
      },
      on: {
        'session.close': 'idle',
        'session.open': { target: 'recording', actions: 'openSession' },
      },
    },
  },
});
