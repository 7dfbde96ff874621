// The raw samples of a stored epoch: which session CSV covers [start, start + 5 s), at what rate,
// and the window itself (rawCsvReader.ts).
//
// The covering file is looked for among the raw CSVs of the epoch's day folder, then of the day
// before: the reference rolled its day database at UTC midnight while a session's CSV stayed in
// the folder it started in. Several files can cover the same time (two devices recorded into one
// day folder); the one whose sidecar names the row's device wins, else the latest started.
// The rate is the sidecar's `sample_rate_hz`, else estimated from the file's first rows, else
// 256 Hz as the reference assumed.
import path from 'node:path';
import { EPOCH_SECS } from '../recorder/epocher.ts';
import { listSessionCsvs, rawCsvStartSecs, readSidecar, sessionPart } from '../store/sessionFiles.ts';
import { RawCsvReader } from './rawCsvReader.ts';

const OPEN_FILES = 8;
const FALLBACK_RATE_HZ = 256;

export type WindowFailure = 'no_raw_data' | 'incomplete' | 'unreadable';

export type EpochWindow =
  | { ok: true; channels: Float32Array[]; sampleRateHz: number; csvPath: string }
  | { ok: false; reason: WindowFailure };

interface SessionFile {
  csvPath: string;
  startSecs: number;
  deviceName: string | null;
  sidecarRateHz: number | null;
}

export class EpochWindows {
  readonly #sessions = new Map<string, SessionFile[]>();
  /** Open readers, least recently used first. */
  readonly #readers = new Map<string, RawCsvReader>();

  /** Bytes read from raw files so far. */
  get bytesRead(): number {
    let n = this.#closedBytes;
    for (const r of this.#readers.values()) n += r.bytesRead;
    return n;
  }
  #closedBytes = 0;

  async window(dayDir: string, startMs: number, deviceName: string | null): Promise<EpochWindow> {
    const start = startMs / 1000;
    const candidates = [...this.#sessionsOf(dayDir), ...this.#sessionsOf(previousDay(dayDir))]
      .filter((s) => s.startSecs <= start + 1)
      .sort((a, b) => b.startSecs - a.startSecs);
    let covering: Array<{ s: SessionFile; reader: RawCsvReader; rate: number }> = [];
    for (const s of candidates) {
      let reader: RawCsvReader;
      try {
        reader = await this.#reader(s.csvPath);
      } catch {
        continue;
      }
      const span = reader.span;
      const rate = s.sidecarRateHz ?? reader.estimatedRateHz ?? FALLBACK_RATE_HZ;
      const tol = 0.5 / rate;
      if (!span || start < span.first - tol) continue;
      if (start + EPOCH_SECS - 1 / rate > span.last + tol) {
        await reader.refresh();
        if (start + EPOCH_SECS - 1 / rate > (reader.span?.last ?? -Infinity) + tol) continue;
      }
      covering.push({ s, reader, rate });
      if (deviceName && s.deviceName === deviceName) {
        covering = [covering[covering.length - 1]!];
        break;
      }
    }
    const pick = covering[0];
    if (!pick) return { ok: false, reason: 'no_raw_data' };
    const samples = Math.round(EPOCH_SECS * pick.rate);
    try {
      const w = await pick.reader.window({ startMs, samples, sampleRateHz: pick.rate });
      if (!w.ok) return { ok: false, reason: 'incomplete' };
      return { ok: true, channels: w.channels, sampleRateHz: pick.rate, csvPath: pick.s.csvPath };
    } catch {
      return { ok: false, reason: 'unreadable' };
    }
  }

  async close(): Promise<void> {
    for (const r of this.#readers.values()) {
      this.#closedBytes += r.bytesRead;
      await r.close().catch(() => undefined);
    }
    this.#readers.clear();
    this.#sessions.clear();
  }

  #sessionsOf(dayDir: string | null): SessionFile[] {
    if (!dayDir) return [];
    let list = this.#sessions.get(dayDir);
    if (!list) {
      list = listSessionCsvs(dayDir).map((csvPath) => {
        const sidecar = readSidecar(sessionPart(csvPath, 'sidecar'));
        const rate = sidecar?.sample_rate_hz;
        return {
          csvPath,
          startSecs: rawCsvStartSecs(csvPath)!,
          deviceName: sidecar?.device_name ?? null,
          sidecarRateHz: rate && rate > 0 ? rate : null,
        };
      });
      this.#sessions.set(dayDir, list);
    }
    return list;
  }

  async #reader(csvPath: string): Promise<RawCsvReader> {
    const open = this.#readers.get(csvPath);
    if (open) {
      this.#readers.delete(csvPath);
      this.#readers.set(csvPath, open);
      return open;
    }
    const reader = await RawCsvReader.open(csvPath);
    this.#readers.set(csvPath, reader);
    if (this.#readers.size > OPEN_FILES) {
      const [oldest, r] = this.#readers.entries().next().value!;
      this.#readers.delete(oldest);
      this.#closedBytes += r.bytesRead;
      await r.close().catch(() => undefined);
    }
    return reader;
  }
}

/** The folder of the UTC day before `dayDir`'s, when its name is a day. */
function previousDay(dayDir: string): string | null {
  const name = path.basename(dayDir);
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!m) return null;
  const prev = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]! - 1)).toISOString().slice(0, 10).replace(/-/g, '');
  return path.join(path.dirname(dayDir), prev);
}
