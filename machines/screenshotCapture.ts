// The screenshot capture statechart: when the screen is captured, and what a failed capture
// means. Running the capture command, encoding, storing and OCR are I/O, supplied by
// actors/screenshots/screenshotWorker.ts as the `capture` and `ocr` actors.
//
//   settle ─┬─ not enabled ───────────────────────────▶ disabled
//           ├─ session_only and no device session ────▶ waiting_for_session
//           └─────────────────────────────────────────▶ waiting ──after captureDelay──▶ capturing
//                                                          ▲                               │ stored
//                                                          │ ◀──── OCR off or unavailable ─┤
//                                                          └───── ocr ◀── OCR wanted ──────┘
//   capturing ──error──▶ failed (reason, failures) ──after retryDelay──▶ capturing
//
// Every config change and session change goes back through `settle`, so turning capture off, or
// a session ending under `session_only`, stops the next capture at once (a capture or OCR in
// progress is abandoned). A failed capture is a state, not a crash: the reason is kept and the
// retry waits interval·2^(failures−1), capped at MAX_RETRY_DELAY_MS. An OCR failure keeps the
// screenshot (its text is marked failed) and never enters `failed`.
import { assign, fromCallback, fromPromise, setup } from 'xstate';

export const MAX_RETRY_DELAY_MS = 5 * 60_000;

export interface ScreenshotMachineInput {
  enabled: boolean;
  intervalSecs: number;
  sessionOnly: boolean;
  sessionActive: boolean;
}

export interface ScreenshotContext extends ScreenshotMachineInput {
  /** Consecutive failed captures; 0 after a success. */
  failures: number;
  /** Why the last capture failed, until one succeeds. */
  reason: string | null;
  /** The capture whose text is being read, while in `ocr`. */
  ocrId: number | null;
}

/** What the capture actor hands on: the stored row, and whether its text should be read. */
export interface CaptureOutput {
  id: number;
  ocrWanted: boolean;
}

export type ScreenshotEvent =
  | { type: 'screenshot.configure'; enabled: boolean; intervalSecs: number; sessionOnly: boolean }
  | { type: 'session.active' }
  | { type: 'session.inactive' };

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** interval·2^(failures−1), capped. */
export function retryDelayMs(intervalSecs: number, failures: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, intervalSecs * 1000 * 2 ** Math.max(0, failures - 1));
}

export const screenshotCaptureMachine = setup({
  types: {
    context: {} as ScreenshotContext,
    events: {} as ScreenshotEvent,
    input: {} as ScreenshotMachineInput,
  },
  actors: {
    /** For the actor's whole life: turns config and device changes into screenshot.configure and session.*. */
    watch: fromCallback<ScreenshotEvent>(() => undefined),
    /** Runs the capture command, encodes WebP, stores file and row. */
    capture: fromPromise<CaptureOutput>(async () => ({ id: 0, ocrWanted: false })),
    /** Reads the text of a stored capture into the search index. */
    ocr: fromPromise<void, { id: number }>(async () => undefined),
  },
  actions: {
    /** Announces a failed capture (`screenshot-failed`). */
    reportFailure: () => undefined,
  },
  guards: {
    off: ({ context }) => !context.enabled,
    noSession: ({ context }) => context.sessionOnly && !context.sessionActive,
    sessionOnly: ({ context }) => context.sessionOnly,
  },
  delays: {
    /** Until the next capture is due. The default waits a whole interval; the worker measures from the last attempt. */
    captureDelay: ({ context }) => context.intervalSecs * 1000,
    retryDelay: ({ context }) => retryDelayMs(context.intervalSecs, context.failures),
  },
}).createMachine({
  id: 'screenshotCapture',
  context: ({ input }) => ({ ...input, failures: 0, reason: null, ocrId: null }),
  initial: 'settle',
  invoke: { id: 'watch', src: 'watch' },
  on: {
    'screenshot.configure': {
      target: '.settle',
      actions: assign(({ event }) => ({ enabled: event.enabled, intervalSecs: event.intervalSecs, sessionOnly: event.sessionOnly })),
    },
    // A session only matters under session_only; otherwise a capture in progress goes on.
    'session.active': [{ guard: 'sessionOnly', target: '.settle', actions: assign({ sessionActive: true }) }, { actions: assign({ sessionActive: true }) }],
    'session.inactive': [{ guard: 'sessionOnly', target: '.settle', actions: assign({ sessionActive: false }) }, { actions: assign({ sessionActive: false }) }],
  },
  states: {
    settle: {
      always: [{ guard: 'off', target: 'disabled' }, { guard: 'noSession', target: 'waiting_for_session' }, { target: 'waiting' }],
    },
    disabled: {
      entry: assign({ failures: 0, reason: null }),
    },
    waiting_for_session: {},
    waiting: {
      after: { captureDelay: 'capturing' },
    },
    capturing: {
      invoke: {
        src: 'capture',
        onDone: [
          { guard: ({ event }) => event.output.ocrWanted, target: 'ocr', actions: assign(({ event }) => ({ failures: 0, reason: null, ocrId: event.output.id })) },
          { target: 'settle', actions: assign({ failures: 0, reason: null }) },
        ],
        onError: {
          target: 'failed',
          actions: assign(({ context, event }) => ({ failures: context.failures + 1, reason: errorText(event.error) })),
        },
      },
    },
    ocr: {
      invoke: {
        src: 'ocr',
        input: ({ context }) => ({ id: context.ocrId ?? 0 }),
        onDone: 'settle',
        // The worker records and announces an OCR failure itself; the capture loop goes on.
        onError: 'settle',
      },
      exit: assign({ ocrId: null }),
    },
    failed: {
      entry: 'reportFailure',
      after: { retryDelay: 'capturing' },
    },
  },
});
