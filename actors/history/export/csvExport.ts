// A recording session's raw CSV as it is on disk, up to its last complete line when the export
// began: a session still being recorded downloads as a valid CSV of what it held then.
import { createReadStream } from 'node:fs';
import { readCsvTail } from '../rawCsvEnds.ts';

export interface CsvExport {
  bytes: number;
  chunks: AsyncIterable<Buffer>;
}

export async function csvExport(file: string, signal?: AbortSignal): Promise<CsvExport> {
  const { completeBytes } = await readCsvTail(file);
  async function* chunks(): AsyncGenerator<Buffer> {
    if (completeBytes === 0) return;
    let sent = 0;
    for await (const chunk of createReadStream(file, { start: 0, end: completeBytes - 1, highWaterMark: 256 * 1024, signal }) as AsyncIterable<Buffer>) {
      sent += chunk.length;
      yield chunk;
    }
    if (sent !== completeBytes) throw new Error(`session CSV shrank during export (${sent} of ${completeBytes} bytes)`);
  }
  return { bytes: completeBytes, chunks: chunks() };
}
