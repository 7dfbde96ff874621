// Do Not Disturb configuration (`GET/POST /v1/settings/dnd/config`, notes §8.3), stored under
// the reference's `do_not_disturb` key with its fields and defaults: DND turns on after the mean
// focus score over `duration_secs` reaches `focus_threshold`, and off after `exit_duration_secs`
// below it (unless focus touched the threshold within `focus_lookback_secs`), or when the signal
// quality drops under `snr_exit_db`. The reference gave no ranges; the ones here keep every
// window between a second and an hour and the threshold on the 0–100 score scale.
import * as z from 'zod';
import { objectSection } from './settingsSection.ts';

export interface DndConfig extends Record<string, unknown> {
  enabled: boolean;
  focus_threshold: number;
  duration_secs: number;
  exit_duration_secs: number;
  focus_lookback_secs: number;
  focus_mode_identifier: string;
  exit_notification: boolean;
  snr_exit_db: number;
  grayscale: boolean;
}

const secs = z.number().int().min(1).max(3600);

export const dndConfigSection = objectSection<DndConfig>({
  name: 'dnd/config',
  key: 'do_not_disturb',
  fields: {
    enabled: z.boolean(),
    focus_threshold: z.number().min(0).max(100),
    duration_secs: secs,
    exit_duration_secs: secs,
    focus_lookback_secs: secs,
    focus_mode_identifier: z.string().min(1).max(256),
    exit_notification: z.boolean(),
    snr_exit_db: z.number().min(-100).max(100),
    grayscale: z.boolean(),
  },
  defaults: {
    enabled: false,
    focus_threshold: 60,
    duration_secs: 60,
    exit_duration_secs: 300,
    focus_lookback_secs: 60,
    focus_mode_identifier: 'com.apple.donotdisturb.mode.default',
    exit_notification: true,
    snr_exit_db: 0,
    grayscale: false,
  },
});
