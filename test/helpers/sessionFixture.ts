// Recording sessions on disk with known contents, for the history tests: day folders with raw
// CSVs (as the recorder formats them: timestamps with 6 decimals, µV with 4, empty fields for
// missing values), sidecars of this daemon's shape or the legacy one (numbers as strings, a
// nested `device{}`), sessions without a sidecar, a partial last line, the other session parts,
// and per-day eeg.sqlite files with 5 s epoch rows (this daemon's schema, or the reference's with
// 4 Hz band rows and 17-digit epoch timestamps in the same table). Every sample written is handed
// back so tests recompute expected values from the data, not from the code under test.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DAY_MIGRATIONS, openDayDbForWrite } from '../../actors/store/daySchema.ts';
import { utcDayName } from '../../actors/store/dayDirs.ts';
import { unixMsToCompact } from '../../actors/store/timestamps.ts';
import { seededRandom } from '../fixtures/signal/syntheticSignals.ts';

export interface SessionSpec {
  /** Unix seconds of the first sample; may carry a fraction. */
  start: number;
  rateHz?: number;
  channels?: string[];
  samples: number;
  /** `current` (default): this daemon's sidecar; `legacy`: numbers as strings, nested device; `none`. */
  sidecar?: 'current' | 'legacy' | 'none';
  /** Sidecar's sample rate when it differs from the data's (0 leaves it out). */
  sidecarRateHz?: number;
  deviceName?: string;
  prefix?: 'exg' | 'muse';
  /** Append half a line with no newline, as a crash mid-write leaves it. */
  partialLastLine?: boolean;
  /** Every n-th sample of channel 0 is left empty (a missing value). */
  missingEvery?: number;
  /** Write metrics/ppg/imu CSVs, a metrics cache and a meta.jsonl beside the raw CSV. */
  allParts?: boolean;
  /** Epoch rows in the day's eeg.sqlite, one per 5 s of the session: `current` or `legacy` schema. */
  epochs?: 'current' | 'legacy';
  /** Amplitude of the generated signal in µV (default 80). */
  amplitude?: number;
}

export interface WrittenSession {
  csvPath: string;
  day: string;
  dayDir: string;
  stem: string;
  startFileSecs: number;
  rateHz: number;
  channels: string[];
  /** Timestamps (s) as written (parsed back from their 6-decimal text). */
  times: number[];
  /** values[c][i] as written (parsed back from 4-decimal text); NaN where left empty. */
  values: number[][];
  /** First and last sample time (s). */
  firstTime: number;
  lastTime: number;
  /** Unix ms of each epoch row written. */
  epochMs: number[];
  /** Every file written for the session. */
  files: string[];
  sidecar: Record<string, unknown> | null;
}


