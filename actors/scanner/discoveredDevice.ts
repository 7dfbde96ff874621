// What the scanner reports about a device it can see right now, per transport. `id` is the
// target string that would open it (`ble:<id>`, `usb:<port>`, `lsl:<stream name>`), so a client
// can pair or start a session with what it was shown. `last_seen` is in unix seconds.
export type ScanTransport = 'ble' | 'usb_serial' | 'lsl';

export const SCAN_TRANSPORTS: readonly ScanTransport[] = ['ble', 'usb_serial', 'lsl'];

export interface DiscoveredDevice {
  id: string;
  name: string;
  last_seen: number;
  /** Signal strength in dBm; null where the transport has none (cables, LSL). */
  last_rssi: number | null;
  transport: ScanTransport;
}

/** Compares two device lists on everything a client would show. */
export function sameDevices(a: readonly DiscoveredDevice[], b: readonly DiscoveredDevice[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Compares two lists on which devices they hold (not on RSSI or times). */
export function sameMembers(a: readonly DiscoveredDevice[], b: readonly DiscoveredDevice[]): boolean {
  const key = (list: readonly DiscoveredDevice[]) => list.map((d) => `${d.transport}\t${d.id}\t${d.name}`).sort().join('\n');
  return key(a) === key(b);
}
