// The device scanner statechart: which transports are looked on, and when. Checking whether a
// transport is there at all and the loops that look are I/O, supplied by
// actors/scanner/scannerActor.ts as the `probe`, `bleListener`, `usbSerialProbe` and `lslWatch`
// actors; each loop reports its current list as `scanner.found`.
//
//   stopped ──start (or 500 ms after boot)──▶ starting ──probed──▶ running ──stop──▶ stopped
//                                              (is each transport there?)  │
//   running is one region per transport:       ble:        listening ⇄ paused | off | unavailable
//                                              usb_serial: probing | off | unavailable
//                                              lsl:        watching | off | unavailable
//
// BLE is paused while a Bluetooth device session is connecting, as the reference does: two scans
// at once break the connect (notes §2.1); the other transports keep looking. Changing the
// toggles restarts the loops, and goes back to `starting` when a transport never checked is
// turned on. A stopped scanner vouches for nothing, so it lists nothing.
import { assign, fromCallback, fromPromise, setup } from 'xstate';
import type { DiscoveredDevice, ScanTransport } from '../actors/scanner/discoveredDevice.ts';
import type { ScannerToggles } from '../actors/scanner/scannerToggles.ts';

/** The reference starts its scanner this long after boot. */
export const AUTO_START_AFTER_MS = 500;

export interface Availability {
  available: boolean;
  /** Why not, fit to show a user ("Bluetooth unavailable: …"); null when available. */
  reason: string | null;
}

/** Per transport; null until checked (a transport turned off is not checked). */
export type AvailabilityMap = Record<ScanTransport, Availability | null>;

export interface ScannerMachineInput {
  toggles: ScannerToggles;
  /** Start by itself after this long; null stays stopped until told. */
  autoStartAfterMs: number | null;
  /** A Bluetooth session is connecting right now. */
  held: boolean;
}

export interface ScannerContext extends ScannerMachineInput {
  availability: AvailabilityMap;
  found: Record<ScanTransport, DiscoveredDevice[]>;
}

export type ScannerEvent =
  | { type: 'scanner.start' }
  | { type: 'scanner.stop' }
  | { type: 'scanner.pause' }
  | { type: 'scanner.resume' }
  | { type: 'scanner.configure'; toggles: ScannerToggles }
  // From the loops:
  | { type: 'scanner.found'; transport: ScanTransport; devices: DiscoveredDevice[] }
  | { type: 'scanner.failed'; transport: ScanTransport; reason: string };

const nothingFound = (): Record<ScanTransport, DiscoveredDevice[]> => ({ ble: [], usb_serial: [], lsl: [] });

/** Whether a transport's loop should run, given the toggles and what the probe found. */
const usable = (c: ScannerContext, t: ScanTransport) => c.toggles[t] && c.availability[t]?.available === true;

