// Protocol 1.10 sample encoding (protocol doc §6.5): a tag byte, the timestamp as an 8-byte double
// if the tag is 2, then the values with no padding and no per-sample length, in the byte order
// the feed's response header announced. There is no framing: a reader must know the channel count
// and format, and decode sample after sample from a byte stream split anywhere by TCP.
import { valueSize, type ChannelFormat, type LslValues } from './channelFormat.ts';

/** Tag 1: the timestamp is deduced by the reader. Tag 2: an explicit timestamp follows. */
export const TAG_DEDUCED_TIMESTAMP = 1;
export const TAG_TRANSMITTED_TIMESTAMP = 2;

export interface WireSample {
  tag: 1 | 2;
  /** Seconds on the sender's LSL clock; null for tag 1 (not on the wire). */
  timestamp: number | null;
  values: LslValues;
}

export interface SampleLayout {
  format: ChannelFormat;
  channelCount: number;
  littleEndian: boolean;
}

/** Values an outlet accepts; coerced to the stream's format when encoded. */
export type OutgoingValues = ArrayLike<number | bigint | string>;

const INT_LIMITS: Partial<Record<ChannelFormat, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/** Encodes samples back to back into one buffer (one TCP write per pushed chunk). */
export function encodeSamples(
  layout: SampleLayout,
  samples: ReadonlyArray<{ timestamp: number | null; values: OutgoingValues }>,
): Buffer {
  const { format, channelCount, littleEndian } = layout;
  const size = valueSize(format);
  const strings = format === 'string' ? samples.map((s) => stringBytes(s.values, channelCount)) : null;
  let total = 0;
  samples.forEach((s, i) => {
    total += 1 + (s.timestamp === null ? 0 : 8);
    if (strings) for (const bytes of strings[i] ?? []) total += 1 + lengthFieldWidth(bytes.length) + bytes.length;
    else total += channelCount * (size ?? 0);
  });
  const out = Buffer.allocUnsafe(total);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let pos = 0;
  samples.forEach((s, i) => {
    if (s.timestamp === null) out[pos++] = TAG_DEDUCED_TIMESTAMP;
    else {
      out[pos++] = TAG_TRANSMITTED_TIMESTAMP;
      view.setFloat64(pos, s.timestamp, littleEndian);
      pos += 8;
    }
    if (strings) {
      for (const bytes of strings[i] ?? []) {
        const width = lengthFieldWidth(bytes.length);
        out[pos++] = width;
        writeUnsigned(view, pos, width, bytes.length, littleEndian);
        pos += width;
        out.set(bytes, pos);
        pos += bytes.length;
      }
      return;
    }
    for (let c = 0; c < channelCount; c++) {
      pos = writeValue(view, pos, format, s.values[c] ?? 0, littleEndian);
    }
  });
  return out;
}

function stringBytes(values: OutgoingValues, channelCount: number): Buffer[] {
  return Array.from({ length: channelCount }, (_, c) => Buffer.from(String(values[c] ?? ''), 'utf8'));
}

/** liblsl writes a 1-byte length up to 255 bytes, 4 bytes up to 4 GiB, 8 beyond. */
function lengthFieldWidth(length: number): 1 | 4 | 8 {
  if (length <= 0xff) return 1;
  return length <= 0xffffffff ? 4 : 8;
}

function writeUnsigned(view: DataView, pos: number, width: number, value: number, le: boolean): void {
  if (width === 1) view.setUint8(pos, value);
  else if (width === 2) view.setUint16(pos, value, le);
  else if (width === 4) view.setUint32(pos, value, le);
  else view.setBigUint64(pos, BigInt(value), le);
}

function writeValue(view: DataView, pos: number, format: ChannelFormat, raw: number | bigint | string, le: boolean): number {
  switch (format) {
    case 'float32': view.setFloat32(pos, Number(raw), le); return pos + 4;
    case 'double64': view.setFloat64(pos, Number(raw), le); return pos + 8;
    case 'int64': view.setBigInt64(pos, toInt64(raw), le); return pos + 8;
    case 'int8': view.setInt8(pos, toInt(raw, format)); return pos + 1;
    case 'int16': view.setInt16(pos, toInt(raw, format), le); return pos + 2;
    case 'int32': view.setInt32(pos, toInt(raw, format), le); return pos + 4;
    case 'string': throw new Error('string values are encoded separately');
  }
}

