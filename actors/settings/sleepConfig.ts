// The sleep schedule (`GET/POST /v1/settings/sleep-config`, notes §7.3 and §12): the bedtime and
// wake-up time the user keeps, as "HH:MM" (24 h, local), and the named preset they came from.
// Stored under `sleep_config` as the reference does. The sleep stager does not read it: its
// thresholds are fixed on relative band powers (docs/analysis.md), and the reference's classifier
// ignores the schedule too; clients use it to pick the night to show.
import * as z from 'zod';
import { objectSection, SettingsFieldError } from './settingsSection.ts';

export const SLEEP_PRESETS = {
  default: ['23:00', '07:00'],
  early_bird: ['21:30', '05:30'],
  night_owl: ['01:00', '09:00'],
  short_sleeper: ['00:00', '06:00'],
  long_sleeper: ['22:00', '08:00'],
} as const satisfies Record<string, readonly [string, string]>;

type NamedPreset = keyof typeof SLEEP_PRESETS;
export type SleepPreset = NamedPreset | 'custom';

export interface SleepConfig extends Record<string, unknown> {
  bedtime: string;
  wake_time: string;
  preset: SleepPreset;
}

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be "HH:MM", 24-hour (00:00–23:59)');

const named = (p: SleepPreset): p is NamedPreset => p !== 'custom';

export const sleepConfigSection = objectSection<SleepConfig>({
  name: 'sleep-config',
  key: 'sleep_config',
  fields: {
    bedtime: clock,
    wake_time: clock,
    preset: z.enum(['default', 'early_bird', 'night_owl', 'short_sleeper', 'long_sleeper', 'custom']),
  },
  defaults: { bedtime: '23:00', wake_time: '07:00', preset: 'default' },
  // A named preset means its times: choosing one fills them in, and sending other times with it is
  // a contradiction. Times sent alone take the preset they match, else "custom".
  finish: (merged, patch) => {
    if (patch.preset !== undefined && named(patch.preset)) {
      const [bedtime, wake_time] = SLEEP_PRESETS[patch.preset];
      for (const [field, want] of [['bedtime', bedtime], ['wake_time', wake_time]] as const) {
        const sent = patch[field];
        if (sent !== undefined && sent !== want) {
          throw new SettingsFieldError(field, `${field} ${sent} contradicts preset "${patch.preset}" (${bedtime}–${wake_time}); use preset "custom" for other times`);
        }
      }
      return { bedtime, wake_time, preset: patch.preset };
    }
    if (patch.preset === undefined && (patch.bedtime !== undefined || patch.wake_time !== undefined)) {
      const match = (Object.keys(SLEEP_PRESETS) as NamedPreset[]).find((p) => SLEEP_PRESETS[p][0] === merged.bedtime && SLEEP_PRESETS[p][1] === merged.wake_time);
      return { ...merged, preset: match ?? 'custom' };
    }
    return merged;
  },
});

