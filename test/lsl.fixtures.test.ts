// The LSL codecs against real liblsl v1.16.2 byte captures (protocol doc §14): every fixture is
// parsed byte for byte and checked against its `expected` block, and what we encode must equal
// the captured bytes wherever the protocol fixes them (info XML, response header, test patterns,
// sample encoding, 1.00 archive, time replies).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArchiveReader, encodeArchiveHeader, encodeArchiveSample } from '../actors/devices/lsl/archive100.ts';
import { testPatternValues, type ChannelFormat } from '../actors/devices/lsl/channelFormat.ts';
import {
  buildShortinfoQuery,
  buildShortinfoReply,
  parseShortinfoQuery,
  parseShortinfoReply,
} from '../actors/devices/lsl/discoveryMessages.ts';
import { buildFeedResponseHeader, decideFeed, parseFeedRequest } from '../actors/devices/lsl/feedHandshake.ts';
import { FeedError, FeedReader, type LslSample } from '../actors/devices/lsl/feedReader.ts';
import { recoveryPredicate } from '../actors/devices/lsl/inlet.ts';
import { portRange, unicastDestinations } from '../actors/devices/lsl/networkScope.ts';
import { feedPreamble } from '../actors/devices/lsl/outletFeed.ts';
import { encodeSamples } from '../actors/devices/lsl/sampleCodec.ts';
import {
  channelsDesc,
  describedChannels,
  fullInfoXml,
  parseStreamInfo,
  shortInfoXml,
  type StreamInfo,
} from '../actors/devices/lsl/streamInfo.ts';
import {
  buildTimeProbe,
  buildTimeReply,
  estimateClock,
  parseTimeProbe,
  parseTimeReply,
} from '../actors/devices/lsl/timeProbe.ts';
import { bytes, fixtureNames, fixtureStream, loadFixture, splitSegments, type Fixture } from './helpers/lslFixtures.ts';

/** The fields liblsl's XML carries, as text, for comparison with `xml_fields`. */
function xmlFields(info: StreamInfo): Record<string, string> {
  const xml = shortInfoXml(info);
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) out[m[1] as string] = m[2] as string;
  return out;
}

function assertInfoMatches(info: StreamInfo, expected: Record<string, string>): void {
  assert.equal(info.name, expected.name);
  assert.equal(info.type, expected.type);
  assert.equal(String(info.channelCount), expected.channel_count);
  assert.equal(info.channelFormat, expected.channel_format);
  assert.equal(info.sourceId, expected.source_id);
  assert.equal(info.nominalSrate, Number(expected.nominal_srate));
  assert.equal(info.version, 110);
  assert.equal(info.createdAt, Number(expected.created_at));
  assert.equal(info.uid, expected.uid);
  assert.equal(info.sessionId, expected.session_id);
  assert.equal(info.hostname, expected.hostname);
  assert.equal(info.v4address, expected.v4address);
  assert.equal(String(info.v4dataPort), expected.v4data_port);
  assert.equal(String(info.v4servicePort), expected.v4service_port);
  assert.equal(String(info.v6dataPort), expected.v6data_port);
  assert.equal(String(info.v6servicePort), expected.v6service_port);
  // And printed back, every field is the same text liblsl wrote.
  assert.deepEqual(xmlFields(info), expected);
}

/** Feeds a whole response (header + data) through a FeedReader in the given pieces. */
function readFeed(stream: StreamInfo, pieces: Buffer[]): { reader: FeedReader; samples: LslSample[] } {
  const reader = new FeedReader(stream, stream.uid);
  const samples: LslSample[] = [];
  for (const piece of pieces) samples.push(...reader.push(piece));
  return { reader, samples };
}

function byteByByte(buf: Buffer): Buffer[] {
  return Array.from(buf, (b) => Buffer.from([b]));
}

/** Expected sample values in our representation (int64 as bigint, from decimal strings). */
function expectedValues(format: ChannelFormat, values: unknown[]): unknown[] {
  return format === 'int64' ? values.map((v) => BigInt(v as string)) : values;
}