export const scannerMachine = setup({
  types: {
    context: {} as ScannerContext,
    events: {} as ScannerEvent,
    input: {} as ScannerMachineInput,
  },
  actors: {
    /** Checks each turned-on transport once; never rejects (an absent transport is a reason). */
    probe: fromPromise<Partial<AvailabilityMap>, { toggles: ScannerToggles }>(async () => ({})),
    /** Listens to BLE advertisements until stopped; reports known EEG headsets. */
    bleListener: fromCallback<ScannerEvent>(() => undefined),
    /** Lists USB serial ports now and every few seconds. */
    usbSerialProbe: fromCallback<ScannerEvent>(() => undefined),
    /** Looks for LSL streams now and every few seconds. */
    lslWatch: fromCallback<ScannerEvent>(() => undefined),
    /** For the actor's whole life: toggle changes from the settings. */
    togglesFeed: fromCallback<ScannerEvent>(() => undefined),
    /** For the actor's whole life: `scanner.pause`/`resume` as Bluetooth sessions connect. */
    holdFeed: fromCallback<ScannerEvent>(() => undefined),
  },
  actions: {
    configure: assign(({ event }) => (event.type === 'scanner.configure' ? { toggles: event.toggles } : {})),
    clearFound: assign(({ context }, params: { transport: ScanTransport }) => ({ found: { ...context.found, [params.transport]: [] } })),
    markUnavailable: assign(({ context, event }) => {
      if (event.type !== 'scanner.failed') return {};
      return { availability: { ...context.availability, [event.transport]: { available: false, reason: event.reason } } };
    }),
  },
  guards: {
    failedOn: ({ event }, params: { transport: ScanTransport }) => event.type === 'scanner.failed' && event.transport === params.transport,
    autoStart: ({ context }) => context.autoStartAfterMs !== null,
    held: ({ context }) => context.held,
    notHeld: ({ context }) => !context.held,
    /** A transport turned on that has never been checked. */
    needsProbe: ({ context, event }) =>
      event.type === 'scanner.configure' && event.toggles.ble && context.availability.ble === null,
    /** Only the Cortex toggle changed: no loop to restart. */
    loopsUnchanged: ({ context, event }) =>
      event.type === 'scanner.configure' &&
      event.toggles.ble === context.toggles.ble &&
      event.toggles.usb_serial === context.toggles.usb_serial &&
      event.toggles.lsl === context.toggles.lsl,
  },
  delays: {
    autoStart: ({ context }) => context.autoStartAfterMs ?? 0,
  },
}).createMachine({
  id: 'scanner',
  context: ({ input }) => ({
    ...input,
    availability: { ble: null, usb_serial: null, lsl: null },
    found: nothingFound(),
  }),
  initial: 'stopped',
  invoke: [
    { id: 'togglesFeed', src: 'togglesFeed' },
    { id: 'holdFeed', src: 'holdFeed' },
  ],
  on: {
    'scanner.pause': { actions: assign({ held: true }) },
    'scanner.resume': { actions: assign({ held: false }) },
    'scanner.configure': { actions: 'configure' },
  },
  states: {
    stopped: {
      entry: assign({ found: nothingFound }),
      after: { autoStart: { guard: 'autoStart', target: 'starting' } },
      on: {
        'scanner.start': 'starting',
        // Stopping before the automatic start happened cancels it.
        'scanner.stop': { actions: assign({ autoStartAfterMs: null }) },
      },
    },
    starting: {
      entry: assign({ autoStartAfterMs: null }),
      invoke: {
        src: 'probe',
        input: ({ context }) => ({ toggles: context.toggles }),
        onDone: {
          target: 'running',
          actions: assign(({ context, event }) => ({ availability: { ...context.availability, ...event.output } })),
        },
        onError: {
          target: 'running',
          actions: assign(({ context, event }) => ({
            availability: { ...context.availability, ble: { available: false, reason: `transport check failed: ${String(event.error)}` } },
          })),
        },
      },
      on: {
        'scanner.stop': 'stopped',
        'scanner.configure': { target: 'starting', reenter: true, actions: 'configure' },
      },
    },
    running: {
      type: 'parallel',
      on: {
        'scanner.stop': 'stopped',
        'scanner.found': {
          actions: assign(({ context, event }) => ({ found: { ...context.found, [event.transport]: event.devices } })),
        },
        'scanner.configure': [
          { guard: 'loopsUnchanged', actions: 'configure' },
          { guard: 'needsProbe', target: 'starting', actions: 'configure' },
          { target: 'running', reenter: true, actions: 'configure' },
        ],
      },
      states: {
        ble: {
          initial: 'deciding',
          on: { 'scanner.failed': { guard: { type: 'failedOn', params: { transport: 'ble' } }, target: '.unavailable', actions: 'markUnavailable' } },
          states: {
            deciding: {
              always: [
                { guard: ({ context }) => !context.toggles.ble, target: 'off' },
                { guard: ({ context }) => !usable(context, 'ble'), target: 'unavailable' },
                { guard: 'held', target: 'paused' },
                { target: 'listening' },
              ],
            },
            listening: {
              invoke: { src: 'bleListener' },
              always: { guard: 'held', target: 'paused' },
            },
            // What was heard stays listed (it ages out by last_seen once listening again).
            paused: { always: { guard: 'notHeld', target: 'listening' } },
            off: { entry: { type: 'clearFound', params: { transport: 'ble' } } },
            unavailable: { entry: { type: 'clearFound', params: { transport: 'ble' } } },
          },
        },
        usb_serial: {
          initial: 'deciding',
          on: { 'scanner.failed': { guard: { type: 'failedOn', params: { transport: 'usb_serial' } }, target: '.unavailable', actions: 'markUnavailable' } },
          states: {
            deciding: {
              always: [
                { guard: ({ context }) => !context.toggles.usb_serial, target: 'off' },
                { guard: ({ context }) => !usable(context, 'usb_serial'), target: 'unavailable' },
                { target: 'probing' },
              ],
            },
            probing: { invoke: { src: 'usbSerialProbe' } },
            off: { entry: { type: 'clearFound', params: { transport: 'usb_serial' } } },
            unavailable: { entry: { type: 'clearFound', params: { transport: 'usb_serial' } } },
          },
        },
        lsl: {
          initial: 'deciding',
          on: { 'scanner.failed': { guard: { type: 'failedOn', params: { transport: 'lsl' } }, target: '.unavailable', actions: 'markUnavailable' } },
          states: {
            deciding: {
              always: [
                { guard: ({ context }) => !context.toggles.lsl, target: 'off' },
                { guard: ({ context }) => !usable(context, 'lsl'), target: 'unavailable' },
                { target: 'watching' },
              ],
            },
            watching: { invoke: { src: 'lslWatch' } },
            off: { entry: { type: 'clearFound', params: { transport: 'lsl' } } },
            unavailable: { entry: { type: 'clearFound', params: { transport: 'lsl' } } },
          },
        },
      },
    },
  },
});

export type ScannerWireState = 'stopped' | 'starting' | 'running' | 'paused';

/** The state clients see: `paused` while BLE is held for a connecting session. */
export function scannerWireState(value: unknown): ScannerWireState {
  if (value === 'stopped' || value === 'starting') return value;
  const running = (value as { running?: { ble?: unknown } } | null)?.running;
  if (!running) return 'stopped';
  return running.ble === 'paused' ? 'paused' : 'running';
}

/** Whether a transport's loop is running in this state value. */
export function transportActive(value: unknown, t: ScanTransport): boolean {
  const region = (value as { running?: Record<string, unknown> } | null)?.running?.[t];
  return region === 'listening' || region === 'probing' || region === 'watching';
}
