// The hook engine (notes §8.2): every live epoch embedding is compared with each enabled rule's
// EEG references (hookReferences.ts); a rule whose scenario gate passes and whose nearest
// reference is within its threshold fires, at most once per 10 s. A fire is announced as the
// `hook` event, appended to hooks.sqlite, and, when the user enabled it, runs the rule's command.
//
// Unlike the reference, which read the rules once when a session started and never said when a
// rule fired: rule edits apply to the next embedding (the references are rebuilt at once), the
// references follow label edits and are refreshed every 20 s as the reference does, and each
// rule's last trigger, fire count and last distance are kept (and recovered from hooks.sqlite at
// start-up). Re-embedded history is not evaluated: only live epochs carry their metrics.
import type { StoredEmbedding } from '../embeddings/embeddingEvents.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import { readSection } from '../settings/settingsSection.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import { compactToUnixMs, unixMsToCompact } from '../store/timestamps.ts';
import { describeRun, runCommand, succeeded, type CommandRun } from '../commands/runCommand.ts';
import { commandArgv } from './commandArgv.ts';
import { hookCommandSection } from './hookCommandConfig.ts';
import { findReferences, nearestReference, type HookLabels, type HookReference } from './hookReferences.ts';
import { effectiveThreshold, readHookRules, referenceCap, searchKeywords, type HookRule } from './hookRule.ts';
import { scenarioAllows } from './hookScenario.ts';
import { HooksLog } from './hooksLog.ts';

/** The reference's per-rule cool-down. */
export const HOOK_COOLDOWN_MS = 10_000;
/** The reference rebuilt its references this often; EEG nodes move as embeddings arrive. */
export const REFERENCE_REFRESH_MS = 20_000;
/** Embeddings waiting for evaluation beyond this are dropped (one arrives every 5 s). */
const MAX_PENDING = 8;

export interface LastTrigger {
  /** Unix seconds. */
  triggered_at_utc: number;
  distance: number;
  label_id: number | null;
  label_text: string | null;
  label_eeg_start_utc: number | null;
}

export interface CommandOutcome {
  argv: string[];
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  spawn_error: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface RuleRuntime {
  lastTrigger: LastTrigger | null;
  count: number;
  lastDistance: number | null;
  lastEvaluatedAt: number | null;
  lastCommand: CommandOutcome | null;
}

export interface HookEngineDeps {
  dataDir: string;
  bus: EventBus;
  log: DaemonLog;
  settings: SettingsStore;
  labels: HookLabels;
  now?: () => number;
}

export class HookEngine {
  readonly hooksLog: HooksLog;
  readonly #deps: HookEngineDeps;
  readonly #now: () => number;
  #rules: HookRule[];
  #generation = 0;
  #references: Map<string, HookReference[]> | null = null;
  #referencesAt = 0;
  #referencesFor = { generation: -1, labels: -1 };
  readonly #runtime = new Map<string, RuleRuntime>();
  readonly #lastFiredMs = new Map<string, number>();
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #dropped = 0;
  readonly #commands = new Set<Promise<void>>();
  readonly #settingsOff: () => void;
  #closed = false;

