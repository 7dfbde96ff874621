// LSL auto-connect (`POST /v1/lsl/auto-connect {enabled:true}`): while enabled and no session is
// open or pending, look for the paired LSL streams every few seconds and open the first one
// found. The reference stores the flag but never acts on it.
import type { DaemonLog } from '../log.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import type { DeviceControl } from './deviceControl.ts';
import type { DeviceState } from './deviceState.ts';
import type { DiscoveredLslStream } from './lsl/lslSource.ts';

export interface PairedLslStream {
  source_id: string;
  name: string;
  stream_type: string;
  channels: number;
  sample_rate: number;
}

export const AUTO_CONNECT_EVERY_MS = 5_000;

export class LslAutoConnect {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly settings: SettingsStore,
    private readonly device: DeviceState,
    private readonly control: DeviceControl,
    private readonly discover: () => Promise<DiscoveredLslStream[]>,
    private readonly log: DaemonLog,
  ) {}

  get enabled(): boolean {
    return this.settings.get().lsl_auto_connect === true;
  }

  pairedStreams(): PairedLslStream[] {
    const list = this.settings.get().lsl_paired_streams;
    return Array.isArray(list) ? (list as PairedLslStream[]) : [];
  }

  /** Starts or stops the loop to match the setting; the first look happens at once. */
  sync(): void {
    if (this.enabled && !this.timer) {
      this.timer = setInterval(() => void this.attempt(), AUTO_CONNECT_EVERY_MS);
      this.timer.unref();
      void this.attempt();
    } else if (!this.enabled && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look: connects the first paired stream that is on the network. */
  async attempt(): Promise<string | null> {
    if (this.busy || !this.enabled) return null;
    if (this.device.status().state !== 'disconnected' || this.device.reconnectState().pending) return null;
    const paired = this.pairedStreams();
    if (paired.length === 0) return null;
    this.busy = true;
    try {
      const seen = await this.discover();
      const match = paired.find((p) => seen.some((s) => s.source_id === p.source_id || (!p.source_id && s.name === p.name)));
      if (!match || this.device.status().state !== 'disconnected') return null;
      const stream = seen.find((s) => s.source_id === match.source_id) ?? seen.find((s) => s.name === match.name)!;
      const target = `lsl:${stream.name}`;
      this.log.info('lsl', `auto-connect: opening ${target}`);
      this.control.start(target);
      return target;
    } catch (err) {
      this.log.warn('lsl', `auto-connect failed: ${(err as Error).message}`);
      return null;
    } finally {
      this.busy = false;
    }
  }
}
