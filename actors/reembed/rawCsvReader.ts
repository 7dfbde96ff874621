// Reads 5 s windows out of a raw session CSV (`timestamp_s,<channel>…`, µV) without loading the
// file: raw files of long sessions run to gigabytes, and the reference's "load every row, cap at
// 4 M" both used that memory and cut long sessions short.
//
// Each open file keeps an index of row offsets: (byte offset of a row start, its time) points,
// seeded with the first and last complete rows. Finding a time bisects the bytes between the
// nearest known points, reading a few KiB at each probe and remembering every row it lands on,
// until less than SCAN_BYTES remain; then the window is read forwards from there. Epochs are
// filled oldest first, so the end of one window is remembered as the start of the next and a
// whole session reads each byte about once. All reads are asynchronous (the thread pool's), in
// chunks; parsing a window (~1,300 rows at 256 Hz) takes well under a millisecond.
//
// Timestamps below 1e9 are a device's relative clock, as some reference files have (notes §13.11):
// they are taken as seconds since the start in the file name.
import fs from 'node:fs/promises';
import { rawCsvStartSecs } from '../store/sessionFiles.ts';
import { parseDecimal } from './decimalField.ts';

/** Below this many bytes between known points the rest is read forwards instead of bisected. */
const SCAN_BYTES = 32 * 1024;
const CHUNK_BYTES = 32 * 1024;
const PROBE_BYTES = 8 * 1024;
/** Largest single read of a window. */
const MAX_READ_BYTES = 4 * 1024 * 1024;
const RELATIVE_CLOCK_LIMIT = 1e9;
/** Points kept per file; past this only bisection probes are added. */
const MAX_POINTS = 200_000;

interface Point {
  offset: number;
  t: number;
}

interface Row {
  offset: number;
  t: number;
  values: number[];
}

export interface WindowSpec {
  /** Unix ms of the window's first sample. */
  startMs: number;
  /** Samples per channel wanted. */
  samples: number;
  /** Sample rate the window is cut at (sidecar or estimate). */
  sampleRateHz: number;
  /** Largest dropout tolerated inside the window, seconds. */
  maxGapSecs?: number;
}

export type WindowResult =
  | { ok: true; channels: Float32Array[] }
  | { ok: false; reason: 'before_start' | 'after_end' | 'incomplete' };

export class RawCsvReader {
  /** Bytes read from disk so far (index probes and windows). */
  bytesRead = 0;
  #points: Point[] = [];
  #size = 0;
  #dataStart = 0;
  #timeOffset = 0;
  #channelNames: string[] = [];
  #estimatedRateHz: number | null = null;
  #lastT = -Infinity;

  private constructor(
    readonly file: string,
    private readonly fh: fs.FileHandle,
  ) {}

  static async open(file: string): Promise<RawCsvReader> {
    const fh = await fs.open(file, 'r');
    const reader = new RawCsvReader(file, fh);
    try {
      await reader.#readHead();
      await reader.refresh();
    } catch (err) {
      await fh.close();
      throw err;
    }
    return reader;
  }

  get channelNames(): string[] {
    return this.#channelNames;
  }

