// The first and last lines of a session CSV, read without reading the file: a session can be
// gigabytes, and one still being recorded (or cut short by a crash) has no sidecar to say when
// it ended, so its end is the timestamp of its last complete line. A line is complete once its
// newline is on disk; whatever follows the last newline is a line still being written.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

const WINDOW = 64 * 1024;
/** Past this a "line" is not a CSV row: stop looking rather than read the file. */
const MAX_LINE = 4 * 1024 * 1024;
/** How many complete lines from the end may be unreadable before giving up on a timestamp. */
const LINES_TRIED = 8;

export interface CsvTail {
  /** File size when read. */
  size: number;
  /** Bytes up to and including the last newline. */
  completeBytes: number;
  /** First field of the last complete line that starts with a number; null when there is none. */
  lastTimestamp: number | null;
}

export interface CsvHead {
  columns: string[];
  /** Bytes of the header line, newline included; 0 when the file has no complete line. */
  headerBytes: number;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** A data row's timestamp (its first field), or null for a header or a broken line. */
export function leadingTimestamp(line: string): number | null {
  const comma = line.indexOf(',');
  const field = (comma < 0 ? line : line.slice(0, comma)).trim();
  if (field === '') return null;
  const t = Number(field);
  return Number.isFinite(t) ? t : null;
}

export async function readCsvTail(file: string): Promise<CsvTail> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    for (let window = Math.min(size, WINDOW); ; window = Math.min(size, window * 4)) {
      const from = size - window;
      const buf = await readAt(fh, from, window);
      const lastNewline = buf.lastIndexOf(10);
      if (lastNewline >= 0) {
        const lines = buf.subarray(0, lastNewline).toString('latin1').split('\n');
        // The window's first line may begin before the window: it is whole only at offset 0.
        const whole = from === 0 ? lines : lines.slice(1);
        let lastTimestamp: number | null = null;
        for (let i = whole.length - 1; i >= Math.max(0, whole.length - LINES_TRIED) && lastTimestamp === null; i--) {
          lastTimestamp = leadingTimestamp(whole[i]!);
        }
        return { size, completeBytes: from + lastNewline + 1, lastTimestamp };
      }
      if (from === 0 || window >= MAX_LINE) return { size, completeBytes: 0, lastTimestamp: null };
    }
  } finally {
    await fh.close();
  }
}

export async function readCsvHead(file: string): Promise<CsvHead> {
  const fh = await open(file, 'r');
  try {
    const buf = await readAt(fh, 0, WINDOW);
    const newline = buf.indexOf(10);
    if (newline < 0) return { columns: [], headerBytes: 0 };
    const line = buf.subarray(0, newline).toString('latin1').replace(/\r$/, '');
    return { columns: line.split(',').map((c) => c.trim()), headerBytes: newline + 1 };
  } finally {
    await fh.close();
  }
}
