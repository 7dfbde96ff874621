// Whether hooks run their rule's `command` (`GET/POST /v1/settings/hooks/commands`, stored under
// `hook_commands`). The reference never ran it (clients acted on the `hook` event); running it is
// opt-in, off by default, and only an admin may switch it on, since a rule's command then runs
// with the daemon's rights. Commands run as argument lists (commandArgv.ts), never through a
// shell, and are killed after `timeout_secs`.
import * as z from 'zod';
import { objectSection } from '../settings/settingsSection.ts';

export interface HookCommandConfig extends Record<string, unknown> {
  enabled: boolean;
  timeout_secs: number;
}

export const hookCommandSection = objectSection<HookCommandConfig>({
  name: 'hooks/commands',
  key: 'hook_commands',
  fields: {
    enabled: z.boolean(),
    timeout_secs: z.number().int().min(1).max(600),
  },
  defaults: { enabled: false, timeout_secs: 10 },
});
