// Where the daemon listens and keeps its files, read once from the environment and argv.
// Everything else receives a `DaemonConfig`; nothing below this module reads process.env.
import os from 'node:os';
import path from 'node:path';
import { isIP } from 'node:net';
import { parseCaptureCommand } from './screenshots/captureCommand.ts';
import { supervisionFromEnv, type SupervisionConfig } from './supervisionConfig.ts';
import type { HubTokenSource } from './downloads/hubToken.ts';

export const DAEMON_NAME = 'skill-daemon';
export const PROTOCOL_VERSION = 1;
export const DEFAULT_ADDR = '127.0.0.1:18444';

export type NetworkMode = 'loopback' | 'lan';

export interface DaemonConfig {
  host: string;
  port: number;
  /** Data directory (`~/.skill`): day folders, tokens.json, settings.json. */
  dataDir: string;
  /** `<config>/skill/daemon`: auth.token, bootstrap.json, daemon.pid. */
  daemonConfigDir: string;
  /** Default token given by SKILL_DAEMON_TOKEN instead of the token file. */
  tokenOverride: string | null;
  allowRemote: boolean;
  /** `loopback` keeps every discovery protocol (mDNS, LSL resolve) on 127.0.0.1. */
  network: NetworkMode;
  /**
   * LSL session (liblsl's `[lab] SessionID`, SKILL_LSL_SESSION_ID): outlets are published in it and
   * only streams of it are found. Default "default", as liblsl; tests give each daemon its own.
   */
  lslSessionId: string;
  /** Extra Host header names accepted besides loopback ones (SKILL_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** Admin-only fault injection routes (SKILL_FAULT_INJECTION=1 or --fault-injection). */
  faultInjection: boolean;
  /** Restart intensity, backoff and actor heartbeat (SKILL_RESTART_INTENSITY, SKILL_RESTART_BACKOFF, SKILL_ACTOR_HEARTBEAT_MS). */
  supervision: SupervisionConfig;
  /** Print log lines to stderr (the ring buffer keeps them either way). */
  logToStderr: boolean;
  /** Hugging Face hub model weights are downloaded from (HF_ENDPOINT). */
  hfEndpoint: string;
  /**
   * The hub token for gated repositories, as the hub's own tools find it: HF_TOKEN (or the older
   * HUGGING_FACE_HUB_TOKEN), else the file HF_TOKEN_PATH, default $HF_HOME/token with HF_HOME
   * defaulting to ~/.cache/huggingface.
   */
  hubToken: HubTokenSource;
  /** Advertise `_skill._tcp` over mDNS (off with SKILL_MDNS=0 or --no-mdns). */
  mdns: boolean;
  /** The opt-in TLS listener for registered remote clients (SKILL_REMOTE_ADDR), or null. */
  remoteAddr: { host: string; port: number } | null;
  /** Where `service install` writes its unit, and whether it runs systemctl/launchctl. */
  service: ServiceConfig;
  /** Stately inspection WebSocket the actors report to (`--inspect[=ws://…]`, SKILL_INSPECT); null: off. */
  inspectUrl: string | null;
  /** The screen capture command (SKILL_SCREENSHOT_COMMAND, a JSON argument list); null tries the platform's tools. */
  screenshotCommand: string[] | null;
}

export interface ServiceConfig {
  /** `<config>/systemd/user`: follows XDG_CONFIG_HOME, so tests write into a temp dir. */
  systemdUserDir: string;
  /** `~/Library/LaunchAgents` (macOS). */
  launchAgentsDir: string;
  /** SKILL_SERVICE_MANAGER=none writes and removes files only, never calling systemctl/launchctl. */
  runManager: boolean;
  /** PATH, to report whether systemctl is installed. */
  searchPath: string;
}

export class ConfigError extends Error {}

/** `host:port`, `[v6]:port` or `:port`; port 0 means any free port. */
export function parseAddr(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new ConfigError(`SKILL_DAEMON_ADDR must look like 127.0.0.1:18444, got "${text}"`);
  const host = m[1] ?? (m[2] || '127.0.0.1');
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(`port ${port} is out of range`);
  return { host, port };
}

