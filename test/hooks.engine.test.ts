// The hook engine in-process, with labels whose EEG references are fixed vectors and a clock the
// test moves: threshold and its clamp, the per-rule 10 s cool-down, scenario gates, rule changes
// applied to the next embedding, re-embedded history ignored, commands as argument lists (off by
// default), and statuses recovered from hooks.sqlite by the next engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBus, type EventEnvelope } from '../actors/eventBus.ts';
import { DaemonLog } from '../actors/log.ts';
import { SettingsStore } from '../actors/settings/settingsStore.ts';
import { HookEngine } from '../actors/hooks/hookEngine.ts';
import type { HookLabels } from '../actors/hooks/hookReferences.ts';
import { hookRuleSchema, type HookRule } from '../actors/hooks/hookRule.ts';
import { scenarioAllows } from '../actors/hooks/hookScenario.ts';
import { commandArgv, CommandSyntaxError } from '../actors/hooks/commandArgv.ts';
import { EPOCH_METRIC_KEYS, type EpochMetrics } from '../actors/store/epochMetrics.ts';

const unit = (...xs: number[]) => {
  const v = Float32Array.from(xs);
  const n = Math.hypot(...xs);
  return v.map((x) => x / n);
};

/** Two labels: "deep focus" (EEG along x) and "eyes closed" (EEG along y). */
function fakeLabels(): HookLabels & { revision: number } {
  const rows = [
    { id: 1, text: 'deep focus', eeg_start: 1000, vector: unit(1, 0, 0) },
    { id: 2, text: 'eyes closed', eeg_start: 2000, vector: unit(0, 1, 0) },
  ];
  return {
    revision: 0,
    async nearestByText(query: string) {
      // Lexical enough for a test: labels sharing a word with the query, nearest first.
      return rows.filter((r) => r.text.split(' ').some((w) => query.includes(w))).map((r) => ({ id: r.id, text: r.text, eeg_start: r.eeg_start, distance: 0.2 }));
    },
    eegNodeOf: (id: number) => rows.find((r) => r.id === id)?.vector ?? null,
  };
}

const metrics = (over: Partial<EpochMetrics> = {}): EpochMetrics => ({ ...(Object.fromEntries(EPOCH_METRIC_KEYS.map((k) => [k, 50])) as EpochMetrics), hr: 70, ...over });
const rule = (r: Partial<HookRule> & { name: string }): HookRule => hookRuleSchema.parse(r);

function setup(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hooks-engine-'))) {
  const bus = new EventBus();
  const fired: EventEnvelope[] = [];
  bus.subscribe((e) => e.type === 'hook' && fired.push(e));
  const settings = new SettingsStore(dir);
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const engine = new HookEngine({ dataDir: dir, bus, log: new DaemonLog(false), settings, labels: fakeLabels(), now: () => now });
  const embed = async (vector: Float32Array, m: EpochMetrics | null = metrics(), stepMs = 5_000) => {
    now += stepMs;
    engine.onStored({ timestampMs: now, dayDir: dir, vector, deviceName: 'test', model: 'test', ...(m && { metrics: m }) });
    await engine.settled();
  };
  return { dir, bus, fired, settings, engine, embed, clock: { get: () => now, set: (t: number) => (now = t) } };
}

test('fires within the threshold, at most once per 10 s per rule, with the reference payload', async () => {
  const t = setup();
  t.engine.setRules([rule({ name: 'focus', keywords: ['focus'], distance_threshold: 0.1, command: 'notify-send hi', text: 'time to focus' })]);
  await t.embed(unit(0, 1, 0));
  assert.equal(t.fired.length, 0, 'far from the reference (distance 1): no fire');
  await t.embed(unit(1, 0.1, 0));
  assert.equal(t.fired.length, 1, 'near the reference: fired');
  const p = t.fired[0]!.payload as Record<string, unknown>;
  assert.deepEqual(Object.keys(p).sort(), ['command', 'context', 'distance', 'hook', 'label_id', 'label_text', 'scenario', 'text', 'triggered_at_utc'], 'reference payload keys');
  assert.equal(p.hook, 'focus', 'hook name');
  assert.equal(p.label_text, 'deep focus', 'nearest reference label');
  assert.equal(p.context, 'labels', 'context');
  assert.equal(p.triggered_at_utc, 20260101120010, 'YYYYMMDDHHmmss UTC of the engine clock');
  assert.ok((p.distance as number) < 0.01, `distance ${p.distance}`);
  await t.embed(unit(1, 0, 0));
  assert.equal(t.fired.length, 1, '5 s later: inside the cool-down');
  await t.embed(unit(1, 0, 0));
  assert.equal(t.fired.length, 2, '10 s after the first fire: fires again');
  const [status] = t.engine.statuses();
  assert.equal(status!.trigger_count, 2, 'count');
  assert.equal(status!.last_trigger?.label_id, 1, 'last trigger label');
  assert.equal(status!.last_trigger?.triggered_at_utc, t.clock.get() / 1000, 'last trigger time (unix s)');
  assert.equal(status!.references, 1, 'one EEG reference');
  assert.equal(t.engine.hooksLog.count(), 2, 'two rows in hooks.sqlite');
  const row = t.engine.hooksLog.page(1, 0)[0]!;
  assert.deepEqual(JSON.parse(row.payload_json), { context: 'labels', command: 'notify-send hi', text: 'time to focus' }, 'payload_json; no command ran (off by default)');
  assert.equal(JSON.parse(row.hook_json).name, 'focus', 'hook_json');
  await t.engine.close();
});

