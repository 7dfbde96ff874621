// The fixed-width ASCII fields of an EDF header and the mapping between physical values (µV)
// and the 16-bit digital samples (EDF spec, https://www.edfplus.info/specs/edf.html):
//   physical = (digital − digitalMin) · (physicalMax − physicalMin) / (digitalMax − digitalMin) + physicalMin
// Readers compute this from the header's own text, so the range used to encode is the one
// parsed back from the 8-character fields, not the unrounded data range.
export const DIGITAL_MIN = -32767;
export const DIGITAL_MAX = 32767;
const FIELD = 8;
/** The widest magnitudes an 8-character field can hold. */
const FIELD_MAX = 99_999_999;
const FIELD_MIN = -9_999_999;

/** Printable ASCII only (EDF allows bytes 32..126), cut or space-padded to `width`. */
export function asciiField(value: string, width: number): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '_');
  return clean.length >= width ? clean.slice(0, width) : clean + ' '.repeat(width - clean.length);
}

/**
 * `v` as at most 8 characters, rounded away from the data (down for a minimum, up for a
 * maximum) so the written range still contains every value.
 */
export function boundText(v: number, direction: 'down' | 'up'): string {
  const clamped = Math.min(FIELD_MAX, Math.max(FIELD_MIN, v));
  for (let decimals = 4; decimals >= 0; decimals--) {
    const scale = 10 ** decimals;
    const round = direction === 'down' ? Math.floor : Math.ceil;
    let text = (round(clamped * scale) / scale).toFixed(decimals);
    // toFixed rounds to nearest: step once more should that have crossed the value.
    if (direction === 'down' && Number(text) > clamped) text = ((round(clamped * scale) - 1) / scale).toFixed(decimals);
    if (direction === 'up' && Number(text) < clamped) text = ((round(clamped * scale) + 1) / scale).toFixed(decimals);
    if (text === '-0' || /^-0\.0*$/.test(text)) text = text.slice(1);
    if (text.length <= FIELD) return text;
  }
  return String(direction === 'down' ? FIELD_MIN : FIELD_MAX);
}

export interface PhysicalRange {
  min: number;
  max: number;
  minText: string;
  maxText: string;
}

/**
 * The physical range written for a channel whose finite values span [lo, hi]: the data's own
 * range, so the 16-bit steps are as fine as the data allows. A flat channel gets ±1 µV around
 * its value (EDF needs min < max); a channel with no values, −1..1.
 */
export function physicalRange(lo: number, hi: number): PhysicalRange {
  let a = lo;
  let b = hi;
  if (!(a <= b)) [a, b] = [-1, 1];
  else if (a === b) [a, b] = [a - 1, b + 1];
  const minText = boundText(a, 'down');
  const maxText = boundText(b, 'up');
  return { min: Number(minText), max: Number(maxText), minText, maxText };
}

/** One quantisation step of a channel, in µV. */
export const quantStep = (r: PhysicalRange) => (r.max - r.min) / (DIGITAL_MAX - DIGITAL_MIN);

/** The digital sample for a physical value; values outside the range are clipped to it. */
export function toDigital(v: number, r: PhysicalRange): number {
  const d = Math.round((v - r.min) / (r.max - r.min) * (DIGITAL_MAX - DIGITAL_MIN) + DIGITAL_MIN);
  return d < DIGITAL_MIN ? DIGITAL_MIN : d > DIGITAL_MAX ? DIGITAL_MAX : d;
}
