// The rows the history routes answer with. The reference's `GET /v1/history/sessions` fields
// (notes §4.5: csv_path, session_start_utc, session_end_utc, device_name, total_samples,
// start_utc, end_utc, n_epochs, day) and its local-day entries' fields (csv_file,
// session_duration_s, sample_rate_hz, file_size_bytes, device details) share one row, so either
// kind of client finds what it reads.
//
// start_utc/end_utc/n_epochs come from the session's 5 s epoch rows in the day's eeg.sqlite:
// the first and last epoch timestamps and their count. A session with no epoch rows (too short,
// or recorded before epochs were stored) keeps its own start and end there, with n_epochs 0.
import path from 'node:path';
import { epochSpans } from './epochSpans.ts';
import type { RecordedSession } from './recordedSessions.ts';

export interface SessionSummary {
  csv_file: string;
  csv_path: string;
  day: string;
  session_start_utc: number;
  session_end_utc: number;
  session_duration_s: number;
  /** True when the session has no sidecar yet and its end was read from the CSV. */
  end_estimated: boolean;
  device_name: string | null;
  device_id: string | null;
  serial_number: string | null;
  mac_address: string | null;
  firmware_version: string | null;
  hardware_version: string | null;
  headset_preset: string | null;
  battery_pct: number | null;
  avg_snr_db: number | null;
  total_samples: number | null;
  sample_rate_hz: number | null;
  channel_names: string[];
  file_size_bytes: number;
  start_utc: number;
  end_utc: number;
  n_epochs: number;
}

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
const number = (v: unknown) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** A sidecar field, flat or inside the legacy nested `device{}` object. */
function deviceField(raw: Record<string, unknown> | undefined, flat: string, nested: string): string | null {
  if (!raw) return null;
  const device = raw.device && typeof raw.device === 'object' ? (raw.device as Record<string, unknown>) : {};
  return text(device[nested]) ?? text(raw[flat]);
}

/** Summaries, newest first, joined with the epoch rows of each session's day database. */
export function summarize(sessions: readonly RecordedSession[], dataDir: string): SessionSummary[] {
  const byDay = new Map<string, RecordedSession[]>();
  for (const s of sessions) {
    const list = byDay.get(s.day);
    if (list) list.push(s);
    else byDay.set(s.day, [s]);
  }
  const out: SessionSummary[] = [];
  for (const [day, list] of byDay) {
    // Epoch timestamps carry milliseconds; the session end is whole seconds, rounded down.
    const spans = epochSpans(path.join(dataDir, day), list.map((s) => [s.startSecs, s.endSecs + 0.999] as const));
    list.forEach((s, i) => {
      const span = spans[i]!;
      const raw = s.sidecar?.raw;
      out.push({
        csv_file: s.csvFile,
        csv_path: s.csvPath,
        day: s.day,
        session_start_utc: s.startSecs,
        session_end_utc: s.endSecs,
        session_duration_s: s.endSecs - s.startSecs,
        end_estimated: s.endEstimated,
        device_name: s.sidecar?.device_name ?? span.deviceName,
        device_id: deviceField(raw, 'device_id', 'id'),
        serial_number: deviceField(raw, 'serial_number', 'serial_number'),
        mac_address: deviceField(raw, 'mac_address', 'mac_address'),
        firmware_version: deviceField(raw, 'firmware_version', 'firmware_version'),
        hardware_version: deviceField(raw, 'hardware_version', 'hardware_version'),
        headset_preset: deviceField(raw, 'headset_preset', 'preset'),
        battery_pct: number(raw?.battery_pct_end ?? raw?.battery_pct),
        avg_snr_db: number(raw?.avg_snr_db),
        total_samples: s.totalSamples,
        sample_rate_hz: s.sampleRateHz,
        channel_names: s.channelNames,
        file_size_bytes: s.fileSizeBytes,
        start_utc: span.firstSecs ?? s.startSecs,
        end_utc: span.lastSecs ?? s.endSecs,
        n_epochs: span.n,
      });
    });
  }
  return out.sort((a, b) => b.session_start_utc - a.session_start_utc || b.csv_path.localeCompare(a.csv_path));
}
