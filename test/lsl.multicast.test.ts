// LSL's LAN paths (multicast groups, broadcast) exercised in a private network namespace with only
// loopback, so nothing reaches a real network; and the proof that a loopback-mode outlet in the
// same namespace answers neither. Skipped where namespaces cannot be created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceAvailable, runInNamespace } from './helpers/lslNamespace.ts';

test('lan mode joins liblsl\'s groups and answers multicast and broadcast; loopback mode does not', async (t) => {
  const unavailable = await namespaceAvailable();
  if (unavailable) {
    t.skip(unavailable);
    return;
  }
  const run = await runInNamespace('test/helpers/lslMulticastScenario.ts');
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
  for (const endpoint of result.lanEndpoints) assert.equal(endpoint.address, '0.0.0.0', `lan ${endpoint.role} socket on all interfaces`);
  for (const endpoint of result.loopbackEndpoints) assert.equal(endpoint.address, '127.0.0.1', `loopback ${endpoint.role} socket`);
  assert.deepEqual(result.loopbackMemberships, []);
  for (const group of ['224.0.0.183@127.0.0.1', '239.255.172.215@127.0.0.1']) assert.ok(result.lanMemberships.includes(group), group);
  for (const address of ['239.255.172.215', '224.0.0.183', '224.0.0.1', '255.255.255.255']) {
    assert.deepEqual(result.answers[address], ['LanOutlet'], `query to ${address}: only the lan outlet answers`);
  }
  assert.deepEqual(result.resolved.map((s: { name: string }) => s.name), ['LanOutlet', 'LoopbackOutlet'], 'a lan resolve finds both');
  assert.equal(result.inletOk, true, 'the inlet reads the lan outlet');
});
