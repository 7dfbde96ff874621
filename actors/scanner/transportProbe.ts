// The scanner's check, at each start, of which transports this machine has. Bluetooth is opened
// only when BLE is turned on (opening it loads noble and its HCI socket); where the kernel has no
// Bluetooth that comes back as a reason, never as a throw, and the daemon runs on without it.
import type { AvailabilityMap } from '../../machines/scanner.ts';
import type { BluetoothAvailability } from '../devices/ble/bluetooth.ts';
import type { ScannerToggles } from './scannerToggles.ts';
import { serialPortsReadable, type SerialRoots } from './usbSerialProbe.ts';

export interface TransportProbeDeps {
  bluetooth(): Promise<BluetoothAvailability>;
  serialRoots: SerialRoots;
}

export async function probeTransports(deps: TransportProbeDeps, toggles: ScannerToggles): Promise<Partial<AvailabilityMap>> {
  const result: Partial<AvailabilityMap> = {
    usb_serial: serialPortsReadable(deps.serialRoots),
    // LSL discovery needs nothing but a UDP socket, which every machine has.
    lsl: { available: true, reason: null },
  };
  if (toggles.ble) {
    const bt = await deps.bluetooth();
    result.ble = bt.available ? { available: true, reason: null } : { available: false, reason: bt.reason };
  }
  return result;
}
