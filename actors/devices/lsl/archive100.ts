// Protocol 1.00, the legacy feed format (protocol doc §6.8): a "portable binary archive" (eos
// portable archive, as bundled with liblsl). Current liblsl only ends up here when an inlet is
// configured for 1.00, or when a 1.10 request says `Value-Size` differs from the stream's or
// `Has-IEEE754-Floats` is not `1`; our outlet still answers those, and our inlet can read it.
//
// Every integer, including float bit patterns, is one signed size byte n followed by |n|
// little-endian bytes with the high sign-extension bytes dropped (n < 0: the dropped bytes were
// 0xff, i.e. the number is negative); 0 is the single byte 00.
import { type ChannelFormat, type LslValues } from './channelFormat.ts';
import type { OutgoingValues, WireSample } from './sampleCodec.ts';

const ARCHIVE_MAGIC = 0x7f;
const ARCHIVE_VERSION = 9n;

/** The archive header and the short info string that open a 1.00 feed. */
export function encodeArchiveHeader(shortInfoXml: string): Buffer {
  const out: number[] = [ARCHIVE_MAGIC];
  pushInteger(out, ARCHIVE_VERSION);
  pushString(out, Buffer.from(shortInfoXml, 'utf8'));
  return Buffer.from(out);
}

/**
 * One sample object. The first object of the archive carries boost's class header (`00 00`:
 * tracking flag and class version); later ones do not.
 */
export function encodeArchiveSample(
  format: ChannelFormat,
  channelCount: number,
  sample: { timestamp: number | null; values: OutgoingValues },
  first: boolean,
): Buffer {
  const out: number[] = first ? [0, 0] : [];
  pushInteger(out, sample.timestamp === null ? 1n : 2n);
  const scratch = new DataView(new ArrayBuffer(8));
  if (sample.timestamp !== null) {
    scratch.setFloat64(0, sample.timestamp, true);
    pushInteger(out, scratch.getBigUint64(0, true));
  }
  for (let c = 0; c < channelCount; c++) {
    const raw = sample.values[c] ?? 0;
    switch (format) {
      case 'float32':
        scratch.setFloat32(0, Number(raw), true);
        pushInteger(out, BigInt(scratch.getUint32(0, true)));
        break;
      case 'double64':
        scratch.setFloat64(0, Number(raw), true);
        pushInteger(out, scratch.getBigUint64(0, true));
        break;
      case 'string':
        pushString(out, Buffer.from(String(raw), 'utf8'));
        break;
      default:
        pushInteger(out, typeof raw === 'bigint' ? raw : BigInt(Math.round(Number(raw)) || 0));
    }
  }
  return Buffer.from(out);
}

function pushInteger(out: number[], value: bigint): void {
  if (value === 0n) {
    out.push(0);
    return;
  }
  let size = 0;
  let rest = value;
  do {
    rest >>= 8n; // arithmetic shift: a negative number ends at -1
    size++;
  } while (rest !== 0n && rest !== -1n);
  out.push(value > 0n ? size : 256 - size);
  let bits = BigInt.asUintN(64, value);
  for (let i = 0; i < size; i++, bits >>= 8n) out.push(Number(bits & 0xffn));
}

function pushString(out: number[], bytes: Buffer): void {
  pushInteger(out, BigInt(bytes.length));
  for (const b of bytes) out.push(b);
}

// ---------------------------------------------------------------------------------------------
// Reading

class Incomplete extends Error {}

/** Reads a 1.00 archive from a byte stream that arrives in pieces. */
export class ArchiveReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private objects = 0;
  shortInfoXml: string | null = null;

  constructor(
    private readonly format: ChannelFormat,
    private readonly channelCount: number,
  ) {}

  /** Appends bytes and returns every sample they complete (the header is consumed first). */
  push(chunk: Buffer): WireSample[] {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    const samples: WireSample[] = [];
    for (;;) {
      const start = this.pos;
      try {
        if (this.shortInfoXml === null) this.shortInfoXml = this.readHeader();
        else samples.push(this.readSample());
      } catch (err) {
        if (!(err instanceof Incomplete)) throw err;
        this.pos = start;
        return samples;
      }
    }
  }

  private readHeader(): string {
    if (this.byte() !== ARCHIVE_MAGIC) throw new Error('not a portable archive (bad magic byte)');
    const version = this.integer(false);
    if (version < 1n) throw new Error(`archive version ${version}`);
    return this.bytes(Number(this.integer(false))).toString('utf8');
  }

  private readSample(): WireSample {
    if (this.objects === 0) this.bytes(2); // class header of the first object
    const tag: 1 | 2 = this.integer(false) === 1n ? 1 : 2;
    const scratch = new DataView(new ArrayBuffer(8));
    let timestamp: number | null = null;
    if (tag === 2) {
      scratch.setBigUint64(0, BigInt.asUintN(64, this.integer(false)), true);
      timestamp = scratch.getFloat64(0, true);
    }
    const values: unknown[] = [];
    for (let c = 0; c < this.channelCount; c++) {
      switch (this.format) {
        case 'float32':
          scratch.setUint32(0, Number(BigInt.asUintN(32, this.integer(false))), true);
          values.push(scratch.getFloat32(0, true));
          break;
        case 'double64':
          scratch.setBigUint64(0, BigInt.asUintN(64, this.integer(false)), true);
          values.push(scratch.getFloat64(0, true));
          break;
        case 'string':
          values.push(this.bytes(Number(this.integer(false))).toString('utf8'));
          break;
        case 'int64':
          values.push(this.integer(true));
          break;
        default:
          values.push(Number(this.integer(true)));
      }
    }
    this.objects++;
    return { tag, timestamp, values: values as LslValues };
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new Incomplete();
    return this.buf[this.pos++] ?? 0;
  }

  private bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new Incomplete();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private integer(signed: boolean): bigint {
    const sizeByte = this.byte();
    if (sizeByte === 0) return 0n;
    const negative = sizeByte > 127;
    const size = negative ? 256 - sizeByte : sizeByte;
    if (size > 8) throw new Error(`integer of ${size} bytes in archive`);
    const bytes = this.bytes(size);
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
    if (negative) value -= 1n << BigInt(8 * size);
    return signed || !negative ? value : BigInt.asUintN(64, value);
  }
}
