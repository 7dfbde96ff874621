// The recorder actor: the recorder statechart with its `segment` actor, and the session tap that
// feeds it. The tap turns the live session's open/close into statechart events and moves frames
// and band snapshots to the open segment (the data plane bypasses the statechart). Rollover is
// decided by the data's own timestamps: the first EEG chunk at or after UTC midnight starts the
// next day's segment, so a replayed or simulated clock rolls exactly like the real one.
import { fromCallback } from 'xstate';
import { recorderMachine, type RecorderEvent, type SegmentInput } from '../../machines/recorder.ts';
import type { SessionTap } from '../devices/liveSession.ts';
import type { DeviceInfo, EegFrame, ImuFrame, PpgFrame, SourceFrame } from '../devices/source.ts';
import type { EegBandsPayload } from '../signal/eegBandsPayload.ts';
import { nextUtcMidnight } from '../store/dayDirs.ts';
import { metricsOfSnapshot, type EpochMetrics } from '../store/epochMetrics.ts';
import { EPOCH_SECS, Epocher } from './epocher.ts';
import type { LiveEpoch } from './liveEpoch.ts';
import { SampleRing } from './sampleRing.ts';
import { RecordingWriter } from './recordingWriter.ts';

export interface RecorderDeps {
  writer: RecordingWriter;
  /** The embedding-overlap setting (seconds), read when a segment opens. */
  overlapSecs(): number;
  /** Battery and channel quality at the end of a segment, for its sidecar. */
  endState(): { batteryPct: number | null; channelQuality: string[] };
  /** The wall clock (tests pass a simulated one). */
  now?: () => number;
}

/** The open segment as the data plane sees it. */
interface OpenSegment {
  id: number;
  csvPath: string;
  info: DeviceInfo;
  ring: SampleRing;
  dayEndMs: number;
  epocher: Epocher;
}

/**
 * Raw samples of an open session that arrive while it has no segment — the recorder actor
 * restarting after a failure (backoff plus opening the next file) — are held, this many
 * milliseconds of them at most, and written into the next segment, which starts at the first one
 * held. A restart inside the supervisor's first backoffs then loses no sample; only a longer gap
 * (the recorder given up, a disk that stays full) drops the oldest held ones.
 */
export const HOLD_MS = 10_000;

type RawFrame = EegFrame | PpgFrame | ImuFrame;

/** Connects the live session to whichever recorder actor is running (it survives restarts). */
export class RecorderLink implements SessionTap {
  #segment: OpenSegment | null = null;
  #session: { target: string; info: DeviceInfo } | null = null;
  #send: ((e: RecorderEvent) => void) | null = null;
  readonly #held: RawFrame[] = [];
  #heldDropped = 0;

  constructor(
    private readonly writer: RecordingWriter,
    private readonly now: () => number = Date.now,
  ) {}

