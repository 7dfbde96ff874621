// The EEG encoder statechart: one onnxruntime worker thread for the actor's life, and the model
// it has loaded. The thread, the loading and what each state means for live epochs are I/O,
// supplied by actors/embeddings/eegEncoder.ts.
//
//   unloaded ──encoder.load──▶ loading ──▶ ready          (epochs are embedded)
//                                 │   └──▶ metrics_only   (no weights for the active family:
//                                 │                        epochs keep their metrics only)
//                                 └──────▶ failed ──after RETRY_AFTER_MS──▶ loading
//   encoder.reload (model config or inference device changed): any loaded state ──▶ loading
//
// The thread dying is not a state: `worker.lost` makes the actor fail ("let it crash"), and its
// supervisor starts it again from `unloaded` with a fresh thread.
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
  /** The worker thread is up. */
  | { type: 'encoder.load' }
  | { type: 'encoder.reload' }
  | { type: 'worker.lost'; message: string };

export class EncoderThreadLost extends Error {}

const reload = { 'encoder.reload': { target: 'loading', reenter: true } } as const;

export const encoderMachine = setup({
  types: {
    context: {} as EncoderContext,
    events: {} as EncoderEvent,
  },
  actors: {
    /** For the actor's whole life: owns the worker thread; sends `encoder.load` once it is up, `worker.lost` if it dies. */
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
  initial: 'unloaded',
  context: { outcome: null, error: null, loads: 0 },
  invoke: { id: 'thread', src: 'thread' },
  on: {
    'worker.lost': {
      actions: ({ event }) => {
        throw new EncoderThreadLost(event.message);
      },
    },
  },
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
    ready: { entry: { type: 'report', params: { state: 'ready' } }, on: reload },
    metrics_only: { entry: { type: 'report', params: { state: 'metrics_only' } }, on: reload },
    failed: {
      entry: { type: 'report', params: { state: 'failed' } },
      after: { retryAfter: 'loading' },
      on: reload,
    },
  },
});
