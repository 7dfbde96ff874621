// The small pure pieces of the LSL implementation: the XPath subset outlets evaluate, C-style
// number printing, the XML tree, and where each network mode sends discovery traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupDestinations, peerAddresses, unicastDestinations } from '../actors/devices/lsl/networkScope.ts';
import { formatG } from '../actors/devices/lsl/numberText.ts';
import { compilePredicate, equalsTerm, predicateMatches } from '../actors/devices/lsl/predicate.ts';
import { queryPredicate } from '../actors/devices/lsl/resolver.ts';
import { channelsDesc, InvalidStreamInfoError, parseStreamInfo, streamInfoElement, type StreamInfo } from '../actors/devices/lsl/streamInfo.ts';
import { parseXml, printXmlDocument } from '../actors/devices/lsl/xmlTree.ts';
import { bytes, loadFixture } from './helpers/lslFixtures.ts';

const fullXml = bytes(loadFixture('b-tcp-fullinfo-testeeg').reply.hex).toString('utf8');
const info: StreamInfo = parseStreamInfo(fullXml);
const element = streamInfoElement(info, true);
const matches = (predicate: string) => predicateMatches(predicate, element);

test('predicates liblsl generates: and-joined equality terms, with and without session', () => {
  assert.ok(matches(''));
  assert.ok(matches("session_id='default'"));
  assert.ok(matches("session_id='default' and type='EEG'"));
  assert.ok(matches("channel_count='8' and name='TestEEG' and type='EEG' and source_id='TestEEGEEG' and channel_format='float32'"));
  assert.ok(!matches("session_id='default' and type='Markers'"));
  assert.ok(!matches("name='testeeg'"), 'comparisons are case-sensitive');
  assert.ok(!matches("channel_count='8.0'"), 'string comparison of element text');
  assert.ok(matches('name="TestEEG"'));
});

test('user predicates: or, not(), parentheses, numbers, functions and desc paths', () => {
  assert.ok(matches("type='Markers' or name='TestEEG'"));
  assert.ok(matches("not(type='Markers')"));
  assert.ok(!matches("session_id='x' and (type='Markers' or name='TestEEG')"));
  assert.ok(matches('channel_count>5 and nominal_srate>=256 and channel_count < 9'));
  assert.ok(matches('channel_count=8'), 'number against node text');
  assert.ok(matches("starts-with(name,'Test') and contains(source_id,'EEGEEG')"));
  assert.ok(matches("session_id='default' and desc/manufacturer='LSL' and count(desc/channels/channel)=8"));
  assert.ok(matches("desc/channels/channel/label='Cz'"), 'any node of the set');
  assert.ok(!matches("desc/channels/channel/label='Fp1'"));
  assert.ok(matches("/info/name='TestEEG'"));
  assert.ok(matches('string-length(uid)=36'));
  assert.ok(matches('desc/channels'), 'a non-empty node-set is true');
  assert.ok(!matches('desc/nothing'));
});

test('a predicate that does not compile matches nothing', () => {
  assert.throws(() => compilePredicate("name='unterminated"));
  assert.throws(() => compilePredicate('translate(name)'));
  assert.ok(!matches("name='unterminated"));
  assert.ok(!matches("name='TestEEG' and"));
  assert.ok(!matches('frobnicate()'));
});

test('query predicates: session term first, user or-expressions kept inside it', () => {
  assert.equal(queryPredicate('', 'default'), "session_id='default'");
  assert.equal(queryPredicate("type='EEG'", 'default'), "session_id='default' and type='EEG'");
  assert.equal(queryPredicate("type='EEG' or type='ExG'", 'default'), "session_id='default' and (type='EEG' or type='ExG')");
  assert.equal(queryPredicate("name='x'", null), "name='x'");
  assert.equal(equalsTerm('name', "it's"), 'name="it\'s"');
});

