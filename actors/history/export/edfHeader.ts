// The EDF+ header (https://www.edfplus.info/specs/edfplus.html): 256 bytes for the file, then
// 256 per signal, field by field. EDF+ specifics written here: "EDF+C" in the reserved field
// (continuous recording), the patient and recording fields as space-separated subfields with
// "X" for unknown, and one "EDF Annotations" signal whose first TAL in each data record keeps
// time (see timekeepingTal).
import { asciiField } from './edfFields.ts';

export interface EdfSignal {
  label: string;
  transducer: string;
  physicalDimension: string;
  physicalMin: string;
  physicalMax: string;
  digitalMin: number;
  digitalMax: number;
  prefiltering: string;
  samplesPerRecord: number;
}

export interface EdfHeaderSpec {
  /** Unix ms of the start, whole seconds (the sub-second part goes in the first TAL). */
  startMs: number;
  records: number;
  recordSeconds: number;
  /** Equipment subfield of the recording field (spaces become `_`). */
  equipment: string;
  /** Extra recording subfields after the four EDF+ ones, e.g. the session's file name. */
  recordingNote: string;
  signals: EdfSignal[];
}

export const ANNOTATIONS_LABEL = 'EDF Annotations';
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const pad2 = (n: number) => String(n).padStart(2, '0');
const subfield = (s: string) => s.trim().replace(/\s+/g, '_') || 'X';

export const edfHeaderBytes = (signalCount: number) => 256 * (signalCount + 1);

/** The annotation signal, sized to hold a time-keeping TAL of up to `maxOnsetText` characters. */
export function annotationSignal(maxOnsetText: number): EdfSignal {
  // "+<onset>" then 0x14 0x14 0x00; 2 bytes per sample; one spare sample so the TAL is always
  // followed by at least one 0 byte.
  const samples = Math.ceil((maxOnsetText + 3) / 2) + 1;
  return {
    label: ANNOTATIONS_LABEL, transducer: '', physicalDimension: '', physicalMin: '-1', physicalMax: '1',
    digitalMin: -32768, digitalMax: 32767, prefiltering: '', samplesPerRecord: samples,
  };
}

/** The time-keeping TAL of a data record starting `onsetMicros` µs after the header's start time. */
export function timekeepingTal(onsetMicros: number): string {
  const secs = Math.floor(onsetMicros / 1e6);
  const micros = onsetMicros - secs * 1e6;
  const fraction = micros === 0 ? '' : '.' + String(micros).padStart(6, '0').replace(/0+$/, '');
  return `+${secs}${fraction}\x14\x14\x00`;
}

export function edfHeader(spec: EdfHeaderSpec): Buffer {
  const d = new Date(spec.startMs);
  const day = pad2(d.getUTCDate());
  const year = d.getUTCFullYear();
  const fields: Array<[string, number]> = [
    ['0', 8],
    // Patient: code, sex, birthdate, name — none known.
    ['X X X X', 80],
    [`Startdate ${day}-${MONTHS[d.getUTCMonth()]}-${year} X X ${subfield(spec.equipment)} ${spec.recordingNote}`.trim(), 80],
    [`${day}.${pad2(d.getUTCMonth() + 1)}.${pad2(year % 100)}`, 8],
    [`${pad2(d.getUTCHours())}.${pad2(d.getUTCMinutes())}.${pad2(d.getUTCSeconds())}`, 8],
    [String(edfHeaderBytes(spec.signals.length)), 8],
    ['EDF+C', 44],
    [String(spec.records), 8],
    [String(spec.recordSeconds), 8],
    [String(spec.signals.length), 4],
  ];
  const perSignal: Array<[(s: EdfSignal) => string, number]> = [
    [(s) => s.label, 16],
    [(s) => s.transducer, 80],
    [(s) => s.physicalDimension, 8],
    [(s) => s.physicalMin, 8],
    [(s) => s.physicalMax, 8],
    [(s) => String(s.digitalMin), 8],
    [(s) => String(s.digitalMax), 8],
    [(s) => s.prefiltering, 80],
    [(s) => String(s.samplesPerRecord), 8],
    [() => '', 32],
  ];
  let text = fields.map(([v, w]) => asciiField(v, w)).join('');
  for (const [get, width] of perSignal) for (const s of spec.signals) text += asciiField(get(s), width);
  const out = Buffer.from(text, 'latin1');
  if (out.length !== edfHeaderBytes(spec.signals.length)) throw new Error(`EDF header is ${out.length} bytes`);
  return out;
}
