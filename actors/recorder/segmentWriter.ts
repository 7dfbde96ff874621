// Writes one recording segment: the four CSVs, the rows of the day's eeg.sqlite, and the sidecar.
// Runs on the writer thread, so its synchronous I/O never holds the event loop. Each batch is
// appended with write(2) — once it returns, the bytes are the kernel's and survive the process
// being killed — and the database rows of a batch go in one transaction.
//
// While a segment is open, `exg_<start>.recording.json` holds what the sidecar will need (device,
// channels, rates); finishing writes the sidecar atomically and removes it. A segment that never
// finished (the daemon was killed) is rebuilt from that file and the CSVs by sessionRepair.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IMU_CSV_HEADER, metricsCsvHeader, ppgCsvHeader, rawCsvHeader } from '../store/csvLayout.ts';
import { utcDayName } from '../store/dayDirs.ts';
import type { Statement } from 'better-sqlite3';
import { openDayDbForWrite, type Db } from '../store/daySchema.ts';
import { sessionPart, sessionStem, type SessionSidecar } from '../store/sessionFiles.ts';
import { writeJsonAtomic } from '../store/atomicFile.ts';
import { imuRows, metricsRow, ppgRows, sampleRows, type Vitals } from './csvRows.ts';
import type { Batch, FinishSpec, SegmentSpec, WriterTotals } from './writerProtocol.ts';

/**
 * The raw CSV path of a segment starting at `startMs`: its UTC day's folder, named by the start in
 * unix seconds, moved on by a second while the name is taken (two segments in one second).
 */
export function segmentCsvPath(dataDir: string, startMs: number, taken: (file: string) => boolean): { csvPath: string; startMs: number } {
  const dayDir = path.join(dataDir, utcDayName(startMs));
  let start = startMs;
  while (taken(path.join(dayDir, `${sessionStem(start)}.csv`))) start += 1000;
  return { csvPath: path.join(dayDir, `${sessionStem(start)}.csv`), startMs: start };
}

/** The in-progress marker next to the raw CSV. */
export const recordingMarker = (csvPath: string) => csvPath.replace(/\.csv$/, '.recording.json');

/** What the marker holds: the sidecar fields known when the segment opened. */
export type RecordingMarker = Pick<SessionSidecar,
  'csv_file' | 'session_start_utc' | 'sample_rate_hz' | 'device_name' | 'device_kind' | 'device_id' | 'channel_names' |
  'channel_count' | 'eeg_channel_count' | 'eeg_sample_rate_hz' | 'firmware_version' | 'serial_number' | 'hardware_version' |
  'mac_address' | 'ppg_channel_names' | 'imu_channel_names' | 'continues_from'>;

