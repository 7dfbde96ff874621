// Holding the BLE listener while a Bluetooth device session connects: the session scans for its
// peripheral itself, and two scans at once break the connect (CoreBluetooth on macOS; on Linux,
// noble has one scan, and the session stopping its own would stop the listener's). Fed with the
// device actor's snapshots; tells its listeners only when the answer changes.
import type { DeviceContext } from '../../machines/device.ts';
import { wireState } from '../devices/deviceState.ts';
import { parseTarget } from '../devices/targets.ts';

/** Whether this device snapshot is a Bluetooth session scanning for or connecting to its device. */
export function holdsBleScan(snapshot: unknown): boolean {
  const snap = snapshot as { value?: unknown; context?: DeviceContext } | null;
  const state = wireState(snap?.value);
  if (state !== 'scanning' && state !== 'connecting') return false;
  const target = snap?.context?.target;
  if (!target) return false;
  try {
    return parseTarget(target).kind === 'muse';
  } catch {
    return false;
  }
}

export class ScanHold {
  held = false;
  private readonly listeners = new Set<(held: boolean) => void>();

  readonly onDeviceSnapshot = (snapshot: unknown): void => {
    const next = holdsBleScan(snapshot);
    if (next === this.held) return;
    this.held = next;
    for (const l of this.listeners) l(next);
  };

  subscribe(listener: (held: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
