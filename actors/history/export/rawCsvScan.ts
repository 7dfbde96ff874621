// The first pass over a raw session CSV before an export: its channels, how many sample rows
// it has, their time span and each channel's value range (for the EDF physical range). The scan
// stops at the last complete line present when it began, so a session still being recorded is
// exported as it was at that moment, and the second pass reads exactly the same rows.
import { readCsvHead, readCsvTail } from '../rawCsvEnds.ts';
import { csvLineBatches, parseSampleRow } from './csvLines.ts';

export interface RawCsvScan {
  channelNames: string[];
  /** Bytes of complete lines when the scan began: both passes read [0, completeBytes). */
  completeBytes: number;
  rows: number;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  /** Per channel, over finite values; +Infinity/−Infinity when a channel has none. */
  min: number[];
  max: number[];
}

export async function scanRawCsv(file: string, signal?: AbortSignal): Promise<RawCsvScan> {
  const { completeBytes } = await readCsvTail(file);
  const head = await readCsvHead(file);
  const channelNames = head.columns.slice(1);
  const n = channelNames.length;
  const values = new Float64Array(n);
  const min = new Array<number>(n).fill(Infinity);
  const max = new Array<number>(n).fill(-Infinity);
  let rows = 0;
  let firstTimestamp: number | null = null;
  let lastTimestamp: number | null = null;
  for await (const lines of csvLineBatches(file, completeBytes, signal)) {
    for (const line of lines) {
      const t = parseSampleRow(line, values);
      if (t === null) continue;
      rows++;
      firstTimestamp ??= t;
      lastTimestamp = t;
      for (let c = 0; c < n; c++) {
        const v = values[c]!;
        if (v < min[c]!) min[c] = v;
        if (v > max[c]!) max[c] = v;
      }
    }
  }
  return { channelNames, completeBytes, rows, firstTimestamp, lastTimestamp, min, max };
}
