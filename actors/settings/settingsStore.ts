// `<data>/settings.json`: the user's settings, with the reference's snake_case keys. Every
// update is read-modify-write of the in-memory copy followed by an atomic file replace, all
// synchronous on the one JS thread, so two writers can never interleave and lose an update.
// Unknown keys found in the file are kept, so a newer daemon's settings survive an older one.
import fs from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile.ts';

export interface UserSettings {
  daemon_auto_restart: boolean;
  daemon_restart_timeout_secs: number;
  [key: string]: unknown;
}

export const DEFAULT_SETTINGS: UserSettings = {
  daemon_auto_restart: true,
  daemon_restart_timeout_secs: 10,
};

export type SettingsListener = (next: UserSettings, changed: string[]) => void;

export class SettingsStore {
  readonly file: string;
  private current: UserSettings;
  private readonly listeners = new Set<SettingsListener>();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
    let stored: Partial<UserSettings>;
    try {
      stored = readJsonFile<Partial<UserSettings>>(this.file, {});
    } catch {
      // A corrupt settings file must not keep the daemon from starting: move it aside, use defaults.
      fs.renameSync(this.file, `${this.file}.corrupt-${Date.now()}`);
      stored = {};
    }
    this.current = { ...DEFAULT_SETTINGS, ...stored };
  }

  get(): Readonly<UserSettings> {
    return this.current;
  }

  update(patch: Partial<UserSettings>): UserSettings {
    const changed = Object.keys(patch).filter((k) => JSON.stringify(patch[k]) !== JSON.stringify(this.current[k]));
    const next = { ...this.current, ...patch };
    writeJsonAtomic(this.file, next, { mode: 0o600, dirMode: 0o700 });
    this.current = next;
    if (changed.length) for (const l of this.listeners) l(next, changed);
    return next;
  }

  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
