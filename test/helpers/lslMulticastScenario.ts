// Runs inside a private network namespace (see test/lsl.multicast.test.ts): a `lan` outlet
// joins liblsl's multicast groups and answers multicast and broadcast queries; a `loopback`
// outlet in the same namespace answers neither; a `lan` resolver finds both and an inlet reads
// over the LAN path. Prints one JSON line with what it observed; the test asserts on it.
import dgram from 'node:dgram';
import { buildShortinfoQuery, parseShortinfoReply } from '../../actors/devices/lsl/discoveryMessages.ts';
import type { LslSample } from '../../actors/devices/lsl/feedReader.ts';
import { LslInlet } from '../../actors/devices/lsl/inlet.ts';
import { LslOutlet } from '../../actors/devices/lsl/outlet.ts';
import { parseStreamInfo } from '../../actors/devices/lsl/streamInfo.ts';
import { resolveStreams } from '../../actors/devices/lsl/resolver.ts';

const common = { type: 'EEG', channelCount: 2, nominalSrate: 100, channelFormat: 'float32' as const };
const lan = new LslOutlet({ ...common, name: 'LanOutlet', sourceId: 'lan-src', network: 'lan' });
const local = new LslOutlet({ ...common, name: 'LoopbackOutlet', sourceId: 'loop-src', network: 'loopback' });
await lan.start();
await local.start();

/** Sends one query to `address:16571` only (no unicast anywhere) and returns who answered. */
async function ask(address: string): Promise<string[]> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', resolve));
  socket.setBroadcast(true);
  socket.setMulticastInterface('127.0.0.1');
  const names: string[] = [];
  socket.on('message', (msg) => {
    const reply = parseShortinfoReply(msg);
    if (reply?.queryId === 'mc') names.push(parseStreamInfo(reply.xml).name);
  });
  const query = buildShortinfoQuery({ predicate: "session_id='default' and type='EEG'", returnPort: socket.address().port, queryId: 'mc' });
  const error = await new Promise<Error | null>((resolve) => socket.send(query, 16571, address, (err) => resolve(err ?? null)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket.close();
  return error ? [`send failed: ${error.message}`] : names.sort();
}

const answers: Record<string, string[]> = {};
for (const address of ['239.255.172.215', '224.0.0.183', '224.0.0.1', '255.255.255.255']) answers[address] = await ask(address);

const resolved = await resolveStreams({ timeoutMs: 700, network: 'lan', predicate: "type='EEG'" });
const target = resolved.find((s) => s.name === 'LanOutlet');
const received: LslSample[] = [];
let inletOk = false;
if (target) {
  const inlet = await LslInlet.open(target, { samples: (s) => received.push(...s), ended: () => undefined }, { network: 'lan' });
  lan.push([[1, 2], [3, 4]], 10);
  const start = Date.now();
  while (received.length < 2 && Date.now() - start < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
  inletOk = received.map((s) => s.values.join(',')).join(';') === '1,2;3,4';
  await inlet.close();
}

console.log(
  JSON.stringify({
    lanEndpoints: lan.endpoints,
    lanMemberships: lan.multicastMemberships,
    loopbackEndpoints: local.endpoints,
    loopbackMemberships: local.multicastMemberships,
    answers,
    resolved: resolved.map((s) => ({ name: s.name, address: s.v4address })).sort((a, b) => a.name.localeCompare(b.name)),
    inletOk,
  }),
);
await Promise.all([lan.close(), local.close()]);