function checkSamples(format: ChannelFormat, samples: LslSample[], expected: Fixture[]): void {
  assert.equal(samples.length, expected.length, 'sample count');
  samples.forEach((s, i) => {
    const e = expected[i];
    assert.equal(s.tag, e.tag, `tag of sample ${i}`);
    assert.equal(s.timestamp, e.effective_timestamp, `effective timestamp of sample ${i}`);
    if (e.tag === 2) assert.equal(s.timestamp, e.timestamp);
    assert.deepEqual(s.values, expectedValues(format, e.values), `values of sample ${i}`);
  });
}

test('every fixture file is covered by a test below', () => {
  const covered = [
    'a-udp-shortinfo-query-reply-testeeg', 'b-tcp-fullinfo-testeeg', 'c-tcp-streamfeed110-float32-testeeg',
    'd-tcp-streamfeed110-string-markers', 'e-udp-timedata-testeeg', 'f-streamfeed110-double64',
    'f-streamfeed110-float32', 'f-streamfeed110-int16', 'f-streamfeed110-int32', 'f-streamfeed110-int64',
    'f-streamfeed110-int8', 'f-streamfeed110-string', 'x-edge-cases-liblsl-outlet', 'x-recovery-outlet-restart',
    'x-tcp-streamfeed100-float32-testeeg', 'x-udp-knownpeers-unicast-resolve',
  ];
  assert.deepEqual(fixtureNames().sort(), covered.sort());
});

test('(a) shortinfo query and reply: parsed, and rebuilt byte for byte', () => {
  const fx = loadFixture('a-udp-shortinfo-query-reply-testeeg');
  const [queryMsg, replyMsg] = fx.messages as Fixture[];
  const query = bytes(queryMsg.hex);
  assert.equal(query.length, 79);
  assert.ok(query.subarray(-2).equals(Buffer.from('\r\n')), 'ends with CRLF');
  const parsed = parseShortinfoQuery(query);
  assert.deepEqual(parsed, {
    predicate: fx.expected.query.predicate,
    returnPort: fx.expected.query.return_port,
    queryId: fx.expected.query.query_id,
  });
  assert.ok(buildShortinfoQuery(parsed!).equals(query), 'our query bytes equal liblsl\'s');

  const reply = parseShortinfoReply(bytes(replyMsg.hex));
  assert.ok(reply);
  assert.equal(reply.queryId, fx.expected.reply.query_id);
  const info = parseStreamInfo(reply.xml);
  assertInfoMatches(info, fx.expected.reply.xml_fields);
  assert.equal(info.desc.children.length, 0, 'short info has an empty desc');
  assert.equal(info.v4address, '', 'the address comes from the datagram, not the XML');
  // Our XML printer reproduces pugixml's output exactly, so the whole reply is identical.
  assert.ok(buildShortinfoReply(reply.queryId, shortInfoXml(fixtureStream(fx.stream))).equals(bytes(replyMsg.hex)));
});

test('(b) fullinfo: fields, desc channels, and our full XML equals the 1493 captured bytes', () => {
  const fx = loadFixture('b-tcp-fullinfo-testeeg');
  assert.equal(fx.request.text, 'LSL:fullinfo\r\n');
  const xml = bytes(fx.reply.hex).toString('utf8');
  assert.equal(Buffer.byteLength(xml), fx.expected.reply_length);
  const info = parseStreamInfo(xml);
  assertInfoMatches(info, fx.expected.xml_fields);
  const desc = fx.expected.desc;
  assert.equal(info.desc.children.find((c) => c.name === 'manufacturer')?.text, desc.manufacturer);
  assert.deepEqual(describedChannels(info), desc.channels);
  assert.deepEqual(describedChannels(info).map((c) => c.label), ['C3', 'C4', 'Cz', 'FPz', 'POz', 'CPz', 'O1', 'O2']);
  // The part before <desc is the short info's.
  assert.equal(xml.slice(0, xml.indexOf('<desc')), shortInfoXml(info).slice(0, shortInfoXml(info).indexOf('<desc')));
  // Built from scratch the way our outlet builds its desc: identical bytes.
  const ours = { ...fixtureStream(fx.stream), desc: channelsDesc(desc.channels.map((c: Fixture) => c.label), 'microvolts', 'EEG', 'LSL') };
  assert.equal(fullInfoXml(ours), xml);
  assert.equal(fullInfoXml(info), xml, 'parse → print round trip');
});

