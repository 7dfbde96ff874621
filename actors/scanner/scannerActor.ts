// The scanner actor's I/O: the statechart (machines/scanner.ts) with its probe and loops
// supplied, and `createScanner`, which the daemon assembles it with: the logic and input for the
// supervisor's child-spec table, the state routes read, and `attach` to wire it to the rest of
// the actor system once that exists.
import { fromCallback, fromPromise } from 'xstate';
import { AUTO_START_AFTER_MS, scannerMachine, type AvailabilityMap, type ScannerEvent, type ScannerMachineInput } from '../../machines/scanner.ts';
import type { BluetoothAvailability } from '../devices/ble/bluetooth.ts';
import { BleSightings } from '../devices/ble/scan.ts';
import type { DiscoveredLslStream } from '../devices/lsl/lslSource.ts';
import type { PairedDevices } from '../devices/pairedDevices.ts';
import type { EventBus } from '../eventBus.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import type { ActorSystem } from '../system.ts';
import { bleListener } from './bleListener.ts';
import { LSL_LOOK_MS, LSL_STALE_AFTER_SECS, LSL_WATCH_EVERY_MS, lslWatch } from './lslWatch.ts';
import { ScanHold } from './scanHold.ts';
import { scannerReporter } from './scannerReporter.ts';
import { ScannerState } from './scannerState.ts';
import { scannerToggles, type ScannerToggles } from './scannerToggles.ts';
import { probeTransports } from './transportProbe.ts';
import { SYSTEM_ROOTS, USB_PROBE_EVERY_MS, usbSerialProbe, type SerialRoots } from './usbSerialProbe.ts';

/** How often the BLE listener reports RSSI and last_seen changes (and drops stale headsets). */
export const BLE_REPORT_EVERY_MS = 1_000;

export interface ScannerLogicDeps {
  bluetooth(): Promise<BluetoothAvailability>;
  discoverLsl(timeoutMs: number): Promise<DiscoveredLslStream[]>;
  /** Kept across listener restarts (pauses), so what was heard is not forgotten. */
  sightings: BleSightings;
  serialRoots?: SerialRoots;
  /** Toggle changes, as they are saved. */
  onToggles(listener: (toggles: ScannerToggles) => void): () => void;
  hold: ScanHold;
  now?: () => number;
  timing?: Partial<{ bleReportEveryMs: number; usbEveryMs: number; lslEveryMs: number; lslLookMs: number; lslStaleAfterSecs: number }>;
}

export function scannerLogic(deps: ScannerLogicDeps) {
  const now = deps.now ?? Date.now;
  const roots = deps.serialRoots ?? SYSTEM_ROOTS;
  const t = deps.timing ?? {};
  return scannerMachine.provide({
    actors: {
      probe: fromPromise<Partial<AvailabilityMap>, { toggles: ScannerToggles }>(({ input }) =>
        probeTransports({ bluetooth: deps.bluetooth, serialRoots: roots }, input.toggles)),
      bleListener: bleListener({ bluetooth: deps.bluetooth, sightings: deps.sightings, reportEveryMs: t.bleReportEveryMs ?? BLE_REPORT_EVERY_MS }),
      usbSerialProbe: usbSerialProbe({ roots, everyMs: t.usbEveryMs ?? USB_PROBE_EVERY_MS, now }),
      lslWatch: lslWatch({
        discover: deps.discoverLsl,
        everyMs: t.lslEveryMs ?? LSL_WATCH_EVERY_MS,
        lookMs: t.lslLookMs ?? LSL_LOOK_MS,
        staleAfterSecs: t.lslStaleAfterSecs ?? LSL_STALE_AFTER_SECS,
        now,
      }),
      togglesFeed: fromCallback<ScannerEvent>(({ sendBack }) => deps.onToggles((toggles) => sendBack({ type: 'scanner.configure', toggles }))),
      holdFeed: fromCallback<ScannerEvent>(({ sendBack }) =>
        deps.hold.subscribe((held) => sendBack({ type: held ? 'scanner.pause' : 'scanner.resume' }))),
    },
  });
}

export interface ScannerDeps {
  settings: SettingsStore;
  paired: PairedDevices;
  bus: EventBus;
  bluetooth(): Promise<BluetoothAvailability>;
  discoverLsl(timeoutMs: number): Promise<DiscoveredLslStream[]>;
}

export interface Scanner {
  logic: ReturnType<typeof scannerLogic>;
  input(): ScannerMachineInput;
  state: ScannerState;
  /** Once the actor system runs: device sessions hold the BLE listener, snapshots reach the state. */
  attach(actors: ActorSystem): void;
}

export function createScanner(deps: ScannerDeps): Scanner {
  const hold = new ScanHold();
  const state = new ScannerState(deps.settings);
  const logic = scannerLogic({
    bluetooth: deps.bluetooth,
    discoverLsl: deps.discoverLsl,
    sightings: new BleSightings(),
    hold,
    onToggles: (listener) =>
      deps.settings.onChange((next, changed) => {
        if (changed.includes('scanner')) listener(scannerToggles(next));
      }),
  });
  return {
    logic,
    input: () => ({
      toggles: scannerToggles(deps.settings.get()),
      autoStartAfterMs: state.wanted ? AUTO_START_AFTER_MS : null,
      held: hold.held,
    }),
    state,
    attach(actors) {
      const reporter = scannerReporter(state, deps.paired, deps.bus);
      actors.observe('scanner', reporter.onSnapshot);
      actors.observe('device', hold.onDeviceSnapshot);
      state.connect((event) => actors.send('scanner', event));
    },
  };
}
