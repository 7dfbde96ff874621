// Turning a target into a peripheral to connect to. A target is `ble:<id>` (what the scanner
// lists), a bare peripheral id, or an advertised name or name prefix ("Muse-4A2B", "muse"). Noble
// can only connect to peripherals a scan has reported, so even a known id is scanned for.
import type { BleAdapter, BleAdvertisement } from './adapter.ts';
import { peripheralIdOf } from './scan.ts';

export function matchesTarget(target: string, ad: BleAdvertisement): boolean {
  const id = peripheralIdOf(target);
  if (id !== null) return ad.id.toLowerCase() === id;
  const t = target.trim().toLowerCase();
  return t !== '' && (ad.id.toLowerCase() === t || ad.name.toLowerCase().startsWith(t));
}

/** The first advertisement matching `target`; rejects with a message fit for `device_error`. */
export async function findPeripheral(
  adapter: BleAdapter,
  target: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<BleAdvertisement> {
  const { signal, timeoutMs } = options;
  signal?.throwIfAborted();
  let found!: (ad: BleAdvertisement) => void;
  let failed!: (error: Error) => void;
  const result = new Promise<BleAdvertisement>((resolve, reject) => {
    found = resolve;
    failed = reject;
  });
  const stop = await adapter.startScan((ad) => {
    if (matchesTarget(target, ad)) found(ad);
  });
  const timer = setTimeout(
    () => failed(new Error(`No Bluetooth device matching "${target}" found within ${Math.round(timeoutMs / 1000)} s`)),
    timeoutMs,
  );
  const onAbort = () => failed(new Error('Connect cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await result;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await stop();
  }
}
