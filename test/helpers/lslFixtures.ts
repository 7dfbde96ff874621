// Loads the liblsl v1.16.2 wire captures in /work/shared/fixtures/lsl (override the directory
// with LSL_FIXTURES_DIR). Each file is JSON with `hex` payloads and `expected` decodings.
import fs from 'node:fs';
import path from 'node:path';
import type { StreamInfo } from '../../actors/devices/lsl/streamInfo.ts';
import { element } from '../../actors/devices/lsl/xmlTree.ts';
import type { ChannelFormat } from '../../actors/devices/lsl/channelFormat.ts';

export const FIXTURE_DIR = process.env.LSL_FIXTURES_DIR ?? '/work/shared/fixtures/lsl';

// The fixtures are free-form JSON; tests index into them by the documented field names.
export type Fixture = any;

export function loadFixture(name: string): Fixture {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8'));
}

export function fixtureNames(): string[] {
  return fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
}

export const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

/** The fixture's `stream` block as our StreamInfo (address fields empty, as outlets send them). */
export function fixtureStream(stream: Fixture): StreamInfo {
  return {
    name: stream.name,
    type: stream.type,
    channelCount: stream.channel_count,
    channelFormat: stream.channel_format as ChannelFormat,
    sourceId: stream.source_id,
    nominalSrate: stream.nominal_srate,
    version: Math.round(Number(stream.version) * 100),
    createdAt: stream.created_at,
    uid: stream.uid,
    sessionId: stream.session_id,
    hostname: stream.hostname,
    v4address: '',
    v4dataPort: stream.v4data_port,
    v4servicePort: stream.v4service_port,
    v6address: '',
    v6dataPort: 0,
    v6servicePort: 0,
    desc: element('desc'),
  };
}

/** Splits `buf` at the given segment lengths (what TCP delivered), the rest as one piece. */
export function splitSegments(buf: Buffer, lengths: number[]): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (const length of lengths) {
    if (pos >= buf.length) break;
    out.push(buf.subarray(pos, pos + length));
    pos += length;
  }
  if (pos < buf.length) out.push(buf.subarray(pos));
  return out;
}
