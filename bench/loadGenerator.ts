// HTTP load: wrk when it is installed (native, cheap on a small machine), else autocannon from
// devDependencies. Either runs as a child process with identical settings for every target.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnTracked } from './childProcesses.ts';

export interface LoadSettings {
  connections: number;
  seconds: number;
  /** Header name → value, sent on every request. */
  headers: Record<string, string>;
}

export interface LoadResult {
  requestsPerSec: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface LoadGenerator {
  name: string;
  /** The command line, with header values elided (they hold the token). */
  describe(s: LoadSettings): string;
  run(url: string, s: LoadSettings): Promise<LoadResult>;
  /** What to keep in mind when reading figures measured with it. */
  caveat?: string;
}

function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

/** Runs a command to completion; rejects on a non-zero exit with its stderr. */
function capture(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(command)} failed (${signal ?? code}): ${err.trim()}`)),
    );
  });
}

function wrk(bin: string): LoadGenerator {
  const args = (s: LoadSettings, hide: boolean) => [
    '-t1', `-c${s.connections}`, `-d${s.seconds}s`,
    ...Object.entries(s.headers).flatMap(([k, v]) => ['-H', `${k}: ${hide ? '…' : v}`]),
  ];
  return {
    name: 'wrk',
    describe: (s) => `wrk ${args(s, true).map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
    async run(url, s) {
      const out = await capture(bin, [...args(s, false), url]);
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const requestsPerSec = num(/Requests\/sec:\s+([\d.]+)/);
      if (!requestsPerSec) throw new Error(`could not read wrk output:\n${out}`);
      return {
        requestsPerSec,
        requests: num(/(\d+) requests in/),
        non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
        errors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      };
    },
  };
}

function autocannon(): LoadGenerator {
  const cli = createRequire(import.meta.url).resolve('autocannon');
  const args = (s: LoadSettings, hide: boolean) => [
    '-j', '-c', String(s.connections), '-d', String(s.seconds),
    ...Object.entries(s.headers).flatMap(([k, v]) => ['-H', `${k}=${hide ? '…' : v}`]),
  ];
  return {
    name: 'autocannon',
    // Measured here: ~27k req/s against a server wrk drives at ~90k on the same machine.
    caveat: 'autocannon (wrk not found) runs JavaScript on one core and saturates before fast servers do: ratios are pulled toward 1.',
    describe: (s) => `autocannon ${args(s, true).join(' ')}`,
    async run(url, s) {
      const out = await capture(process.execPath, [cli, ...args(s, false), url]);
      const r = JSON.parse(out.trim().split('\n').pop()!) as {
        requests: { average: number; total: number };
        non2xx: number;
        errors: number;
        timeouts: number;
      };
      return { requestsPerSec: r.requests.average, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts };
    },
  };
}

/** wrk if found on PATH; BENCH_LOADGEN=autocannon forces the fallback (to test it). */
export function pickLoadGenerator(): LoadGenerator {
  const bin = process.env.BENCH_LOADGEN === 'autocannon' ? null : onPath('wrk');
  return bin ? wrk(bin) : autocannon();
}
