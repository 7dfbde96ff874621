// Where an EEG encoder family's ONNX file lives (`<data>/models/exg/<onnx_file>`, the folder the
// weights downloader writes to) and whether the file there looks loadable.
import fs from 'node:fs';
import path from 'node:path';
import { exgWeightsDir } from '../downloads/exgWeightDownloads.ts';
import type { ExgFamily } from './exgCatalog.ts';

export function exgModelPath(dataDir: string, family: ExgFamily): string {
  return path.join(exgWeightsDir(dataDir), family.onnx_file);
}

/**
 * Present, not empty, and starting as a serialized ONNX ModelProto does: field 1 (ir_version)
 * as a varint, tag byte 0x08. A partial download is still `<file>.incomplete`, never this name.
 */
export function weightsLookLoadable(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(1);
    return fs.readSync(fd, head, 0, 1, 0) === 1 && head[0] === 0x08;
  } finally {
    fs.closeSync(fd);
  }
}