test('(c) float32 streamfeed: request, response, test patterns and 48 samples, in TCP segments and byte by byte', () => {
  const fx = loadFixture('c-tcp-streamfeed110-float32-testeeg');
  const stream = fixtureStream(fx.stream);
  // Outlet side: the request.
  const text = bytes(fx.request.hex).toString('latin1');
  const eol = text.indexOf('\r\n');
  const request = parseFeedRequest(text.slice(0, eol), text.slice(eol + 2));
  assert.ok(request);
  assert.equal(request.version, 110);
  assert.equal(request.uid, fx.stream.uid);
  for (const [key, value] of Object.entries(fx.expected.request_headers as Record<string, string>)) {
    assert.equal(request.headers.get(key.toLowerCase()), value.toLowerCase(), key);
  }
  const decision = decideFeed(request, stream);
  assert.deepEqual(decision, { ok: true, dataProtocol: 110, littleEndian: true, suppressSubnormals: false, maxBufferLength: 92160, maxChunkLength: 0 });

  // Inlet side: the response, fed as TCP delivered it and byte by byte.
  const response = Buffer.concat([bytes(fx.response_header.hex), bytes(fx.data.hex)]);
  const segments = splitSegments(response, fx.segments.outlet_to_inlet.map((s: Fixture) => s.length));
  assert.equal(segments[0]?.length, 213);
  const bySegment = readFeed(stream, segments);
  const byByte = readFeed(stream, byteByByte(response));
  assert.deepEqual(byByte.samples, bySegment.samples, 'segmentation does not change the result');
  const { reader, samples } = bySegment;
  assert.equal(reader.statusLine, fx.expected.status_line);
  for (const [key, value] of Object.entries(fx.expected.response_headers as Record<string, string>)) {
    assert.equal(reader.headers.get(key.toLowerCase()), value.toLowerCase(), key);
  }
  assert.equal(bytes(fx.response_header.hex).length, fx.expected.response_header_length);
  assert.deepEqual(
    reader.testPatterns.map((p) => ({ tag: p.tag, timestamp: p.timestamp, values: p.values })),
    fx.expected.test_patterns.map((p: Fixture) => ({ tag: p.tag, timestamp: p.timestamp, values: p.values })),
  );
  assert.equal(fx.expected.samples_in_data, 48);
  checkSamples('float32', samples, fx.expected.samples);
  assert.equal(samples[0]?.timestamp, 2491.96187884);

  // Our outlet's bytes: header + test patterns = the first 213 bytes; samples = the rest.
  const ok = decision.ok ? decision : assert.fail('decision');
  assert.ok(feedPreamble(stream, ok, true).equals(response.subarray(0, 213)));
  assert.equal(buildFeedResponseHeader(stream.uid, ok), fx.response_header.text);
  const encoded = encodeSamples({ format: 'float32', channelCount: 8, littleEndian: true }, fx.expected.samples.map((s: Fixture) => ({ timestamp: s.timestamp, values: s.values })));
  assert.ok(encoded.equals(bytes(fx.data.hex).subarray(82)), 'sample encoding equals liblsl\'s');
});

