// The virtual headset published as an LSL outlet (`POST /v1/lsl/virtual-source/start`), so that
// LabRecorder, other liblsl programs, or this daemon's own `lsl:SkillVirtualEEG` target can read
// it. The headset runs from the same source as the in-process `virtual` target, with the same
// options and seed.
import type { NetworkMode } from '../config.ts';
import { lslLocalClock } from './lsl/clock.ts';
import { LslOutlet } from './lsl/outlet.ts';
import type { DeviceConnection, EegFrame } from './source.ts';
import type { VirtualSourceOptions } from './virtual/virtualOptions.ts';
import { virtualSource } from './virtual/virtualSource.ts';

export const VIRTUAL_STREAM_NAME = 'SkillVirtualEEG';
export const VIRTUAL_SOURCE_ID = 'skill-virtual-eeg';

export interface VirtualOutletState {
  running: boolean;
  name: string | null;
  source_id: string | null;
  channels: number;
  sample_rate: number;
}

export class VirtualOutlet {
  private outlet: LslOutlet | null = null;
  private connection: DeviceConnection | null = null;
  private abort: AbortController | null = null;

  constructor(
    private readonly network: NetworkMode,
    private readonly sessionId?: string,
  ) {}

  state(): VirtualOutletState {
    const info = this.connection?.info;
    return {
      running: this.connection !== null,
      name: info ? VIRTUAL_STREAM_NAME : null,
      source_id: info ? VIRTUAL_SOURCE_ID : null,
      channels: info?.channelNames.length ?? 0,
      sample_rate: info?.eegSampleRateHz ?? 0,
    };
  }

  /** Starts (or restarts with new options) the published headset. */
  async start(options: VirtualSourceOptions): Promise<VirtualOutletState> {
    await this.stop();
    const source = virtualSource(options);
    const abort = new AbortController();
    this.abort = abort;
    let outlet: LslOutlet | null = null;
    const connection = await source.open(
      {
        frame: (frame) => {
          if (frame.kind === 'eeg' && outlet) pushEeg(outlet, frame);
        },
        ended: () => void this.stop(),
      },
      abort.signal,
    );
    const info = connection.info;
    outlet = new LslOutlet({
      name: VIRTUAL_STREAM_NAME,
      type: 'EEG',
      channelCount: info.channelNames.length,
      nominalSrate: info.eegSampleRateHz,
      channelFormat: 'float32',
      sourceId: VIRTUAL_SOURCE_ID,
      channelLabels: info.channelNames,
      manufacturer: 'skill-daemon',
      network: this.network,
      sessionId: this.sessionId,
    });
    try {
      await outlet.start();
    } catch (err) {
      await connection.close();
      throw err;
    }
    this.outlet = outlet;
    this.connection = connection;
    return this.state();
  }

  async stop(): Promise<VirtualOutletState> {
    this.abort?.abort();
    const { connection, outlet } = this;
    this.connection = null;
    this.outlet = null;
    this.abort = null;
    await connection?.close();
    await outlet?.close();
    return this.state();
  }
}

/** Channel-major µV chunk → LSL rows, the last sample stamped at its place on the LSL clock. */
function pushEeg(outlet: LslOutlet, frame: EegFrame): void {
  const n = frame.channels[0]?.length ?? 0;
  if (n === 0) return;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(frame.channels.map((c) => c[i]!));
  const lastMs = frame.t0Ms + ((n - 1) * 1000) / frame.sampleRateHz;
  outlet.push(rows, lslLocalClock() - (Date.now() - lastMs) / 1000);
}
