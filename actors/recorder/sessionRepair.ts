// Finishes the sessions a killed daemon left behind (run by the writer thread before it accepts a
// segment). A segment without a sidecar gets: every CSV cut back to its last complete line, and
// a sidecar rebuilt from its `.recording.json` marker and what the raw CSV holds (samples, first
// and last timestamps), marked `recovered: true`. SQLite needs nothing: WAL replays on open.
import fs from 'node:fs';
import { listDayDirs } from '../store/dayDirs.ts';
import { listSessionCsvs, sessionPart, type SessionSidecar } from '../store/sessionFiles.ts';
import { writeJsonAtomic } from '../store/atomicFile.ts';
import { platformFields, recordingMarker, type RecordingMarker } from './segmentWriter.ts';

const CHUNK = 1 << 20;

/** Cuts a file back to just after its last newline; returns the number of bytes removed. */
export function truncatePartialLine(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return 0;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(CHUNK, size));
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = fs.readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        const keep = start + nl + 1;
        if (keep < size) fs.ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    fs.ftruncateSync(fd, 0);
    return size;
  } finally {
    fs.closeSync(fd);
  }
}

export interface CsvExtent {
  rows: number;
  firstS: number | null;
  lastS: number | null;
}

/** Data rows (after the header) and the first and last timestamps, in one streaming pass. */
export function csvExtent(file: string): CsvExtent {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { rows: 0, firstS: null, lastS: null };
  }
  const buf = Buffer.alloc(CHUNK);
  let lines = 0;
  let carry = '';
  let firstS: number | null = null;
  let lastLine = '';
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      for (let i = 0; i < n; i++) if (buf[i] === 0x0a) lines++;
      // Only the head (second line) and the tail (last line) are parsed.
      const text = carry + buf.toString('latin1', 0, n);
      const lastNl = text.lastIndexOf('\n');
      if (firstS === null) {
        const rows = text.slice(0, lastNl + 1).split('\n');
        if (rows.length > 2) firstS = parseFloat(rows[1]!.split(',', 1)[0]!);
      }
      if (lastNl >= 0) {
        const before = text.lastIndexOf('\n', lastNl - 1);
        lastLine = text.slice(before + 1, lastNl);
      }
      carry = text.slice(lastNl + 1).slice(-4096);
    }
  } finally {
    fs.closeSync(fd);
  }
  const rows = Math.max(0, lines - 1);
  const lastS = rows > 0 ? parseFloat(lastLine.split(',', 1)[0]!) : null;
  return { rows, firstS: rows > 0 && Number.isFinite(firstS) ? firstS : null, lastS: lastS !== null && Number.isFinite(lastS) ? lastS : null };
}

function readMarker(csvPath: string): RecordingMarker | null {
  try {
    return JSON.parse(fs.readFileSync(recordingMarker(csvPath), 'utf8')) as RecordingMarker;
  } catch {
    return null;
  }
}

/** Rebuilds the sidecar of one unfinished segment. */
export function repairSegment(csvPath: string, startS: number): void {
  for (const part of ['raw', 'metrics', 'ppg', 'imu'] as const) truncatePartialLine(part === 'raw' ? csvPath : sessionPart(csvPath, part));
  const raw = csvExtent(csvPath);
  const marker = readMarker(csvPath);
  const header = (fs.readFileSync(csvPath, 'latin1').slice(0, 65536).split('\n', 1)[0] ?? '').split(',').slice(1);
  const channelNames = marker?.channel_names ?? header;
  const estimatedRate = raw.rows > 1 && raw.firstS !== null && raw.lastS !== null && raw.lastS > raw.firstS ? (raw.rows - 1) / (raw.lastS - raw.firstS) : 0;
  const rate = marker?.sample_rate_hz ?? Math.round(estimatedRate);
  const start = marker?.session_start_utc ?? startS;
  const endS = raw.lastS ?? start;
  const sidecar: SessionSidecar = {
    csv_file: csvPath,
    session_start_utc: start,
    session_end_utc: Math.floor(endS),
    session_duration_s: Math.max(0, endS - start),
    total_samples: raw.rows,
    sample_rate_hz: rate,
    device_name: marker?.device_name ?? 'unknown',
    device_kind: marker?.device_kind ?? 'unknown',
    device_id: marker?.device_id ?? null,
    channel_names: channelNames,
    channel_count: channelNames.length,
    eeg_channel_count: channelNames.length,
    eeg_sample_rate_hz: rate,
    firmware_version: marker?.firmware_version ?? null,
    serial_number: marker?.serial_number ?? null,
    hardware_version: marker?.hardware_version ?? null,
    mac_address: marker?.mac_address ?? null,
    battery_pct_end: null,
    channel_quality: [],
    ppg_channel_names: marker?.ppg_channel_names ?? [],
    imu_channel_names: marker?.imu_channel_names ?? [],
    ppg_total_samples: csvExtent(sessionPart(csvPath, 'ppg')).rows,
    imu_total_samples: csvExtent(sessionPart(csvPath, 'imu')).rows,
    ...platformFields(),
    end_reason: 'recovered',
    recovered: true,
    continues_from: marker?.continues_from ?? null,
  };
  writeJsonAtomic(sessionPart(csvPath, 'sidecar'), sidecar, { mode: 0o600, dirMode: 0o700 });
  fs.rmSync(recordingMarker(csvPath), { force: true });
}

/** Raw CSVs of segments a killed run left without their sidecar (the ones repair finishes). */
function* unfinishedSessions(dataDir: string): Generator<string> {
  for (const day of listDayDirs(dataDir)) {
    for (const csv of listSessionCsvs(day)) if (!fs.existsSync(sessionPart(csv, 'sidecar'))) yield csv;
  }
}

/** Whether any segment needs repair: a directory listing, cheap enough for the main thread at start-up. */
export function hasUnfinishedSessions(dataDir: string): boolean {
  return !unfinishedSessions(dataDir).next().done;
}

/** Repairs every unfinished segment under the data directory; returns their raw CSV paths. */
export function repairUnfinishedSessions(dataDir: string): string[] {
  const repaired: string[] = [];
  for (const csv of unfinishedSessions(dataDir)) {
    repairSegment(csv, Number(/_(\d+)\.csv$/.exec(csv)?.[1] ?? 0));
    repaired.push(csv);
  }
  return repaired;
}
