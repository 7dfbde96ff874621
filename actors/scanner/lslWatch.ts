// The scanner's LSL watch: the EEG streams on the network (the same discovery as
// `GET /v1/lsl/discover`), looked for now and every `everyMs`, each listed as `lsl:<stream name>`
// (the target that opens it). Only signal streams are listed (type EEG, ExG or biosignal, the
// ones a bare `lsl` target would take), not markers or other data. Discovery is UDP, so one
// lost reply must not make a stream flicker: a stream stays listed until it has been missing
// for `staleAfterSecs`.
import { fromCallback } from 'xstate';
import type { DiscoveredLslStream } from '../devices/lsl/lslSource.ts';
import type { ScannerEvent } from '../../machines/scanner.ts';
import { sameDevices, type DiscoveredDevice } from './discoveredDevice.ts';

export const LSL_WATCH_EVERY_MS = 5_000;
/** How long one look listens for replies. */
export const LSL_LOOK_MS = 1_000;
export const LSL_STALE_AFTER_SECS = 15;

const SIGNAL_TYPES = new Set(['eeg', 'exg', 'biosignal']);

export function isSignalStream(s: DiscoveredLslStream): boolean {
  return SIGNAL_TYPES.has(s.stream_type.trim().toLowerCase());
}

export interface LslWatchDeps {
  discover(timeoutMs: number): Promise<DiscoveredLslStream[]>;
  everyMs: number;
  lookMs: number;
  staleAfterSecs: number;
  now: () => number;
}

export function lslWatch(deps: LslWatchDeps) {
  return fromCallback<ScannerEvent>(({ sendBack }) => {
    let stopped = false;
    let busy = false;
    const seen = new Map<string, DiscoveredDevice>();
    let reported: DiscoveredDevice[] = [];
    const look = async () => {
      if (busy) return;
      busy = true;
      try {
        const streams = await deps.discover(deps.lookMs);
        const nowSecs = Math.floor(deps.now() / 1000);
        for (const s of streams.filter(isSignalStream)) {
          const id = `lsl:${s.name}`;
          seen.set(id, { id, name: s.name, last_seen: nowSecs, last_rssi: null, transport: 'lsl' });
        }
        for (const [id, d] of seen) if (nowSecs - d.last_seen > deps.staleAfterSecs) seen.delete(id);
        const devices = [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
        if (stopped || sameDevices(devices, reported)) return;
        reported = devices;
        sendBack({ type: 'scanner.found', transport: 'lsl', devices });
      } catch {
        // A failed look (a socket error) changes nothing; the next one tries again.
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void look(), deps.everyMs);
    void look();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  });
}
