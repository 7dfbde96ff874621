// The scanner's USB serial probe: the serial ports under /dev that USB adapters create
// (`ttyUSB*` for FTDI/CP210x dongles such as OpenBCI's, `ttyACM*` for CDC devices; `cu.usbserial*`
// and `cu.usbmodem*` on macOS), listed now and every `everyMs`. Each becomes a `usb:<port>`
// device, named by the USB product string from sysfs when there is one. Listing a directory
// needs no serial library and opens nothing, so a port in use by another program is not disturbed.
import fs from 'node:fs';
import path from 'node:path';
import { fromCallback } from 'xstate';
import type { ScannerEvent } from '../../machines/scanner.ts';
import { sameDevices, type DiscoveredDevice } from './discoveredDevice.ts';

export const USB_PROBE_EVERY_MS = 5_000;

const SERIAL_PORT = /^(ttyUSB\d+|ttyACM\d+|cu\.usbserial.*|cu\.usbmodem.*)$/;

export interface SerialRoots {
  /** Where the device nodes are: `/dev`. */
  dev: string;
  /** Where Linux describes them: `/sys`. */
  sys: string;
}

export const SYSTEM_ROOTS: SerialRoots = { dev: '/dev', sys: '/sys' };

/** The USB serial ports present now, in port order. Throws when the directory cannot be read. */
export function listSerialPorts(roots: SerialRoots, nowSecs: number): DiscoveredDevice[] {
  return fs
    .readdirSync(roots.dev)
    .filter((name) => SERIAL_PORT.test(name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((port) => {
      const product = usbProduct(roots.sys, port);
      return {
        id: `usb:${path.join(roots.dev, port)}`,
        name: product ? `${product} (${port})` : port,
        last_seen: nowSecs,
        last_rssi: null,
        transport: 'usb_serial' as const,
      };
    });
}

/**
 * The USB product string of a tty, from sysfs. `device` links to the USB interface for ttyACM
 * and to the converter's port below it for ttyUSB, so the product file is one or two levels up
 * from where the link points (resolved first: `..` of a symlink is not its lexical parent).
 */
function usbProduct(sys: string, port: string): string | null {
  let device: string;
  try {
    device = fs.realpathSync(path.join(sys, 'class', 'tty', port, 'device'));
  } catch {
    return null; // not Linux, or a port sysfs does not describe
  }
  for (const dir of [path.dirname(device), path.dirname(path.dirname(device))]) {
    try {
      const text = fs.readFileSync(path.join(dir, 'product'), 'utf8').trim();
      if (text) return text;
    } catch {
      // Not at this level: try the next, then go without.
    }
  }
  return null;
}

/** Whether the device directory can be listed at all; the scanner's availability check. */
export function serialPortsReadable(roots: SerialRoots): { available: boolean; reason: string | null } {
  try {
    fs.readdirSync(roots.dev);
    return { available: true, reason: null };
  } catch (err) {
    return { available: false, reason: `USB serial ports cannot be listed: ${(err as Error).message}` };
  }
}

export function usbSerialProbe(deps: { roots: SerialRoots; everyMs: number; now: () => number }) {
  return fromCallback<ScannerEvent>(({ sendBack }) => {
    let reported: DiscoveredDevice[] = [];
    const probe = () => {
      let devices: DiscoveredDevice[];
      try {
        devices = listSerialPorts(deps.roots, Math.floor(deps.now() / 1000));
      } catch (err) {
        clearInterval(timer);
        sendBack({ type: 'scanner.failed', transport: 'usb_serial', reason: `USB serial ports cannot be listed: ${(err as Error).message}` });
        return;
      }
      if (sameDevices(devices, reported)) return;
      reported = devices;
      sendBack({ type: 'scanner.found', transport: 'usb_serial', devices });
    };
    const timer = setInterval(probe, deps.everyMs);
    probe();
    return () => clearInterval(timer);
  });
}
