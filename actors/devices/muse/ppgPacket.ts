// PPG notification (protocol reference §6.2): index, then 6 samples as unsigned 24-bit
// big-endian integers (raw ADC counts). BrainFlow sign-extends bit 23; every other client reads
// them unsigned, and so do we. 64 Hz per channel, with its own counter (not the EEG one).
import { classicPacketView, sequenceIndex } from './classicPacket.ts';

export const PPG_SAMPLE_RATE_HZ = 64;
export const PPG_SAMPLES_PER_PACKET = 6;

export interface PpgPacket {
  index: number;
  raw: number[];
}

export function decodePpgPacket(bytes: Uint8Array): PpgPacket {
  const view = classicPacketView(bytes);
  const raw: number[] = [];
  for (let at = 2; at < 20; at += 3) {
    raw.push((view.getUint8(at) << 16) | view.getUint16(at + 1, false));
  }
  return { index: sequenceIndex(view), raw };
}
