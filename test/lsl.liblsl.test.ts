// Optional interop with real liblsl, both directions, in a loopback-only network namespace.
// liblsl is not a dependency: the only build reachable here is the old `prebuilt/liblsl64.so`
// (liblsl 1.12, protocol 1.10) inside the npm tarball of lsl.js@1.1.2, loaded through koffi.
// Both are fetched once into a cache directory with npm's own client (or taken from
// LSL_INTEROP_DIR); when that is impossible — offline, not root, not linux-x64 — the test skips
// and says why. SKILL_LSL_INTEROP=0 skips it outright.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { namespaceAvailable, runInNamespace } from './helpers/lslNamespace.ts';

const run = promisify(execFile);
const CACHE = process.env.LSL_INTEROP_DIR ?? path.join(os.tmpdir(), 'skill-daemon-liblsl-interop');

function ready(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'liblsl64.so')) && fs.existsSync(path.join(dir, 'node_modules', 'koffi', 'package.json'));
}

/** Fetches liblsl64.so and koffi into CACHE; returns why not if it cannot. */
async function prepare(): Promise<string | null> {
  if (ready(CACHE)) return null;
  if (process.env.LSL_INTEROP_DIR) return `LSL_INTEROP_DIR=${CACHE} lacks liblsl64.so or node_modules/koffi`;
  const work = `${CACHE}.tmp-${process.pid}`;
  fs.mkdirSync(work, { recursive: true });
  try {
    await run('npm', ['pack', 'lsl.js@1.1.2', '--pack-destination', work], { cwd: work, timeout: 60_000 });
    await run('tar', ['-xzf', path.join(work, 'lsl.js-1.1.2.tgz'), '-C', work, 'package/prebuilt/liblsl64.so'], { timeout: 30_000 });
    fs.renameSync(path.join(work, 'package', 'prebuilt', 'liblsl64.so'), path.join(work, 'liblsl64.so'));
    await run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', work, 'koffi@3.3.4'], { cwd: work, timeout: 120_000 });
    // Proves the library loads before any namespace is made.
    await run(process.execPath, ['-e', `require(${JSON.stringify(path.join(work, 'node_modules', 'koffi'))}).load(${JSON.stringify(path.join(work, 'liblsl64.so'))})`], { timeout: 30_000 });
    try {
      fs.renameSync(work, CACHE);
    } catch {
      // Another run finished first; its copy is as good as ours.
    }
    return ready(CACHE) ? null : 'prepared files went missing';
  } catch (err) {
    return `liblsl or koffi unavailable: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

test('liblsl 1.12 ⇄ our LSL: resolve, full info, time correction, samples, recovery', { timeout: 240_000 }, async (t) => {
  if (process.env.SKILL_LSL_INTEROP === '0') return t.skip('SKILL_LSL_INTEROP=0');
  if (process.platform !== 'linux' || process.arch !== 'x64') return t.skip('the bundled liblsl64.so is for linux-x64');
  const noNamespace = await namespaceAvailable();
  if (noNamespace) return t.skip(noNamespace);
  const notReady = await prepare();
  if (notReady) return t.skip(notReady);

  const outcome = await runInNamespace('test/helpers/lslLiblslInterop.ts', [], 60_000, { LSL_INTEROP_DIR: CACHE });
  assert.equal(outcome.code, 0, outcome.stderr);
  const r = JSON.parse(outcome.stdout.trim().split('\n').pop() ?? '{}');
  assert.equal(r.errorA, undefined);
  assert.equal(r.errorB, undefined);

  // A. liblsl outlet → us.
  assert.equal(r.resolved?.name, 'LiblslOut', 'our loopback resolver finds a liblsl outlet');
  assert.equal(r.resolved.address, '127.0.0.1');
  assert.deepEqual(r.fullInfoLabels, ['L0', 'L1', 'L2', 'L3'], 'LSL:fullinfo from liblsl, desc parsed');
  assert.ok(r.timeCorrection && Math.abs(r.timeCorrection.correction) < 0.01, 'liblsl answers our time probes; same host, same clock');
  assert.deepEqual(r.sourceInfo.channelNames, ['L0', 'L1', 'L2', 'L3']);
  assert.equal(r.sourceInfo.id, 'LiblslOut-src');
  assert.ok(r.samplesBeforeKill >= 50);
  assert.equal(r.consecutive, true, 'every sample, in order, test patterns accepted');
  assert.equal(r.channel3Offset, 0.75);
  assert.ok(Math.abs(r.t0SkewMs) < 1000, 'frame times are unix ms');
  assert.equal(r.recovered, true, 'recovered after the liblsl outlet was killed and restarted');
  assert.deepEqual(r.endedAfterRestart, []);
  assert.equal(r.endedAfterFinalKill, true, 'ended once the outlet stayed away for idleTimeoutMs');

  // B. our outlet → liblsl.
  assert.equal(r.liblslFound, 1, 'liblsl resolves our loopback-mode outlet');
  assert.deepEqual(r.liblslFullInfoLabels, ['A', 'B', 'C', 'D'], 'liblsl reads our full info');
  assert.ok(r.liblslSamples > 50, `liblsl pulled ${r.liblslSamples} samples`);
  assert.equal(r.liblslConsecutive, true);
  assert.deepEqual(r.liblslChannelValues.map((v: number) => v - r.liblslChannelValues[0]), [0, 0.25, 0.5, 0.75]);
  assert.ok(r.liblslMaxTimestampError < 1e-6, 'timestamps (explicit and deduced) arrive as pushed');
  assert.ok(r.liblslTimeCorrection !== null && Math.abs(r.liblslTimeCorrection) < 0.01, 'liblsl time_correction() against our outlet');
});
