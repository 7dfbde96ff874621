// mDNS advertisement of `_skill._tcp`, browsed for in a private network namespace that has only
// a loopback interface, so no packet can reach a real network. Skipped where namespaces cannot
// be made (not root, no unshare).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceAvailable, runInNamespace } from './helpers/lslNamespace.ts';

test('the daemon advertises _skill._tcp with port, version and protocol; SKILL_MDNS=0 and --no-mdns turn it off', async (t) => {
  const unavailable = await namespaceAvailable();
  if (unavailable) {
    t.skip(`mDNS browse test needs a private network namespace (run as root with unshare): ${unavailable}`);
    return;
  }
  const run = await runInNamespace('test/helpers/mdnsBrowseScenario.ts', [], 150_000);
  assert.equal(run.code, 0, `scenario exit ${run.code}\n${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
  const mine = result.found.filter((s: { port: number }) => s.port === result.ports.on);
  assert.ok(mine.length >= 1, `the advertising daemon was found: ${JSON.stringify(result)}`);
  const service = mine[0];
  assert.deepEqual(
    { port: service.txt.port, protocol: service.txt.protocol, format: service.txt.format },
    { port: String(result.ports.on), protocol: '1', format: 'json' },
    'TXT port, protocol and format',
  );
  assert.match(service.txt.version, /^\d+\.\d+\.\d+/, 'TXT version');
  assert.deepEqual(service.addresses, ['127.0.0.1'], 'loopback mode publishes only 127.0.0.1');
  const others = result.found.filter((s: { port: number }) => s.port === result.ports.offByEnv || s.port === result.ports.offByFlag);
  assert.deepEqual(others, [], 'daemons with mDNS off are not advertised');
  assert.deepEqual(result.exitCodes, [0, 0, 0], 'all daemons stopped cleanly');
});
