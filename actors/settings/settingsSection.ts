// A settings section: one `GET/POST /v1/settings/<name>` pair backed by keys of settings.json.
// A section is described once — its fields' schemas and defaults, where it lives in the file —
// and reading, updating and announcing it work the same way for every section:
//
// - read: every stored field that still validates is used, anything else (missing, hand-edited
//   into nonsense, written by another version) falls back to its default, so a bad file never
//   breaks a GET or the subsystem reading it;
// - update: a patch of fields already validated by the route's schema is merged over the current
//   value, checked by the section's cross-field rule, written through the settings store (atomic,
//   serialised) and announced as one `settings-changed {setting, value}` event;
// - a value that did not change is still a valid update but no event is published.
import * as z from 'zod';
import type { EventBus } from '../eventBus.ts';
import type { SettingsStore, UserSettings } from './settingsStore.ts';

/** A value a section's cross-field rule refuses; `field` is the field to name in the 422. */
export class SettingsFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SettingsSection<T extends Record<string, unknown>> {
  /** Path segment(s) after `/v1/settings/`, and the `setting` of the change event. */
  name: string;
  /** Each field's schema as accepted from a client (clamps are transforms). */
  fields: { [K in keyof T]: z.ZodType<T[K], any> };
  defaults: T;
  /** The stored object as it sits in settings.json (default: the whole object under `key`). */
  load(settings: Readonly<UserSettings>): Record<string, unknown>;
  /** The settings.json patch that stores `value`. */
  store(value: T): Partial<UserSettings>;
  /**
   * Completes a merged value and checks rules across fields; throws SettingsFieldError.
   * `patch` holds only the fields the client sent.
   */
  finish?(merged: T, patch: Partial<T>, previous: T): T;
}

/** A section stored as one object under `key` in settings.json. */
export function objectSection<T extends Record<string, unknown>>(
  s: Omit<SettingsSection<T>, 'load' | 'store'> & { key: string },
): SettingsSection<T> {
  const { key, ...rest } = s;
  return {
    ...rest,
    load: (settings) => {
      const v = settings[key];
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    },
    store: (value) => ({ [key]: value }),
  };
}

/** The body schema of a POST: every field optional, unknown fields ignored. */
export function patchSchema<T extends Record<string, unknown>>(section: SettingsSection<T>) {
  const shape = Object.fromEntries(Object.entries(section.fields).map(([k, f]) => [k, (f as z.ZodType).optional()]));
  return z.object(shape) as unknown as z.ZodType<Partial<T>>;
}

/** The section's current value: stored fields that validate, defaults for the rest. */
export function readSection<T extends Record<string, unknown>>(settings: Readonly<UserSettings>, section: SettingsSection<T>): T {
  const stored = section.load(settings);
  const out: Record<string, unknown> = {};
  for (const [k, fallback] of Object.entries(section.defaults)) {
    const parsed = k in stored ? (section.fields[k] as z.ZodType).safeParse(stored[k]) : null;
    out[k] = parsed?.success ? parsed.data : fallback;
  }
  return out as T;
}

export class SettingsSections {
  constructor(
    private readonly store: SettingsStore,
    private readonly bus: EventBus,
  ) {}

  get<T extends Record<string, unknown>>(section: SettingsSection<T>): T {
    return readSection(this.store.get(), section);
  }

  /** Merges `patch` (validated by patchSchema) over the current value, stores and announces it. */
  update<T extends Record<string, unknown>>(section: SettingsSection<T>, patch: Partial<T>): T {
    const previous = this.get(section);
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
    const merged = { ...previous, ...given };
    const value = section.finish ? section.finish(merged, given, previous) : merged;
    if (JSON.stringify(value) === JSON.stringify(previous)) return previous;
    this.store.update(section.store(value));
    this.bus.publish('settings-changed', { setting: section.name, value });
    return value;
  }
}
