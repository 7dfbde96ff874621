// From a target string to the source that can open it. Bluetooth is opened on first use (never
// at start-up: on a machine without it, noble throws while loading), and its absence becomes a
// connect error the status object shows, not a crash.
import type { NetworkMode } from '../config.ts';
import type { BluetoothAvailability } from './ble/bluetooth.ts';
import { museSource } from './muse/museSource.ts';
import type { DeviceSource } from './source.ts';
import { parseTarget } from './targets.ts';
import type { VirtualSourceOptions } from './virtual/virtualOptions.ts';
import { virtualSource } from './virtual/virtualSource.ts';

export interface SourceFactoryDeps {
  network: NetworkMode;
  /** Options of the in-process virtual headset (the last ones given to virtual-source/start). */
  virtualOptions(): VirtualSourceOptions;
  bluetooth(): Promise<BluetoothAvailability>;
  lslSource(target: string): DeviceSource;
  log(level: 'info' | 'warn', message: string): void;
}

export function sourceFactory(deps: SourceFactoryDeps): (target: string) => DeviceSource {
  return (target) => {
    const parsed = parseTarget(target);
    switch (parsed.kind) {
      case 'virtual':
        return virtualSource(deps.virtualOptions());
      case 'lsl':
        return deps.lslSource(parsed.raw);
      case 'muse':
        return {
          open: async (handlers, signal) => {
            handlers.phase?.('scanning');
            const bt = await deps.bluetooth();
            if (!bt.available) throw new Error(bt.reason);
            return museSource({ target: parsed.raw, ble: bt.adapter, log: deps.log }).open(handlers, signal);
          },
        };
    }
  };
}