  /** The running recorder actor registers here; it is told about a session already open. */
  attach(send: (e: RecorderEvent) => void): () => void {
    this.#send = send;
    if (this.#session) send({ type: 'session.open', ...this.#session, atMs: this.#held[0]?.t0Ms ?? this.now() });
    return () => {
      if (this.#send === send) this.#send = null;
    };
  }

  setSegment(s: OpenSegment | null): void {
    this.#segment = s;
    if (s) for (const f of this.#held.splice(0)) this.frame(f);
  }

  /** Frames held while no segment was open, and those dropped because the gap outgrew HOLD_MS. */
  held(): { frames: number; dropped: number } {
    return { frames: this.#held.length, dropped: this.#heldDropped };
  }

  /** Receives every finished epoch with its samples (the encoder). */
  onEpoch: ((e: LiveEpoch) => void) | null = null;

  get segmentId(): number | null {
    return this.#segment?.id ?? null;
  }

  open(target: string, info: DeviceInfo): void {
    this.#held.length = 0;
    this.#session = { target, info };
    this.#send?.({ type: 'session.open', target, info, atMs: this.now() });
  }

  close(reason = 'disconnected'): void {
    this.#held.length = 0;
    this.#session = null;
    this.#send?.({ type: 'session.close', reason });
  }

  frame(f: SourceFrame): void {
    if (f.kind === 'eeg' && this.#segment && f.t0Ms >= this.#segment.dayEndMs) {
      this.#send?.({ type: 'segment.rollover', atMs: this.#segment.dayEndMs, from: this.#segment.csvPath });
    }
    const s = this.#segment;
    if (!s) return this.#hold(f);
    switch (f.kind) {
      case 'eeg':
        if (this.onEpoch) s.ring.push(f.t0Ms, f.channels);
        return this.writer.eeg(s.id, f);
      case 'ppg':
        return this.writer.ppg(s.id, f);
      case 'imu':
        return this.writer.imu(s.id, f);
      default:
        return;
    }
  }

  #hold(f: SourceFrame): void {
    if (!this.#session || (f.kind !== 'eeg' && f.kind !== 'ppg' && f.kind !== 'imu')) return;
    this.#held.push(f);
    while (this.#held.length > 1 && f.t0Ms - this.#held[0]!.t0Ms > HOLD_MS) {
      this.#held.shift();
      this.#heldDropped++;
    }
  }

  bands(b: EegBandsPayload): void {
    const s = this.#segment;
    if (!s) return;
    const tMs = b.timestamp * 1000;
    const metrics = metricsOfSnapshot(b);
    this.writer.snapshot(s.id, { tMs, channels: b.channels, metrics });
    for (const e of s.epocher.add(tMs, metrics)) {
      this.writer.epoch(s.id, { startMs: e.startMs, metrics: e.metrics });
      this.#emitEpoch(s, e.startMs, e.endMs, e.metrics);
    }
  }

  #emitEpoch(s: OpenSegment, startMs: number, endMs: number, metrics: EpochMetrics): void {
    if (!this.onEpoch) return;
    const rate = s.info.eegSampleRateHz;
    const channels = s.ring.slice(startMs, Math.round((rate * (endMs - startMs)) / 1000));
    // The first epoch of a session can start before the first sample; it has no full window.
    if (!channels) return;
    this.onEpoch({ startMs, endMs, channels, channelNames: s.info.channelNames, sampleRateHz: rate, metrics, deviceName: s.info.name, csvPath: s.csvPath });
  }
}

export interface Recorder {
  /** Attach to the live session. */
  link: RecorderLink;
  /** The actor logic to run under the supervisor. */
  logic: ReturnType<typeof recorderLogic>;
  writer: RecordingWriter;
}

/** Builds the recorder: writer thread, link and actor logic, with the writer's callbacks routed to the segment they concern. */
export function createRecorder(deps: Omit<RecorderDeps, 'writer'> & { dataDir: string; onRepaired(csvPaths: string[]): void }): Recorder {
  const listeners = new Map<number, (e: RecorderEvent) => void>();
  const writer = new RecordingWriter(deps.dataDir, {
    opened: (id, csvPath) => listeners.get(id)?.({ type: 'segment.opened', csvPath }),
    failed: (id, code, message) => listeners.get(id)?.({ type: 'segment.failed', code, message }),
    backlog: (behind) => {
      const id = link.segmentId;
      if (id !== null) listeners.get(id)?.({ type: 'segment.backlog', behind });
    },
    repaired: deps.onRepaired,
  });
  const link = new RecorderLink(writer, deps.now);
  const logic = recorderLogic(link, { ...deps, writer }, listeners);
  return { link, logic, writer };
}

function recorderLogic(link: RecorderLink, deps: RecorderDeps, listeners: Map<number, (e: RecorderEvent) => void>) {
  return recorderMachine.provide({
    actors: {
      sessionFeed: fromCallback<RecorderEvent>(({ sendBack }) => link.attach(sendBack)),
      segment: fromCallback<RecorderEvent, SegmentInput>(({ input, sendBack, receive }) => {
        const now = deps.now ?? Date.now;
        // Whole seconds: the file name is the start in unix seconds, and epochs are cut from it,
        // so anyone reading the files can find every epoch's boundaries.
        const startMs = Math.floor((input.startMs ?? now()) / 1000) * 1000;
        const opened = deps.writer.open({ startMs, info: input.info, continuesFrom: input.continuesFrom });
        const { id, csvPath } = opened;
        listeners.set(id, sendBack);
        const rate = input.info.eegSampleRateHz;
        // Long enough for an epoch plus the band analysis' lag behind the raw stream.
        const ring = new SampleRing(input.info.channelNames.length, rate, EPOCH_SECS * 3);
        link.setSegment({ id, csvPath, info: input.info, ring, dayEndMs: nextUtcMidnight(opened.startMs), epocher: new Epocher(opened.startMs, deps.overlapSecs()) });
        let reason = 'shutdown';
        receive((e) => {
          if (e.type === 'segment.finish') reason = e.reason;
        });
        return () => {
          listeners.delete(id);
          if (link.segmentId === id) link.setSegment(null);
          void deps.writer.finish({ id, reason, endMs: now(), ...deps.endState() });
        };
      }),
    },
  });
}
