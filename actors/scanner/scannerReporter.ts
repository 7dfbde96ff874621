// Turns scanner statechart snapshots into `ScannerState` and the `devices-updated` event. The
// reference sends that event only when it auto-pairs (`{auto_paired}`); here it also goes out
// whenever the set of discovered devices changes (one appears, one goes, a name changes — not
// RSSI or last_seen), carrying the device list as `GET /v1/devices` returns it.
import type { ScannerContext } from '../../machines/scanner.ts';
import type { PairedDevices } from '../devices/pairedDevices.ts';
import type { EventBus } from '../eventBus.ts';
import { deviceList } from './deviceList.ts';
import { sameMembers, type DiscoveredDevice } from './discoveredDevice.ts';
import type { ScannerState } from './scannerState.ts';

export const DEVICES_UPDATED = 'devices-updated';

export function scannerReporter(state: ScannerState, paired: PairedDevices, bus: EventBus): { onSnapshot(snapshot: unknown): void } {
  let published: DiscoveredDevice[] = [];
  return {
    onSnapshot(snapshot) {
      const snap = snapshot as { value: unknown; context: ScannerContext };
      state.value = snap.value;
      state.context = snap.context;
      const seen = state.discovered();
      if (sameMembers(seen, published)) return;
      published = seen;
      bus.publish(DEVICES_UPDATED, { devices: deviceList(seen, paired.all(), paired.preferredId) });
    },
  };
}
