// The scanner's BLE listener: one long scan through the adapter interface, folded into
// `BleSightings` (latest name, RSSI and time per peripheral), reported as the list of known EEG
// headsets heard in the last 120 s. A new or vanished headset is reported at once; RSSI and
// last_seen changes at most every `reportEveryMs`, which is also when stale entries drop out.
// The sightings outlive the listener, so a pause (a session connecting) forgets nothing.
import { fromCallback } from 'xstate';
import type { BleAdvertisement, StopScan } from '../devices/ble/adapter.ts';
import type { BluetoothAvailability } from '../devices/ble/bluetooth.ts';
import { isKnownEegName } from '../devices/ble/knownEegNames.ts';
import { bleTargetId, type BleSightings } from '../devices/ble/scan.ts';
import type { ScannerEvent } from '../../machines/scanner.ts';
import { sameDevices, sameMembers, type DiscoveredDevice } from './discoveredDevice.ts';

export interface BleListenerDeps {
  bluetooth(): Promise<BluetoothAvailability>;
  sightings: BleSightings;
  reportEveryMs: number;
}

export function bleListener(deps: BleListenerDeps) {
  // Only EEG names (and nameless advertisements of a peripheral already known by one) are kept:
  // phones and watches rotate random addresses, and remembering each would grow without end.
  const eegIds = new Set<string>();
  const worthKeeping = (ad: BleAdvertisement) => {
    const id = bleTargetId(ad.id);
    if (isKnownEegName(ad.name)) eegIds.add(id);
    return eegIds.has(id) && (ad.name === '' || isKnownEegName(ad.name));
  };

  return fromCallback<ScannerEvent>(({ sendBack }) => {
    let stopped = false;
    let stopScan: StopScan | null = null;
    let reported: DiscoveredDevice[] = [];
    const report = (membersOnly: boolean) => {
      if (stopped) return;
      const devices: DiscoveredDevice[] = deps.sightings.eegDevices().map((d) => ({
        id: d.id, name: d.name, last_seen: d.last_seen, last_rssi: d.rssi, transport: 'ble',
      }));
      if (sameDevices(devices, reported) || (membersOnly && sameMembers(devices, reported))) return;
      reported = devices;
      sendBack({ type: 'scanner.found', transport: 'ble', devices });
    };
    const fail = (reason: string) => {
      if (!stopped) sendBack({ type: 'scanner.failed', transport: 'ble', reason });
    };

    void (async () => {
      const bt = await deps.bluetooth();
      if (!bt.available) return fail(bt.reason);
      const stop = await bt.adapter.startScan((ad) => {
        if (stopped || !worthKeeping(ad)) return;
        deps.sightings.observe(ad);
        report(true);
      });
      if (stopped) await stop();
      else stopScan = stop;
    })().catch((err: Error) => fail(`Bluetooth scan failed: ${err.message}`));

    report(false);
    const timer = setInterval(() => report(false), deps.reportEveryMs);
    return () => {
      stopped = true;
      clearInterval(timer);
      void stopScan?.().catch(() => undefined);
    };
  });
}
