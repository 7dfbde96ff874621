// The daemon's Bluetooth: noble loaded on first use, never at import. On this machine kind the
// kernel has no AF_BLUETOOTH and noble's bindings throw EAFNOSUPPORT while being built, so a
// top-level import would kill the daemon at start-up (DEPENDENCIES.md §7). Here that becomes
// `{available: false, reason}`, and so does an adapter that is off, missing or not allowed.
import { createRequire } from 'node:module';
import type { BleAdapter } from './adapter.ts';
import { NobleAdapter, type NobleLike } from './nobleAdapter.ts';

export { scanEegDevices, BleSightings, type DiscoveredBleDevice } from './scan.ts';
export { isKnownEegName } from './knownEegNames.ts';

export type BluetoothAvailability =
  | { available: true; adapter: BleAdapter }
  | { available: false; reason: string };

export interface OpenBluetoothOptions {
  /** Builds the noble instance; the default requires `@abandonware/noble/with-custom-binding`. */
  loadNoble?: () => NobleLike;
  /** How long to wait for the adapter to report its state. */
  stateTimeoutMs?: number;
}

/** One noble (one HCI socket) per process; only a successful load is kept. */
let sharedNoble: NobleLike | null = null;
/** One adapter per noble, so asking again (a scanner polling) adds no listeners. */
const adapters = new WeakMap<NobleLike, BleAdapter>();

function loadDefaultNoble(): NobleLike {
  if (!sharedNoble) {
    const require = createRequire(import.meta.url);
    const withCustomBinding = require('@abandonware/noble/with-custom-binding') as () => NobleLike;
    sharedNoble = withCustomBinding();
  }
  return sharedNoble;
}

export async function openBluetooth(options: OpenBluetoothOptions = {}): Promise<BluetoothAvailability> {
  let noble: NobleLike;
  try {
    noble = (options.loadNoble ?? loadDefaultNoble)();
  } catch (error) {
    return { available: false, reason: `Bluetooth unavailable: ${describe(error)}` };
  }
  let state: string;
  try {
    state = await settledState(noble, options.stateTimeoutMs ?? 3000);
  } catch (error) {
    return { available: false, reason: `Bluetooth unavailable: ${describe(error)}` };
  }
  if (state !== 'poweredOn') return { available: false, reason: `Bluetooth adapter is ${state}` };
  let adapter = adapters.get(noble);
  if (!adapter) {
    adapter = new NobleAdapter(noble);
    adapters.set(noble, adapter);
  }
  return { available: true, adapter };
}

/** The adapter's state once it is past 'unknown'/'resetting', or whatever it is at the timeout. */
function settledState(noble: NobleLike, timeoutMs: number): Promise<string> {
  const settled = (s: string) => s !== 'unknown' && s !== 'resetting';
  const current = noble.state; // reading it starts the bindings if nothing has yet
  if (settled(current)) return Promise.resolve(current);
  return new Promise((resolve) => {
    const onState = (s: string) => {
      if (!settled(s)) return;
      clearTimeout(timer);
      noble.removeListener('stateChange', onState);
      resolve(s);
    };
    const timer = setTimeout(() => {
      noble.removeListener('stateChange', onState);
      resolve(`${noble.state} (no adapter state after ${timeoutMs} ms)`);
    }, timeoutMs);
    noble.on('stateChange', onState);
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
