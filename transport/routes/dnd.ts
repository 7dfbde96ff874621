// Do Not Disturb (notes §8.3): the running engine's status and the command that turns the
// system's DND on and off. The engine's configuration is `GET/POST /v1/settings/dnd/config`.
import { dndCommandSection } from '../../actors/dnd/dndCommandConfig.ts';
import { patchSchema, SettingsSections } from '../../actors/settings/settingsSection.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function dndRoutes(s: RouteServices): Route[] {
  const sections = new SettingsSections(s.settings, s.bus);
  return [
    route({
      method: 'GET', path: '/v1/settings/dnd/status', scope: 'acl',
      summary:
        'The DND engine as it runs: the reference\'s `{enabled, avg_score, threshold, sample_count, window_size, duration_secs, dnd_active, os_active (null: not read back), last_error, exit_duration_secs, below_ticks, exit_window_size, exit_secs_remaining, focus_lookback_secs, exit_held_by_lookback}` plus `{state, focus_score, snr_db, snr_low_ticks, ticks, activations, exits, activated_at, deactivated_at (unix ms), exit_reason, command_applied, commands_run}`.',
      handler: () => s.dnd.status(),
    }),
    route({
      method: 'GET', path: `/v1/settings/${dndCommandSection.name}`, scope: 'admin',
      summary: 'What turning DND on and off runs (Linux only): `{enter_argv, exit_argv, timeout_secs}`; default GNOME\'s `gsettings set org.gnome.desktop.notifications show-banners false|true`.',
      handler: () => sections.get(dndCommandSection),
    }),
    route({
      method: 'POST', path: `/v1/settings/${dndCommandSection.name}`, scope: 'admin',
      summary:
        'Set the DND commands `{enter_argv?, exit_argv?, timeout_secs? (1–120)}` → `{ok:true, …}`: argument lists (program first; never run through a shell), `[]` to run nothing. They get `SKILL_DND` (1/0) and `SKILL_DND_MODE` in their environment. Elsewhere than Linux DND is announced as events only.',
      body: patchSchema(dndCommandSection),
      handler: ({ body }) => ({ ok: true, ...sections.update(dndCommandSection, body) }),
    }),
  ];
}
