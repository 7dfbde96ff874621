// BleAdapter over @abandonware/noble. Only the few members used are typed here (structurally),
// so this file never imports noble itself: `bluetooth.ts` loads it lazily, because on a kernel
// without AF_BLUETOOTH its bindings throw at construction time.
import type { BleAdapter, BleAdvertisement, BleLink, StopScan } from './adapter.ts';

export interface NobleCharacteristic {
  uuid: string;
  properties: string[];
  on(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): unknown;
  subscribeAsync(): Promise<void>;
  writeAsync(data: Buffer, withoutResponse: boolean): Promise<void>;
}

export interface NoblePeripheral {
  id: string;
  rssi: number;
  advertisement?: { localName?: string };
  connectAsync(): Promise<void>;
  disconnectAsync(): Promise<void>;
  cancelConnect(): void;
  once(event: 'disconnect', listener: (reason?: unknown) => void): unknown;
  discoverSomeServicesAndCharacteristicsAsync(
    serviceUuids: string[],
    characteristicUuids: string[],
  ): Promise<{ characteristics: NobleCharacteristic[] }>;
}

export interface NobleLike {
  readonly state: string;
  on(event: 'stateChange', listener: (state: string) => void): unknown;
  on(event: 'discover', listener: (peripheral: NoblePeripheral) => void): unknown;
  removeListener(event: 'stateChange', listener: (state: string) => void): unknown;
  removeListener(event: 'discover', listener: (peripheral: NoblePeripheral) => void): unknown;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
}

export class NobleAdapter implements BleAdapter {
  /** Peripherals seen by any scan, by lowercased id: noble connects through these objects. */
  private readonly peripherals = new Map<string, NoblePeripheral>();

  constructor(private readonly noble: NobleLike) {
    noble.on('discover', (p) => this.peripherals.set(p.id.toLowerCase(), p));
  }

  async startScan(onAdvertisement: (ad: BleAdvertisement) => void): Promise<StopScan> {
    const listener = (p: NoblePeripheral) =>
      onAdvertisement({ id: p.id, name: p.advertisement?.localName ?? '', rssi: p.rssi });
    this.noble.on('discover', listener);
    try {
      await this.noble.startScanningAsync([], true);
    } catch (error) {
      this.noble.removeListener('discover', listener);
      throw error;
    }
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      this.noble.removeListener('discover', listener);
      await this.noble.stopScanningAsync();
    };
  }

  async connect(id: string, signal?: AbortSignal): Promise<BleLink> {
    const peripheral = this.peripherals.get(id.toLowerCase());
    if (!peripheral) throw new Error(`BLE device ${id} has not been seen by a scan`);
    signal?.throwIfAborted();
    let onAbort = () => undefined as void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        peripheral.cancelConnect();
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([peripheral.connectAsync(), aborted]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return new NobleLink(peripheral);
  }
}

class NobleLink implements BleLink {
  readonly id: string;
  readonly name: string;
  private readonly characteristics = new Map<string, NobleCharacteristic>();
  private closing = false;

  constructor(private readonly peripheral: NoblePeripheral) {
    this.id = peripheral.id;
    this.name = peripheral.advertisement?.localName ?? '';
  }

  async discover(serviceUuids: string[]): Promise<string[]> {
    const { characteristics } = await this.peripheral.discoverSomeServicesAndCharacteristicsAsync(serviceUuids, []);
    for (const c of characteristics) this.characteristics.set(c.uuid, c);
    return characteristics.map((c) => c.uuid);
  }

  async subscribe(uuid: string, onData: (data: Uint8Array) => void): Promise<void> {
    const c = this.characteristic(uuid);
    c.on('data', (data) => onData(data));
    await c.subscribeAsync();
  }

  async write(uuid: string, data: Uint8Array): Promise<void> {
    const c = this.characteristic(uuid);
    const withoutResponse = c.properties.includes('writeWithoutResponse');
    await c.writeAsync(Buffer.from(data.buffer, data.byteOffset, data.byteLength), withoutResponse);
  }

  onDisconnect(listener: (reason: string) => void): void {
    this.peripheral.once('disconnect', (reason) => {
      if (!this.closing) listener(reason === undefined ? 'link lost' : `link lost (${String(reason)})`);
    });
  }

  async disconnect(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.peripheral.disconnectAsync();
  }

  private characteristic(uuid: string): NobleCharacteristic {
    const c = this.characteristics.get(uuid);
    if (!c) throw new Error(`characteristic ${uuid} was not discovered on ${this.id}`);
    return c;
  }
}
