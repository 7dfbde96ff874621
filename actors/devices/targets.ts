// Target strings, as clients send them to start-session: which kind of source they name and
// whether the device must be paired first (notes §2.2–2.3). Unknown kinds are refused instead
// of falling back to Muse as the reference does.
export type TargetKind = 'virtual' | 'lsl' | 'muse';

export interface ParsedTarget {
  raw: string;
  kind: TargetKind;
  /** `lsl:<name>` → the stream name; `ble:<id>` → the id. */
  name: string | null;
  /** BLE devices must be paired before a session may open them. */
  needsPairing: boolean;
}

export class TargetError extends Error {}

export const TARGET_FORMS = 'virtual, lsl, lsl:<stream name>, muse or ble:<device id>';

export function parseTarget(raw: string): ParsedTarget {
  const target = raw.trim();
  const lower = target.toLowerCase();
  if (lower === 'virtual' || lower.startsWith('virtual:')) return { raw: target, kind: 'virtual', name: null, needsPairing: false };
  if (lower === 'lsl') return { raw: target, kind: 'lsl', name: null, needsPairing: false };
  if (lower.startsWith('lsl:')) {
    const name = target.slice(4);
    if (!name) throw new TargetError('lsl: needs a stream name, e.g. lsl:MyEEG');
    return { raw: target, kind: 'lsl', name, needsPairing: false };
  }
  if (lower.startsWith('ble:')) {
    const id = target.slice(4);
    if (!id) throw new TargetError('ble: needs a device id');
    return { raw: target, kind: 'muse', name: id, needsPairing: true };
  }
  if (lower.startsWith('muse')) return { raw: target, kind: 'muse', name: null, needsPairing: true };
  throw new TargetError(`unsupported target "${target}"; use ${TARGET_FORMS}`);
}
