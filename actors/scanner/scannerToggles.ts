// `settings.scanner`: which transports the scanner looks on (`GET/POST
// /v1/settings/scanner-config`). The reference has `{ble, usb_serial, cortex}`, all on; `lsl`
// is ours (the scanner also lists LSL streams) and is on too.
import type { UserSettings } from '../settings/settingsStore.ts';

export interface ScannerToggles {
  ble: boolean;
  usb_serial: boolean;
  cortex: boolean;
  lsl: boolean;
}

export const DEFAULT_SCANNER_TOGGLES: Readonly<ScannerToggles> = { ble: true, usb_serial: true, cortex: true, lsl: true };

/** The stored toggles, each one that is missing or not a boolean read as its default. */
export function scannerToggles(settings: Readonly<UserSettings>): ScannerToggles {
  const stored = (typeof settings.scanner === 'object' && settings.scanner !== null ? settings.scanner : {}) as Record<string, unknown>;
  const pick = (k: keyof ScannerToggles) => (typeof stored[k] === 'boolean' ? (stored[k] as boolean) : DEFAULT_SCANNER_TOGGLES[k]);
  return { ble: pick('ble'), usb_serial: pick('usb_serial'), cortex: pick('cortex'), lsl: pick('lsl') };
}