  constructor(deps: HookEngineDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.hooksLog = new HooksLog(deps.dataDir);
    this.#rules = readHookRules(deps.settings);
    for (const t of this.hooksLog.tallies()) {
      const rt = this.#runtimeOf(t.hookName);
      rt.count = t.count;
      rt.lastTrigger = lastTriggerOfRow(t.last.triggered_at_utc, t.last.trigger_json);
      if (rt.lastTrigger) this.#lastFiredMs.set(t.hookName, rt.lastTrigger.triggered_at_utc * 1000);
    }
    // Any writer of settings.json (this engine's PUT, a hand edit through another route) applies at once.
    this.#settingsOff = deps.settings.onChange((_next, changed) => {
      if (!changed.includes('hooks')) return;
      this.#rules = readHookRules(deps.settings);
      this.#generation++;
    });
  }

  rules(): HookRule[] {
    return this.#rules;
  }

  /** Replaces the whole rule list (already validated), stores and announces it; applies to the next embedding. */
  setRules(rules: HookRule[]): HookRule[] {
    this.#deps.settings.update({ hooks: rules });
    this.#rules = readHookRules(this.#deps.settings);
    this.#generation++;
    this.#deps.bus.publish('settings-changed', { setting: 'hooks', value: this.#rules });
    return this.#rules;
  }

  /** `GET /v1/hooks/statuses`: each rule with its last trigger (the reference's shape) and our counters. */
  statuses() {
    return this.#rules.map((hook) => {
      const rt = this.#runtime.get(hook.name);
      return {
        hook,
        last_trigger: rt?.lastTrigger ?? null,
        trigger_count: rt?.count ?? 0,
        last_distance: rt?.lastDistance ?? null,
        last_evaluated_at: rt?.lastEvaluatedAt ?? null,
        references: this.#references?.get(hook.name)?.length ?? 0,
        last_command: rt?.lastCommand ?? null,
      };
    });
  }

  /** The encoder's `stored.onStored` listener. Never blocks the encoder: evaluations queue. */
  readonly onStored = (e: StoredEmbedding): void => {
    if (this.#closed || !e.metrics || !this.#rules.some((r) => r.enabled)) return;
    if (this.#pending >= MAX_PENDING) {
      if (++this.#dropped % 10 === 1) this.#deps.log.warn('hooks', `hook evaluation behind: ${this.#dropped} embedding(s) skipped`);
      return;
    }
    this.#pending++;
    this.#queue = this.#queue
      .then(() => this.#evaluate(e))
      .catch((err) => this.#deps.log.warn('hooks', `hook evaluation failed: ${(err as Error).stack ?? err}`))
      .finally(() => this.#pending--);
  };

  /** Resolves once every embedding handed in so far has been evaluated (tests, shutdown). */
  settled(): Promise<void> {
    return this.#queue.then(() => Promise.all(this.#commands)).then(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#settingsOff();
    await this.settled().catch(() => undefined);
    this.hooksLog.close();
  }

  async #evaluate(e: StoredEmbedding): Promise<void> {
    const metrics = e.metrics!;
    const refs = await this.#currentReferences();
    const now = this.#now();
    for (const rule of this.#rules) {
      if (!rule.enabled) continue;
      const ruleRefs = refs.get(rule.name);
      if (!ruleRefs || ruleRefs.length === 0 || !scenarioAllows(rule.scenario, metrics)) continue;
      const best = nearestReference(e.vector, ruleRefs);
      if (!best) continue;
      const rt = this.#runtimeOf(rule.name);
      rt.lastDistance = best.distance;
      rt.lastEvaluatedAt = now / 1000;
      if (best.distance > effectiveThreshold(rule)) continue;
      const last = this.#lastFiredMs.get(rule.name);
      // Whole seconds, as the reference counts: epochs 5 s apart with a few ms of jitter must not
      // stretch the 10 s cool-down to 15 s.
      if (last !== undefined && Math.floor(now / 1000) - Math.floor(last / 1000) < HOOK_COOLDOWN_MS / 1000) continue;
      this.#fire(rule, best.ref, best.distance, now);
    }
  }

  /** The references of every enabled rule, rebuilt when rules or labels changed, or after 20 s. */
  async #currentReferences(): Promise<Map<string, HookReference[]>> {
    const now = this.#now();
    const labelsRevision = this.#deps.labels.revision;
    const fresh =
      this.#references !== null &&
      this.#referencesFor.generation === this.#generation &&
      this.#referencesFor.labels === labelsRevision &&
      now - this.#referencesAt < REFERENCE_REFRESH_MS;
    if (fresh) return this.#references!;
    const generation = this.#generation;
    const next = new Map<string, HookReference[]>();
    for (const rule of this.#rules) {
      if (!rule.enabled) continue;
      const keywords = searchKeywords(rule);
      if (keywords.length === 0) continue;
      next.set(rule.name, (await findReferences(this.#deps.labels, keywords, referenceCap(rule))).references);
    }
    this.#references = next;
    this.#referencesAt = now;
    this.#referencesFor = { generation, labels: labelsRevision };
    return next;
  }

  #fire(rule: HookRule, ref: HookReference, distance: number, now: number): void {
    this.#lastFiredMs.set(rule.name, now);
    const triggeredAt = unixMsToCompact(now);
    this.#deps.log.info('hooks', `hook "${rule.name}" fired: distance ${distance.toFixed(4)} to label ${ref.labelId} "${ref.labelText}"`);
    this.#deps.bus.publish('hook', {
      hook: rule.name,
      context: 'labels',
      command: rule.command,
      text: rule.text,
      scenario: rule.scenario,
      distance,
      label_id: ref.labelId,
      label_text: ref.labelText,
      triggered_at_utc: triggeredAt,
    });
    const payload = { context: 'labels', command: rule.command, text: rule.text };
    const rowId = this.hooksLog.append({
      hookName: rule.name,
      triggeredAtUtc: triggeredAt,
      hook: rule,
      trigger: { triggered_at_utc: triggeredAt, distance, label_id: ref.labelId, label_text: ref.labelText },
      payload,
    });
    const rt = this.#runtimeOf(rule.name);
    rt.count++;
    rt.lastTrigger = { triggered_at_utc: Math.floor(now / 1000), distance, label_id: ref.labelId, label_text: ref.labelText, label_eeg_start_utc: ref.labelEegStart };
    if (rule.command.trim() !== '' && readSection(this.#deps.settings.get(), hookCommandSection).enabled) {
      const done = this.#runCommand(rule, distance, ref, rowId, payload).finally(() => this.#commands.delete(done));
      this.#commands.add(done);
    }
  }

  async #runCommand(rule: HookRule, distance: number, ref: HookReference, rowId: number, payload: Record<string, unknown>): Promise<void> {
    const config = readSection(this.#deps.settings.get(), hookCommandSection);
    let argv: string[];
    try {
      argv = commandArgv(rule.command);
    } catch (err) {
      this.#deps.log.warn('hooks', `hook "${rule.name}": command not run: ${(err as Error).message}`);
      return;
    }
    const run = await runCommand(argv, {
      timeoutMs: config.timeout_secs * 1000,
      // The fire's context, for scripts: never spliced into the arguments.
      env: {
        SKILL_HOOK_NAME: rule.name,
        SKILL_HOOK_TEXT: rule.text,
        SKILL_HOOK_SCENARIO: rule.scenario,
        SKILL_HOOK_DISTANCE: String(distance),
        SKILL_HOOK_LABEL_ID: String(ref.labelId),
        SKILL_HOOK_LABEL_TEXT: ref.labelText,
      },
    });
    const outcome = outcomeOf(run);
    this.#runtimeOf(rule.name).lastCommand = outcome;
    if (this.#closed) return;
    this.hooksLog.setPayload(rowId, { ...payload, command_result: outcome });
    const level = succeeded(run) ? 'info' : 'warn';
    this.#deps.log.write(level, 'hooks', `hook "${rule.name}" command: ${describeRun(run)}`);
  }

  #runtimeOf(name: string): RuleRuntime {
    let rt = this.#runtime.get(name);
    if (!rt) {
      rt = { lastTrigger: null, count: 0, lastDistance: null, lastEvaluatedAt: null, lastCommand: null };
      this.#runtime.set(name, rt);
    }
    return rt;
  }
}

function outcomeOf(r: CommandRun): CommandOutcome {
  return {
    argv: r.argv,
    exit_code: r.code,
    signal: r.signal,
    timed_out: r.timedOut,
    spawn_error: r.spawnError,
    stdout: r.stdout,
    stderr: r.stderr,
    ms: Math.round(r.ms),
  };
}

/** A logged fire as a status's `last_trigger` (rows the reference wrote included). */
function lastTriggerOfRow(triggeredAtUtc: number, triggerJson: string): LastTrigger | null {
  let t: Record<string, unknown> = {};
  try {
    t = JSON.parse(triggerJson) ?? {};
  } catch {
    // Only the time column is then known.
  }
  const ms = compactToUnixMs(triggeredAtUtc);
  if (!Number.isFinite(ms)) return null;
  const distance = Number(t.distance ?? t.eeg_distance ?? t.eegDistance);
  return {
    triggered_at_utc: Math.floor(ms / 1000),
    distance: Number.isFinite(distance) ? distance : 0,
    label_id: typeof t.label_id === 'number' ? t.label_id : null,
    label_text: typeof t.label_text === 'string' ? t.label_text : null,
    label_eeg_start_utc: null,
  };
}
