// A hook rule (notes §8.2, the reference's `HookRule`), stored as the list `hooks` in
// settings.json: when the live EEG comes near the EEG recorded under labels matching the rule's
// keywords, the rule fires. Fields and defaults are the reference's; the reference's app also
// clamped `distance_threshold` to 0.01–1 and `recent_limit` to 10–20 where it used them, and
// capped the list at 100. Names identify rules (cool-down, statuses and the log are keyed by
// them), so they must be unique.
import * as z from 'zod';
import type { SettingsStore } from '../settings/settingsStore.ts';

export const HOOK_SCENARIOS = ['any', 'cognitive', 'emotional', 'physical'] as const;
export type HookScenario = (typeof HOOK_SCENARIOS)[number];

export const MAX_HOOKS = 100;
export const MAX_KEYWORDS = 32;

export const hookRuleSchema = z.object({
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  keywords: z.array(z.string().max(200)).max(MAX_KEYWORDS).default([]),
  scenario: z.enum(HOOK_SCENARIOS).default('any'),
  command: z.string().max(4096).default(''),
  text: z.string().max(4096).default(''),
  distance_threshold: z.number().finite().min(0).max(2).default(0.1),
  recent_limit: z.number().int().min(1).max(1000).default(12),
});

export type HookRule = z.output<typeof hookRuleSchema>;

export const hookRulesSchema = z
  .array(hookRuleSchema)
  .max(MAX_HOOKS)
  .superRefine((rules, ctx) => {
    const seen = new Map<string, number>();
    rules.forEach((r, i) => {
      const first = seen.get(r.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate hook name "${r.name}" (also at ${first})` });
      else seen.set(r.name, i);
    });
  });

/** The threshold the engine uses: the reference's clamp. */
export const effectiveThreshold = (r: HookRule) => Math.min(1, Math.max(0.01, r.distance_threshold));
/** How many label references a rule keeps: the reference's clamp of `recent_limit`. */
export const referenceCap = (r: HookRule) => Math.min(20, Math.max(10, r.recent_limit));
/** Keywords as searched: trimmed, empty ones dropped. */
export const searchKeywords = (r: HookRule) => r.keywords.map((k) => k.trim()).filter((k) => k !== '');

/** The stored rules; entries a hand edit broke are left out rather than failing the list. */
export function readHookRules(settings: SettingsStore): HookRule[] {
  const stored = settings.get().hooks;
  if (!Array.isArray(stored)) return [];
  const out: HookRule[] = [];
  const names = new Set<string>();
  for (const raw of stored) {
    const parsed = hookRuleSchema.safeParse(raw);
    if (parsed.success && !names.has(parsed.data.name)) {
      names.add(parsed.data.name);
      out.push(parsed.data);
    }
  }
  return out;
}
