// Every recording session in the data directory, read from the files themselves: one per raw
// CSV `<data>/YYYYMMDD/exg_<start>.csv` (or legacy `muse_`), described by its sidecar when there
// is one. A session without a sidecar — the one being recorded, or one a crash left unfinished —
// is listed too, its end taken from the CSV's last complete line. Directory reads are async so a
// large data directory does not hold up other requests; sidecars are a few hundred bytes each.
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { rawCsvStartSecs, readSidecar, sessionPart, type SidecarSummary } from '../store/sessionFiles.ts';
import { readCsvHead, readCsvTail } from './rawCsvEnds.ts';

export interface RecordedSession {
  csvPath: string;
  csvFile: string;
  /** The day folder, `YYYYMMDD` (UTC). */
  day: string;
  startSecs: number;
  endSecs: number;
  /** True when no sidecar gave the end, and it was read from the CSV. */
  endEstimated: boolean;
  totalSamples: number | null;
  sampleRateHz: number | null;
  channelNames: string[];
  fileSizeBytes: number;
  sidecar: SidecarSummary | null;
}

const DAY_DIR = /^\d{8}$/;

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/**
 * Sessions of the day folders `wanted` accepts (all by default), oldest first. Symlinked day
 * folders and files are skipped: nothing outside the data directory is ever listed.
 */
export async function scanRecordedSessions(dataDir: string, wanted: (day: string) => boolean = () => true): Promise<RecordedSession[]> {
  const days = (await entries(dataDir)).filter((e) => e.isDirectory() && DAY_DIR.test(e.name) && wanted(e.name)).map((e) => e.name).sort();
  const out: RecordedSession[] = [];
  for (const day of days) {
    const dayDir = path.join(dataDir, day);
    const csvs = (await entries(dayDir))
      .filter((e) => e.isFile() && rawCsvStartSecs(e.name) !== null)
      .map((e) => e.name)
      .sort((a, b) => rawCsvStartSecs(a)! - rawCsvStartSecs(b)!);
    for (const csvFile of csvs) {
      const session = await describe(path.join(dayDir, csvFile), day);
      if (session) out.push(session);
    }
  }
  return out;
}

async function describe(csvPath: string, day: string): Promise<RecordedSession | null> {
  let size: number;
  try {
    size = (await stat(csvPath)).size;
  } catch {
    return null; // deleted while the folder was being read
  }
  const sidecar = readSidecar(sessionPart(csvPath, 'sidecar'));
  const startSecs = Math.floor(sidecar?.session_start_utc ?? rawCsvStartSecs(csvPath)!);
  let endSecs = sidecar?.session_end_utc ?? null;
  const endEstimated = endSecs === null;
  if (endSecs === null) {
    const tail = await readCsvTail(csvPath).catch(() => null);
    endSecs = tail?.lastTimestamp ?? startSecs;
  }
  // Without a sidecar the CSV header still names the channels.
  const channelNames = sidecar?.channel_names.length ? sidecar.channel_names : ((await readCsvHead(csvPath).catch(() => null))?.columns.slice(1) ?? []);
  return {
    csvPath,
    csvFile: path.basename(csvPath),
    day,
    startSecs,
    endSecs: Math.max(startSecs, Math.floor(endSecs)),
    endEstimated,
    totalSamples: sidecar?.total_samples ?? null,
    sampleRateHz: sidecar?.sample_rate_hz ?? null,
    channelNames,
    fileSizeBytes: size,
    sidecar,
  };
}

/** The session containing `t` (unix s), else the one nearest to it, else null (notes §4.5). */
export function sessionAt<T extends { startSecs: number; endSecs: number }>(sessions: readonly T[], t: number): T | null {
  let best: T | null = null;
  let bestDistance = Infinity;
  for (const s of sessions) {
    const distance = t < s.startSecs ? s.startSecs - t : t > s.endSecs ? t - s.endSecs : 0;
    if (distance < bestDistance) {
      best = s;
      bestDistance = distance;
    }
  }
  return best;
}
