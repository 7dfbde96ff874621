// The EEG encoder statechart: an onnxruntime worker thread started when something needs it, and
// the model it has loaded. The thread, the loading and what each state means for live epochs
// are I/O, supplied by actors/embeddings/eegEncoder.ts.
//
//   parked ──encoder.wanted──▶ active: unloaded ──encoder.load──▶ loading ──▶ ready
//     ▲                                                              │   └──▶ metrics_only
//     │                                                              └──────▶ failed ──after RETRY_AFTER_MS──▶ loading
//     └──encoder.idle (ready, metrics_only or failed with nothing to do for a while)
//   encoder.reload (model config or inference device changed): any loaded state ──▶ loading
//
// `parked` has no thread: an always-on daemon with no headset streaming and nothing to
// re-embed does not keep a V8 isolate and a model session in memory. The first epoch, re-embed
// or caller waiting for the encoder wakes it (`parked` reports itself as `unloaded`, as the
// reference's embed worker is inactive until a session runs).
// The thread dying is not a state: `worker.lost` makes the actor fail ("let it crash"), and its
// supervisor starts it again, parked; work still waiting wakes it at once.
import { assign, fromCallback, fromPromise, setup } from 'xstate';

export const RETRY_AFTER_MS = 30_000;

export type EncoderState = 'unloaded' | 'loading' | 'ready' | 'metrics_only' | 'failed';

export type LoadOutcome<M = unknown> = { kind: 'ready'; model: M } | { kind: 'metrics_only'; reason: string };

export interface EncoderContext {
  outcome: LoadOutcome | null;
  error: string | null;
  loads: number;
}

export type EncoderEvent =
  /** Something needs the encoder (an epoch, a re-embed, a caller waiting for it). */
  | { type: 'encoder.wanted' }
  /** Nothing has used it for the park delay. */
  | { type: 'encoder.idle' }
  /** The worker thread is up. */
  | { type: 'encoder.load' }
  | { type: 'encoder.reload' }
  | { type: 'worker.lost'; message: string };

export class EncoderThreadLost extends Error {}

const reload = { 'encoder.reload': { target: 'loading', reenter: true } } as const;
const park = { 'encoder.idle': { target: '#encoder.parked' } } as const;

export const encoderMachine = setup({
  types: {
    context: {} as EncoderContext,
    events: {} as EncoderEvent,
  },
  actors: {
    /** For the actor's whole life: how the implementation sends `encoder.wanted`, `encoder.reload` and `encoder.idle`. */
    link: fromCallback<EncoderEvent>(() => undefined),
    /** While active: owns the worker thread; sends `encoder.load` once it is up, `worker.lost` if it dies. */
    thread: fromCallback<EncoderEvent>(() => undefined),
    /** Loads the active family's model in the thread. */
    loadModel: fromPromise<LoadOutcome>(async () => ({ kind: 'metrics_only', reason: 'no loader' })),
  },
  actions: {
    /** A state was entered: the implementation reports it (events, status). */
    report: (_, _params: { state: EncoderState }) => undefined,
  },
  delays: { retryAfter: RETRY_AFTER_MS },
}).createMachine({
  id: 'encoder',
  initial: 'parked',
  context: { outcome: null, error: null, loads: 0 },
  invoke: { id: 'link', src: 'link' },
  on: {
    'worker.lost': {
      actions: ({ event }) => {
        throw new EncoderThreadLost(event.message);
      },
    },
  },
  states: {
    parked: {
      entry: [assign({ outcome: null, error: null }), { type: 'report', params: { state: 'unloaded' } }],
      on: { 'encoder.wanted': 'active' },
    },
    active: {
      invoke: { id: 'thread', src: 'thread' },
      initial: 'unloaded',
      states: {
        unloaded: {
          entry: { type: 'report', params: { state: 'unloaded' } },
          on: { 'encoder.load': 'loading' },
        },
        loading: {
          entry: [assign(({ context }) => ({ loads: context.loads + 1 })), { type: 'report', params: { state: 'loading' } }],
          invoke: {
            src: 'loadModel',
            onDone: [
              { guard: ({ event }) => event.output.kind === 'ready', target: 'ready', actions: assign(({ event }) => ({ outcome: event.output, error: null })) },
              { target: 'metrics_only', actions: assign(({ event }) => ({ outcome: event.output, error: null })) },
            ],
            onError: { target: 'failed', actions: assign(({ event }) => ({ outcome: null, error: event.error instanceof Error ? event.error.message : String(event.error) })) },
          },
          on: reload,
        },
        ready: { entry: { type: 'report', params: { state: 'ready' } }, on: { ...reload, ...park } },
        metrics_only: { entry: { type: 'report', params: { state: 'metrics_only' } }, on: { ...reload, ...park } },
        failed: {
          entry: { type: 'report', params: { state: 'failed' } },
          after: { retryAfter: 'loading' },
          on: { ...reload, ...park },
        },
      },
    },
  },
});
