// Scanning for headsets: advertisements folded into one entry per device (latest name, RSSI and
// time), filtered to known EEG names. The list's shape is the scanner's (`{id, name, rssi,
// last_seen}`, last_seen in unix seconds, id as the `ble:<id>` target that connects to it).
import type { BleAdapter, BleAdvertisement } from './adapter.ts';
import { isKnownEegName } from './knownEegNames.ts';

export interface DiscoveredBleDevice {
  id: string;
  name: string;
  rssi: number;
  last_seen: number;
}

/** Advertisements older than this are hidden (they stay remembered for the name). */
export const BLE_STALE_AFTER_SECS = 120;

export function bleTargetId(peripheralId: string): string {
  return `ble:${peripheralId.toLowerCase()}`;
}

/** The peripheral id inside a `ble:<id>` target, or null for any other target. */
export function peripheralIdOf(target: string): string | null {
  return target.toLowerCase().startsWith('ble:') ? target.slice(4).toLowerCase() : null;
}

export class BleSightings {
  private readonly seen = new Map<string, DiscoveredBleDevice>();

  constructor(private readonly now: () => number = Date.now) {}

  observe(ad: BleAdvertisement): void {
    const id = bleTargetId(ad.id);
    const known = this.seen.get(id);
    this.seen.set(id, {
      id,
      name: ad.name || known?.name || '', // an advertisement without a name keeps the known one
      rssi: ad.rssi !== 0 ? ad.rssi : known?.rssi ?? 0, // 0 means "not reported"
      last_seen: Math.floor(this.now() / 1000),
    });
  }

  /** Known EEG devices seen within the last BLE_STALE_AFTER_SECS, strongest signal first. */
  eegDevices(): DiscoveredBleDevice[] {
    const nowSecs = Math.floor(this.now() / 1000);
    return [...this.seen.values()]
      .filter((d) => isKnownEegName(d.name) && nowSecs - d.last_seen <= BLE_STALE_AFTER_SECS)
      .sort((a, b) => b.rssi - a.rssi);
  }
}

export interface ScanOptions {
  durationMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

/** Scans for `durationMs` (or until aborted) and lists the EEG headsets heard. */
export async function scanEegDevices(adapter: BleAdapter, options: ScanOptions = {}): Promise<DiscoveredBleDevice[]> {
  const sightings = new BleSightings(options.now);
  const stop = await adapter.startScan((ad) => sightings.observe(ad));
  try {
    await waitOrAbort(options.durationMs ?? 5000, options.signal);
  } finally {
    await stop();
  }
  return sightings.eegDevices();
}

function waitOrAbort(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
