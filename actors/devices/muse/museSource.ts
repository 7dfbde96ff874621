// A Muse headset over Bluetooth LE as a DeviceSource (protocol reference §5): find it, connect,
// discover service FE8D, refuse what cannot be decoded (Athena firmware), subscribe control first
// so no reply is lost, then telemetry, IMU, PPG and EEG, and start it with `h`, preset, `s`, `d`,
// then `v1` for the versions. Writes go one at a time. While open, `k` every 10 s (muse-lsl's
// keep-alive, harmless if unneeded). `close()` sends `h` and disconnects.
import type { BleAdapter, BleLink } from '../ble/adapter.ts';
import { findPeripheral } from '../ble/findPeripheral.ts';
import { bleTargetId } from '../ble/scan.ts';
import type { DeviceConnection, DeviceInfo, DeviceSource, SourceFrame, SourceHandlers } from '../source.ts';
import { MUSE_COMMAND, encodeCommand } from './command.ts';
import { EEG_SAMPLE_RATE_HZ } from './eegPacket.ts';
import {
  MUSE_ACCELEROMETER, MUSE_CONTROL, MUSE_EEG_CHANNELS, MUSE_GYROSCOPE, MUSE_IMU_CHANNEL_NAMES, MUSE_PPG_CHANNELS,
  MUSE_SERVICE, MUSE_TELEMETRY,
} from './gatt.ts';
import { museModel } from './model.ts';
import { MuseFrameStream } from './museStream.ts';
import { PPG_SAMPLE_RATE_HZ } from './ppgPacket.ts';
import { MUSE_PRESETS, defaultPreset, isMusePresetId, type MusePresetId } from './presets.ts';

