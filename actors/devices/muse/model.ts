// Which Muse is on the other end, from what it advertises and exposes (protocol reference §1,
// BlueMuse's order): Athena first, because Athena units also advertise as "MuseS-…".
import { MUSE_ATHENA_DATA, MUSE_PPG_CHANNELS } from './gatt.ts';

export type MuseModel = 'muse-s-athena' | 'muse-s' | 'muse-2' | 'muse-2016';

export function museModel(advertisedName: string, characteristics: ReadonlySet<string>): MuseModel {
  if (characteristics.has(MUSE_ATHENA_DATA)) return 'muse-s-athena';
  if (advertisedName.toLowerCase().replaceAll(/[\s_-]/g, '').includes('muses')) return 'muse-s';
  if (MUSE_PPG_CHANNELS.some((c) => characteristics.has(c.uuid))) return 'muse-2';
  return 'muse-2016';
}