/** write(2) may take fewer bytes than offered (a nearly full disk); loop until all are written. */
function appendAll(fd: number, text: string): void {
  if (!text) return;
  const bytes = Buffer.from(text);
  let off = 0;
  while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

export function platformFields() {
  return { daemon: true as const, platform: process.platform, arch: os.arch() };
}

export class SegmentWriter {
  readonly csvPath: string;
  readonly totals: WriterTotals = { samples: 0, ppgSamples: 0, imuSamples: 0, snapshots: 0, epochs: 0 };
  readonly #fds: { raw: number; metrics: number; ppg: number; imu: number };
  readonly #db: Db;
  readonly #insertSnapshot: Statement<[number, string, string]>;
  readonly #insertEpoch: Statement<[number, string | null, string, string]>;
  readonly #marker: RecordingMarker;
  #vitals: Vitals | null = null;
  #lastSampleMs: number;
  #closed = false;

  constructor(readonly spec: SegmentSpec) {
    const dayDir = path.dirname(spec.csvPath);
    fs.mkdirSync(dayDir, { recursive: true, mode: 0o700 });
    this.csvPath = spec.csvPath;
    const startMs = spec.startMs;
    this.#lastSampleMs = startMs;
    const info = spec.info;
    this.#marker = {
      csv_file: this.csvPath,
      session_start_utc: Math.floor(startMs / 1000),
      sample_rate_hz: info.eegSampleRateHz,
      device_name: info.name,
      device_kind: info.kind,
      device_id: info.id ?? null,
      channel_names: [...info.channelNames],
      channel_count: info.channelNames.length,
      eeg_channel_count: info.channelNames.length,
      eeg_sample_rate_hz: info.eegSampleRateHz,
      firmware_version: info.firmwareVersion ?? null,
      serial_number: info.serialNumber ?? null,
      hardware_version: info.hardwareVersion ?? null,
      mac_address: info.macAddress ?? null,
      ppg_channel_names: [...info.ppgChannelNames],
      imu_channel_names: [...info.imuChannelNames],
      continues_from: spec.continuesFrom,
    };
    writeJsonAtomic(recordingMarker(this.csvPath), this.#marker, { mode: 0o600, dirMode: 0o700 });
    const open = (file: string, header: string) => {
      const fd = fs.openSync(file, 'a', 0o600);
      appendAll(fd, header + '\n');
      return fd;
    };
    this.#fds = {
      raw: open(this.csvPath, rawCsvHeader(info.channelNames)),
      metrics: open(sessionPart(this.csvPath, 'metrics'), metricsCsvHeader(info.channelNames)),
      ppg: open(sessionPart(this.csvPath, 'ppg'), ppgCsvHeader(info.ppgChannelNames)),
      imu: open(sessionPart(this.csvPath, 'imu'), IMU_CSV_HEADER),
    };
    this.#db = openDayDbForWrite(dayDir);
    this.#insertSnapshot = this.#db.prepare<[number, string, string]>('INSERT INTO band_snapshots (timestamp, device_name, metrics_json) VALUES (?, ?, ?)');
    this.#insertEpoch = this.#db.prepare<[number, string | null, string, string]>(
      `INSERT INTO embeddings (timestamp, device_id, device_name, hnsw_id, eeg_embedding, metrics_json) VALUES (?, ?, ?, 0, X'', ?)`,
    );
  }

  write(batch: Batch): void {
    if (this.#closed) return;
    let raw = '';
    for (const c of batch.eeg) {
      raw += sampleRows(c.t0Ms, c.rateHz, c.channels);
      const n = c.channels[0]?.length ?? 0;
      this.totals.samples += n;
      this.#lastSampleMs = Math.max(this.#lastSampleMs, c.t0Ms + ((n - 1) * 1000) / c.rateHz);
    }
    let metrics = '';
    for (const s of batch.snapshots) {
      metrics += metricsRow(s.tMs / 1000, s.channels, s.metrics);
      if (s.metrics.hr > 0) this.#vitals = s.metrics;
    }
    let ppg = '';
    for (const c of batch.ppg) {
      ppg += ppgRows(c.t0Ms, c.rateHz, c.channels, this.#vitals);
      this.#vitals = null;
      this.totals.ppgSamples += c.channels[0]?.length ?? 0;
    }
    let imu = '';
    for (const c of batch.imu) {
      imu += imuRows(c.sensor, c.t0Ms, c.rateHz, c.samples);
      this.totals.imuSamples += c.samples.length;
    }
    appendAll(this.#fds.raw, raw);
    appendAll(this.#fds.metrics, metrics);
    appendAll(this.#fds.ppg, ppg);
    appendAll(this.#fds.imu, imu);
    if (batch.snapshots.length + batch.epochs.length > 0) {
      const name = this.spec.info.name;
      const id = this.spec.info.id ?? null;
      this.#db.transaction(() => {
        for (const s of batch.snapshots) this.#insertSnapshot.run(Math.round(s.tMs), name, JSON.stringify(s.metrics));
        for (const e of batch.epochs) this.#insertEpoch.run(Math.round(e.startMs), id, name, JSON.stringify(e.metrics));
      })();
      this.totals.snapshots += batch.snapshots.length;
      this.totals.epochs += batch.epochs.length;
    }
  }

  /** Closes the files and writes the sidecar; returns its path. Safe to call once. */
  finish(f: FinishSpec): string {
    const sidecarPath = sessionPart(this.csvPath, 'sidecar');
    if (this.#closed) return sidecarPath;
    this.#closed = true;
    for (const fd of Object.values(this.#fds)) {
      try {
        fs.fsyncSync(fd);
      } catch {
        // A full or failing disk: the sidecar below still records what reached it.
      }
      fs.closeSync(fd);
    }
    this.#db.close();
    const endMs = Math.max(this.#lastSampleMs, Math.min(f.endMs, this.#lastSampleMs + 1000));
    const sidecar: SessionSidecar = {
      ...this.#marker,
      session_end_utc: Math.floor(endMs / 1000),
      session_duration_s: Math.max(0, (endMs - this.#marker.session_start_utc * 1000) / 1000),
      total_samples: this.totals.samples,
      battery_pct_end: f.batteryPct,
      channel_quality: f.channelQuality,
      ppg_total_samples: this.totals.ppgSamples,
      imu_total_samples: this.totals.imuSamples,
      ...platformFields(),
      end_reason: f.reason,
    };
    writeJsonAtomic(sidecarPath, sidecar, { mode: 0o600, dirMode: 0o700 });
    fs.rmSync(recordingMarker(this.csvPath), { force: true });
    return sidecarPath;
  }

  /** Drops everything without a sidecar (the writer failed); repair finishes it on the next start. */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fd of Object.values(this.#fds)) {
      try {
        fs.closeSync(fd);
      } catch {
        // already gone
      }
    }
    try {
      this.#db.close();
    } catch {
      // already gone
    }
  }
}