/** SKILL_REMOTE_ADDR: `host:port` like the listen address, named as itself in errors; null when unset. */
function remoteAddr(text: string | undefined): { host: string; port: number } | null {
  if (!text?.trim()) return null;
  try {
    return parseAddr(text);
  } catch {
    throw new ConfigError(`SKILL_REMOTE_ADDR must look like 0.0.0.0:18445, got "${text}"`);
  }
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return false;
}

export interface ConfigSources {
  env: NodeJS.ProcessEnv;
  argv: string[];
  homedir?: string;
}

export function loadConfig({ env, argv, homedir = os.homedir() }: ConfigSources): DaemonConfig {
  const { host, port } = parseAddr(env.SKILL_DAEMON_ADDR || DEFAULT_ADDR);
  const allowRemote = argv.includes('--allow-remote');
  if (!allowRemote && !isLoopbackHost(host)) {
    throw new ConfigError(
      `refusing to listen on non-loopback address ${host}; pass --allow-remote if you really mean to expose the daemon`,
    );
  }
  const configHome = env.XDG_CONFIG_HOME || path.join(homedir, '.config');
  const network = env.SKILL_NETWORK === 'loopback' ? 'loopback' : 'lan';
  return {
    host,
    port,
    dataDir: path.resolve(env.SKILL_DATA_DIR || path.join(homedir, '.skill')),
    daemonConfigDir: path.resolve(configHome, 'skill', 'daemon'),
    tokenOverride: env.SKILL_DAEMON_TOKEN?.trim() || null,
    allowRemote,
    network,
    lslSessionId: env.SKILL_LSL_SESSION_ID?.trim() || 'default',
    allowedHosts: (env.SKILL_ALLOWED_HOSTS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
    faultInjection: env.SKILL_FAULT_INJECTION === '1' || argv.includes('--fault-injection'),
    supervision: supervisionFromEnv(env),
    logToStderr: env.SKILL_LOG_STDERR !== '0',
    hfEndpoint: env.HF_ENDPOINT?.trim() || 'https://huggingface.co',
    hubToken: {
      token: env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim() || null,
      file: path.resolve(env.HF_TOKEN_PATH || path.join(env.HF_HOME || path.join(homedir, '.cache', 'huggingface'), 'token')),
    },
    mdns: env.SKILL_MDNS !== '0' && !argv.includes('--no-mdns'),
    remoteAddr: remoteAddr(env.SKILL_REMOTE_ADDR),
    service: {
      systemdUserDir: path.resolve(configHome, 'systemd', 'user'),
      launchAgentsDir: path.join(homedir, 'Library', 'LaunchAgents'),
      runManager: env.SKILL_SERVICE_MANAGER !== 'none',
      searchPath: env.PATH ?? '',
    },
    inspectUrl: inspectUrl(env, argv, allowRemote),
    screenshotCommand: screenshotCommand(env.SKILL_SCREENSHOT_COMMAND),
  };
}

function screenshotCommand(text: string | undefined): string[] | null {
  if (!text?.trim()) return null;
  try {
    return parseCaptureCommand(text);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** The inspection URL from `--inspect`, `--inspect=<url>` or SKILL_INSPECT (`1` or a URL); loopback only without --allow-remote. */
function inspectUrl(env: NodeJS.ProcessEnv, argv: string[], allowRemote: boolean): string | null {
  const flag = argv.find((a) => a === '--inspect' || a.startsWith('--inspect='));
  const given = flag ? flag.slice('--inspect='.length) || '1' : env.SKILL_INSPECT?.trim() || '';
  if (!given || given === '0') return null;
  // 8080 is where @statelyai/inspect's own receiver (createInspectorServer) listens by default.
  const text = given === '1' ? 'ws://127.0.0.1:8080' : given;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--inspect needs a ws:// URL, got "${text}"`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ConfigError(`--inspect needs a ws:// URL, got "${text}"`);
  if (!allowRemote && !isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''))) {
    throw new ConfigError(`refusing to send inspection events to non-loopback ${url.hostname}; pass --allow-remote if you really mean it`);
  }
  return url.toString();
}
