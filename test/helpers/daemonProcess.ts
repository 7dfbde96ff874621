// Starts the real daemon (`bin/skill-daemon.ts`) as a child process on a free loopback port,
// with its own temporary data and config directories, and stops it again.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { client } from './http.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'bin', 'skill-daemon.ts');

export interface DaemonDirs {
  root: string;
  data: string;
  config: string;
  daemonConfig: string;
}

export function tempDirs(prefix = 'skill-test-'): DaemonDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const config = path.join(root, 'config');
  return { root, data: path.join(root, 'data'), config, daemonConfig: path.join(config, 'skill', 'daemon') };
}

export interface SpawnOptions {
  dirs?: DaemonDirs;
  env?: Record<string, string>;
  args?: string[];
  addr?: string;
  /** Node's arguments that start the daemon; default the sources under tsx (`--import tsx bin/skill-daemon.ts`). */
  command?: string[];
  /**
   * The daemon is killed after this long, so one a failed test leaves behind does not live on
   * (default TEST_DAEMON_LIFETIME_MS). The long runs (fuzz, faults, soak) pass null: no limit.
   */
  lifetimeMs?: number | null;
}

export const TEST_DAEMON_LIFETIME_MS = 10 * 60_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningDaemon {
  port: number;
  url: string;
  dirs: DaemonDirs;
  proc: ChildProcess;
  /** The default token (from the token file, or SKILL_DAEMON_TOKEN when given). */
  token: string;
  stdout(): string;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  exited: Promise<Exit>;
}

export function daemonEnv(dirs: DaemonDirs, extra: Record<string, string> = {}, addr = '127.0.0.1:0'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.SKILL_DAEMON_TOKEN;
  return {
    ...env,
    SKILL_DAEMON_ADDR: addr,
    SKILL_DATA_DIR: dirs.data,
    XDG_CONFIG_HOME: dirs.config,
    SKILL_NETWORK: 'loopback',
    // Daemons of tests running side by side must not find each other's LSL outlets.
    SKILL_LSL_SESSION_ID: `test-${path.basename(dirs.root)}`,
    SKILL_LOG_STDERR: '1',
    // Route sweeps reach POST /service/install: a test daemon writes the unit into its temp
    // config folder and never asks the user's systemd (or launchd) to load it.
    SKILL_SERVICE_MANAGER: 'none',
    ...extra,
  };
}

/** Runs the CLI to completion (for start-up failures); kills it after `timeoutMs`. */
export function runCli(opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<Exit> {
  const dirs = opts.dirs ?? tempDirs();
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: daemonEnv(dirs, opts.env, opts.addr),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectExit(proc, opts.timeoutMs ?? 15_000);
}

function collectExit(proc: ChildProcess, timeoutMs: number | null, out = { stdout: '', stderr: '' }): Promise<Exit> {
  proc.stdout?.on('data', (d) => (out.stdout += d));
  proc.stderr?.on('data', (d) => (out.stderr += d));
  return new Promise((resolve) => {
    const timer = timeoutMs === null ? undefined : setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain before reporting.
      setImmediate(() => resolve({ code, signal, ...out }));
    });
  });
}

export async function spawnDaemon(opts: SpawnOptions = {}): Promise<RunningDaemon> {
  const dirs = opts.dirs ?? tempDirs();
  const proc = spawn(process.execPath, [...(opts.command ?? ['--import', 'tsx', CLI]), ...(opts.args ?? [])], {
    cwd: ROOT,
    env: daemonEnv(dirs, opts.env, opts.addr),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const exited = collectExit(proc, opts.lifetimeMs === undefined ? TEST_DAEMON_LIFETIME_MS : opts.lifetimeMs, out);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start in time:\n${out.stdout}\n${out.stderr}`)), 20_000);
    const onData = () => {
      const m = /listening on http:\/\/[^\s]*:(\d+)/.exec(out.stdout);
      if (m) {
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    proc.stdout?.on('data', onData);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited during start-up (${e.code ?? e.signal}):\n${e.stdout}\n${e.stderr}`));
    });
  });
  const token = opts.env?.SKILL_DAEMON_TOKEN ?? fs.readFileSync(path.join(dirs.daemonConfig, 'auth.token'), 'utf8').trim();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dirs,
    proc,
    token,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/**
 * One daemon for the whole test file: started before the first test, stopped (and required to
 * exit 0) after the last. Read `.daemon` and `.admin` inside tests, not at import time.
 */
export function useDaemon(opts: SpawnOptions = {}) {
  const ctx = {} as { daemon: RunningDaemon; admin: ReturnType<typeof client> };
  before(async () => {
    ctx.daemon = await spawnDaemon(opts);
    ctx.admin = client(ctx.daemon.port, ctx.daemon.token);
  });
  after(async () => {
    const exit = await ctx.daemon.stop();
    assert.equal(exit.code, 0, `daemon exit: ${exit.code ?? exit.signal}\n${exit.stderr}`);
  });
  return ctx;
}
