// The LSL device source: any LSL EEG outlet on this machine (or the LAN, when allowed) as a
// headset. Target `lsl:<name>` resolves `name='<name>'`; bare `lsl` takes the first stream whose
// type is EEG, ExG or biosignal (as the reference daemon does). Channel labels come from the full
// info's desc, padded with `Ch<n>`.
//
// Clock: frames carry unix ms. A sample's LSL timestamp is on the *outlet's* monotonic clock, so
//   t0Ms = (timestamp + correction) · 1000 + (Date.now() − lslLocalClock()·1000 at open)
// where `correction` (outlet clock → our clock) comes from `LSL:timedata` probes at open, every
// 30 s and after a recovery; an outlet that does not answer probes gets it estimated from its
// first sample's arrival (exact to the transport latency). The unix offset is taken once, so a
// wall-clock step after open does not bend the frame times.
import type { NetworkMode } from '../../config.ts';
import type { DeviceConnection, DeviceInfo, DeviceSource, SourceHandlers } from '../source.ts';
import { lslLocalClock } from './clock.ts';
import { FrameAssembler, microvoltsPer } from './frameAssembler.ts';
import { requestFullInfo } from './fullInfoRequest.ts';
import { LslInlet } from './inlet.ts';
import { equalsTerm } from './predicate.ts';
import { resolveStreams } from './resolver.ts';
import { describedChannels, type StreamInfo } from './streamInfo.ts';
import { measureTimeCorrection } from './timeCorrection.ts';

export interface LslSourceOptions {
  /** `lsl` or `lsl:<stream name>`. */
  target: string;
  network: NetworkMode;
  knownPeers?: string[];
  /** How long to look for the stream. Default 5 s. */
  resolveTimeoutMs?: number;
  /** How long a lost feed may take to come back before the source ends. Default 15 s. */
  idleTimeoutMs?: number;
  /** LSL session (liblsl's `[lab] SessionID`): only outlets of this session are found. */
  sessionId?: string;
}

/** `GET /v1/lsl/discover` entries (the reference's snake_case shape). */
export interface DiscoveredLslStream {
  name: string;
  stream_type: string;
  channels: number;
  sample_rate: number;
  source_id: string;
  hostname: string;
}

const EEG_TYPES = new Set(['eeg', 'exg', 'biosignal']);
const FLUSH_INTERVAL_MS = 100;
const CLOCK_REFRESH_MS = 30_000;

export async function discoverStreams(options: {
  timeoutMs: number;
  network: NetworkMode;
  knownPeers?: string[];
  sessionId?: string;
}): Promise<DiscoveredLslStream[]> {
  const streams = await resolveStreams(options);
  return streams.map((s) => ({
    name: s.name,
    stream_type: s.type,
    channels: s.channelCount,
    sample_rate: s.nominalSrate,
    source_id: s.sourceId,
    hostname: s.hostname,
  }));
}

/** `lsl:<name>` → the name; `lsl` → null; anything else is not an LSL target. */
export function parseLslTarget(target: string): { name: string | null } | undefined {
  const m = /^lsl(?::(.*))?$/is.exec(target.trim());
  if (!m) return undefined;
  const name = m[1]?.trim();
  return { name: name ? name : null };
}

export function lslSource(options: LslSourceOptions): DeviceSource {
  return {
    open: (handlers, signal) => openLslSource(options, handlers, signal),
  };
}

