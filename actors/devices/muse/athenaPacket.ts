// Muse S "Athena" firmware packets (protocol reference §10), decoded the way muse-lsl and
// BlueMuse read them. Not streamed by the device source: the reference marks every public
// Athena decoder experimental, the readings disagree on the header (muse-rs reads it differently),
// on the battery scale (÷512 vs ÷256) and on what the optics channels are, there is no real
// capture to test against, and sample times would have to come from arrival times. This file
// exists so the vectors pin the layout down and detection can say what it saw.
//
// Layout: a notification holds length-prefixed packets. Packet: [0] length incl. the 14-byte
// header, [1..2] packet index (uint16 LE), [9] primary tag, [10] block index, payload from [14]
// with a length fixed by the tag; then sub-blocks `[tag][block index][3 unused][payload]` while
// at least 5 bytes remain. Parsing stops at an unknown tag or a length that does not fit.

export interface AthenaBlock {
  tag: number;
  blockIndex: number;
  /** (packetIndex << 8) | blockIndex: orders blocks across packets. */
  packageNum: number;
  payload: Uint8Array;
}

export interface AthenaPacket {
  length: number;
  index: number;
  primaryTag: number;
  blocks: AthenaBlock[];
}

const HEADER_BYTES = 14;
const SUB_HEADER_BYTES = 5;
/** Payload bytes per tag; 'rest' = the remainder of the packet (newer battery block). */
const PAYLOAD_BYTES: Record<number, number | 'rest'> = {
  0x11: 28, 0x12: 28, 0x34: 30, 0x35: 40, 0x36: 40, 0x47: 36, 0x53: 24, 0x88: 'rest', 0x98: 20,
};

export function splitAthenaNotification(bytes: Uint8Array): AthenaPacket[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: AthenaPacket[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= bytes.byteLength) {
    const length = view.getUint8(at);
    if (length < HEADER_BYTES || at + length > bytes.byteLength) break;
    const index = view.getUint16(at + 1, true);
    const primaryTag = view.getUint8(at + 9);
    const blocks: AthenaBlock[] = [];
    let tag = primaryTag;
    let blockIndex = view.getUint8(at + 10);
    let payloadAt = at + HEADER_BYTES;
    const end = at + length;
    for (;;) {
      const size = PAYLOAD_BYTES[tag];
      if (size === undefined) break;
      const n = size === 'rest' ? end - payloadAt : size;
      if (payloadAt + n > end) break;
      blocks.push({ tag, blockIndex, packageNum: (index << 8) | blockIndex, payload: bytes.subarray(payloadAt, payloadAt + n) });
      const next = payloadAt + n;
      if (end - next < SUB_HEADER_BYTES) break;
      tag = view.getUint8(next);
      blockIndex = view.getUint8(next + 1);
      payloadAt = next + SUB_HEADER_BYTES;
    }
    packets.push({ length, index, primaryTag, blocks });
    at = end;
  }
  return packets;
}

/** Unsigned `width`-bit values read least-significant bit first across the byte stream. */
export function lsbFirstValues(payload: Uint8Array, width: number, count: number): number[] {
  const values: number[] = [];
  for (let k = 0; k < count; k++) {
    let value = 0;
    for (let j = 0; j < width; j++) {
      const bit = k * width + j;
      const byte = payload[bit >> 3] ?? 0;
      value += ((byte >> (bit & 7)) & 1) * 2 ** j;
    }
    values.push(value);
  }
  return values;
}

/** Sample-major values (k → sample k÷channels, channel k mod channels) regrouped by channel. */
function byChannel(values: number[], channels: number): number[][] {
  return Array.from({ length: channels }, (_, c) => values.filter((_, k) => k % channels === c));
}

/** µV per 14-bit count and offset (muse-lsl, BlueMuse; muse-rs rounds the scale to 0.0885). */
export const ATHENA_EEG_MICROVOLTS_PER_COUNT = 1450 / 16383;
export const ATHENA_EEG_RAW_MIDSCALE = 8192;

export function athenaEeg(block: AthenaBlock): { raw: number[][]; microvolts: number[][] } | null {
  const channels = block.tag === 0x11 ? 4 : block.tag === 0x12 ? 8 : 0;
  if (channels === 0) return null;
  const raw = byChannel(lsbFirstValues(block.payload, 14, 16), channels);
  const microvolts = raw.map((ch) => ch.map((r) => (r - ATHENA_EEG_RAW_MIDSCALE) * ATHENA_EEG_MICROVOLTS_PER_COUNT));
  return { raw, microvolts };
}

export function athenaOptics(block: AthenaBlock): number[][] | null {
  const channels = ({ 0x34: 4, 0x35: 8, 0x36: 16 } as Record<number, number>)[block.tag];
  if (channels === undefined) return null;
  const samples = block.tag === 0x34 ? 3 : block.tag === 0x35 ? 2 : 1;
  return byChannel(lsbFirstValues(block.payload, 20, channels * samples), channels);
}

/** ACC+GYRO: 3 samples of six int16 LE; the gyroscope axis sign is negated on Athena. */
export function athenaAccGyro(block: AthenaBlock): { raw: number[][]; accelG: number[][]; gyroDps: number[][] } | null {
  if (block.tag !== 0x47) return null;
  const view = new DataView(block.payload.buffer, block.payload.byteOffset, block.payload.byteLength);
  const raw = [0, 1, 2].map((s) => [0, 1, 2, 3, 4, 5].map((i) => view.getInt16((s * 6 + i) * 2, true)));
  return {
    raw,
    accelG: raw.map((r) => r.slice(0, 3).map((v) => v * 0.0000610352)),
    gyroDps: raw.map((r) => r.slice(3, 6).map((v) => v * -0.0074768)),
  };
}

/** The battery block's first uint16 LE. Its scale is disputed (÷512 or ÷256 → %), so it stays raw. */
export function athenaBatteryRaw(block: AthenaBlock): number | null {
  if ((block.tag !== 0x88 && block.tag !== 0x98) || block.payload.byteLength < 2) return null;
  return new DataView(block.payload.buffer, block.payload.byteOffset, 2).getUint16(0, true);
}
