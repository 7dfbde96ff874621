// Runs a user-configured command (a hook's command, the DND on/off command) as an argument list
// with `execFile`: no shell is involved, so nothing in the arguments is expanded, split, piped
// or redirected, whatever characters they hold. A timeout kills it; its output is kept (capped)
// so the caller can log what it said.
import { execFile } from 'node:child_process';

/** Bytes of stdout and of stderr kept from one run. */
export const OUTPUT_CAP_BYTES = 16 * 1024;

export interface CommandRun {
  argv: string[];
  /** Exit code, or null when it was killed or could not start. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Why it could not start (ENOENT, EACCES…), or null. */
  spawnError: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  timeoutMs: number;
  /** Added to the daemon's environment (the hook's context, for instance). */
  env?: Record<string, string>;
}

export const succeeded = (r: CommandRun) => r.code === 0 && !r.timedOut && r.spawnError === null;

/** A one-line account of a run for logs and errors. */
export function describeRun(r: CommandRun): string {
  if (r.spawnError) return `could not start ${r.argv[0]}: ${r.spawnError}`;
  if (r.timedOut) return `${r.argv[0]} timed out after ${Math.round(r.ms)} ms`;
  if (r.code !== 0) return `${r.argv[0]} exited with ${r.code ?? r.signal}${r.stderr ? `: ${r.stderr.trim().slice(0, 200)}` : ''}`;
  return `${r.argv[0]} succeeded in ${Math.round(r.ms)} ms`;
}

/** Never rejects: a command that fails is a result to report, not an exception. */
export function runCommand(argv: readonly string[], opts: RunOptions): Promise<CommandRun> {
  const started = performance.now();
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    if (!file) {
      resolve({ argv: [...argv], code: null, signal: null, timedOut: false, spawnError: 'empty command', stdout: '', stderr: '', ms: 0 });
      return;
    }
    execFile(
      file,
      args,
      {
        timeout: opts.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: OUTPUT_CAP_BYTES * 4,
        windowsHide: true,
        env: { ...process.env, ...opts.env },
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: number | string }) | null;
        const ms = performance.now() - started;
        const timedOut = !!e?.killed && ms >= opts.timeoutMs * 0.9;
        const spawnError = e && typeof e.code === 'string' && e.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' ? e.code : null;
        resolve({
          argv: [...argv],
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          timedOut,
          spawnError,
          stdout: String(stdout).slice(0, OUTPUT_CAP_BYTES),
          stderr: String(stderr).slice(0, OUTPUT_CAP_BYTES),
          ms,
        });
      },
    );
  });
}