export function writeSession(dataDir: string, spec: SessionSpec): WrittenSession {
  const rateHz = spec.rateHz ?? 256;
  const channels = spec.channels ?? ['TP9', 'AF7', 'AF8', 'TP10'];
  const amplitude = spec.amplitude ?? 80;
  const startFileSecs = Math.floor(spec.start);
  const day = utcDayName(startFileSecs * 1000);
  const dayDir = path.join(dataDir, day);
  fs.mkdirSync(dayDir, { recursive: true });
  const stem = `${spec.prefix ?? 'exg'}_${startFileSecs}`;
  const csvPath = path.join(dayDir, `${stem}.csv`);
  const random = seededRandom(startFileSecs);
  const times: number[] = [];
  const values: number[][] = channels.map(() => []);
  const lines = [['timestamp_s', ...channels].join(',')];
  for (let i = 0; i < spec.samples; i++) {
    const tText = (spec.start + i / rateHz).toFixed(6);
    times.push(Number(tText));
    const cells = [tText];
    channels.forEach((_, c) => {
      if (c === 0 && spec.missingEvery && i % spec.missingEvery === spec.missingEvery - 1) {
        values[c]!.push(NaN);
        cells.push('');
        return;
      }
      const v = amplitude * Math.sin((2 * Math.PI * (c + 1) * 3 * i) / rateHz) + (random() - 0.5) * 20 + c * 5;
      const text = v.toFixed(4);
      values[c]!.push(Number(text));
      cells.push(text);
    });
    lines.push(cells.join(','));
  }
  let text = lines.join('\n') + '\n';
  if (spec.partialLastLine) text += `${(spec.start + spec.samples / rateHz).toFixed(6)},12.3`;
  fs.writeFileSync(csvPath, text);
  const files = [csvPath];
  const firstTime = times[0] ?? spec.start;
  const lastTime = times[times.length - 1] ?? spec.start;

  let sidecar: Record<string, unknown> | null = null;
  const deviceName = spec.deviceName ?? 'Muse-S 1234';
  const sidecarRate = spec.sidecarRateHz ?? rateHz;
  if ((spec.sidecar ?? 'current') === 'current') {
    sidecar = {
      csv_file: `${stem}.csv`, session_start_utc: startFileSecs, session_end_utc: Math.floor(lastTime),
      session_duration_s: Math.floor(lastTime) - startFileSecs, total_samples: spec.samples,
      device_name: deviceName, device_kind: 'muse', device_id: 'dev-1', channel_names: channels, channel_count: channels.length,
      eeg_channel_count: channels.length, firmware_version: '1.2.3', serial_number: 'SN1', hardware_version: null,
      mac_address: null, battery_pct_end: 77, channel_quality: [], ppg_channel_names: [], imu_channel_names: [],
      ppg_total_samples: 0, imu_total_samples: 0, daemon: true, platform: 'linux', arch: 'x64', end_reason: 'disconnected',
      ...(sidecarRate ? { sample_rate_hz: sidecarRate, eeg_sample_rate_hz: sidecarRate } : {}),
    };
  } else if (spec.sidecar === 'legacy') {
    sidecar = {
      csv_file: `${stem}.csv`, session_start_utc: String(startFileSecs), session_end_utc: `${Math.floor(lastTime)}.0`,
      total_samples: String(spec.samples), ...(sidecarRate ? { sample_rate_hz: `${sidecarRate}` } : {}),
      device: { name: deviceName, id: 'AA:BB', serial_number: 'LEG-9', firmware_version: '0.9', preset: 'p21' },
      battery_pct: '55.5', avg_snr_db: 12.5,
    };
  }
  if (sidecar) {
    const p = path.join(dayDir, `${stem}.json`);
    fs.writeFileSync(p, JSON.stringify(sidecar, null, 2));
    files.push(p);
  }

  if (spec.allParts) {
    for (const [suffix, body] of [
      ['_metrics.csv', 'timestamp_s,faa\n'], ['_ppg.csv', 'timestamp_s,ambient\n'], ['_imu.csv', 'timestamp_s,accel_x\n'],
      ['_metrics_cache.json', '{}'], ['.meta.jsonl', '{"type":"location"}\n'],
    ] as const) {
      const p = path.join(dayDir, stem + suffix);
      fs.writeFileSync(p, body);
      files.push(p);
    }
  }

  const epochMs: number[] = [];
  if (spec.epochs) {
    for (let t = firstTime * 1000; t + 5000 <= lastTime * 1000 + 1000 / rateHz; t += 5000) epochMs.push(Math.round(t));
    writeEpochRows(dayDir, epochMs, deviceName, spec.epochs);
  }
  return { csvPath, day, dayDir, stem, startFileSecs, rateHz, channels, times, values, firstTime, lastTime, epochMs, files, sidecar };
}

/**
 * Epoch rows in a day's database. `legacy` writes the reference's single-table file: each epoch
 * as a 17-digit `YYYYMMDDHHmmss × 1000` row, plus four unix-ms band rows per second that are not
 * epochs and must not be counted as such.
 */
export function writeEpochRows(dayDir: string, epochMs: readonly number[], deviceName: string, era: 'current' | 'legacy'): void {
  if (era === 'current') {
    const db = openDayDbForWrite(dayDir);
    const insert = db.prepare(`INSERT INTO embeddings (timestamp, device_name, hnsw_id, eeg_embedding, metrics_json) VALUES (?, ?, 0, X'', '{}')`);
    db.transaction(() => epochMs.forEach((ms) => insert.run(ms, deviceName)))();
    db.close();
    return;
  }
  fs.mkdirSync(dayDir, { recursive: true });
  const db = new Database(path.join(dayDir, 'eeg.sqlite'));
  db.exec(DAY_MIGRATIONS[0]!);
  const insert = db.prepare(`INSERT INTO embeddings (timestamp, device_name, hnsw_id, eeg_embedding, metrics_json) VALUES (?, ?, 0, X'', '{}')`);
  db.transaction(() => {
    for (const ms of epochMs) {
      insert.run(unixMsToCompact(ms) * 1000, deviceName);
      for (let k = 0; k < 20; k++) insert.run(ms + k * 250, deviceName);
    }
  })();
  db.close();
}

/** Every file under `dir` with its size and mtime, for before/after comparisons. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out[path.relative(dir, p)] = e.isDirectory() ? 'dir' : `${st.size}:${st.mtimeMs}`;
      if (e.isDirectory()) walk(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}