/** Numbers pushed into an integer stream are rounded to nearest and clamped to the type's range. */
function toInt(raw: number | bigint | string, format: ChannelFormat): number {
  const [min, max] = INT_LIMITS[format] ?? [0, 0];
  const n = Math.round(Number(raw));
  if (Number.isNaN(n)) return 0;
  return Math.min(max, Math.max(min, n));
}

function toInt64(raw: number | bigint | string): bigint {
  if (typeof raw === 'bigint') return BigInt.asIntN(64, raw);
  const n = Math.round(Number(raw));
  return Number.isFinite(n) ? BigInt.asIntN(64, BigInt(n)) : 0n;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
const FLOAT64_MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Decodes one sample at `offset`, or returns null if `buf` ends before the sample does (read more
 * and try again from the same offset). `flushSubnormals` is the response header's
 * `Suppress-Subnormals: 1`: tiny floats become a zero of the same sign.
 */
export function decodeSample(
  buf: Buffer,
  offset: number,
  layout: SampleLayout,
  flushSubnormals = false,
): { sample: WireSample; end: number } | null {
  const { format, channelCount, littleEndian: le } = layout;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = offset;
  if (pos >= buf.length) return null;
  const tagByte = buf[pos++];
  // liblsl only tests for 1; any other tag means a timestamp follows.
  const tag: 1 | 2 = tagByte === TAG_DEDUCED_TIMESTAMP ? 1 : 2;
  let timestamp: number | null = null;
  if (tag === 2) {
    if (pos + 8 > buf.length) return null;
    timestamp = view.getFloat64(pos, le);
    pos += 8;
  }
  if (format === 'string') {
    const values: string[] = [];
    for (let c = 0; c < channelCount; c++) {
      if (pos >= buf.length) return null;
      const width = buf[pos++] ?? 0;
      if (width !== 1 && width !== 2 && width !== 4 && width !== 8) {
        throw new RangeError(`string length field of ${width} bytes`);
      }
      if (pos + width > buf.length) return null;
      const length = readUnsigned(view, pos, width, le);
      pos += width;
      if (pos + length > buf.length) return null;
      values.push(buf.toString('utf8', pos, pos + length));
      pos += length;
    }
    return { sample: { tag, timestamp, values }, end: pos };
  }
  const size = valueSize(format) ?? 0;
  if (pos + size * channelCount > buf.length) return null;
  if (format === 'int64') {
    const values: bigint[] = [];
    for (let c = 0; c < channelCount; c++, pos += 8) values.push(view.getBigInt64(pos, le));
    return { sample: { tag, timestamp, values }, end: pos };
  }
  const values: number[] = new Array<number>(channelCount);
  for (let c = 0; c < channelCount; c++, pos += size) {
    let v: number;
    switch (format) {
      case 'float32':
        v = view.getFloat32(pos, le);
        if (flushSubnormals && v !== 0 && Math.abs(v) < FLOAT32_MIN_NORMAL) v = v < 0 ? -0 : 0;
        break;
      case 'double64':
        v = view.getFloat64(pos, le);
        if (flushSubnormals && v !== 0 && Math.abs(v) < FLOAT64_MIN_NORMAL) v = v < 0 ? -0 : 0;
        break;
      case 'int8': v = view.getInt8(pos); break;
      case 'int16': v = view.getInt16(pos, le); break;
      default: v = view.getInt32(pos, le); break;
    }
    values[c] = v;
  }
  return { sample: { tag, timestamp, values }, end: pos };
}

function readUnsigned(view: DataView, pos: number, width: number, le: boolean): number {
  if (width === 1) return view.getUint8(pos);
  if (width === 2) return view.getUint16(pos, le);
  if (width === 4) return view.getUint32(pos, le);
  const big = view.getBigUint64(pos, le);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('string longer than 2^53 bytes');
  return Number(big);
}
