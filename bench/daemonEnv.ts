// The environment of a daemon a benchmark starts: its own data and config folders under `tmp`,
// a free loopback port, loopback-only discovery, no mDNS, the log off stderr — and none of the
// settings of the shell it runs from (a token, fault injection, extra hosts) leaking in.

const LEAKING = ['SKILL_DAEMON_TOKEN', 'SKILL_FAULT_INJECTION', 'SKILL_ALLOWED_HOSTS'];

/** `alsoUnset`: more variables the caller wants left at their defaults (e.g. SKILL_RATE_LIMITS). */
export function isolatedDaemonEnv(tmp: string, alsoUnset: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SKILL_DAEMON_ADDR: '127.0.0.1:0',
    SKILL_DATA_DIR: `${tmp}/data`,
    XDG_CONFIG_HOME: `${tmp}/config`,
    SKILL_NETWORK: 'loopback',
    SKILL_LOG_STDERR: '0',
    SKILL_MDNS: '0',
  };
  for (const key of [...LEAKING, ...alsoUnset]) delete env[key];
  return env;
}
