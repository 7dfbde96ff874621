// Writes the built-in encoders with onnx-proto: `skill-spectral-v1.onnx` (EEG) and
// `skill-text-ngram-v1.onnx` (label text), into `<repo>/models/` or the folder given.
//
//   npm run build:models                 # → models/
//   node --import tsx scripts/build-encoders.ts --out <dir> [--force]
//
// The daemon does not need this step: it generates the EEG encoder into
// `<data>/models/exg/` the first time it loads it, and builds the text encoder in memory. The
// output is deterministic — the same bytes every run, printed with their sha256.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_MODELS, ensureBuiltinModel } from '../actors/embeddings/builtinModels.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function buildEncoders(outDir: string, force = false): Array<{ file: string; bytes: number; sha256: string; written: boolean }> {
  return Object.keys(BUILTIN_MODELS).map((name) => {
    const file = path.join(outDir, name);
    if (force) fs.rmSync(file, { force: true });
    const written = ensureBuiltinModel(file);
    const data = fs.readFileSync(file);
    return { file, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), written };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const outDir = path.resolve(at >= 0 && args[at + 1] ? args[at + 1]! : path.join(ROOT, 'models'));
  for (const r of buildEncoders(outDir, args.includes('--force'))) {
    process.stdout.write(`${r.written ? 'wrote' : 'kept '} ${r.file} (${r.bytes} bytes, sha256 ${r.sha256})\n`);
  }
}
