// The files of one recording session inside a day folder (notes §4.1, §4.3, §4.4):
//   exg_<startUnixSecs>.csv          raw EEG, µV
//   exg_<start>_metrics.csv          ~4 Hz band/metric rows
//   exg_<start>_ppg.csv, _imu.csv    PPG and IMU samples
//   exg_<start>.json                 the sidecar, written when the session ends (or by repair)
// Readers also recognise the legacy `muse_` prefix.
import fs from 'node:fs';
import path from 'node:path';

export type SessionPart = 'raw' | 'metrics' | 'ppg' | 'imu' | 'sidecar';

const SUFFIX: Record<SessionPart, string> = {
  raw: '.csv',
  metrics: '_metrics.csv',
  ppg: '_ppg.csv',
  imu: '_imu.csv',
  sidecar: '.json',
};

const RAW_CSV = /^(exg|muse)_(\d+)\.csv$/;

export function sessionStem(startMs: number): string {
  return `exg_${Math.floor(startMs / 1000)}`;
}

/** Path of one part of the session whose raw CSV is `csvPath`. */
export function sessionPart(csvPath: string, part: SessionPart): string {
  return csvPath.replace(/\.csv$/, '') + SUFFIX[part];
}

/** Session start (unix s) encoded in a raw CSV name, or null when the name is not a raw session CSV. */
export function rawCsvStartSecs(file: string): number | null {
  const m = RAW_CSV.exec(path.basename(file));
  return m ? Number(m[2]) : null;
}

/** Raw session CSVs of one day folder, oldest first. */
export function listSessionCsvs(dayDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dayDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => RAW_CSV.test(n))
    .sort((a, b) => rawCsvStartSecs(a)! - rawCsvStartSecs(b)!)
    .map((n) => path.join(dayDir, n));
}

/** The sidecar as this daemon writes it: the reference's fields plus `end_reason`, `recovered` and `continues_from`. */
export interface SessionSidecar {
  csv_file: string;
  session_start_utc: number;
  session_end_utc: number;
  session_duration_s: number;
  total_samples: number;
  sample_rate_hz: number;
  device_name: string;
  device_kind: string;
  device_id: string | null;
  channel_names: string[];
  channel_count: number;
  eeg_channel_count: number;
  eeg_sample_rate_hz: number;
  firmware_version: string | null;
  serial_number: string | null;
  hardware_version: string | null;
  mac_address: string | null;
  battery_pct_end: number | null;
  channel_quality: string[];
  ppg_channel_names: string[];
  imu_channel_names: string[];
  ppg_total_samples: number;
  imu_total_samples: number;
  daemon: true;
  platform: string;
  arch: string;
  /** Why the session ended: "disconnected", "cancelled", "day_rollover", "shutdown", "recovered". */
  end_reason: string;
  /** Set when the daemon stopped without finishing the session and the next start rebuilt this sidecar. */
  recovered?: boolean;
  /**
   * Raw CSV of the segment this one continues: a session crossing UTC midnight is split into one
   * segment per day folder, and recording resumes in a new segment after a disk error.
   */
  continues_from?: string | null;
}

/** A sidecar of any era, its numeric fields read from ints, floats or strings (notes §4.4). */
export interface SidecarSummary {
  session_start_utc: number | null;
  session_end_utc: number | null;
  total_samples: number | null;
  sample_rate_hz: number | null;
  device_name: string | null;
  channel_names: string[];
  raw: Record<string, unknown>;
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** Reads a sidecar tolerantly; null when missing or not a JSON object. */
export function readSidecar(file: string): SidecarSummary | null {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const device = (r.device && typeof r.device === 'object' ? r.device : {}) as Record<string, unknown>;
  const name = r.device_name ?? device.name;
  return {
    session_start_utc: num(r.session_start_utc),
    session_end_utc: num(r.session_end_utc),
    total_samples: num(r.total_samples),
    sample_rate_hz: num(r.sample_rate_hz ?? r.eeg_sample_rate_hz),
    device_name: typeof name === 'string' ? name : null,
    channel_names: Array.isArray(r.channel_names) ? r.channel_names.map(String) : [],
    raw: r,
  };
}
