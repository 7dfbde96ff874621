// Paired devices (`<data>/paired_devices.json`, an array of {id, name, last_seen}) and the
// preferred one (settings.json `preferred_id`), as the reference keeps them. The list is also
// mirrored into settings.json `paired` for clients that read it there.
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import type { PairedDevice } from './deviceStatus.ts';

export class PairedDevices {
  readonly file: string;
  private list: PairedDevice[];

  constructor(dataDir: string, private readonly settings: SettingsStore, private readonly nowSecs = () => Math.floor(Date.now() / 1000)) {
    this.file = path.join(dataDir, 'paired_devices.json');
    let stored: PairedDevice[] = [];
    try {
      stored = readJsonFile<PairedDevice[]>(this.file, (settings.get().paired as PairedDevice[] | undefined) ?? []);
    } catch {
      stored = [];
    }
    this.list = Array.isArray(stored) ? stored.filter((d) => d && typeof d.id === 'string') : [];
  }

  all(): PairedDevice[] {
    return this.list.map((d) => ({ ...d }));
  }

  has(id: string): boolean {
    return this.list.some((d) => d.id === id);
  }

  get preferredId(): string {
    return String(this.settings.get().preferred_id ?? '');
  }

  pair(id: string, name: string): PairedDevice[] {
    const existing = this.list.find((d) => d.id === id);
    if (existing) {
      existing.name = name || existing.name;
      existing.last_seen = this.nowSecs();
    } else {
      this.list.push({ id, name: name || id, last_seen: this.nowSecs() });
    }
    this.save();
    return this.all();
  }

  /** Marks a paired device as seen now (on connect). */
  seen(id: string, name: string): void {
    const d = this.list.find((x) => x.id === id);
    if (!d) return;
    d.last_seen = this.nowSecs();
    if (name) d.name = name;
    this.save();
  }

  forget(id: string): boolean {
    const before = this.list.length;
    this.list = this.list.filter((d) => d.id !== id);
    if (this.list.length === before) return false;
    if (this.preferredId === id) this.settings.update({ preferred_id: '' });
    this.save();
    return true;
  }

  setPreferred(id: string): void {
    this.settings.update({ preferred_id: id });
  }

  private save(): void {
    writeJsonAtomic(this.file, this.list, { mode: 0o600, dirMode: 0o700 });
    this.settings.update({ paired: this.all() });
  }
}
