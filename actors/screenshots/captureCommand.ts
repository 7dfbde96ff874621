// Which program captures the screen, and running it. A capture command is an argument list (never
// a shell string) in which `{output}` stands for the PNG file to write; without `{output}` the
// path is appended as the last argument.
//
// The command comes from SKILL_SCREENSHOT_COMMAND (a JSON array, read by actors/config.ts) when
// set. Otherwise the platform's usual tools are tried in order — on Linux `grim` (Wayland),
// `import -window root` (ImageMagick, X11), `scrot` (X11); on macOS `screencapture -x` — and the
// first that produces an image is kept for the next captures. Naming an executable is left to
// the environment, not to the settings API, so no token can make the daemon run a program.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';

export const OUTPUT_PLACEHOLDER = '{output}';
const TIMEOUT_MS = 15_000;

export const DEFAULT_CAPTURE_COMMANDS: ReadonlyArray<readonly string[]> =
  process.platform === 'darwin'
    ? [['screencapture', '-x', '-t', 'png', OUTPUT_PLACEHOLDER]]
    : [['grim', OUTPUT_PLACEHOLDER], ['import', '-window', 'root', OUTPUT_PLACEHOLDER], ['scrot', '--overwrite', OUTPUT_PLACEHOLDER]];

/** A capture command from its JSON text (SKILL_SCREENSHOT_COMMAND); throws on anything but a non-empty array of strings. */
export function parseCaptureCommand(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`SKILL_SCREENSHOT_COMMAND must be a JSON array of arguments, e.g. ["grim","{output}"]; got ${JSON.stringify(text)}`);
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((a) => typeof a === 'string') || value[0] === '') {
    throw new Error('SKILL_SCREENSHOT_COMMAND must be a non-empty JSON array of strings whose first element names the program');
  }
  return value as string[];
}

export const describeCommand = (argv: readonly string[]) => argv.join(' ');

/** A failed run: `missing` when the program is not installed. */
export class CaptureCommandError extends Error {
  constructor(
    message: string,
    readonly missing: boolean,
  ) {
    super(message);
  }
}

function withOutput(argv: readonly string[], output: string): string[] {
  return argv.includes(OUTPUT_PLACEHOLDER) ? argv.map((a) => (a === OUTPUT_PLACEHOLDER ? output : a)) : [...argv, output];
}

/** Runs one capture command to write `output`; rejects with the reason it did not. */
export async function runCaptureCommand(argv: readonly string[], output: string, signal?: AbortSignal): Promise<void> {
  const [program, ...args] = withOutput(argv, output);
  await new Promise<void>((resolve, reject) => {
    execFile(program!, args, { timeout: TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 256 * 1024, signal, windowsHide: true }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
      if (e.code === 'ENOENT') return reject(new CaptureCommandError(`${program} is not installed`, true));
      if (e.name === 'AbortError') return reject(new CaptureCommandError('capture cancelled', false));
      const detail = String(stderr).trim().split('\n').slice(-3).join(' ').slice(0, 300);
      const how = e.killed ? `timed out after ${TIMEOUT_MS / 1000} s` : `exited with ${typeof e.code === 'number' ? `code ${e.code}` : String(e.code ?? e.message)}`;
      reject(new CaptureCommandError(`${describeCommand(argv)} ${how}${detail ? `: ${detail}` : ''}`, false));
    });
  });
  const info = await stat(output).catch(() => null);
  if (!info?.isFile() || info.size === 0) throw new CaptureCommandError(`${describeCommand(argv)} wrote no image`, false);
}

/**
 * The configured command, or the defaults in order until one works. Remembers the default that
 * worked, so later captures run only it (and search again if it stops working).
 */
export class CaptureCommand {
  #chosen: readonly string[] | null;

  constructor(private readonly configured: readonly string[] | null) {
    this.#chosen = configured;
  }

  /** What will run next: the configured or chosen command, or "auto" while none is chosen. */
  describe(): string {
    return this.#chosen ? describeCommand(this.#chosen) : 'auto';
  }

  async capture(output: string, signal?: AbortSignal): Promise<void> {
    if (this.configured) return runCaptureCommand(this.configured, output, signal);
    if (this.#chosen) {
      try {
        return await runCaptureCommand(this.#chosen, output, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        this.#chosen = null;
      }
    }
    const reasons: string[] = [];
    for (const argv of DEFAULT_CAPTURE_COMMANDS) {
      try {
        await runCaptureCommand(argv, output, signal);
        this.#chosen = argv;
        return;
      } catch (err) {
        if (signal?.aborted) throw err;
        reasons.push((err as Error).message);
      }
    }
    throw new CaptureCommandError(`no capture command worked (set SKILL_SCREENSHOT_COMMAND to choose one): ${reasons.join('; ')}`, false);
  }
}
