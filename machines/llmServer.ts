// The LLM server statechart: one llama.cpp child process per loaded model. The process (its
// fork, IPC and kill) is I/O, supplied by actors/llm/llmServer.ts as the `process` actor; the
// chart only decides what its life means.
//
//   stopped ──llm.start──▶ up(loading ──process.loaded──▶ running) ──llm.stop──▶ up.stopping ──▶ stopped
//                            │ process.load_failed ─────────────────────────▶ failed (stays: the file will not load)
//                            │ process.exited (crash, OOM kill) ─▶ failed ──after 1, 2, 4 … s──▶ up (when restartOnCrash)
//   llm.switch: up or failed ──▶ up again with the new model (the old process is killed on exit of `up`)
//
// A crash never fails this actor itself: it is a state (`failed`, with the reason), visible in
// the status and the `llm:status` event. More than MAX_CRASHES crashes within CRASH_WINDOW_MS
// leave it in `failed` until someone starts it again.
import { assign, fromCallback, sendTo, setup } from 'xstate';

export const MAX_CRASHES = 5;
export const CRASH_WINDOW_MS = 60_000;
export const RESTART_BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000];
export const STOP_TIMEOUT_MS = 5_000;

export type LlmServerState = 'stopped' | 'loading' | 'running' | 'stopping' | 'failed';

/** What the child process is asked to load, and how. */
export interface LlmLoadSpec {
  /** Catalog filename of the model (its first shard for a split model). */
  filename: string;
  modelPath: string;
  mmprojPath: string | null;
  threads: number;
  /** null: the model's own training context, capped by the child. */
  contextSize: number | null;
  /** Sequences in the context: how many chats generate at once. */
  parallel: number;
  /** Layers offloaded to the GPU; 'max' for all. */
  gpuLayers: number | 'max';
  gpu: boolean;
  flashAttention: boolean;
  batchSize: number | null;
}

/** What the child reports once the model is loaded. */
export interface LlmModelInfo {
  model_name: string;
  n_ctx: number;
  n_ctx_train: number;
  /** llama.cpp's description, e.g. `llama ?B F32`. */
  description: string;
  size_bytes: number;
  chat_wrapper: string;
  supports_vision: boolean;
  supports_tools: boolean;
  gpu: string | false;
  threads: number;
  parallel: number;
  load_ms: number;
}

export interface LlmServerContext {
  spec: LlmLoadSpec | null;
  info: LlmModelInfo | null;
  pid: number | null;
  error: string | null;
  restartOnCrash: boolean;
  /** Times (ms) of the crashes inside the crash window. */
  crashTimes: number[];
  /** Processes started again after a crash since the last explicit start. */
  restarts: number;
  /** Delay before the automatic restart while failed after a crash, else null. */
  restartInMs: number | null;
}

export type LlmServerEvent =
  | { type: 'llm.start'; spec: LlmLoadSpec; restartOnCrash: boolean }
  | { type: 'llm.stop' }
  | { type: 'llm.switch'; spec: LlmLoadSpec }
  | { type: 'llm.configure'; restartOnCrash: boolean }
  // From the process actor:
  | { type: 'process.spawned'; pid: number }
  | { type: 'process.loaded'; info: LlmModelInfo }
  | { type: 'process.load_failed'; error: string }
  | { type: 'process.exited'; reason: string; at: number }
  /** To the process actor: exit cleanly. */
  | { type: 'process.shutdown' };

export interface LlmServerInput {
  /** Start at once with this model (autostart, or a restart of the actor while enabled). */
  start?: { spec: LlmLoadSpec; restartOnCrash: boolean } | null;
}

const backoff = (crashes: number) => RESTART_BACKOFF_MS[Math.min(crashes - 1, RESTART_BACKOFF_MS.length - 1)] ?? 1_000;

