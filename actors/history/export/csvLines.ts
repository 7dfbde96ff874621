// Complete lines of a byte range of a file, streamed in batches (one batch per read of up to
// 1 MiB), so a multi-gigabyte session is never held in memory. The range ends on a newline
// (see rawCsvEnds.ts), so nothing is left over; a trailing fragment would be ignored.
import { createReadStream } from 'node:fs';

const READ_BYTES = 1024 * 1024;

export async function* csvLineBatches(file: string, end: number, signal?: AbortSignal): AsyncGenerator<string[]> {
  if (end <= 0) return;
  const stream = createReadStream(file, { start: 0, end: end - 1, highWaterMark: READ_BYTES, signal });
  let carry = '';
  // Breaking out of this loop (the consumer stopped) destroys the stream and closes the file.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = carry + chunk.toString('latin1');
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      carry = text;
      continue;
    }
    carry = text.slice(last + 1);
    yield text.slice(0, last).split('\n');
  }
}

/**
 * Parses one raw CSV data row into `values` (µV per channel; NaN where a value is missing, as the
 * recorder writes non-finite samples as empty fields) and returns its timestamp, or null when the
 * line is not a data row (the header, a blank or broken line). Export passes share this, so they
 * agree on which lines are samples.
 */
export function parseSampleRow(line: string, values: Float64Array): number | null {
  let start = 0;
  let comma = line.indexOf(',');
  const first = comma < 0 ? line : line.slice(0, comma);
  if (first.trim() === '') return null;
  const t = Number(first);
  if (!Number.isFinite(t)) return null;
  for (let c = 0; c < values.length; c++) {
    if (comma < 0) {
      values[c] = NaN;
      continue;
    }
    start = comma + 1;
    comma = line.indexOf(',', start);
    const field = comma < 0 ? line.slice(start) : line.slice(start, comma);
    values[c] = field === '' || field === '\r' ? NaN : Number(field);
  }
  return t;
}