test('threshold clamps, scenario gates, disabled rules and re-embedded history', async () => {
  const t = setup();
  t.engine.setRules([
    rule({ name: 'strict', keywords: ['focus'], distance_threshold: 0 }), // used as 0.01
    rule({ name: 'off', keywords: ['focus'], enabled: false, distance_threshold: 1 }),
    rule({ name: 'cognitive', keywords: ['focus'], scenario: 'cognitive', distance_threshold: 1 }),
  ]);
  await t.embed(unit(1, 0.05, 0), metrics({ cognitive_load: 40, engagement: 40 }));
  assert.deepEqual(t.fired.map((e) => (e.payload as any).hook), ['strict'], 'distance 0.001 passes the clamped 0.01; cognitive gate closed; disabled rule silent');
  await t.embed(unit(1, 0.5, 0), metrics({ cognitive_load: 60 }));
  assert.deepEqual(t.fired.map((e) => (e.payload as any).hook), ['strict', 'cognitive'], 'cognitive_load ≥ 55 opens the gate; 0.1 is beyond 0.01');
  await t.embed(unit(1, 0, 0), null, 60_000);
  assert.equal(t.fired.length, 2, 're-embedded history (no metrics) is not evaluated');
  assert.equal(scenarioAllows('physical', metrics({ drowsiness: 10, headache_index: 0, migraine_index: 0, hr: 50 })), true, 'hr ≤ 52 is physical');
  assert.equal(scenarioAllows('physical', metrics({ drowsiness: 10, headache_index: 0, migraine_index: 0, hr: 0 })), false, 'no heart rate: no hr rule');
  assert.equal(scenarioAllows('emotional', metrics({ stress_index: 0, mood: 50, relaxation: 30 })), true, 'relaxation ≤ 35 is emotional');
  await t.engine.close();
});

test('a rule change applies to the next embedding; statuses survive a new engine', async () => {
  const t = setup();
  t.engine.setRules([rule({ name: 'focus', keywords: ['focus'], distance_threshold: 0.1 })]);
  await t.embed(unit(0, 1, 0));
  assert.equal(t.fired.length, 0, 'eyes-closed EEG does not match "focus"');
  // Changed while running: now the rule looks for "closed" labels.
  t.engine.setRules([rule({ name: 'focus', keywords: ['closed'], distance_threshold: 0.1 })]);
  await t.embed(unit(0, 1, 0));
  assert.equal(t.fired.length, 1, 'the edited rule fired on the very next embedding');
  assert.equal((t.fired[0]!.payload as any).label_text, 'eyes closed', 'against the new reference');
  await t.engine.close();

  const again = setup(t.dir);
  const [status] = again.engine.statuses();
  assert.equal(status!.hook.name, 'focus', 'rules from settings.json');
  assert.equal(status!.trigger_count, 1, 'count from hooks.sqlite');
  assert.equal(status!.last_trigger?.label_text, 'eyes closed', 'last trigger from hooks.sqlite');
  // The cool-down carries over too: the last fire is in the log.
  again.clock.set(t.clock.get());
  await again.embed(unit(0, 1, 0), metrics(), 3_000);
  assert.equal(again.fired.length, 0, 'still inside the cool-down after a restart');
  await again.engine.close();
});

test('commands: argument lists without a shell, run only when enabled, output logged', async () => {
  const t = setup();
  const out = path.join(t.dir, 'ran.txt');
  const script = path.join(t.dir, 'record.sh');
  fs.writeFileSync(script, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> "${out}"; done\nprintf 'hook=%s label=%s\\n' "$SKILL_HOOK_NAME" "$SKILL_HOOK_LABEL_TEXT" >> "${out}"\necho done\n`, { mode: 0o755 });
  t.settings.update({ hook_commands: { enabled: true, timeout_secs: 5 } });
  t.engine.setRules([rule({ name: 'focus', keywords: ['focus'], distance_threshold: 0.5, command: `${script} "two words" ';' '$HOME' && x` })]);
  await t.embed(unit(1, 0, 0));
  assert.equal(t.fired.length, 1, 'fired');
  assert.equal(fs.readFileSync(out, 'utf8'), 'two words\n;\n$HOME\n&&\nx\nhook=focus label=deep focus\n', 'each word one argument, nothing expanded, context in the environment');
  const payload = JSON.parse(t.engine.hooksLog.page(1, 0)[0]!.payload_json);
  assert.equal(payload.command_result.exit_code, 0, JSON.stringify(payload));
  assert.equal(payload.command_result.stdout, 'done\n', 'output captured');
  assert.equal(t.engine.statuses()[0]!.last_command?.exit_code, 0, 'last command in the status');

  assert.deepEqual(commandArgv(`a 'b c' "d \\"e\\"" f\\ g`), ['a', 'b c', 'd "e"', 'f g'], 'quoting');
  assert.throws(() => commandArgv('a "b'), CommandSyntaxError, 'unterminated quote');
  await t.engine.close();
});
