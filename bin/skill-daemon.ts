#!/usr/bin/env -S node --import tsx
// The skill-daemon command: runs the daemon in the foreground until SIGINT/SIGTERM.
// Exit codes: 0 after a clean shutdown, 2 for configuration or bind errors.
import { ConfigError, loadConfig } from '../actors/config.ts';
import { ListenError } from '../transport/server.ts';
import { DAEMON_VERSION, startDaemon, type Daemon } from './daemon.ts';
import { runServiceCommand } from './serviceCommand.ts';

const HELP = `skill-daemon ${DAEMON_VERSION} — local EEG daemon (HTTP, SSE and WebSocket on 127.0.0.1)

Usage: skill-daemon [--allow-remote] [--fault-injection] [--inspect[=ws://127.0.0.1:8080]] [--no-mdns] [--help] [--version]

Environment:
  SKILL_DAEMON_ADDR     listen address, default 127.0.0.1:18444 (port 0 = any free port)
  SKILL_DATA_DIR        data directory, default ~/.skill
  XDG_CONFIG_HOME       config directory (token, bootstrap.json), default ~/.config
  SKILL_DAEMON_TOKEN    use this default token instead of the token file
  SKILL_NETWORK         "loopback" keeps mDNS and LSL discovery on 127.0.0.1
  SKILL_ALLOWED_HOSTS   extra Host header names to accept (comma-separated)
  SKILL_LOG_STDERR      "0" silences the log on stderr (GET /v1/log/recent still has it)
  SKILL_MDNS            "0" does not advertise _skill._tcp over mDNS (as --no-mdns)
  SKILL_REMOTE_ADDR     host:port of the opt-in TLS listener for registered remote clients
  SKILL_SERVICE_MANAGER "none": service install/uninstall write files only, never run systemctl

Service: skill-daemon service install|uninstall|status
  writes or removes a systemd user unit (Linux) or LaunchAgent (macOS) that keeps the daemon running
  SKILL_INSPECT         "1" or a ws:// URL: report every actor to a Stately inspector (as --inspect)
`;

function fail(message: string): never {
  process.stderr.write(`skill-daemon: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) return void process.stdout.write(HELP);
  if (argv.includes('--version')) return void process.stdout.write(`${DAEMON_VERSION}\n`);
  if (argv[0] === 'service') return void process.exit(await runServiceCommand(argv.slice(1)));
  const unknown = argv.filter((a) => !['--allow-remote', '--fault-injection', '--no-mdns'].includes(a) && !/^--inspect(=|$)/.test(a));
  if (unknown.length) fail(`unknown argument ${unknown[0]}; see --help`);

  process.title = 'skill-daemon';
  let daemon: Daemon;
  try {
    const config = loadConfig({ env: process.env, argv });
    daemon = await startDaemon(config);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ListenError) fail(err.message);
    throw err;
  }

  // Errors that escape every actor are bugs; they are logged loudly, and the daemon keeps serving.
  // stdout carries only the start-up announcement; a reader gone since is no error of ours.
  process.stdout.on('error', () => undefined);
  process.on('uncaughtException', (err) => daemon.log.error('process', `uncaught exception: ${err.stack ?? err}`));
  process.on('unhandledRejection', (err) => daemon.log.error('process', `unhandled rejection: ${(err as Error)?.stack ?? err}`));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    daemon.log.info('daemon', `${signal} received, shutting down`);
    void daemon.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // Announced only once the signal handlers are in place: a supervisor that stops the daemon as
  // soon as it reads this line gets a clean shutdown.
  process.stdout.write(
    `skill-daemon ${DAEMON_VERSION} listening on ${daemon.url}\n` +
      `  token file: ${daemon.tokenFile}\n` +
      `  events:     ${daemon.url.replace('http', 'ws')}/v1/events?token=…\n`,
  );
}

await main();