export interface MuseSourceOptions {
  /** `ble:<id>`, a bare peripheral id, or an advertised name / name prefix. */
  target: string;
  ble: BleAdapter;
  /** Classic preset; default `p50` on headsets with PPG, else `p21`. */
  preset?: MusePresetId;
  /** Stream the right AUX electrode as a fifth channel (the preset must enable it: p20, p50). */
  aux?: boolean;
  scanTimeoutMs?: number;
  /** Deadline for connecting, discovering and starting, once the headset has been found. */
  connectTimeoutMs?: number;
  /** Keep-alive period; 0 turns it off. */
  keepAliveMs?: number;
  /** Longest wait for the halt command while closing. */
  closeTimeoutMs?: number;
  now?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export function museSource(options: MuseSourceOptions): DeviceSource {
  if (options.preset !== undefined && !isMusePresetId(options.preset)) {
    throw new Error(`unknown Muse preset ${String(options.preset)}; known: ${Object.keys(MUSE_PRESETS).join(', ')}`);
  }
  return { open: (handlers, signal) => openMuse(options, handlers, signal) };
}

async function openMuse(options: MuseSourceOptions, handlers: SourceHandlers, signal: AbortSignal): Promise<DeviceConnection> {
  const log = options.log ?? (() => undefined);
  const ad = await findPeripheral(options.ble, options.target, { timeoutMs: options.scanTimeoutMs ?? 5000, signal });
  // A BLE connect or GATT discovery can hang without ever failing; give the whole of it a deadline.
  const timeoutMs = options.connectTimeoutMs ?? 15_000;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('deadline')), timeoutMs);
  const cancel = AbortSignal.any([signal, deadline.signal]);
  const failure = (error: unknown) => {
    if (signal.aborted) return new Error('Connect cancelled');
    if (deadline.signal.aborted) return new Error(`Connecting to ${ad.name || ad.id} timed out after ${Math.round(timeoutMs / 1000)} s`);
    return error;
  };
  let link: BleLink;
  try {
    link = await options.ble.connect(ad.id, cancel);
  } catch (error) {
    clearTimeout(timer);
    throw failure(error);
  }
  const session = new MuseSession(link, handlers, options, log);
  try {
    const info = await untilAborted(session.start(ad.name, cancel), cancel);
    return { info, close: () => session.close() };
  } catch (error) {
    await session.close();
    throw failure(error);
  } finally {
    clearTimeout(timer);
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

class MuseSession {
  private writes: Promise<void> = Promise.resolve();
  private stream: MuseFrameStream | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  /** Frames wait here until `open` has resolved, so none reach the handlers before the connection does. */
  private queued: SourceFrame[] | null = [];
  private lost: string | null = null;
  /** Whether any command went out: only then is there something to halt when giving up. */
  private commanded = false;
  private opened = false;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly link: BleLink,
    private readonly handlers: SourceHandlers,
    private readonly options: MuseSourceOptions,
    private readonly log: (level: 'info' | 'warn', message: string) => void,
  ) {
    link.onDisconnect((reason) => this.onLinkLost(reason));
  }

  async start(advertisedName: string, signal: AbortSignal): Promise<DeviceInfo> {
    const step = () => {
      signal.throwIfAborted();
      if (this.lost !== null) throw new Error(`Muse disconnected while connecting: ${this.lost}`);
    };
    const found = new Set(await this.link.discover([MUSE_SERVICE]));
    step();
    const name = this.link.name || advertisedName || 'Muse';
    const model = museModel(name, found);
    if (model === 'muse-s-athena') {
      throw new Error(`${name} runs Muse S Athena firmware (characteristic 273e0013), which is not supported yet`);
    }
    if (!found.has(MUSE_CONTROL) || !MUSE_EEG_CHANNELS.slice(0, 4).every((c) => found.has(c.uuid))) {
      throw new Error(`${name} does not expose the Muse control and EEG characteristics`);
    }
    const presetId = this.options.preset ?? defaultPreset(MUSE_PPG_CHANNELS.some((c) => found.has(c.uuid)));
    const preset = MUSE_PRESETS[presetId];
    if (this.options.aux && !(preset.aux && found.has(MUSE_EEG_CHANNELS[4].uuid))) {
      throw new Error(`AUX was asked for, but preset ${presetId} on ${name} does not stream it`);
    }
    const electrodes = MUSE_EEG_CHANNELS.slice(0, this.options.aux ? 5 : 4);
    const ppg = preset.ppg ? MUSE_PPG_CHANNELS.filter((c) => found.has(c.uuid)) : [];
    const imu = preset.imu ? [MUSE_ACCELEROMETER, MUSE_GYROSCOPE].filter((u) => found.has(u)) : [];
    this.stream = new MuseFrameStream({
      eegChannels: electrodes.length,
      ppgCharacteristics: ppg.map((c) => c.uuid),
      now: this.options.now,
      log: this.log,
    });

    const subscriptions = [
      MUSE_CONTROL,
      ...(found.has(MUSE_TELEMETRY) ? [MUSE_TELEMETRY] : []),
      ...imu,
      ...ppg.map((c) => c.uuid),
      ...electrodes.map((c) => c.uuid),
    ];
    for (const uuid of subscriptions) {
      await this.link.subscribe(uuid, (data) => this.onNotification(uuid, data));
      step();
    }
    for (const command of [MUSE_COMMAND.halt, preset.command, MUSE_COMMAND.status, MUSE_COMMAND.resume, MUSE_COMMAND.deviceInfo]) {
      await this.send(command);
      step();
    }
    const keepAliveMs = this.options.keepAliveMs ?? 10_000;
    if (keepAliveMs > 0) {
      this.keepAlive = setInterval(() => {
        this.send(MUSE_COMMAND.keepAlive).catch((e: Error) => this.log('warn', `keep-alive failed: ${e.message}`));
      }, keepAliveMs);
      this.keepAlive.unref();
    }
    this.log('info', `${name} (${model}) streaming with preset ${presetId}`);
    this.opened = true;
    setImmediate(() => this.flushQueued());
    return {
      name,
      kind: 'muse',
      id: bleTargetId(this.link.id),
      channelNames: electrodes.map((c) => c.name),
      eegSampleRateHz: EEG_SAMPLE_RATE_HZ,
      ppgChannelNames: ppg.map((c) => c.name),
      ppgSampleRateHz: ppg.length > 0 ? PPG_SAMPLE_RATE_HZ : 0,
      imuChannelNames: imu.length > 0 ? MUSE_IMU_CHANNEL_NAMES : [],
      serialNumber: null,
      firmwareVersion: null,
      hardwareVersion: null,
      macAddress: null,
    };
  }

  /** Idempotent: halt, then disconnect; resolves once the headset is released. */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  private async release(): Promise<void> {
    this.stopKeepAlive();
    this.queued = null;
    if (this.lost === null && this.commanded) {
      const timeoutMs = this.options.closeTimeoutMs ?? 2000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([this.send(MUSE_COMMAND.halt).catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    // Disconnecting ends every subscription. (BrainFlow waits 2 s after `h` before unsubscribing
    // because unsubscribing with notifications in flight failed on macOS; a disconnect has no such step.)
    await this.link.disconnect().catch((e: Error) => this.log('warn', `disconnect failed: ${e.message}`));
  }

  private send(command: string): Promise<void> {
    const bytes = encodeCommand(command);
    this.commanded = true;
    const sent = this.writes.then(() => this.link.write(MUSE_CONTROL, bytes));
    this.writes = sent.catch(() => undefined);
    return sent;
  }

  private onNotification(characteristic: string, data: Uint8Array): void {
    if (this.closing || !this.stream) return;
    for (const frame of this.stream.push(characteristic, data)) {
      if (this.queued) this.queued.push(frame);
      else this.handlers.frame(frame);
    }
  }

  private flushQueued(): void {
    const queued = this.queued;
    if (!queued || this.closing) return;
    this.queued = null;
    for (const frame of queued) this.handlers.frame(frame);
  }

  private onLinkLost(reason: string): void {
    if (this.lost !== null) return;
    this.lost = reason;
    this.stopKeepAlive();
    // During `start` the failure surfaces as open's rejection; only an open device "ends", and
    // only after the frames it delivered before going away.
    if (this.opened && this.closing === null) {
      setImmediate(() => {
        this.flushQueued();
        if (this.closing === null) this.handlers.ended(`Muse disconnected: ${reason}`);
      });
    }
  }

  private stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
  }
}
