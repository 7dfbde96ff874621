// A BleAdapter that plays back recorded notifications instead of a radio: the device sources
// run their real connection code against it in tests (and could in a demo). Every value is
// handed over the way noble hands it: as a slice at a non-zero offset of a larger Buffer, so a
// decoder that reads `buffer` from 0 instead of honouring byteOffset fails here too.
import type { BleAdapter, BleAdvertisement, BleLink, StopScan } from './adapter.ts';

export interface ReplayNotification {
  characteristic: string;
  /** The notification value, hex. */
  hex: string;
}

export interface ReplayDevice {
  id: string;
  name: string;
  rssi?: number;
  /** What `discover()` reports, in noble spelling. */
  characteristics: string[];
  /** Answers a write with notifications to deliver (control replies, the stream a start command starts). */
  onWrite?: (characteristic: string, data: Uint8Array) => ReplayNotification[] | void;
}

/** What the code under test did to a replayed device, in order. */
export type ReplayOperation =
  | { op: 'connect' }
  | { op: 'discover'; services: string[] }
  | { op: 'subscribe'; characteristic: string }
  | { op: 'write'; characteristic: string; hex: string }
  | { op: 'disconnect' };

export class ReplayAdapter implements BleAdapter {
  readonly links: ReplayLink[] = [];

  constructor(private readonly devices: ReplayDevice[]) {}

  async startScan(onAdvertisement: (ad: BleAdvertisement) => void): Promise<StopScan> {
    let stopped = false;
    setImmediate(() => {
      for (const d of this.devices) if (!stopped) onAdvertisement({ id: d.id, name: d.name, rssi: d.rssi ?? -60 });
    });
    return async () => {
      stopped = true;
    };
  }

  async connect(id: string, signal?: AbortSignal): Promise<BleLink> {
    signal?.throwIfAborted();
    const device = this.devices.find((d) => d.id.toLowerCase() === id.toLowerCase());
    if (!device) throw new Error(`BLE device ${id} has not been seen by a scan`);
    const link = new ReplayLink(device);
    this.links.push(link);
    return link;
  }
}

export class ReplayLink implements BleLink {
  readonly id: string;
  readonly name: string;
  readonly operations: ReplayOperation[] = [{ op: 'connect' }];
  private readonly listeners = new Map<string, (data: Uint8Array) => void>();
  private disconnectListener: ((reason: string) => void) | null = null;
  private connected = true;

  constructor(private readonly device: ReplayDevice) {
    this.id = device.id;
    this.name = device.name;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** The commands written so far as hex, in order. */
  writes(characteristic?: string): string[] {
    return this.operations.flatMap((o) =>
      o.op === 'write' && (characteristic === undefined || o.characteristic === characteristic) ? [o.hex] : []);
  }

  async discover(services: string[]): Promise<string[]> {
    this.operations.push({ op: 'discover', services });
    return [...this.device.characteristics];
  }

  async subscribe(characteristic: string, onData: (data: Uint8Array) => void): Promise<void> {
    if (!this.device.characteristics.includes(characteristic)) throw new Error(`no characteristic ${characteristic}`);
    this.operations.push({ op: 'subscribe', characteristic });
    this.listeners.set(characteristic, onData);
  }

  async write(characteristic: string, data: Uint8Array): Promise<void> {
    if (!this.connected) throw new Error('not connected');
    this.operations.push({ op: 'write', characteristic, hex: Buffer.from(data).toString('hex') });
    const replies = this.device.onWrite?.(characteristic, data);
    if (replies && replies.length > 0) this.deliverLater(replies);
  }

  onDisconnect(listener: (reason: string) => void): void {
    this.disconnectListener = listener;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.operations.push({ op: 'disconnect' });
  }

  /** Delivers notifications now, in order, to whoever subscribed (unsubscribed ones are lost, as on air). */
  deliver(notifications: ReplayNotification[]): void {
    for (const n of notifications) {
      if (!this.connected) return;
      const bytes = Buffer.from(n.hex, 'hex');
      const pdu = Buffer.concat([Buffer.from([0x1b, 0x00, 0x00]), bytes, Buffer.alloc(5, 0xee)]);
      this.listeners.get(n.characteristic)?.(pdu.subarray(3, 3 + bytes.length));
    }
  }

  /** The headset going away: the link drops without being asked to. */
  drop(reason = 'link lost'): void {
    if (!this.connected) return;
    this.connected = false;
    this.disconnectListener?.(reason);
  }

  private deliverLater(notifications: ReplayNotification[]): void {
    setImmediate(() => this.deliver(notifications));
  }
}
