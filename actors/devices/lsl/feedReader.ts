// The inlet's reading of a stream feed, free of sockets: feed it the outlet's bytes in whatever
// pieces TCP delivers and it yields samples. It parses the status line and headers (protocol doc
// §6.3), checks the two test-pattern samples bit for bit (§6.4) before trusting anything, then
// decodes samples (§6.5, or the 1.00 archive of §6.8) and resolves deduced timestamps (§6.6).
import { ArchiveReader } from './archive100.ts';
import { TEST_PATTERN_TIMESTAMP, testPatternValues, type ChannelFormat, type LslValues } from './channelFormat.ts';
import { NATIVE_BYTE_ORDER, parseHeaderLines } from './feedHandshake.ts';
import { decodeSample, type SampleLayout, type WireSample } from './sampleCodec.ts';
import { PROTOCOL_VERSION } from './streamInfo.ts';

/** A data sample with its effective timestamp (sender's LSL clock, seconds). */
export interface LslSample {
  timestamp: number;
  /** 2 if the timestamp came over the wire, 1 if it was deduced from the previous one. */
  tag: 1 | 2;
  values: LslValues;
}

/**
 * Why a feed stopped. `gone`: the outlet is not (or no longer) that stream (404, 3xx, wrong UID,
 * EOF); worth re-resolving. `refused`: another error status. `protocol`: bytes we cannot read,
 * including test patterns that do not match, which means a wrong format, channel count or order.
 */
export class FeedError extends Error {
  constructor(
    message: string,
    readonly kind: 'gone' | 'refused' | 'protocol',
  ) {
    super(message);
  }
}

export interface FeedStreamShape {
  channelFormat: ChannelFormat;
  channelCount: number;
  nominalSrate: number;
}

export class FeedReader {
  state: 'status' | 'headers' | 'patterns' | 'data' = 'status';
  statusLine = '';
  headers = new Map<string, string>();
  littleEndian = NATIVE_BYTE_ORDER === 1234;
  suppressSubnormals = false;
  dataProtocol: 100 | 110 = 110;
  readonly testPatterns: WireSample[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private archive: ArchiveReader | null = null;
  private lastTimestamp = 0;

  constructor(
    private readonly shape: FeedStreamShape,
    private readonly expectedUid: string,
  ) {}

  /** Appends bytes; returns the data samples they complete. Throws FeedError. */
  push(chunk: Buffer): LslSample[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.state === 'status' || this.state === 'headers') {
      if (!this.readHeader()) return [];
    }
    return this.readSamples();
  }

  /** The connection ended: say why as a FeedError (error status lines arrive without CRLF). */
  end(): FeedError {
    if (this.state === 'status' && this.pending.length > 0) {
      const error = this.statusError(this.pending.toString('latin1').trim());
      if (error) return error;
    }
    if (this.state === 'data') return new FeedError('the outlet closed the stream', 'gone');
    return new FeedError(`the outlet closed the connection during the ${this.state === 'patterns' ? 'test patterns' : 'handshake'}`, 'gone');
  }