test('(d) string markers: discovery, request headers, 13-byte test patterns and 16 markers', () => {
  const fx = loadFixture('d-tcp-streamfeed110-string-markers');
  const stream = fixtureStream(fx.stream);
  const query = parseShortinfoQuery(bytes(fx.discovery[0].hex));
  assert.equal(query?.predicate, "session_id='default' and type='Markers'");
  const reply = parseShortinfoReply(bytes(fx.discovery[1].hex));
  assert.equal(reply?.queryId, query?.queryId);
  const info = parseStreamInfo(reply!.xml);
  assert.equal(info.channelFormat, 'string');
  assert.equal(info.nominalSrate, 0);
  assert.equal(info.sourceId, 'id23443');
  assert.equal(shortInfoXml(stream), reply!.xml, 'irregular rate prints as 0.000000000000000');

  const text = bytes(fx.request.hex).toString('latin1');
  const eol = text.indexOf('\r\n');
  const request = parseFeedRequest(text.slice(0, eol), text.slice(eol + 2))!;
  assert.equal(request.headers.get('value-size'), '32');
  assert.equal(request.headers.get('supports-subnormals'), '0');
  assert.equal(request.headers.get('max-buffer-length'), '36000');
  const decision = decideFeed(request, stream);
  assert.ok(decision.ok);
  assert.equal(decision.dataProtocol, 110, 'Value-Size is ignored for string streams');
  assert.equal(decision.suppressSubnormals, false, 'subnormals only concern float formats');

  const data = bytes(fx.data.hex);
  const response = Buffer.concat([bytes(fx.response_header.hex), data]);
  const segmented = readFeed(stream, splitSegments(response, fx.segments.outlet_to_inlet.map((s: Fixture) => s.length)));
  const single = readFeed(stream, byteByByte(response));
  assert.deepEqual(single.samples, segmented.samples);
  assert.deepEqual(segmented.reader.testPatterns.map((p) => p.values), [['10'], ['10']]);
  assert.ok(data.subarray(0, 13).equals(bytes('02c976be9f0c24fe4001023130')));
  checkSamples('string', segmented.samples, fx.expected.samples);
  assert.equal(segmented.samples[0]?.values[0], 'Testtest');
  assert.ok(feedPreamble(stream, decision, true).equals(response.subarray(0, 131 + 26)));
  const encoded = encodeSamples({ format: 'string', channelCount: 1, littleEndian: true }, fx.expected.samples.map((s: Fixture) => ({ timestamp: s.timestamp, values: s.values })));
  assert.ok(encoded.equals(data.subarray(26)));
});

test('(e) timedata: probes and replies parsed; our replies and probes print like liblsl; offset formula', () => {
  const fx = loadFixture('e-udp-timedata-testeeg');
  assert.equal(fx.exchanges.length, 24);
  const waves = new Map<string, number>();
  for (const exchange of fx.exchanges as Fixture[]) {
    const probe = parseTimeProbe(bytes(exchange.probe.hex));
    assert.ok(probe);
    assert.equal(probe.waveId, String(exchange.parsed.wave_id));
    assert.equal(probe.t0, exchange.parsed.t0);
    assert.ok(buildTimeProbe(probe).equals(bytes(exchange.probe.hex)), 'probe bytes');
    const reply = parseTimeReply(bytes(exchange.reply.hex));
    assert.deepEqual(reply, { waveId: probe.waveId, t0: exchange.parsed.t0, t1: exchange.parsed.t1, t2: exchange.parsed.t2 });
    assert.ok(buildTimeReply(reply!).equals(bytes(exchange.reply.hex)), `reply bytes ${exchange.reply.text}`);
    assert.ok(bytes(exchange.reply.hex)[0] === 0x20 && !exchange.reply.text.includes('\n'), 'leading space, no line break');
    waves.set(probe.waveId, (waves.get(probe.waveId) ?? 0) + 1);
  }
  assert.deepEqual([...waves.entries()], fx.expected.waves.map((w: Fixture) => [String(w.wave_id), w.probes]));
  const w = fx.expected.worked_example;
  const estimate = estimateClock({ waveId: '1', t0: w.t0, t1: w.t1, t2: w.t2 }, w.assumed_t3);
  assert.ok(Math.abs(estimate.rtt - w.rtt) < 1e-12);
  assert.ok(Math.abs(estimate.offset - w.offset) < 1e-12);
  assert.ok(Math.abs(estimate.correction - w.time_correction_if_this_were_the_best_probe) < 1e-12);
  // The hand-made probe of the edge-case capture: t0 is re-printed with 16 significant digits.
  assert.equal(buildTimeReply({ waveId: '7', t0: 12345.5, t1: 1, t2: 2 }).toString(), ' 7 12345.5 1 2');
});

