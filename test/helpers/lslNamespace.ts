// Runs a script in a private network namespace that has only a loopback interface, with
// multicast and broadcast routed over it, so LSL's multicast paths can be exercised without a
// single datagram reaching a real network. Needs root (CI runs as root); callers skip otherwise.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const NAMESPACE_SETUP = [
  'ip link set lo up',
  'ip link set lo multicast on',
  'ip route add 224.0.0.0/4 dev lo',
  'ip route add broadcast 255.255.255.255 dev lo table local',
].join(' && ');

export interface NamespaceRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `unshare -n` + setup + `node --import tsx <script> ...args`, killed after `timeoutMs`. */
export function runInNamespace(script: string, args: string[] = [], timeoutMs = 15_000, env: NodeJS.ProcessEnv = {}): Promise<NamespaceRun> {
  const repo = path.resolve(import.meta.dirname, '..', '..');
  const command = `${NAMESPACE_SETUP} && exec node --import tsx ${[script, ...args].map(quote).join(' ')}`;
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-n', 'bash', '-c', command], { cwd: repo, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(err) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Whether namespaces can be made here (root, unshare and ip present). */
export async function namespaceAvailable(): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-n', 'bash', '-c', NAMESPACE_SETUP]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve(`unshare unavailable: ${err.message}`));
    child.on('close', (code) => resolve(code === 0 ? null : `unshare -n failed (${code}): ${stderr.trim()}`));
  });
}

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