  private readHeader(): boolean {
    if (this.state === 'status') {
      const eol = this.pending.indexOf('\r\n');
      if (eol < 0) {
        if (this.pending.length > 4096) throw new FeedError('status line too long', 'protocol');
        return false;
      }
      this.statusLine = this.pending.toString('latin1', 0, eol);
      const error = this.statusError(this.statusLine);
      if (error) throw error;
      this.state = 'headers';
    }
    const end = this.pending.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.pending.length > 65536) throw new FeedError('response header too long', 'protocol');
      return false;
    }
    const statusEnd = this.pending.indexOf('\r\n') + 2;
    this.headers = parseHeaderLines(this.pending.toString('latin1', statusEnd, end + 2));
    this.pending = this.pending.subarray(end + 4);
    this.applyHeaders();
    this.state = 'patterns';
    return true;
  }

  /** The liblsl inlet's reading of the status line; null for `200`. */
  private statusError(line: string): FeedError | null {
    const parts = line.split(/\s+/);
    if (parts.length < 3 || !parts[0]?.startsWith('LSL/')) return new FeedError(`unexpected status line "${line}"`, 'protocol');
    const version = Number.parseInt(parts[0].slice(4), 10);
    if (!(Math.floor(version / 100) <= Math.floor(PROTOCOL_VERSION / 100))) {
      return new FeedError(`outlet speaks protocol ${version}`, 'protocol');
    }
    const code = Number.parseInt(parts[1] ?? '', 10);
    if (code === 200) return null;
    if (code === 404 || (code >= 300 && code < 400)) return new FeedError(`outlet answered "${line}"`, 'gone');
    return new FeedError(`outlet answered "${line}"`, 'refused');
  }

  private applyHeaders(): void {
    const order = this.headers.get('byte-order');
    // 0 (sent by liblsl ≈1.13 when it fell back to 1.00) and absence both mean "native".
    if (order === '1234') this.littleEndian = true;
    else if (order === '4321') this.littleEndian = false;
    this.suppressSubnormals = this.headers.get('suppress-subnormals') === '1';
    const uid = this.headers.get('uid');
    if (uid !== undefined && this.expectedUid && uid !== this.expectedUid.toLowerCase()) {
      throw new FeedError(`outlet serves uid ${uid}, not ${this.expectedUid}`, 'gone');
    }
    // A missing Data-Protocol-Version means 1.00 to a liblsl inlet, so it does to us.
    const dataProtocol = Number.parseInt(this.headers.get('data-protocol-version') ?? '100', 10);
    if (dataProtocol > PROTOCOL_VERSION) throw new FeedError(`data protocol ${dataProtocol} is newer than ours`, 'protocol');
    this.dataProtocol = dataProtocol >= 110 ? 110 : 100;
    if (this.dataProtocol === 100) this.archive = new ArchiveReader(this.shape.channelFormat, this.shape.channelCount);
  }

  private readSamples(): LslSample[] {
    const wire = this.decodeAll();
    const out: LslSample[] = [];
    for (const sample of wire) {
      if (this.state === 'patterns') {
        this.testPatterns.push(sample);
        this.checkTestPattern(sample, this.testPatterns.length === 1 ? 4 : 2);
        // "Previous timestamp" starts at 0 for the data of every new connection (§6.6).
        if (this.testPatterns.length === 2) this.state = 'data';
        continue;
      }
      let timestamp: number;
      if (sample.tag === 2 && sample.timestamp !== null) timestamp = sample.timestamp;
      else timestamp = this.lastTimestamp + (this.shape.nominalSrate > 0 ? 1 / this.shape.nominalSrate : 0);
      this.lastTimestamp = timestamp;
      out.push({ timestamp, tag: sample.tag, values: sample.values });
    }
    return out;
  }

  private decodeAll(): WireSample[] {
    if (this.archive) {
      const chunk = this.pending;
      this.pending = Buffer.alloc(0);
      return this.archive.push(chunk);
    }
    const layout: SampleLayout = {
      format: this.shape.channelFormat,
      channelCount: this.shape.channelCount,
      littleEndian: this.littleEndian,
    };
    const samples: WireSample[] = [];
    let offset = 0;
    for (;;) {
      let decoded: ReturnType<typeof decodeSample>;
      try {
        decoded = decodeSample(this.pending, offset, layout, this.suppressSubnormals);
      } catch (err) {
        throw new FeedError(`undecodable sample: ${(err as Error).message}`, 'protocol');
      }
      if (!decoded) break;
      samples.push(decoded.sample);
      offset = decoded.end;
    }
    this.pending = this.pending.subarray(offset);
    return samples;
  }

  private checkTestPattern(sample: WireSample, offset: number): void {
    const expected = testPatternValues(this.shape.channelFormat, this.shape.channelCount, offset);
    const same =
      sample.tag === 2 &&
      sample.timestamp === TEST_PATTERN_TIMESTAMP &&
      sample.values.length === expected.length &&
      expected.every((v, i) => sample.values[i] === v);
    if (!same) {
      throw new FeedError(
        'the received test-pattern samples do not match the specification (wrong channel count, format or byte order)',
        'protocol',
      );
    }
  }
}
