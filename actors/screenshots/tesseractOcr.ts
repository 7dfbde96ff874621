// OCR with Tesseract (Debian `tesseract-ocr`), run as a child process so recognition never holds
// the event loop. It reads the full-resolution capture, not the downscaled WebP, because small
// screen text is lost to scaling and WebP artefacts.
import { execFile } from 'node:child_process';

const OCR_TIMEOUT_MS = 60_000;

export interface OcrAvailability {
  available: boolean;
  version: string | null;
  /** Why not, fit to show a user; null when available. */
  reason: string | null;
}

function run(args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // One OpenMP thread: a screenshot a few seconds apart does not need both cores of a laptop
    // that is busy with the user's own work (and with this daemon's signal pipeline).
    const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
    execFile('tesseract', args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024, env, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') return reject(new Error('tesseract is not installed (Debian: apt-get install tesseract-ocr)'));
        const detail = String(stderr).trim().split('\n').slice(-2).join(' ').slice(0, 300);
        return reject(new Error(e.killed ? `tesseract timed out after ${timeoutMs / 1000} s` : `tesseract failed: ${detail || e.message}`));
      }
      resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

let probe: Promise<OcrAvailability> | null = null;

/** Whether tesseract runs here, checked once per process. */
export function tesseractAvailability(): Promise<OcrAvailability> {
  probe ??= run(['--version'], 10_000).then(
    ({ stdout, stderr }) => ({ available: true, version: /tesseract\s+v?([\d.]+\S*)/i.exec(stdout + stderr)?.[1] ?? 'unknown', reason: null }),
    (err: Error) => ({ available: false, version: null, reason: err.message }),
  );
  return probe;
}

/** The text of an image file: lines kept, trailing blanks and form feeds dropped. */
export async function recognizeText(imagePath: string, language = 'eng'): Promise<string> {
  const { stdout } = await run([imagePath, 'stdout', '-l', language, '--psm', '3'], OCR_TIMEOUT_MS);
  return stdout
    .replace(/\f/g, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
