// The daemon as a process: start-up output and run files, refusal of bad configuration,
// a port already in use, and a graceful shutdown on SIGTERM and SIGINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { call } from './helpers/http.ts';
import { subscribe } from './helpers/events.ts';
import { CLI, daemonEnv, ROOT, runCli, spawnDaemon, tempDirs } from './helpers/daemonProcess.ts';
import pkg from '../package.json' with { type: 'json' };

test('start-up prints the URL and token file and writes bootstrap.json, pid file and a 0600 token', async () => {
  const daemon = await spawnDaemon();
  assert.match(daemon.stdout(), new RegExp(`listening on http://127\\.0\\.0\\.1:${daemon.port}`));
  assert.match(daemon.stdout(), /token file: .*auth\.token/);
  const bootstrap = JSON.parse(fs.readFileSync(path.join(daemon.dirs.daemonConfig, 'bootstrap.json'), 'utf8'));
  assert.equal(bootstrap.port, daemon.port);
  assert.equal(bootstrap.pid, daemon.proc.pid);
  assert.equal(bootstrap.version, pkg.version);
  assert.equal(Number(fs.readFileSync(path.join(daemon.dirs.daemonConfig, 'daemon.pid'), 'utf8')), daemon.proc.pid);
  const tokenFile = path.join(daemon.dirs.daemonConfig, 'auth.token');
  assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
  assert.equal(fs.statSync(daemon.dirs.daemonConfig).mode & 0o777, 0o700);
  assert.match(daemon.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url without padding');
  assert.equal(fs.statSync(daemon.dirs.data).mode & 0o777, 0o700);
  const version = await call(daemon.port, 'GET', '/v1/version', { token: daemon.token });
  assert.deepEqual(version.json, { daemon: 'skill-daemon', protocol_version: 1, daemon_version: pkg.version });
  const ready = await call(daemon.port, 'GET', '/readyz');
  assert.deepEqual(ready.json, { ok: true, ready: true, test_mode: false });
  await daemon.stop();
});

test('SIGTERM: DaemonShutdown reaches subscribers, run files are removed, exit code 0', async () => {
  const daemon = await spawnDaemon();
  const sub = await subscribe(daemon.port, daemon.token);
  const shutdown = sub.next((f) => f.type === 'DaemonShutdown');
  const exit = await daemon.stop('SIGTERM');
  assert.equal(exit.code, 0, exit.stderr);
  assert.deepEqual((await shutdown).payload, {});
  assert.equal(fs.existsSync(path.join(daemon.dirs.daemonConfig, 'bootstrap.json')), false);
  assert.equal(fs.existsSync(path.join(daemon.dirs.daemonConfig, 'daemon.pid')), false);
  assert.ok(fs.existsSync(path.join(daemon.dirs.daemonConfig, 'auth.token')), 'the token outlives the process');
});

test('SIGINT also shuts down cleanly', async () => {
  const daemon = await spawnDaemon();
  const exit = await daemon.stop('SIGINT');
  assert.equal(exit.code, 0);
  assert.match(exit.stderr, /SIGINT received, shutting down/);
});

test('the token survives restarts; SKILL_DAEMON_TOKEN overrides it without touching the file', async () => {
  const dirs = tempDirs();
  const first = await spawnDaemon({ dirs });
  await first.stop();
  const second = await spawnDaemon({ dirs });
  assert.equal(second.token, first.token);
  await second.stop();
  const fixed = await spawnDaemon({ dirs, env: { SKILL_DAEMON_TOKEN: 'fixed-token-for-tests' } });
  assert.equal((await call(fixed.port, 'GET', '/v1/status', { token: 'fixed-token-for-tests' })).status, 200);
  assert.equal((await call(fixed.port, 'GET', '/v1/status', { token: first.token })).status, 401);
  assert.equal(fs.readFileSync(path.join(dirs.daemonConfig, 'auth.token'), 'utf8').trim(), first.token);
  const refresh = await call(fixed.port, 'POST', '/v1/auth/default-token/refresh', { token: 'fixed-token-for-tests', body: {} });
  assert.equal(refresh.status, 409);
  await fixed.stop();
});

test('a port already in use: a clear message and exit code 2, no stack trace', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const exit = await runCli({ addr: `127.0.0.1:${port}` });
    assert.equal(exit.code, 2);
    assert.match(exit.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
    assert.doesNotMatch(exit.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    blocker.close();
  }
});

test('a non-loopback address is refused without --allow-remote (exit 2)', async () => {
  for (const addr of ['0.0.0.0:0', '192.0.2.10:0', '[::]:0']) {
    const exit = await runCli({ addr });
    assert.equal(exit.code, 2, addr);
    assert.match(exit.stderr, /non-loopback.*--allow-remote/);
  }
});

test('malformed addresses and unknown flags exit 2 with a message', async () => {
  assert.equal((await runCli({ addr: 'nonsense' })).code, 2);
  assert.equal((await runCli({ addr: '127.0.0.1:99999' })).code, 2);
  const flag = await runCli({ args: ['--frobnicate'] });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown argument --frobnicate/);
});

test('--help and --version answer without starting a server', async () => {
  const help = await runCli({ args: ['--help'] });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /SKILL_DAEMON_ADDR/);
  const version = await runCli({ args: ['--version'] });
  assert.equal(version.stdout.trim(), pkg.version);
});

test('a daemon whose stdout and stderr lost their reader (its terminal closed) still shuts down on SIGTERM', async () => {
  const dirs = tempDirs();
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI], { cwd: ROOT, env: daemonEnv(dirs), stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no listening line')), 20_000);
      proc.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('listening on')) (clearTimeout(timer), resolve());
      });
    });
    // Every later write fails with EPIPE. Before the log stopped writing to a stderr with no
    // reader, each failure was logged to stderr again, and the daemon spun instead of stopping.
    proc.stdout!.destroy();
    proc.stderr!.destroy();
    await new Promise((r) => setTimeout(r, 300));
    proc.kill('SIGTERM');
    const exit = await new Promise<number | string | null>((resolve) => {
      const timer = setTimeout(() => resolve('still running 15 s after SIGTERM'), 15_000);
      proc.once('exit', (code, signal) => (clearTimeout(timer), resolve(code ?? signal)));
    });
    assert.equal(exit, 0, `exit: ${exit}`);
  } finally {
    proc.kill('SIGKILL');
    fs.rmSync(dirs.root, { recursive: true, force: true });
  }
});
