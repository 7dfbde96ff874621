// The scanner as clients see it (`GET /v1/control/scanner/state`, the discovered half of
// `GET /v1/devices`): the statechart's state and context, folded with the settings. The
// reference answers `{running}` only; this adds, per transport, whether it is turned on, there,
// looking now, why not, and how many devices it sees.
import { scannerWireState, transportActive, type ScannerContext, type ScannerEvent, type ScannerWireState } from '../../machines/scanner.ts';
import { BLE_STALE_AFTER_SECS } from '../devices/ble/scan.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import { SCAN_TRANSPORTS, type DiscoveredDevice, type ScanTransport } from './discoveredDevice.ts';
import { CORTEX_UNSUPPORTED, wifiConfig, WIFI_UNSUPPORTED } from './networkDeviceConfig.ts';
import { scannerToggles } from './scannerToggles.ts';

export interface TransportState {
  enabled: boolean;
  /** null until checked (the scanner has not started with this transport on). */
  available: boolean | null;
  /** Its loop is running now. */
  scanning: boolean;
  reason: string | null;
  devices: number;
}

export interface ScannerStateResponse {
  running: boolean;
  state: ScannerWireState;
  transports: Record<ScanTransport | 'cortex' | 'wifi', TransportState>;
  /** Devices seen now, all transports together. */
  discovered: number;
}

export class ScannerState {
  value: unknown = 'stopped';
  context: ScannerContext | null = null;
  /**
   * Whether the scanner should be running: set by start, cleared by stop. A scanner actor
   * restarted by its supervisor starts again only if it should.
   */
  wanted = true;
  private send: ((event: ScannerEvent) => boolean) | null = null;

  constructor(private readonly settings: SettingsStore, private readonly now: () => number = Date.now) {}

  /** Where start and stop go: the running scanner actor (false when it is not running). */
  connect(send: (event: ScannerEvent) => boolean): void {
    this.send = send;
  }

  start(): boolean {
    this.wanted = true;
    return this.send?.({ type: 'scanner.start' }) ?? false;
  }

  stop(): boolean {
    this.wanted = false;
    return this.send?.({ type: 'scanner.stop' }) ?? false;
  }

  /** Every device seen now, BLE first (strongest first), then USB serial, then LSL. */
  discovered(): DiscoveredDevice[] {
    const c = this.context;
    if (!c || scannerWireState(this.value) === 'stopped') return [];
    // While BLE is paused nothing refreshes its list, so age it here as the listener would.
    const nowSecs = Math.floor(this.now() / 1000);
    const ble = c.found.ble.filter((d) => nowSecs - d.last_seen <= BLE_STALE_AFTER_SECS);
    return [...ble, ...c.found.usb_serial, ...c.found.lsl];
  }

  state(): ScannerStateResponse {
    const wire = scannerWireState(this.value);
    const toggles = scannerToggles(this.settings.get());
    const seen = this.discovered();
    const transports = {} as ScannerStateResponse['transports'];
    for (const t of SCAN_TRANSPORTS) {
      const availability = this.context?.availability[t] ?? null;
      transports[t] = {
        enabled: toggles[t],
        available: availability?.available ?? null,
        scanning: transportActive(this.value, t),
        reason: availability?.reason ?? null,
        devices: seen.filter((d) => d.transport === t).length,
      };
    }
    const wifi = wifiConfig(this.settings.get());
    transports.wifi = {
      enabled: wifi.wifi_shield_ip !== '' || wifi.galea_ip !== '',
      available: false, scanning: false, reason: WIFI_UNSUPPORTED, devices: 0,
    };
    transports.cortex = { enabled: toggles.cortex, available: false, scanning: false, reason: CORTEX_UNSUPPORTED, devices: 0 };
    return { running: wire !== 'stopped', state: wire, transports, discovered: seen.length };
  }
}