  /** Unix s of the first and last complete rows; null for a file without rows. */
  get span(): { first: number; last: number } | null {
    const first = this.#points[0];
    return first && Number.isFinite(this.#lastT) ? { first: first.t, last: this.#lastT } : null;
  }

  /** The rate the first rows were written at, when there are enough of them to tell. */
  get estimatedRateHz(): number | null {
    return this.#estimatedRateHz;
  }

  /** Size the index was built for. */
  get size(): number {
    return this.#size;
  }

  /** Picks up rows appended since the file was opened (a session still recording). */
  async refresh(): Promise<void> {
    const { size } = await this.fh.stat();
    if (size === this.#size && Number.isFinite(this.#lastT)) return;
    this.#size = size;
    const from = Math.max(this.#dataStart, size - CHUNK_BYTES);
    const text = await this.#read(from, size - from);
    const lines = completeLines(text, from, from === this.#dataStart);
    for (let i = lines.length - 1; i >= 0; i--) {
      const row = this.#parse(lines[i]!.text, lines[i]!.offset);
      if (row) {
        this.#lastT = row.t;
        this.#addPoint(row);
        return;
      }
    }
  }

  /**
   * `samples` values per channel: the rows from the first at or after `startMs` (within half a
   * sample), in file order. Incomplete when the file ends first or the rows run more than
   * `maxGapSecs` past the window's end (a dropout inside it). Empty cells repeat the channel's
   * previous value (0 at the start).
   */
  async window(spec: WindowSpec): Promise<WindowResult> {
    const start = spec.startMs / 1000;
    const tol = 0.5 / spec.sampleRateHz;
    const end = start + spec.samples / spec.sampleRateHz;
    const limit = end + (spec.maxGapSecs ?? 1);
    const first = this.#points[0];
    if (!first || start < first.t - tol) return { ok: false, reason: 'before_start' };
    if (end - 1 / spec.sampleRateHz > this.#lastT + tol) await this.refresh();
    if (end - 1 / spec.sampleRateHz > this.#lastT + tol) return { ok: false, reason: 'after_end' };

    const from = await this.#locate(start - tol);
    const nch = this.#channelNames.length;
    const channels = this.#channelNames.map(() => new Float32Array(spec.samples));
    const previous = new Float64Array(nch);
    let n = 0;
    let offset = from;
    let last: Point | null = null;
    // Reads sized to the window (wide montages run to megabytes per 5 s), in a few reads.
    const span = this.span;
    const perSample = span && span.last > span.first ? (this.#size - this.#dataStart) / ((span.last - span.first) * spec.sampleRateHz) : 0;
    const readBytes = Math.min(MAX_READ_BYTES, Math.max(CHUNK_BYTES, Math.ceil(perSample * spec.samples * 1.05) + PROBE_BYTES));
    while (n < spec.samples && offset < this.#size) {
      const text = await this.#read(offset, Math.min(readBytes, this.#size - offset));
      // Rows are scanned in place: the time first, the values only of rows inside the window.
      let pos = 0;
      for (let nl = text.indexOf('\n'); nl >= 0 && n < spec.samples; nl = text.indexOf('\n', pos)) {
        const lineStart = pos;
        pos = nl + 1;
        const lineEnd = text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        let comma = text.indexOf(',', lineStart);
        if (comma < 0 || comma > lineEnd) comma = lineEnd;
        const raw = parseDecimal(text, lineStart, comma);
        if (Number.isNaN(raw)) continue;
        const t = raw + this.#timeOffset;
        if (t < start - tol) continue;
        if (t >= limit) return { ok: false, reason: 'incomplete' };
        let cell = comma + 1;
        for (let c = 0; c < nch; c++) {
          let next = cell <= lineEnd ? text.indexOf(',', cell) : -1;
          if (next < 0 || next > lineEnd) next = lineEnd;
          const v = cell <= lineEnd ? parseDecimal(text, cell, next) : NaN;
          const value = Number.isNaN(v) ? previous[c]! : v;
          channels[c]![n] = value;
          previous[c] = value;
          cell = next + 1;
        }
        last = { offset: offset + lineStart, t };
        n++;
      }
      if (pos === 0) break; // a row longer than a chunk: not a raw EEG file
      offset += pos;
    }
    if (last && this.#points.length < MAX_POINTS) this.#addPoint(last);
    return n === spec.samples ? { ok: true, channels } : { ok: false, reason: 'incomplete' };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  async #readHead(): Promise<void> {
    const text = await this.#read(0, CHUNK_BYTES);
    const nl = text.indexOf('\n');
    if (nl < 0) throw new Error(`${this.file}: no header line`);
    // Text is decoded byte for byte (latin1) so string positions are file offsets; only the
    // header may hold non-ASCII names, so it alone is decoded as UTF-8.
    const header = Buffer.from(text.slice(0, nl), 'latin1').toString('utf8').replace(/\r$/, '').split(',');
    this.#channelNames = header.slice(1);
    this.#dataStart = nl + 1;
    const lines = completeLines(text.slice(nl + 1), this.#dataStart, true);
    const rows: Row[] = [];
    for (const line of lines) {
      const row = this.#parseRaw(line.text, line.offset);
      if (row) rows.push(row);
    }
    const firstRow = rows[0];
    if (!firstRow) return;
    // A relative device clock counts from the start in the file name.
    if (firstRow.t < RELATIVE_CLOCK_LIMIT) this.#timeOffset = rawCsvStartSecs(this.file) ?? 0;
    for (const r of rows) r.t += this.#timeOffset;
    this.#addPoint(firstRow);
    this.#estimatedRateHz = estimateRate(rows.slice(0, 1024).map((r) => r.t));
  }

  /**
   * Offset of a row at or before time `t` from which reading forwards reaches `t` within about
   * SCAN_BYTES. Probes alternate between interpolating by time (rows are evenly spaced, so one
   * or two usually land just before `t`) and halving (so an uneven file still takes log steps).
   */
  async #locate(t: number): Promise<number> {
    let i = this.#lastPointAtOrBefore(t);
    let lo = this.#points[i]!;
    let hi = this.#points[i + 1]?.offset ?? this.#size;
    let hiT = this.#points[i + 1]?.t ?? this.#lastT;
    const span = this.span;
    const bytesPerSec = span && span.last > span.first ? (this.#size - this.#dataStart) / (span.last - span.first) : Infinity;
    for (let step = 0; hi - lo.offset > SCAN_BYTES && (t - lo.t) * bytesPerSec > SCAN_BYTES / 2; step++) {
      const guess = step % 2 === 0 && hiT > lo.t
        ? lo.offset + ((t - lo.t) / (hiT - lo.t)) * (hi - lo.offset) - SCAN_BYTES / 4
        : (lo.offset + hi) / 2;
      const mid = Math.floor(Math.min(hi - 1, Math.max(lo.offset + 1, guess)));
      const row = await this.#rowAfter(mid, hi);
      if (!row) {
        hi = mid + 1;
        continue;
      }
      if (this.#points.length < MAX_POINTS) this.#addPoint(row);
      if (row.t <= t) lo = row;
      else {
        hi = row.offset;
        hiT = row.t;
      }
    }
    i = this.#lastPointAtOrBefore(t);
    return Math.max(lo.offset, this.#points[i]!.offset);
  }

  /** The first complete row starting after `pos` and before `bound`, or null. */
  async #rowAfter(pos: number, bound: number): Promise<Row | null> {
    for (let bytes = PROBE_BYTES; ; bytes *= 4) {
      const length = Math.min(bytes, this.#size - pos);
      if (length <= 0) return null;
      const text = await this.#read(pos, length);
      const nl = text.indexOf('\n');
      const next = nl < 0 ? -1 : text.indexOf('\n', nl + 1);
      if (next >= 0) {
        const offset = pos + nl + 1;
        if (offset >= bound) return null;
        return this.#parse(text.slice(nl + 1, next), offset);
      }
      if (pos + length >= this.#size) return null;
    }
  }

  #lastPointAtOrBefore(t: number): number {
    let lo = 0, hi = this.#points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#points[mid]!.t <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #addPoint(p: Point): void {
    const pts = this.#points;
    let lo = 0, hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]!.offset < p.offset) lo = mid + 1;
      else hi = mid;
    }
    if (pts[lo]?.offset === p.offset) return;
    pts.splice(lo, 0, { offset: p.offset, t: p.t });
  }

  #parse(text: string, offset: number): Row | null {
    const row = this.#parseRaw(text, offset);
    if (row) row.t += this.#timeOffset;
    return row;
  }

  #parseRaw(text: string, offset: number): Row | null {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    const cells = line.split(',');
    const t = parseDecimal(cells[0]!, 0, cells[0]!.length);
    if (!Number.isFinite(t)) return null;
    const values = new Array<number>(cells.length - 1);
    for (let c = 1; c < cells.length; c++) values[c - 1] = parseDecimal(cells[c]!, 0, cells[c]!.length);
    return { offset, t, values };
  }

  async #read(position: number, length: number): Promise<string> {
    if (length <= 0) return '';
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.fh.read(buf, 0, length, position);
    this.bytesRead += bytesRead;
    return buf.toString('latin1', 0, bytesRead);
  }
}

/**
 * The complete lines of a chunk read at `base`, with the offset each starts at. The first line is
 * dropped unless the chunk starts at a row boundary; text after the last newline is left for the
 * next read (or is a row still being written).
 */
function completeLines(text: string, base: number, startsAtRow: boolean): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  let pos = 0;
  if (!startsAtRow) {
    const nl = text.indexOf('\n');
    if (nl < 0) return out;
    pos = nl + 1;
  }
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return out;
    if (nl > pos) out.push({ text: text.slice(pos, nl), offset: base + pos });
    pos = nl + 1;
  }
}

/** Rows per second over the given times, snapped to a whole rate within 0.5 %; null with too few. */
export function estimateRate(times: number[]): number | null {
  if (times.length < 16) return null;
  const span = times[times.length - 1]! - times[0]!;
  if (!(span > 0)) return null;
  const rate = (times.length - 1) / span;
  const whole = Math.round(rate);
  return Math.abs(rate - whole) <= 0.005 * rate ? whole : Math.round(rate * 100) / 100;
}
