// The small surface every BLE device source talks to. Noble sits behind it in production
// (`nobleAdapter.ts`); the replay adapter (`replayAdapter.ts`) sits behind it in tests, so the
// same connection code runs against recorded vendor packets. UUIDs are in noble's spelling:
// lowercase hex, no dashes (`fe8d`, `273e00034c4d454d96bef03bac821358`).

export interface BleAdvertisement {
  /** The platform's peripheral id (address on Linux, a UUID on macOS). */
  id: string;
  /** Advertised local name; '' when the advertisement carried none. */
  name: string;
  rssi: number;
}

export type StopScan = () => Promise<void>;

export interface BleAdapter {
  /** Reports every advertisement (duplicates included, so RSSI and last-seen stay fresh) until stopped. */
  startScan(onAdvertisement: (ad: BleAdvertisement) => void): Promise<StopScan>;
  /** Connects to a peripheral seen by a scan; `signal` cancels a connect in progress. */
  connect(id: string, signal?: AbortSignal): Promise<BleLink>;
}

/** One connected peripheral. */
export interface BleLink {
  readonly id: string;
  readonly name: string;
  /** The characteristic UUIDs found inside these services. */
  discover(serviceUuids: string[]): Promise<string[]>;
  /** Resolves once notifications are enabled; `onData` gets each value (honour its byteOffset). */
  subscribe(characteristic: string, onData: (data: Uint8Array) => void): Promise<void>;
  /** Writes a value, without response when the characteristic allows it. */
  write(characteristic: string, data: Uint8Array): Promise<void>;
  /** Called once if the link drops without `disconnect()` being asked for. */
  onDisconnect(listener: (reason: string) => void): void;
  /** Idempotent. */
  disconnect(): Promise<void>;
}
