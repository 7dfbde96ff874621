// From classic Muse notifications to the daemon's frames: decode (notification.ts), stamp from
// the sequence index (one SequenceClock per stream), align electrodes / PPG channels into blocks
// (BlockAssembler) and turn control replies into InfoFrame / BatteryFrame. No I/O, so the
// device source and the tests drive exactly this code.
import type { SourceFrame } from '../source.ts';
import { BlockAssembler, type AssemblyCounters } from './blockAssembler.ts';
import { ControlAssembler } from './controlResponse.ts';
import { framesFromReply, rejectionCode } from './deviceReply.ts';
import { EEG_SAMPLE_RATE_HZ, EEG_SAMPLES_PER_PACKET } from './eegPacket.ts';
import { MUSE_PPG_CHANNELS } from './gatt.ts';
import { IMU_SAMPLE_RATE_HZ, IMU_SAMPLES_PER_PACKET } from './imuPacket.ts';
import { decodeNotification } from './notification.ts';
import { PPG_SAMPLE_RATE_HZ, PPG_SAMPLES_PER_PACKET } from './ppgPacket.ts';
import { SequenceClock } from './sequenceClock.ts';
import { batteryDisplayPct } from './telemetryPacket.ts';

export interface MuseStreamConfig {
  /** 4 (TP9 AF7 AF8 TP10) or 5 (+ right AUX); electrodes beyond it are ignored. */
  eegChannels: number;
  /** PPG characteristics being streamed, in channel order. */
  ppgCharacteristics: string[];
  now?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** About one second of packets: after that a silent channel stops holding its stream back. */
const EEG_QUIET_AFTER_PACKETS = Math.ceil(EEG_SAMPLE_RATE_HZ / EEG_SAMPLES_PER_PACKET);
const PPG_QUIET_AFTER_PACKETS = Math.ceil(PPG_SAMPLE_RATE_HZ / PPG_SAMPLES_PER_PACKET);
const IMU_PACKET_MS = (IMU_SAMPLES_PER_PACKET * 1000) / IMU_SAMPLE_RATE_HZ;

export class MuseFrameStream {
  private readonly now: () => number;
  private readonly log: (level: 'info' | 'warn', message: string) => void;
  private readonly eegClock: SequenceClock;
  private readonly ppgClock: SequenceClock;
  private readonly eeg: BlockAssembler;
  /** Null when no PPG is streamed. */
  private readonly ppg: BlockAssembler | null;
  private readonly ppgChannelOf = new Map<number, number>();
  private readonly control: ControlAssembler;
  /** Notifications that matched no decoder or had the wrong length. */
  ignored = 0;

  constructor(private readonly config: MuseStreamConfig) {
    this.now = config.now ?? Date.now;
    this.log = config.log ?? (() => undefined);
    this.eegClock = new SequenceClock((EEG_SAMPLES_PER_PACKET * 1000) / EEG_SAMPLE_RATE_HZ, this.now);
    this.ppgClock = new SequenceClock((PPG_SAMPLES_PER_PACKET * 1000) / PPG_SAMPLE_RATE_HZ, this.now);
    this.eeg = new BlockAssembler(config.eegChannels, EEG_SAMPLES_PER_PACKET, EEG_QUIET_AFTER_PACKETS);
    const ppgChannels = config.ppgCharacteristics.length;
    this.ppg = ppgChannels > 0 ? new BlockAssembler(ppgChannels, PPG_SAMPLES_PER_PACKET, PPG_QUIET_AFTER_PACKETS) : null;
    config.ppgCharacteristics.forEach((uuid, i) => {
      const channel = MUSE_PPG_CHANNELS.findIndex((c) => c.uuid === uuid);
      if (channel >= 0) this.ppgChannelOf.set(channel, i);
    });
    this.control = new ControlAssembler((text, error) => this.log('warn', `dropped control reply ${text}: ${error}`));
  }

  get eegCounters(): AssemblyCounters {
    return this.eeg.counters;
  }

  get ppgCounters(): AssemblyCounters | null {
    return this.ppg?.counters ?? null;
  }

  push(characteristic: string, bytes: Uint8Array): SourceFrame[] {
    const n = decodeNotification(characteristic, bytes);
    switch (n.kind) {
      case 'eeg': {
        if (n.electrode >= this.config.eegChannels) return [];
        const { index, t0Ms } = this.eegClock.stamp(n.packet.index);
        return this.eeg.push(n.electrode, index, t0Ms, n.packet.microvolts)
          .map((c) => ({ kind: 'eeg', t0Ms: c.t0Ms, sampleRateHz: EEG_SAMPLE_RATE_HZ, channels: c.channels }));
      }
      case 'ppg': {
        const channel = this.ppgChannelOf.get(n.channel);
        if (channel === undefined || !this.ppg) return [];
        const { index, t0Ms } = this.ppgClock.stamp(n.packet.index);
        return this.ppg.push(channel, index, t0Ms, n.packet.raw)
          .map((c) => ({ kind: 'ppg', t0Ms: c.t0Ms, sampleRateHz: PPG_SAMPLE_RATE_HZ, channels: c.channels }));
      }
      case 'imu':
        // No public client times IMU samples from the index and the ~52 Hz rate is nominal, so an
        // index clock would drift; the packet is taken to have arrived just after its last sample.
        return [{
          kind: 'imu',
          sensor: n.sensor,
          t0Ms: this.now() - IMU_PACKET_MS,
          sampleRateHz: IMU_SAMPLE_RATE_HZ,
          samples: n.packet.samples,
        }];
      case 'telemetry':
        return [{ kind: 'battery', levelPct: batteryDisplayPct(n.packet.batteryPct), voltageMv: n.packet.fuelGaugeMv }];
      case 'control':
        return this.control.push(n.fragment).flatMap((reply) => {
          const rc = rejectionCode(reply);
          if (rc !== null) this.log('warn', `headset rejected a command: ${JSON.stringify(reply)}`);
          return framesFromReply(reply);
        });
      case 'ignored':
        this.ignored++;
        return [];
    }
  }
}
