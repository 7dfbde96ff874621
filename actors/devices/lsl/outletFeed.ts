// One inlet's feed from our outlet: the bytes that open it (response header and test patterns)
// and the send queue that follows (protocol doc §6.3, §6.4, §6.9). Each connection has its own
// byte order and protocol, so samples are encoded per connection (memoised across connections
// that agree). When the inlet reads slower than we push, up to `Max-Buffer-Length` samples wait
// and the oldest are dropped beyond that, as liblsl's consumer queue does.
import type net from 'node:net';
import { encodeArchiveHeader, encodeArchiveSample } from './archive100.ts';
import { TEST_PATTERN_TIMESTAMP, testPatternValues } from './channelFormat.ts';
import { buildFeedResponseHeader } from './feedHandshake.ts';
import { encodeSamples, type OutgoingValues } from './sampleCodec.ts';
import { shortInfoXml, type StreamInfo } from './streamInfo.ts';

/** A pushed sample: its timestamp, and whether it may go out as tag 1 (deduced timestamp). */
export interface OutletSample {
  timestamp: number;
  deduced: boolean;
  values: OutgoingValues;
}

export interface FeedParameters {
  dataProtocol: 100 | 110;
  littleEndian: boolean;
  suppressSubnormals: boolean;
  maxBufferLength: number;
  maxChunkLength: number;
}

/** Response header (1.10 requests only) + archive header (1.00) + the two test patterns. */
export function feedPreamble(info: StreamInfo, params: FeedParameters, withTextHeader: boolean): Buffer {
  const parts: Buffer[] = [];
  if (withTextHeader) parts.push(Buffer.from(buildFeedResponseHeader(info.uid, params), 'latin1'));
  const patterns = [4, 2].map((offset) => ({
    timestamp: TEST_PATTERN_TIMESTAMP,
    values: testPatternValues(info.channelFormat, info.channelCount, offset),
  }));
  if (params.dataProtocol === 110) {
    parts.push(encodeSamples({ format: info.channelFormat, channelCount: info.channelCount, littleEndian: params.littleEndian }, patterns));
  } else {
    parts.push(encodeArchiveHeader(shortInfoXml(info)));
    patterns.forEach((p, i) => parts.push(encodeArchiveSample(info.channelFormat, info.channelCount, p, i === 0)));
  }
  return Buffer.concat(parts);
}

export class OutletFeed {
  private queue: OutletSample[] = [];
  /** The next sample written must carry its timestamp: first of the connection, or after a drop. */
  private needTimestamp = true;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly info: StreamInfo,
    private readonly params: FeedParameters,
  ) {
    socket.on('drain', () => this.flush());
  }

  /** Queues or writes samples; `memo` shares encodings between feeds with the same parameters. */
  send(samples: OutletSample[], memo: Map<string, Buffer>): void {
    if (this.closed || samples.length === 0) return;
    if (this.queue.length > 0 || this.socket.writableNeedDrain) {
      this.enqueue(samples);
      return;
    }
    this.write(samples, memo);
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }

  private enqueue(samples: OutletSample[]): void {
    this.queue.push(...samples);
    const excess = this.queue.length - Math.max(1, this.params.maxBufferLength);
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.needTimestamp = true;
    }
  }

  private flush(): void {
    if (this.closed || this.queue.length === 0) return;
    const samples = this.queue;
    this.queue = [];
    this.write(samples, new Map());
  }

  private write(samples: OutletSample[], memo: Map<string, Buffer>): void {
    const limit = this.params.maxChunkLength > 0 ? this.params.maxChunkLength : samples.length;
    for (let i = 0; i < samples.length; i += limit) {
      const piece = samples.slice(i, i + limit);
      const forceFirst = this.needTimestamp;
      // The memo is only valid for the common case: same parameters, no forced first timestamp.
      const key = forceFirst || limit < samples.length ? null : `${this.params.dataProtocol}/${this.params.littleEndian}`;
      let bytes = key ? memo.get(key) : undefined;
      if (!bytes) {
        bytes = this.encode(piece, forceFirst);
        if (key) memo.set(key, bytes);
      }
      this.needTimestamp = false;
      this.socket.write(bytes);
    }
  }

  private encode(samples: OutletSample[], forceFirst: boolean): Buffer {
    const wire = samples.map((s, i) => ({
      timestamp: s.deduced && !(forceFirst && i === 0) ? null : s.timestamp,
      values: s.values,
    }));
    const { channelFormat, channelCount } = this.info;
    if (this.params.dataProtocol === 110) {
      return encodeSamples({ format: channelFormat, channelCount, littleEndian: this.params.littleEndian }, wire);
    }
    return Buffer.concat(wire.map((s) => encodeArchiveSample(channelFormat, channelCount, s, false)));
  }
}
