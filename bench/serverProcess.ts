// Starts a server under test in its own process (so it never shares an event loop with the load
// generator) and waits for its "listening on http://127.0.0.1:PORT" line on stdout.
import type { ChildProcess } from 'node:child_process';
import { isRunning, spawnTracked, stopChild } from './childProcesses.ts';

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
const REPO_ROOT = new URL('..', import.meta.url).pathname;

/** Runs `node <script>` from the repo root (`--import tsx` first for a .ts script); `script` is relative to it. */
export async function startServerProcess(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
): Promise<ServerProcess> {
  const args = script.endsWith('.ts') ? ['--import', 'tsx', script] : ['--enable-source-maps', script];
  const child = spawnTracked(process.execPath, args, { cwd: REPO_ROOT, env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = LISTENING.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${signal ?? code}) before listening:\n${stderr.trim()}`));
      });
    });
    return { name, url, child, stop: () => stopChild(child) };
  } catch (err) {
    if (isRunning(child)) await stopChild(child);
    throw err;
  }
}
