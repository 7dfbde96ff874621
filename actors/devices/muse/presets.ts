// Classic-firmware presets (protocol reference §4.1): a preset decides which streams the headset
// produces; subscribing alone is not enough. Only presets whose contents at least two public
// clients agree on are accepted; `p23`, `p60`, `p52`… are "unknown/untested" and refused rather
// than guessed.

export interface MusePreset {
  command: string;
  aux: boolean;
  ppg: boolean;
  imu: boolean;
}

export const MUSE_PRESETS = {
  p20: { command: 'p20', aux: true, ppg: false, imu: true },
  p21: { command: 'p21', aux: false, ppg: false, imu: true },
  p22: { command: 'p22', aux: false, ppg: false, imu: false },
  p50: { command: 'p50', aux: true, ppg: true, imu: true },
  p51: { command: 'p51', aux: false, ppg: true, imu: true },
  p61: { command: 'p61', aux: false, ppg: true, imu: true },
} as const satisfies Record<string, MusePreset>;

export type MusePresetId = keyof typeof MUSE_PRESETS;

export function isMusePresetId(id: string): id is MusePresetId {
  return Object.hasOwn(MUSE_PRESETS, id);
}

/**
 * What the public clients send when nothing is asked for (§4.1 rule of thumb): `p50` when the
 * headset has PPG characteristics (muse-js enablePpg, BlueMuse for Muse 2 and S, NeuroSkill),
 * else `p21` (muse-js and BrainFlow default).
 */
export function defaultPreset(hasPpg: boolean): MusePresetId {
  return hasPpg ? 'p50' : 'p21';
}
