// The text handshake that opens a 1.10 stream feed (protocol doc §6.2, §6.3): the inlet's request
// line and headers, how an outlet decides its answer from them, and the response header. Both
// sides are here so the rules (booleans are only `1`, missing Max-Buffer-Length means 0, error
// status lines have no CRLF) live in one place.
import os from 'node:os';
import { valueSize } from './channelFormat.ts';
import { PROTOCOL_VERSION, type StreamInfo } from './streamInfo.ts';

export const NATIVE_BYTE_ORDER = os.endianness() === 'LE' ? 1234 : 4321;

// ---------------------------------------------------------------------------------------------
// Inlet side: the request

/** `Max-Buffer-Length` as liblsl computes it: 360 s of samples, or 36000 for irregular streams. */
export function defaultMaxBufferLength(info: StreamInfo): number {
  return info.nominalSrate > 0 ? Math.ceil(360 * info.nominalSrate) : 36000;
}

/**
 * The request liblsl's data receiver sends. At least one header line is essential: the outlet
 * looks for the blank line *after* the request line, so a request without headers hangs.
 */
export function buildFeedRequest(info: StreamInfo, maxBufferLength = defaultMaxBufferLength(info)): string {
  const lines = [
    `LSL:streamfeed/${Math.min(PROTOCOL_VERSION, info.version)} ${info.uid}`,
    `Native-Byte-Order: ${NATIVE_BYTE_ORDER}`,
    'Has-IEEE754-Floats: 1',
    'Supports-Subnormals: 1',
  ];
  const size = valueSize(info.channelFormat);
  if (size !== null) lines.push(`Value-Size: ${size}`);
  lines.push(
    `Data-Protocol-Version: ${PROTOCOL_VERSION}`,
    `Max-Buffer-Length: ${Math.max(1, Math.floor(maxBufferLength))}`,
    'Max-Chunk-Length: 0',
    `Hostname: ${os.hostname()}`,
    `Source-Id: ${info.sourceId}`,
    `Session-Id: ${info.sessionId}`,
  );
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Header lines as liblsl reads them: cut at the first `;` (comment), lower-cased, split at the
 * first `:`, key and value trimmed; lines without `:` ignored; parsing stops at an empty line.
 */
export function parseHeaderLines(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    if (rawLine.startsWith('\r') || rawLine === '') break;
    const line = rawLine.split(';')[0]?.toLowerCase() ?? '';
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

// ---------------------------------------------------------------------------------------------
// Outlet side: deciding the answer

export interface FeedRequest {
  /** From `LSL:streamfeed/<version>`, or the `Protocol-Version` header if present. */
  version: number;
  /** The uid the inlet asks for, or '' for "whatever you are". */
  uid: string;
  headers: Map<string, string>;
}

/** Parses `LSL:streamfeed/110 <uid>` plus the header block (without the request line). */
export function parseFeedRequest(requestLine: string, headerBlock: string): FeedRequest | null {
  const m = /^LSL:streamfeed\/(\d+)(?:\s+(\S+))?/.exec(requestLine.trim());
  if (!m) return null;
  const headers = parseHeaderLines(headerBlock);
  const override = Number.parseInt(headers.get('protocol-version') ?? '', 10);
  return { version: Number.isFinite(override) ? override : Number(m[1]), uid: m[2] ?? '', headers };
}

export type FeedDecision =
  | { ok: false; status: string }
  | {
      ok: true;
      dataProtocol: 100 | 110;
      littleEndian: boolean;
      suppressSubnormals: boolean;
      /** Samples this connection may queue; 0 means: header and test patterns, then close. */
      maxBufferLength: number;
      /** Samples per write; 0 lets the outlet decide. */
      maxChunkLength: number;
    };

export function decideFeed(request: FeedRequest, info: StreamInfo): FeedDecision {
  const { headers } = request;
  if (Math.floor(request.version / 100) > Math.floor(PROTOCOL_VERSION / 100)) {
    return { ok: false, status: `LSL/${PROTOCOL_VERSION} 505 Version not supported` };
  }
  if (request.uid && request.uid !== info.uid) return { ok: false, status: `LSL/${PROTOCOL_VERSION} 404 Not found` };
  const size = valueSize(info.channelFormat);
  let dataProtocol: 100 | 110 = request.version >= 110 ? 110 : 100;
  // An inlet that cannot take our value size or IEEE floats gets the portable archive, which
  // converts every number; booleans are true only when exactly "1".
  const askedSize = headers.get('value-size');
  if (size !== null && askedSize !== undefined && Number.parseInt(askedSize, 10) !== size) dataProtocol = 100;
  const ieee = headers.get('has-ieee754-floats');
  if (ieee !== undefined && ieee !== '1') dataProtocol = 100;
  // Byte order: liblsl converts only when it is the faster side. A DataView writes either order
  // at the same cost, so we always send the inlet's native order when it names one.
  const asked = Number.parseInt(headers.get('native-byte-order') ?? '', 10);
  let littleEndian = NATIVE_BYTE_ORDER === 1234;
  if (dataProtocol === 110 && (size === null || size > 1) && (asked === 1234 || asked === 4321)) littleEndian = asked === 1234;
  const floats = info.channelFormat === 'float32' || info.channelFormat === 'double64';
  const subnormals = headers.get('supports-subnormals');
  return {
    ok: true,
    dataProtocol,
    littleEndian,
    suppressSubnormals: floats && subnormals !== undefined && subnormals !== '1',
    maxBufferLength: nonNegativeInt(headers.get('max-buffer-length')),
    maxChunkLength: nonNegativeInt(headers.get('max-chunk-length')),
  };
}

function nonNegativeInt(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export function buildFeedResponseHeader(
  uid: string,
  decision: { littleEndian: boolean; suppressSubnormals: boolean; dataProtocol: number },
): string {
  return (
    `LSL/${PROTOCOL_VERSION} 200 OK\r\n` +
    `UID: ${uid}\r\n` +
    `Byte-Order: ${decision.littleEndian ? 1234 : 4321}\r\n` +
    `Suppress-Subnormals: ${decision.suppressSubnormals ? 1 : 0}\r\n` +
    `Data-Protocol-Version: ${decision.dataProtocol}\r\n` +
    '\r\n'
  );
}
