// A recording session as EDF+ (EDF+C, 16-bit), streamed. Two passes over the raw CSV: the
// first (rawCsvScan.ts) finds the rows and each channel's range, which fixes the header and the
// exact file size; the second encodes 1 s data records and yields them in ~256 KiB chunks.
//
// Choices (docs/history.md): samples are written in file order as one continuous signal (gaps in
// the device stream are not represented); the sample rate is the sidecar's, else estimated
// from the CSV timestamps, rounded to whole Hz so a 1 s record holds whole samples; the last
// record is padded with 0 µV; missing values (empty CSV fields) are written as 0 µV; labels
// are "EEG <channel>" as EDF+ standard texts recommend; the start time is UTC, its sub-second
// part carried by the records' time-keeping TALs.
import path from 'node:path';
import { csvLineBatches, parseSampleRow } from './csvLines.ts';
import { DIGITAL_MAX, DIGITAL_MIN, physicalRange, toDigital, type PhysicalRange } from './edfFields.ts';
import { annotationSignal, edfHeader, timekeepingTal, type EdfSignal } from './edfHeader.ts';
import { scanRawCsv, type RawCsvScan } from './rawCsvScan.ts';

export const DEFAULT_SAMPLE_RATE_HZ = 256;
const CHUNK_BYTES = 256 * 1024;

export class EmptySessionError extends Error {}

export interface EdfPlan {
  file: string;
  scan: RawCsvScan;
  samplesPerRecord: number;
  records: number;
  ranges: PhysicalRange[];
  header: Buffer;
  /** Bytes of one data record: every channel's samples, then the annotation signal. */
  recordBytes: number;
  totalBytes: number;
  /** Sub-second part of the first sample's time, in µs: the first record's TAL onset. */
  startMicros: number;
}

/** Whole samples per second: the sidecar's rate when given, else from the CSV's timestamps. */
export function recordSampleRate(sidecarRateHz: number | null, scan: RawCsvScan): number {
  if (sidecarRateHz !== null && sidecarRateHz >= 1) return Math.round(sidecarRateHz);
  const span = (scan.lastTimestamp ?? 0) - (scan.firstTimestamp ?? 0);
  if (scan.rows >= 2 && span > 0) return Math.max(1, Math.round((scan.rows - 1) / span));
  return DEFAULT_SAMPLE_RATE_HZ;
}

export async function planEdfExport(file: string, opts: { sampleRateHz: number | null; deviceName: string | null }, signal?: AbortSignal): Promise<EdfPlan> {
  const scan = await scanRawCsv(file, signal);
  if (scan.rows === 0 || scan.firstTimestamp === null) throw new EmptySessionError('the session has no samples to export');
  const samplesPerRecord = recordSampleRate(opts.sampleRateHz, scan);
  const records = Math.ceil(scan.rows / samplesPerRecord);
  const ranges = scan.channelNames.map((_, c) => physicalRange(scan.min[c]!, scan.max[c]!));
  const startSecs = Math.floor(scan.firstTimestamp);
  const startMicros = Math.round((scan.firstTimestamp - startSecs) * 1e6) % 1_000_000;
  const lastOnset = timekeepingTal(startMicros + (records - 1) * 1e6).length - 3;
  const signals: EdfSignal[] = scan.channelNames.map((name, c) => ({
    label: `EEG ${name}`, transducer: '', physicalDimension: 'uV',
    physicalMin: ranges[c]!.minText, physicalMax: ranges[c]!.maxText,
    digitalMin: DIGITAL_MIN, digitalMax: DIGITAL_MAX, prefiltering: '', samplesPerRecord,
  }));
  signals.push(annotationSignal(Math.max(lastOnset, '+0.000000'.length)));
  const header = edfHeader({
    startMs: startSecs * 1000, records, recordSeconds: 1,
    equipment: opts.deviceName ?? 'X', recordingNote: path.basename(file, '.csv'), signals,
  });
  const recordBytes = signals.reduce((sum, s) => sum + 2 * s.samplesPerRecord, 0);
  return { file, scan, samplesPerRecord, records, ranges, header, recordBytes, totalBytes: header.length + records * recordBytes, startMicros };
}

/** The EDF file's bytes: the header, then the data records, exactly `plan.totalBytes` in all. */
export async function* edfChunks(plan: EdfPlan, signal?: AbortSignal): AsyncGenerator<Buffer> {
  yield plan.header;
  const n = plan.scan.channelNames.length;
  const spr = plan.samplesPerRecord;
  const zero = plan.ranges.map((r) => toDigital(0, r));
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / plan.recordBytes));
  const values = new Float64Array(n);
  let chunk = Buffer.alloc(perChunk * plan.recordBytes);
  let inChunk = 0; // records completed in `chunk`
  let sample = 0; // position within the current record
  let record = 0; // records completed in all

  const finishRecord = () => {
    const base = inChunk * plan.recordBytes;
    chunk.write(timekeepingTal(plan.startMicros + record * 1e6), base + n * spr * 2, 'latin1');
    inChunk++;
    record++;
    sample = 0;
  };
  const put = (c: number, v: number) => {
    const d = Number.isFinite(v) ? toDigital(v, plan.ranges[c]!) : zero[c]!;
    chunk.writeInt16LE(d, inChunk * plan.recordBytes + (c * spr + sample) * 2);
  };

  let rows = 0;
  for await (const lines of csvLineBatches(plan.file, plan.scan.completeBytes, signal)) {
    for (const line of lines) {
      if (rows === plan.scan.rows) break;
      if (parseSampleRow(line, values) === null) continue;
      rows++;
      for (let c = 0; c < n; c++) put(c, values[c]!);
      sample++;
      if (sample === spr) finishRecord();
      if (inChunk === perChunk) {
        yield chunk;
        chunk = Buffer.alloc(perChunk * plan.recordBytes);
        inChunk = 0;
      }
    }
  }
  // The file changed under the export (truncated, replaced): the promised size cannot be met.
  if (rows !== plan.scan.rows) throw new Error(`session CSV changed during export (${rows} of ${plan.scan.rows} rows read)`);
  if (sample > 0) {
    for (; sample < spr; sample++) for (let c = 0; c < n; c++) put(c, 0);
    finishRecord();
  }
  if (inChunk > 0) yield chunk.subarray(0, inChunk * plan.recordBytes);
}
