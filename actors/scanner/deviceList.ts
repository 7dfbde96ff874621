// `GET /v1/devices`: what the scanner sees merged with the paired list, in the reference's
// `DiscoveredDeviceResponse` shape (notes §2.3). A paired device that is also seen appears once,
// under its paired id, with the scan's name, RSSI and transport; a paired device not seen now
// keeps its stored name and last_seen, with the transport its id implies.
import type { PairedDevice } from '../devices/deviceStatus.ts';
import type { DiscoveredDevice } from './discoveredDevice.ts';

export interface DeviceListEntry {
  id: string;
  name: string;
  last_seen: number;
  last_rssi: number | null;
  is_paired: boolean;
  is_preferred: boolean;
  transport: DiscoveredDevice['transport'] | 'unknown';
}

/** The transport a paired id implies when the device is not in sight. */
export function transportOfId(id: string): DeviceListEntry['transport'] {
  const lower = id.toLowerCase();
  if (lower === 'lsl' || lower.startsWith('lsl:')) return 'lsl';
  if (lower.startsWith('usb:')) return 'usb_serial';
  if (lower.startsWith('ble:') || lower.startsWith('muse')) return 'ble';
  return 'unknown';
}

// Ids are compared without case: BLE addresses are spelled either way by different clients.
const key = (id: string) => id.toLowerCase();

export function deviceList(discovered: readonly DiscoveredDevice[], paired: readonly PairedDevice[], preferredId: string): DeviceListEntry[] {
  const pairedById = new Map(paired.map((p) => [key(p.id), p]));
  const listed = new Set<string>();
  const list: DeviceListEntry[] = [];
  for (const d of discovered) {
    if (listed.has(key(d.id))) continue;
    listed.add(key(d.id));
    const p = pairedById.get(key(d.id));
    const id = p?.id ?? d.id;
    list.push({
      id,
      name: d.name || p?.name || d.id,
      last_seen: Math.max(d.last_seen, p?.last_seen ?? 0),
      last_rssi: d.last_rssi,
      is_paired: p !== undefined,
      is_preferred: preferredId !== '' && id === preferredId,
      transport: d.transport,
    });
  }
  for (const p of paired) {
    if (listed.has(key(p.id))) continue;
    listed.add(key(p.id));
    list.push({
      id: p.id,
      name: p.name,
      last_seen: p.last_seen,
      last_rssi: null,
      is_paired: true,
      is_preferred: preferredId !== '' && p.id === preferredId,
      transport: transportOfId(p.id),
    });
  }
  return list;
}