test('numbers print as C printf %.16g and %#.16g', () => {
  assert.equal(formatG(256, 16, true), '256.0000000000000');
  assert.equal(formatG(0, 16, true), '0.000000000000000');
  assert.equal(formatG(1.1, 16, true), '1.100000000000000');
  assert.equal(formatG(2486.407041954, 16, true), '2486.407041954000');
  assert.equal(formatG(12345.5, 16, false), '12345.5');
  assert.equal(formatG(2497.007076255, 16, false), '2497.007076255');
  assert.equal(formatG(1e-5, 16, false), '1e-05');
  assert.equal(formatG(0.0001, 16, false), '0.0001');
  assert.equal(formatG(1e20, 16, false), '1e+20');
  assert.equal(formatG(1e16, 16, true), '1.000000000000000e+16');
  assert.equal(formatG(-3.5, 16, false), '-3.5');
});

test('XML: entities, CDATA, comments and pugixml layout round trip', () => {
  const doc = parseXml('<?xml version="1.0"?>\n<!-- c --><info a="1"><name>A &amp; B &lt;3</name><x><![CDATA[<raw>]]></x><e></e><f/></info>');
  assert.equal(doc.children[0]?.text, 'A & B <3');
  assert.equal(doc.children[1]?.text, '<raw>');
  assert.equal(doc.children[2]?.text, '', '<e></e> keeps an empty text node');
  assert.equal(doc.children[3]?.text, null);
  assert.equal(printXmlDocument(doc), '<?xml version="1.0"?>\n<info a="1">\n\t<name>A &amp; B &lt;3</name>\n\t<x>&lt;raw&gt;</x>\n\t<e></e>\n\t<f />\n</info>\n');
  assert.throws(() => parseXml('<a><b></a>'));
  assert.equal(channelsDesc([], 'uV', 'EEG').children.length, 0);
});

test('infos liblsl would reject are rejected', () => {
  const without = (tag: string) => fullXml.replace(new RegExp(`\\t<${tag}>[^<]*</${tag}>\\n`), '');
  for (const tag of ['v6data_port', 'v6service_port', 'channel_count', 'nominal_srate', 'v4data_port']) {
    assert.throws(() => parseStreamInfo(without(tag)), InvalidStreamInfoError, `missing ${tag}`);
  }
  assert.throws(() => parseStreamInfo(fullXml.replace('<name>TestEEG</name>', '<name></name>')), InvalidStreamInfoError);
  assert.throws(() => parseStreamInfo(fullXml.replace('float32', 'float16')), InvalidStreamInfoError);
  assert.throws(() => parseStreamInfo(fullXml.replace(/<uid>[^<]*<\/uid>/, '<uid></uid>')), InvalidStreamInfoError);
  assert.throws(() => parseStreamInfo('not xml'), InvalidStreamInfoError);
  assert.equal(parseStreamInfo(fullXml.replace('1.100000000000000', '1.1')).version, 110);
});

test('loopback mode sends discovery to 127.0.0.1 only; lan mode adds broadcast and liblsl\'s groups', async () => {
  assert.deepEqual(groupDestinations('loopback'), []);
  assert.deepEqual(groupDestinations('lan').map((d) => d.address).sort(), ['224.0.0.1', '224.0.0.183', '239.255.172.215', '255.255.255.255']);
  const peers = await peerAddresses('loopback', ['10.1.2.3', 'localhost', '127.0.0.2', '[::1]', 'lsl-host.invalid']);
  assert.deepEqual(peers.sort(), ['127.0.0.1', '127.0.0.2']);
  const destinations = unicastDestinations(peers);
  assert.ok(destinations.every((d) => d.address.startsWith('127.')));
  assert.equal(destinations.length, 1 + 2 * 32, '16571 plus the range on each loopback host');
  assert.deepEqual(await peerAddresses('lan', ['10.1.2.3', 'localhost']), ['10.1.2.3', '127.0.0.1']);
});
