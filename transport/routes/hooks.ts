// Hooks: rules that fire when the live EEG comes near the EEG recorded under matching labels
// (notes §8.2), their statuses and fire log (hooks.sqlite), help for writing them, and the opt-in
// switch for running their commands.
import * as z from 'zod';
import { CommandSyntaxError, commandArgv } from '../../actors/hooks/commandArgv.ts';
import { hookCommandSection } from '../../actors/hooks/hookCommandConfig.ts';
import { hookRulesSchema, MAX_HOOKS } from '../../actors/hooks/hookRule.ts';
import { suggestDistances, suggestKeywords } from '../../actors/hooks/hookSuggestions.ts';
import { patchSchema, SettingsSections } from '../../actors/settings/settingsSection.ts';
import { Reply, route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export const HOOK_LOG_MAX_LIMIT = 500;

/** Every rule's command must split into words (an unterminated quote is refused). */
const rulesBody = hookRulesSchema.superRefine((rules, ctx) => {
  rules.forEach((r, i) => {
    try {
      commandArgv(r.command);
    } catch (err) {
      if (err instanceof CommandSyntaxError) ctx.addIssue({ code: 'custom', path: [i, 'command'], message: err.message });
      else throw err;
    }
  });
});

const RULE =
  '`HookRule` `{name (unique), enabled=true, keywords[], scenario: any|cognitive|emotional|physical = any, command="", text="", distance_threshold=0.1 (cosine, 0–2; used clamped to 0.01–1), recent_limit=12 (references kept, used clamped to 10–20)}`';

export function hookRoutes(s: RouteServices): Route[] {
  const sections = new SettingsSections(s.settings, s.bus);
  const setRules = {
    scope: 'acl' as const,
    summary:
      `Replace the whole rule list with \`[${RULE}]\` (at most ${MAX_HOOKS}) → \`{ok:true, hooks}\`. Stored in settings.json \`hooks\` and applied to the next live embedding (references rebuilt at once); \`settings-changed {setting:"hooks"}\`. 422 for a bad field, a duplicate name or a command with an unterminated quote; nothing is changed then.`,
    body: rulesBody,
    handler: ({ body }: { body: z.output<typeof rulesBody> }) => ({ ok: true, hooks: s.hooks.setRules(body) }),
  };
  return [
    route({ method: 'GET', path: '/v1/hooks', scope: 'acl', summary: `The hook rules: \`[${RULE}]\`.`, handler: () => s.hooks.rules() }),
    route({ method: 'PUT', path: '/v1/hooks', ...setRules }),
    route({ method: 'POST', path: '/v1/hooks', ...setRules, summary: `Same as \`PUT /v1/hooks\` (the seed API documents POST, the reference serves PUT).` }),
    route({
      method: 'GET', path: '/v1/hooks/statuses', scope: 'acl',
      summary:
        'Each rule with its runtime: `[{hook, last_trigger: {triggered_at_utc (unix s), distance, label_id, label_text, label_eeg_start_utc} | null, trigger_count, last_distance (nearest reference at the last evaluation), last_evaluated_at, references (EEG references in use), last_command}]`. Counts and last triggers survive a restart (from hooks.sqlite).',
      handler: () => s.hooks.statuses(),
    }),
    route({
      method: 'POST', path: '/v1/hooks/log', scope: 'acl',
      summary:
        `Fires, newest first: \`{limit=50 (1–${HOOK_LOG_MAX_LIMIT}), offset=0}\` → \`[{id, triggered_at_utc (YYYYMMDDHHmmss UTC), hook_json, trigger_json, payload_json}]\` (JSON texts; \`payload_json.command_result\` holds a command's exit code and output when one ran). Headers \`x-total-count\`, \`x-next-offset\`.`,
      body: z.object({
        limit: z.number().int().min(1).max(HOOK_LOG_MAX_LIMIT).default(50),
        offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
      }),
      handler: ({ body }) => {
        const rows = s.hooks.hooksLog.page(body.limit, body.offset);
        const total = s.hooks.hooksLog.count();
        const end = body.offset + rows.length;
        return new Reply(200, rows, { 'x-total-count': String(total), ...(end < total && { 'x-next-offset': String(end) }) });
      },
    }),
    route({ method: 'GET', path: '/v1/hooks/log-count', scope: 'acl', summary: 'Number of logged fires: `{count}`.', handler: () => ({ count: s.hooks.hooksLog.count() }) }),
    route({
      method: 'POST', path: '/v1/hooks/suggest-keywords', scope: 'acl',
      summary:
        'Label texts nearest a draft keyword by the label text model: `{draft, limit=8 (1–20)}` → `[{keyword, source:"embedding", score (1 − cosine distance/2)}]`, best first; `[]` for a draft shorter than 2 characters.',
      body: z.object({ draft: z.string().max(1000), limit: z.number().int().min(1).max(20).default(8) }),
      handler: ({ body }) => suggestKeywords(s.labels, body.draft, body.limit),
    }),
    route({
      method: 'POST', path: '/v1/hooks/suggest-distances', scope: 'acl',
      summary:
        'A `distance_threshold` for some keywords: `{keywords[]}` → `{label_n, ref_n, sample_n, eeg_min, eeg_p25, eeg_p50, eeg_p75, eeg_max, suggested, note}` — cosine distances between the EEG references those keywords pick (as the engine picks them) and up to 300 recent stored epochs; `suggested` is the 25th percentile (0.01–0.99), 0.1 when there is nothing to measure.',
      body: z.object({ keywords: z.array(z.string().max(200)).max(32) }),
      handler: ({ body }) => suggestDistances(s.labels, s.config.dataDir, body.keywords),
    }),
    route({
      method: 'GET', path: `/v1/settings/${hookCommandSection.name}`, scope: 'admin',
      summary: 'Whether hooks run their rule\'s `command`: `{enabled=false, timeout_secs=10}`.',
      handler: () => sections.get(hookCommandSection),
    }),
    route({
      method: 'POST', path: `/v1/settings/${hookCommandSection.name}`, scope: 'admin',
      summary:
        'Switch hook commands on or off `{enabled?, timeout_secs? (1–600)}` → `{ok:true, …}`. A command runs as an argument list (split on spaces, quotes group; no shell), with `SKILL_HOOK_NAME`, `SKILL_HOOK_TEXT`, `SKILL_HOOK_SCENARIO`, `SKILL_HOOK_DISTANCE`, `SKILL_HOOK_LABEL_ID`, `SKILL_HOOK_LABEL_TEXT` in its environment; killed after the timeout; its exit code and output go to the log.',
      body: patchSchema(hookCommandSection),
      handler: ({ body }) => ({ ok: true, ...sections.update(hookCommandSection, body) }),
    }),
  ];
}