for (const format of ['float32', 'double64', 'int8', 'int16', 'int32', 'int64', 'string'] as const) {
  test(`(f) ${format} streamfeed: test patterns, tag 1/tag 2 timestamps, values, and our bytes`, () => {
    const fx = loadFixture(`f-streamfeed110-${format}`);
    const stream = fixtureStream(fx.stream);
    const header = bytes(fx.response_header.hex);
    const data = bytes(fx.data.hex);
    const response = Buffer.concat([header, data]);
    const segmented = readFeed(stream, splitSegments(response, fx.segments.outlet_to_inlet.map((s: Fixture) => s.length)));
    const single = readFeed(stream, byteByByte(response));
    assert.deepEqual(single.samples, segmented.samples);
    const { reader, samples } = segmented;
    assert.equal(reader.statusLine, 'LSL/110 200 OK');
    assert.deepEqual(reader.testPatterns.map((p) => p.values), fx.expected.test_patterns.map((p: Fixture) => expectedValues(format, p.values)));
    assert.deepEqual(reader.testPatterns.map((p) => p.values), [testPatternValues(format, 3, 4), testPatternValues(format, 3, 2)]);
    assert.deepEqual(samples.map((s) => s.tag), [2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1]);
    checkSamples(format, samples, fx.expected.samples);
    if (format === 'string') {
      assert.equal(stream.nominalSrate, 0);
      assert.deepEqual(fx.expected.samples[0].length_field_sizes, [1, 1, 4], 'a 300-byte value has a 4-byte length');
      assert.equal(samples[1]?.values[1], '', 'empty string');
      assert.equal(samples[0]?.values[1], 'ü-24', 'UTF-8');
    }

    // Our encoding: test patterns, then each chunk as liblsl sent it (tag 2 first, then tag 1).
    const decision = decideFeed(parseFeedRequest(`LSL:streamfeed/110 ${stream.uid}`, 'Max-Buffer-Length: 360\r\n')!, stream);
    assert.ok(decision.ok);
    const patternsEnd = (fx.expected.samples[0] as Fixture).offset as number;
    assert.ok(feedPreamble(stream, decision, true).equals(Buffer.concat([header, data.subarray(0, patternsEnd)])));
    const encoded = encodeSamples(
      { format, channelCount: 3, littleEndian: true },
      fx.expected.samples.map((s: Fixture) => ({ timestamp: s.tag === 2 ? s.timestamp : null, values: expectedValues(format, s.values) as never })),
    );
    assert.ok(encoded.equals(data.subarray(patternsEnd)), 'sample bytes equal liblsl\'s');
  });
}

test('known peers: a wave unicasts to all 32 ports of the range, as liblsl does', () => {
  const fx = loadFixture('x-udp-knownpeers-unicast-resolve');
  const query = parseShortinfoQuery(bytes(fx.multicast_query.hex));
  assert.equal(query?.predicate, fx.expected.query_predicate);
  const reply = parseShortinfoReply(bytes(fx.multicast_reply.hex));
  assert.equal(reply?.queryId, query?.queryId);
  assert.equal(parseStreamInfo(reply!.xml).name, 'TestEEG');
  assert.deepEqual(portRange(), fx.unicast_burst.destination_ports);
  assert.equal(fx.expected.unicast_ports_count, 32);
  const burst = parseShortinfoQuery(bytes(fx.unicast_burst.payload.hex));
  assert.equal(burst?.predicate, "session_id='default'");
  const destinations = unicastDestinations([]);
  assert.deepEqual(destinations.filter((d) => d.address === '127.0.0.1' && d.port !== 16571).map((d) => d.port), fx.unicast_burst.destination_ports);
  assert.ok(destinations.some((d) => d.port === 16571));
  // The datagram this capture labels "unicast_reply" is the burst's own query landing on the
  // resolver's reply socket (16574 is inside the range): it parses as a query, not a reply, and
  // our resolver ignores it because its first line is not a query id.
  const labelled = bytes(fx.unicast_reply.hex);
  assert.ok(parseShortinfoQuery(labelled));
  assert.notEqual(parseShortinfoReply(labelled)?.queryId, query?.queryId);
});

