// The optional interop run against real liblsl, inside a loopback-only network namespace (see
// test/lsl.liblsl.test.ts). Both directions:
//   A. liblsl outlet → our resolver, full-info request, time probes and device source; the
//      liblsl outlet is then killed and restarted, and the source must recover;
//   B. our outlet (loopback mode) → liblsl's resolver and inlet, including its full-info request
//      and time correction.
// Prints one JSON line with what happened; the test decides what must hold.
import { spawn, type ChildProcess } from 'node:child_process';
import { lslLocalClock } from '../../actors/devices/lsl/clock.ts';
import { requestFullInfo } from '../../actors/devices/lsl/fullInfoRequest.ts';
import { lslSource } from '../../actors/devices/lsl/lslSource.ts';
import { LslOutlet } from '../../actors/devices/lsl/outlet.ts';
import { resolveStreams } from '../../actors/devices/lsl/resolver.ts';
import { describedChannels, parseStreamInfo } from '../../actors/devices/lsl/streamInfo.ts';
import { measureTimeCorrection } from '../../actors/devices/lsl/timeCorrection.ts';
import type { EegFrame } from '../../actors/devices/source.ts';

const PEER = 'test/helpers/lslLiblslPeer.ts';
const result: Record<string, unknown> = {};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startPeer(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', PEER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`liblsl peer exited with ${code}`)));
  });
}

function runPeer(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', PEER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d));
  return new Promise((resolve) => child.on('exit', () => resolve(out)));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) return false;
    await sleep(10);
  }
  return true;
}

// ---- A. liblsl outlet → us -------------------------------------------------------------------
let peer = await startPeer(['outlet', 'LiblslOut']);
try {
  const started = Date.now();
  const [found] = await resolveStreams({ predicate: "name='LiblslOut'", timeoutMs: 5000, minimum: 1, network: 'loopback' });
  result.resolveMs = Date.now() - started;
  result.resolved = found ? { name: found.name, address: found.v4address, version: found.version, v6dataPort: found.v6dataPort } : null;
  if (found) {
    const full = await requestFullInfo(found);
    result.fullInfoLabels = describedChannels(full).map((c) => c.label);
    const estimate = await measureTimeCorrection(found, { network: 'loopback' });
    result.timeCorrection = estimate ? { correction: estimate.correction, rtt: estimate.rtt } : null;
  }

  const frames: EegFrame[] = [];
  const ended: string[] = [];
  const connection = await lslSource({ target: 'lsl:LiblslOut', network: 'loopback', idleTimeoutMs: 3000 }).open(
    { frame: (f) => f.kind === 'eeg' && frames.push(f), ended: (r) => ended.push(r) },
    new AbortController().signal,
  );
  result.sourceInfo = connection.info;
  const values = () => frames.flatMap((f) => [...(f.channels[0] ?? [])]);
  await until(() => values().length >= 50, 3000);
  const first = values();
  result.samplesBeforeKill = first.length;
  result.consecutive = first.slice(1).every((v, i) => v === (first[i] ?? NaN) + 1);
  result.channel3Offset = frames[0]?.channels[3]?.[0] !== undefined ? (frames[0].channels[3][0] ?? 0) - (frames[0].channels[0]?.[0] ?? 0) : null;
  result.t0SkewMs = frames.length ? Date.now() - (frames[frames.length - 1]?.t0Ms ?? 0) : null;

  peer.kill('SIGKILL');
  await sleep(300);
  const restartedAt = Date.now();
  peer = await startPeer(['outlet', 'LiblslOut', '1', '100000']);
  result.recovered = await until(() => values().some((v) => v >= 100_000), 6000);
  result.recoveryMs = Date.now() - restartedAt;
  result.endedAfterRestart = [...ended];

  peer.kill('SIGKILL');
  const killedAt = Date.now();
  result.endedAfterFinalKill = await until(() => ended.length > 0, 6000);
  result.endMs = Date.now() - killedAt;
  result.endReason = ended[0] ?? null;
  await connection.close();
} catch (err) {
  result.errorA = String(err);
} finally {
  peer.kill('SIGKILL');
}

// ---- B. our outlet → liblsl ------------------------------------------------------------------
const outlet = new LslOutlet({
  name: 'OursOut',
  type: 'EEG',
  channelCount: 4,
  nominalSrate: 100,
  channelFormat: 'float32',
  sourceId: 'ours-src',
  channelLabels: ['A', 'B', 'C', 'D'],
  network: 'loopback',
});
await outlet.start();
let n = 0;
const pushed: Array<{ t: number; v: number }> = [];
const timer = setInterval(() => {
  // Alternate single samples (tag 2) and chunks with one timestamp (tag 2 then tag 1).
  if (n % 2 === 0) {
    const t = lslLocalClock();
    outlet.pushSample([n, n + 0.25, n + 0.5, n + 0.75], t);
    pushed.push({ t, v: n++ });
  } else {
    const t = lslLocalClock();
    const rows = [0, 1, 2].map((i) => [n + i, n + i + 0.25, n + i + 0.5, n + i + 0.75]);
    outlet.push(rows, t);
    rows.forEach((r, i) => pushed.push({ t: t - (2 - i) / 100, v: r[0] ?? 0 }));
    n += 3;
  }
}, 20);
try {
  const text = await runPeer(['inlet', 'OursOut', '1.5']);
  const peerResult = JSON.parse(text.trim().split('\n').pop() ?? '{}') as {
    found: number;
    xml: string | null;
    samples?: Array<{ t: number; v: number[] }>;
    timeCorrection: number | null;
  };
  result.liblslFound = peerResult.found;
  result.liblslFullInfoLabels = peerResult.xml ? describedChannels(parseStreamInfo(peerResult.xml)).map((c) => c.label) : null;
  const samples = peerResult.samples ?? [];
  result.liblslSamples = samples.length;
  result.liblslConsecutive = samples.slice(1).every((s, i) => s.v[0] === (samples[i]?.v[0] ?? NaN) + 1);
  result.liblslChannelValues = samples[0]?.v ?? null;
  const byValue = new Map(pushed.map((p) => [p.v, p.t]));
  result.liblslMaxTimestampError = Math.max(...samples.map((s) => Math.abs(s.t - (byValue.get(s.v[0] ?? -1) ?? Infinity))));
  result.liblslTimeCorrection = peerResult.timeCorrection;
} catch (err) {
  result.errorB = String(err);
} finally {
  clearInterval(timer);
  await outlet.close();
}

console.log(JSON.stringify(result));
process.exit(0);
