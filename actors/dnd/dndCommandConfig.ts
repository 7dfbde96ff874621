// What turning Do Not Disturb on and off runs (`GET/POST /v1/settings/dnd/command`), stored under
// `dnd_command` in settings.json. The reference switched macOS Focus modes natively; this daemon
// runs a command instead, given as an argument list (never a shell string), and only on Linux:
// elsewhere DND is announced as events and nothing is run. The defaults are GNOME's notification
// banner switch; an empty list runs nothing for that direction.
import * as z from 'zod';
import { objectSection } from '../settings/settingsSection.ts';

export interface DndCommandConfig extends Record<string, unknown> {
  enter_argv: string[];
  exit_argv: string[];
  timeout_secs: number;
}

const argv = z.array(z.string().min(1).max(4096)).max(64);

export const GNOME_BANNERS = ['gsettings', 'set', 'org.gnome.desktop.notifications', 'show-banners'];

export const dndCommandSection = objectSection<DndCommandConfig>({
  name: 'dnd/command',
  key: 'dnd_command',
  fields: {
    enter_argv: argv,
    exit_argv: argv,
    timeout_secs: z.number().int().min(1).max(120),
  },
  defaults: {
    enter_argv: [...GNOME_BANNERS, 'false'],
    exit_argv: [...GNOME_BANNERS, 'true'],
    timeout_secs: 10,
  },
});

/** Whether this platform runs the DND command at all. */
export const DND_COMMANDS_RUN = process.platform === 'linux';