test('protocol 1.00 archive: header, shortinfo, test patterns and samples; our encoding equals it', () => {
  const fx = loadFixture('x-tcp-streamfeed100-float32-testeeg');
  assert.equal(fx.request.text, 'LSL:streamfeed\r\n92160 0\r\n');
  const data = bytes(fx.data.hex);
  const stream = fixtureStream(fx.stream);
  const reader = new ArchiveReader('float32', 8);
  const samples = byteByByte(data).flatMap((b) => reader.push(b));
  assert.equal(reader.shortInfoXml, fx.expected.shortinfo_xml);
  assert.equal(Buffer.byteLength(reader.shortInfoXml ?? ''), fx.expected.shortinfo_length);
  assert.equal(data[0], fx.expected.archive_magic);
  assert.equal(samples.length, fx.expected.samples.length);
  samples.forEach((s, i) => {
    const e = fx.expected.samples[i];
    assert.equal(s.tag, e.tag);
    assert.equal(s.timestamp, e.timestamp);
    assert.deepEqual(s.values, e.values);
  });
  assert.deepEqual(samples[0]?.values, testPatternValues('float32', 8, 4));
  assert.equal(shortInfoXml(stream), reader.shortInfoXml, 'the archive carries the exact short info');
  const ours = Buffer.concat([
    encodeArchiveHeader(shortInfoXml(stream)),
    ...fx.expected.samples.map((s: Fixture, i: number) => encodeArchiveSample('float32', 8, s, i === 0)),
  ]);
  assert.ok(ours.equals(data), 'archive bytes equal liblsl\'s');
  assert.equal(fx.expected.first_sample_object_prefix_hex, '0000');
});

