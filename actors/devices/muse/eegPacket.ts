// EEG notification (protocol reference §6.1): index, then 12 samples of 12 bits packed
// most-significant-bit first, two samples per three bytes. 256 Hz per electrode.
import { classicPacketView, sequenceIndex } from './classicPacket.ts';

export const EEG_SAMPLE_RATE_HZ = 256;
export const EEG_SAMPLES_PER_PACKET = 12;
/** 12 bits over a 2 mV peak-to-peak range: 1000/2048 = 125/256 µV per count, exact in binary. */
export const EEG_MICROVOLTS_PER_COUNT = 125 / 256;
/** Raw 0x800 is 0 µV (unsigned samples centred on mid-scale). */
export const EEG_RAW_MIDSCALE = 0x800;

export interface EegPacket {
  index: number;
  raw: number[];
  microvolts: number[];
}

export function eegMicrovolts(raw: number): number {
  return EEG_MICROVOLTS_PER_COUNT * (raw - EEG_RAW_MIDSCALE);
}

export function decodeEegPacket(bytes: Uint8Array): EegPacket {
  const view = classicPacketView(bytes);
  const raw: number[] = [];
  for (let at = 2; at < 20; at += 3) {
    const b0 = view.getUint8(at);
    const b1 = view.getUint8(at + 1);
    const b2 = view.getUint8(at + 2);
    raw.push((b0 << 4) | (b1 >> 4), ((b1 & 0x0f) << 8) | b2);
  }
  return { index: sequenceIndex(view), raw, microvolts: raw.map(eegMicrovolts) };
}