export const llmServerMachine = setup({
  types: {
    context: {} as LlmServerContext,
    events: {} as LlmServerEvent,
    input: {} as LlmServerInput,
  },
  actors: {
    /** Forks the child, asks it to load `spec`; reports process.* events; kills it when stopped. */
    process: fromCallback<LlmServerEvent, LlmLoadSpec>(() => undefined),
  },
  actions: {
    /** A state was entered: the implementation publishes `llm:status` and logs it. */
    report: (_, _params: { state: LlmServerState }) => undefined,
  },
  guards: {
    startAtOnce: ({ context }) => context.spec !== null,
    willRestart: ({ context }) => context.restartInMs !== null,
  },
  delays: {
    restartDelay: ({ context }) => context.restartInMs ?? 1_000,
    stopTimeout: STOP_TIMEOUT_MS,
  },
}).createMachine({
  id: 'llm',
  context: ({ input }) => ({
    spec: input.start?.spec ?? null,
    info: null,
    pid: null,
    error: null,
    restartOnCrash: input.start?.restartOnCrash ?? true,
    crashTimes: [],
    restarts: 0,
    restartInMs: null,
  }),
  initial: 'init',
  on: {
    'llm.configure': { actions: assign(({ event }) => ({ restartOnCrash: event.restartOnCrash })) },
  },
  states: {
    init: { always: [{ guard: 'startAtOnce', target: 'up' }, { target: 'stopped' }] },
    stopped: {
      entry: [assign({ info: null, pid: null, restartInMs: null }), { type: 'report', params: { state: 'stopped' } }],
      on: {
        'llm.start': {
          target: 'up',
          actions: assign(({ event }) => ({ spec: event.spec, restartOnCrash: event.restartOnCrash, error: null, crashTimes: [], restarts: 0 })),
        },
      },
    },
    up: {
      invoke: { id: 'process', src: 'process', input: ({ context }) => context.spec! },
      initial: 'loading',
      on: {
        'process.spawned': { actions: assign(({ event }) => ({ pid: event.pid })) },
        'llm.switch': { target: 'up', reenter: true, actions: assign(({ event }) => ({ spec: event.spec, error: null, crashTimes: [], restarts: 0 })) },
        'process.exited': {
          target: 'failed',
          actions: assign(({ context, event }) => {
            const crashTimes = [...context.crashTimes.filter((t) => event.at - t < CRASH_WINDOW_MS), event.at];
            const restart = context.restartOnCrash && crashTimes.length <= MAX_CRASHES;
            const gaveUp = context.restartOnCrash && !restart ? ` (not restarted: ${crashTimes.length} crashes within ${CRASH_WINDOW_MS / 1000} s)` : '';
            return { crashTimes, error: event.reason + gaveUp, restartInMs: restart ? backoff(crashTimes.length) : null, info: null, pid: null };
          }),
        },
      },
      states: {
        loading: {
          entry: [assign({ info: null, restartInMs: null }), { type: 'report', params: { state: 'loading' } }],
          on: {
            'process.loaded': { target: 'running', actions: assign(({ event }) => ({ info: event.info, error: null })) },
            'process.load_failed': { target: '#llm.failed', actions: assign(({ event }) => ({ error: event.error, restartInMs: null, info: null, pid: null })) },
            'llm.stop': 'stopping',
          },
        },
        running: {
          entry: { type: 'report', params: { state: 'running' } },
          on: { 'llm.stop': 'stopping' },
        },
        stopping: {
          entry: [sendTo('process', { type: 'process.shutdown' }), { type: 'report', params: { state: 'stopping' } }],
          on: {
            'process.exited': '#llm.stopped',
            // Started again before the old process has gone: a fresh process, the old one killed.
            'llm.start': {
              target: '#llm.up',
              reenter: true,
              actions: assign(({ event }) => ({ spec: event.spec, restartOnCrash: event.restartOnCrash, error: null, crashTimes: [], restarts: 0 })),
            },
          },
          after: { stopTimeout: '#llm.stopped' },
        },
      },
    },
    failed: {
      entry: { type: 'report', params: { state: 'failed' } },
      after: {
        restartDelay: { guard: 'willRestart', target: 'up', actions: assign(({ context }) => ({ restarts: context.restarts + 1 })) },
      },
      on: {
        'llm.start': {
          target: 'up',
          actions: assign(({ event }) => ({ spec: event.spec, restartOnCrash: event.restartOnCrash, error: null, crashTimes: [], restarts: 0 })),
        },
        'llm.switch': { target: 'up', actions: assign(({ event }) => ({ spec: event.spec, error: null, crashTimes: [], restarts: 0 })) },
        'llm.stop': 'stopped',
      },
    },
  },
});

/** The client-facing state of a snapshot's value. */
export function llmStateOf(value: unknown): LlmServerState {
  if (typeof value === 'string') return value === 'init' ? 'stopped' : (value as LlmServerState);
  return ((value as { up?: LlmServerState }).up ?? 'loading') as LlmServerState;
}