test('edge cases, inlet side: error statuses without CRLF, Max-Buffer-Length 0, big-endian, 1.00 fallback', () => {
  const fx = loadFixture('x-edge-cases-liblsl-outlet');
  const stream = fixtureStream(fx.stream);
  const cases = new Map<string, Fixture>(fx.tcp.map((c: Fixture) => [c.name, c]));
  const endWith = (response: Buffer): FeedError => {
    const reader = new FeedReader(stream, stream.uid);
    try {
      reader.push(response);
    } catch (err) {
      return err as FeedError;
    }
    return reader.end();
  };
  const notFound = endWith(bytes(cases.get('streamfeed_404_wrong_uid').response.hex));
  assert.equal(notFound.kind, 'gone');
  assert.match(notFound.message, /404 Not found/);
  const version = endWith(bytes(cases.get('streamfeed_505_version').response.hex));
  assert.equal(version.kind, 'refused');

  const zero = cases.get('streamfeed_max_buffer_0');
  const reader = new FeedReader(stream, stream.uid);
  assert.deepEqual(reader.push(Buffer.concat([bytes(zero.response_header.hex), bytes(zero.data.hex)])), []);
  assert.equal(reader.state, 'data', 'test patterns accepted');
  assert.equal(reader.end().kind, 'gone');

  const big = cases.get('streamfeed_big_endian');
  const beResponse = Buffer.concat([bytes(big.response_header.hex), bytes(big.data.hex)]);
  const be = readFeed(stream, byteByByte(beResponse));
  assert.equal(be.reader.littleEndian, false);
  checkSamples('float32', be.samples, big.expected.samples);
  const beDecision = decideFeed(parseFeedRequest(big.request.text.split('\r\n')[0], big.request.text.slice(big.request.text.indexOf('\r\n') + 2))!, stream);
  assert.ok(beDecision.ok && !beDecision.littleEndian, 'our outlet answers a big-endian inlet in its order');
  assert.ok(feedPreamble(stream, beDecision, true).equals(beResponse.subarray(0, 131 + 82)));

  for (const name of ['streamfeed_value_size_mismatch', 'streamfeed_ieee_true_pitfall']) {
    const c = cases.get(name);
    const text: string = c.request.text;
    const decision = decideFeed(parseFeedRequest(text.split('\r\n')[0] ?? '', text.slice(text.indexOf('\r\n') + 2))!, stream);
    assert.ok(decision.ok);
    assert.equal(decision.dataProtocol, 100, `${name}: falls back to 1.00`);
    const response = Buffer.concat([bytes(c.response_header.hex), bytes(c.data.hex)]);
    assert.ok(feedPreamble(stream, decision, true).equals(response), `${name}: our 1.00 preamble equals liblsl's`);
    const fallback = new FeedReader(stream, stream.uid);
    fallback.push(response);
    assert.equal(fallback.dataProtocol, 100);
    assert.equal(fallback.state, 'data', `${name}: archive test patterns accepted`);
  }

  const noHeaders = cases.get('streamfeed_no_headers_hangs');
  const requestText: string = noHeaders.request.text;
  const afterLine = requestText.slice(requestText.indexOf('\r\n') + 2);
  assert.equal(afterLine.indexOf('\r\n\r\n'), -1, 'a headerless request never completes its header block');
});

test('a test pattern that does not match (wrong channel count) is refused before any data', () => {
  const fx = loadFixture('c-tcp-streamfeed110-float32-testeeg');
  const stream = { ...fixtureStream(fx.stream), channelCount: 7 };
  const reader = new FeedReader(stream, stream.uid);
  assert.throws(() => reader.push(Buffer.concat([bytes(fx.response_header.hex), bytes(fx.data.hex)])), (err: FeedError) => err.kind === 'protocol' && /test-pattern/.test(err.message));
  const wrongUid = new FeedReader(fixtureStream(fx.stream), '00000000-0000-0000-0000-000000000000');
  assert.throws(() => wrongUid.push(bytes(fx.response_header.hex)), (err: FeedError) => err.kind === 'gone');
});

test('recovery: our recovery predicate is liblsl\'s; the new feed starts with the test patterns', () => {
  const fx = loadFixture('x-recovery-outlet-restart');
  const next = fixtureStream(fx.expected.new_stream);
  assert.equal(recoveryPredicate(next), fx.expected.recovery_predicate);
  const query = parseShortinfoQuery(bytes(fx.recovery_queries.first.hex));
  assert.equal(query?.predicate, fx.expected.recovery_predicate);
  const reply = parseShortinfoReply(bytes(fx.recovery_queries.reply.hex));
  const restarted = parseStreamInfo(reply!.xml);
  assert.equal(restarted.uid, fx.expected.new_uid);
  assert.equal(restarted.v4dataPort, 16573);
  assert.equal(restarted.v4servicePort, 16577, 'TCP and UDP ports differ: use each for its purpose');
  assert.match(fx.second_connection.request.text, new RegExp(`^LSL:streamfeed/110 ${fx.expected.new_uid}\r\n`));
  const second = readFeed(next, [bytes(fx.second_connection.response_header.hex), bytes(fx.second_connection.data.hex)]);
  assert.equal(second.reader.testPatterns.length, 2);
  assert.equal(second.samples.length, 2);
  // The first connection ended exactly on a sample boundary (the outlet died between samples).
  const first = fx.first_connection;
  assert.equal(first.bytes_received, 82 + first.samples_received * 41);
  assert.equal(first.last_sample.offset + first.last_sample.length, first.bytes_received);
});
