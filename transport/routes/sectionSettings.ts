// `GET/POST /v1/settings/<name>` for the settings sections described in actors/settings/: each
// GET answers the section's current value, each POST takes any subset of its fields (camelCase
// or snake_case), stores the merged value and answers `{ok: true, ...value}`. Every change is
// published as `settings-changed {setting, value}`; the subsystem that owns a section reads it
// from the settings store at the moment it needs it, so changes apply without a restart.
import { dndConfigSection } from '../../actors/settings/dndConfig.ts';
import { screenshotConfigSection } from '../../actors/settings/screenshotConfig.ts';
import { patchSchema, SettingsFieldError, SettingsSections, type SettingsSection } from '../../actors/settings/settingsSection.ts';
import { sleepConfigSection } from '../../actors/settings/sleepConfig.ts';
import { umapConfigSection } from '../../actors/settings/umapConfig.ts';
import { wsConfigSection } from '../../actors/settings/wsConfig.ts';
import { HttpError } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** Each section with what its GET and POST summaries say about it (who reads it, what is clamped). */
const SECTIONS: ReadonlyArray<readonly [SettingsSection<any>, string, string]> = [
  [sleepConfigSection, 'Sleep schedule `{bedtime, wake_time, preset}` ("HH:MM", 24 h).',
    'Set the sleep schedule; a named preset fills in its times, times alone make the preset the one they match or "custom". Read by clients only: sleep staging has fixed thresholds.'],
  [umapConfigSection, 'UMAP parameters `{repulsion_strength, neg_sample_rate, timeout_secs, n_epochs, n_neighbors, cooldown_ms, backend, precision}`.',
    'Set UMAP parameters (numbers clamped to their ranges); `POST /v1/analysis/umap` uses them from its next request.'],
  [dndConfigSection, 'Do Not Disturb configuration `{enabled, focus_threshold, duration_secs, exit_duration_secs, focus_lookback_secs, focus_mode_identifier, exit_notification, snr_exit_db, grayscale}`.',
    'Set the Do Not Disturb configuration; stored and published for the DND engine.'],
  [screenshotConfigSection, 'Screenshot capture settings `{enabled, interval_secs, image_size, quality, session_only, ocr_enabled, ocr_engine, gif_*, …}`.',
    'Set screenshot capture settings (`interval_secs` snapped to 5–60 s in steps of 5); stored and published for the capture worker.'],
  [wsConfigSection, 'Legacy WebSocket server address `{host, port}` (stored only: events are served on the HTTP port).',
    'Set the legacy WebSocket address (host 127.0.0.1 or 0.0.0.0, port 1024–65535); stored and published, not bound.'],
];

export function sectionSettingsRoutes(s: RouteServices): Route[] {
  const sections = new SettingsSections(s.settings, s.bus);
  return SECTIONS.flatMap(([section, getSummary, postSummary]) => [
    route({ method: 'GET', path: `/v1/settings/${section.name}`, scope: 'acl', summary: getSummary, handler: () => sections.get(section) }),
    route({
      method: 'POST', path: `/v1/settings/${section.name}`, scope: 'acl', summary: postSummary,
      body: patchSchema(section),
      handler: ({ body }) => {
        try {
          return { ok: true, ...sections.update(section, body) };
        } catch (err) {
          if (!(err instanceof SettingsFieldError)) throw err;
          throw new HttpError(422, 'invalid_body', err.message, { issues: [{ path: err.field, message: err.message }] });
        }
      },
    }),
  ]);
}