async function openLslSource(options: LslSourceOptions, handlers: SourceHandlers, signal: AbortSignal): Promise<DeviceConnection> {
  const target = parseLslTarget(options.target);
  if (!target) throw new Error(`"${options.target}" is not an LSL target (expected lsl or lsl:<stream name>)`);
  const resolveTimeoutMs = options.resolveTimeoutMs ?? 5000;
  const seconds = `${Math.round(resolveTimeoutMs / 100) / 10} s`;
  const found = await resolveStreams({
    predicate: target.name === null ? '' : equalsTerm('name', target.name),
    accept: target.name === null ? (s) => EEG_TYPES.has(s.type.trim().toLowerCase()) : undefined,
    minimum: 1,
    timeoutMs: resolveTimeoutMs,
    network: options.network,
    knownPeers: options.knownPeers,
    sessionId: options.sessionId,
    signal,
  });
  const resolved = found[0];
  if (!resolved) {
    throw new Error(
      target.name === null
        ? `No LSL EEG stream (type EEG, ExG or biosignal) found within ${seconds}`
        : `No LSL stream named "${target.name}" found within ${seconds}`,
    );
  }
  // Labels and units live in the full info only; a stream whose outlet cannot send it still works.
  const info = await requestFullInfo(resolved, 5000, signal).catch((err: unknown) => {
    if (signal.aborted) throw err;
    return resolved;
  });
  if (info.channelFormat === 'string') throw new Error(`LSL stream "${info.name}" carries strings (markers), not EEG`);
  if (!(info.nominalSrate > 0)) throw new Error(`LSL stream "${info.name}" has an irregular sampling rate; EEG needs a fixed rate`);

  const described = describedChannels(info);
  const channelNames = Array.from({ length: info.channelCount }, (_, i) => described[i]?.label || `Ch${i + 1}`);
  const scale = Array.from({ length: info.channelCount }, (_, i) => microvoltsPer(described[i]?.unit ?? '') ?? 1);

  const unixOffsetMs = Date.now() - lslLocalClock() * 1000;
  let correction: number | null = null;
  let measuring: Promise<void> | null = null;
  const measure = (of: StreamInfo) => {
    measuring ??= measureTimeCorrection(of, { network: options.network })
      .then((estimate) => {
        if (estimate) correction = estimate.correction;
      })
      .finally(() => {
        measuring = null;
      });
    return measuring;
  };
  await measure(info);
  signal.throwIfAborted();

  let closed = false;
  let inlet: LslInlet | null = null;
  const assembler = new FrameAssembler({
    channelCount: info.channelCount,
    sampleRateHz: info.nominalSrate,
    scale,
    toUnixMs: (timestamp) => (timestamp + (correction ?? 0)) * 1000 + unixOffsetMs,
    emit: (frame) => {
      if (!closed) handlers.frame(frame);
    },
  });
  const flushTimer = setInterval(() => assembler.flush(), FLUSH_INTERVAL_MS);
  const clockTimer = setInterval(() => void measure(inlet?.info ?? info), CLOCK_REFRESH_MS);
  flushTimer.unref();
  clockTimer.unref();
  const stopTimers = () => {
    clearInterval(flushTimer);
    clearInterval(clockTimer);
  };

  try {
    inlet = await LslInlet.open(
      info,
      {
        samples: (samples) => {
          // Without time probes, the first sample's arrival is the best clock estimate we have.
          correction ??= lslLocalClock() - (samples[0]?.timestamp ?? 0);
          assembler.add(samples);
        },
        lost: () => assembler.flush(),
        recovered: (next) => {
          // A restarted outlet may be on another host: the old correction means nothing there.
          if (next.hostname !== info.hostname || next.v4address !== info.v4address) correction = null;
          void measure(next);
        },
        ended: (reason) => {
          if (closed) return;
          assembler.flush();
          closed = true;
          stopTimers();
          handlers.ended(reason);
        },
      },
      {
        network: options.network,
        knownPeers: options.knownPeers,
        recoverTimeoutMs: options.idleTimeoutMs ?? 15_000,
        stallTimeoutMs: Math.min(5000, (options.idleTimeoutMs ?? 15_000) / 2),
      },
      signal,
    );
  } catch (err) {
    stopTimers();
    throw err instanceof Error ? err : new Error(String(err));
  }

  const deviceInfo: DeviceInfo = {
    name: info.name,
    kind: 'lsl',
    id: info.sourceId || info.uid,
    channelNames,
    eegSampleRateHz: info.nominalSrate,
    ppgChannelNames: [],
    ppgSampleRateHz: 0,
    imuChannelNames: [],
    serialNumber: info.sourceId || null,
    firmwareVersion: null,
    hardwareVersion: `${info.type || 'EEG'} · ${info.channelCount}ch · ${Number(info.nominalSrate.toFixed(3))} Hz @ ${info.hostname || info.v4address}`,
    macAddress: null,
  };
  const opened = inlet;
  return {
    info: deviceInfo,
    async close() {
      if (closed) return;
      closed = true;
      stopTimers();
      await opened.close();
    },
  };
}
