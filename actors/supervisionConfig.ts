// How the root supervisor treats its children: the standard restart intensity and backoff of
// every child spec, and the heartbeat that finds hung actors. The defaults are the OTP-like
// figures docs/architecture.md describes; the environment may change them for one run (the
// fault-injection run restarts each actor thousands of times, which the default intensity
// would rightly refuse).
import { ConfigError } from './config.ts';

export interface SupervisionConfig {
  /** At most `maxRestarts` restarts of one child within `withinMs`, then escalate. */
  intensity: { maxRestarts: number; withinMs: number };
  /** Before the n-th restart inside the window: initialMs·2^(n-1), capped at maxMs. */
  backoff: { initialMs: number; maxMs: number };
  /** Heartbeat interval; an actor silent for three intervals counts as hung. */
  heartbeatMs: number;
}

export const DEFAULT_SUPERVISION: SupervisionConfig = {
  intensity: { maxRestarts: 5, withinMs: 60_000 },
  backoff: { initialMs: 250, maxMs: 10_000 },
  heartbeatMs: 1_000,
};

/** `a/b`, two non-negative integers. */
function pair(name: string, text: string): [number, number] {
  const m = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
  if (!m) throw new ConfigError(`${name} must look like N/M (integers), got "${text}"`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * SKILL_RESTART_INTENSITY=`maxRestarts/withinMs`, SKILL_RESTART_BACKOFF=`initialMs/maxMs`,
 * SKILL_ACTOR_HEARTBEAT_MS=`ms`.
 */
export function supervisionFromEnv(env: Record<string, string | undefined>): SupervisionConfig {
  const out = structuredClone(DEFAULT_SUPERVISION);
  if (env.SKILL_RESTART_INTENSITY) {
    const [maxRestarts, withinMs] = pair('SKILL_RESTART_INTENSITY', env.SKILL_RESTART_INTENSITY);
    if (withinMs < 1) throw new ConfigError('SKILL_RESTART_INTENSITY: the window must be at least 1 ms');
    out.intensity = { maxRestarts, withinMs };
  }
  if (env.SKILL_RESTART_BACKOFF) {
    const [initialMs, maxMs] = pair('SKILL_RESTART_BACKOFF', env.SKILL_RESTART_BACKOFF);
    if (initialMs > maxMs) throw new ConfigError('SKILL_RESTART_BACKOFF: the initial delay exceeds the maximum');
    out.backoff = { initialMs, maxMs };
  }
  if (env.SKILL_ACTOR_HEARTBEAT_MS) {
    const ms = Number(env.SKILL_ACTOR_HEARTBEAT_MS);
    if (!Number.isInteger(ms) || ms < 10 || ms > 600_000) throw new ConfigError('SKILL_ACTOR_HEARTBEAT_MS must be an integer from 10 to 600000');
    out.heartbeatMs = ms;
  }
  return out;
}
