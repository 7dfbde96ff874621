// Keeps the daemon running across logins and crashes through the OS's own service manager: a
// systemd user unit on Linux (`<config>/systemd/user/skill-daemon.service`), a LaunchAgent on
// macOS (`~/Library/LaunchAgents/com.skill.daemon.plist`). Writing the file is this module's
// job; asking systemctl/launchctl to load it is done only when `runManager` is set, so tests
// (and packagers) can write units without touching the user's session manager.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { writeFileAtomic } from '../store/atomicFile.ts';

export const SERVICE_LABEL = 'com.skill.daemon';
export const SYSTEMD_UNIT_NAME = 'skill-daemon.service';
/** The daemon's exit code for configuration and bind errors: restarting cannot fix those. */
const CONFIG_ERROR_EXIT = 2;

export interface DaemonCommand {
  /** Program and arguments that start the daemon in the foreground. */
  argv: string[];
  workingDirectory: string;
  env: Record<string, string>;
}

export interface ServiceInstallerOptions {
  platform: NodeJS.Platform;
  systemdUserDir: string;
  launchAgentsDir: string;
  /** Run systemctl/launchctl after writing or before removing the file. */
  runManager: boolean;
  /** PATH to look for systemctl/launchctl in (looked up, never run, for status). */
  searchPath: string;
  command: DaemonCommand;
  logFile: string;
}

export interface ManagerRun {
  command: string;
  code: number | null;
  stderr: string;
}

export class ServiceUnsupported extends Error {}

export class ServiceInstaller {
  constructor(private readonly opts: ServiceInstallerOptions) {}

  private get kind(): 'systemd' | 'launchd' | null {
    if (this.opts.platform === 'linux') return 'systemd';
    if (this.opts.platform === 'darwin') return 'launchd';
    return null;
  }

  /** Where the unit or plist lives; null on a platform without a supported manager. */
  unitPath(): string | null {
    if (this.kind === 'systemd') return path.join(this.opts.systemdUserDir, SYSTEMD_UNIT_NAME);
    if (this.kind === 'launchd') return path.join(this.opts.launchAgentsDir, `${SERVICE_LABEL}.plist`);
    return null;
  }

  /** The file's text for this platform. */
  render(): string {
    if (this.kind === 'systemd') return renderSystemdUnit(this.opts.command);
    if (this.kind === 'launchd') return renderLaunchAgent(this.opts.command, this.opts.logFile);
    throw new ServiceUnsupported(`no service manager support on ${this.opts.platform}`);
  }

  status() {
    const unitPath = this.unitPath();
    const manager = this.kind === 'systemd' ? 'systemctl' : this.kind === 'launchd' ? 'launchctl' : null;
    const installed = unitPath !== null && fs.existsSync(unitPath);
    return {
      platform: this.opts.platform,
      supported: this.kind !== null,
      kind: this.kind,
      label: SERVICE_LABEL,
      unit_path: unitPath,
      installed,
      /** The installed file is what this daemon would write now (same command, same settings). */
      up_to_date: installed && unitPath !== null && fs.readFileSync(unitPath, 'utf8') === this.render(),
      manager,
      manager_available: manager !== null && onPath(manager, this.opts.searchPath),
      systemctl_available: onPath('systemctl', this.opts.searchPath),
      runs_manager: this.opts.runManager,
    };
  }

  async install(): Promise<{ unit_path: string; changed: boolean; manager_runs: ManagerRun[] }> {
    const unitPath = this.unitPath();
    if (!unitPath) throw new ServiceUnsupported(`no service manager support on ${this.opts.platform}`);
    const text = this.render();
    const changed = !fs.existsSync(unitPath) || fs.readFileSync(unitPath, 'utf8') !== text;
    if (changed) writeFileAtomic(unitPath, text, { mode: 0o644, dirMode: 0o755 });
    const runs: ManagerRun[] = [];
    if (this.opts.runManager) {
      // Enabled, not started: the running daemon holds the port; the unit takes over at next login.
      if (this.kind === 'systemd') {
        runs.push(await run(['systemctl', '--user', 'daemon-reload']));
        runs.push(await run(['systemctl', '--user', 'enable', SYSTEMD_UNIT_NAME]));
      } else {
        runs.push(await run(['launchctl', 'load', '-w', unitPath]));
      }
    }
    return { unit_path: unitPath, changed, manager_runs: runs };
  }

  async uninstall(): Promise<{ unit_path: string; removed: boolean; manager_runs: ManagerRun[] }> {
    const unitPath = this.unitPath();
    if (!unitPath) throw new ServiceUnsupported(`no service manager support on ${this.opts.platform}`);
    const existed = fs.existsSync(unitPath);
    const runs: ManagerRun[] = [];
    if (this.opts.runManager && existed) {
      if (this.kind === 'systemd') runs.push(await run(['systemctl', '--user', 'disable', SYSTEMD_UNIT_NAME]));
      else runs.push(await run(['launchctl', 'unload', '-w', unitPath]));
    }
    fs.rmSync(unitPath, { force: true });
    if (this.opts.runManager && existed && this.kind === 'systemd') runs.push(await run(['systemctl', '--user', 'daemon-reload']));
    return { unit_path: unitPath, removed: existed, manager_runs: runs };
  }
}

/**
 * Restart=always: the reference's Restart=on-failure leaves the daemon down after a clean exit
 * (a SIGTERM from outside, an exit 0 after an error escaped); `systemctl --user stop` still stops
 * it for good. Exit 2 (bad configuration, port taken) is not retried: it would only fail again.
 */
export function renderSystemdUnit(cmd: DaemonCommand): string {
  const lines = [
    '[Unit]',
    'Description=skill-daemon: local EEG daemon (HTTP, SSE and WebSocket on 127.0.0.1)',
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${cmd.argv.map(systemdQuote).join(' ')}`,
    `WorkingDirectory=${systemdQuote(cmd.workingDirectory)}`,
    ...Object.entries(cmd.env).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`)}`),
    'Restart=always',
    'RestartSec=2',
    `RestartPreventExitStatus=${CONFIG_ERROR_EXIT}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}

/** RunAtLoad + KeepAlive: launchd starts it at login and again whenever it exits. */
export function renderLaunchAgent(cmd: DaemonCommand, logFile: string): string {
  const strings = (items: string[]) => items.map((s) => `    <string>${xmlEscape(s)}</string>`).join('\n');
  const env = Object.entries(cmd.env)
    .map(([k, v]) => `    <key>${xmlEscape(k)}</key>\n    <string>${xmlEscape(v)}</string>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${SERVICE_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${strings(cmd.argv)}
  </array>
  <key>WorkingDirectory</key>
  <string>${xmlEscape(cmd.workingDirectory)}</string>
  <key>EnvironmentVariables</key>
  <dict>
${env}
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>StandardOutPath</key>
  <string>${xmlEscape(logFile)}</string>
  <key>StandardErrorPath</key>
  <string>${xmlEscape(logFile)}</string>
</dict>
</plist>
`;
}

/** systemd's quoting: double quotes around anything with a space, quote, backslash or specifier. */
function systemdQuote(value: string): string {
  const escaped = value.replaceAll('%', '%%');
  if (!/[\s"'\\]/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function xmlEscape(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function onPath(program: string, searchPath: string): boolean {
  return searchPath.split(path.delimiter).filter(Boolean).some((dir) => {
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function run(argv: string[]): Promise<ManagerRun> {
  const [program, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15_000 });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ command: argv.join(' '), code: null, stderr: err.message }));
    child.on('close', (code) => resolve({ command: argv.join(' '), code, stderr: stderr.trim() }));
  });
}
