// The fault-injection run (npm run faults): supervision, crash safety and a full disk, measured
// on real daemons with a live, recording virtual session.
//
//   npm run faults -- [--times 1000] [--kills 100] [--minutes 12] [--no-disk]
//
// 1. Intensity: on a daemon with the standard supervision, one actor per mode is faulted until
//    given up; the restart delays must be exactly the specified backoff and the give-up must
//    come at restart intensity + 1.
// 2. Storm: on a daemon whose intensity is raised for the run, every supervised actor (from
//    GET /v1/debug/actors) is made to throw, hang and exit `--times` times each, all actors at
//    once, within `--minutes`; /healthz is polled throughout. The device ends its session when it
//    restarts, so it runs last, on its own, the session started again after each fault. The
//    samples recorded during the storm are counted against rate × wall time.
// 3. kill -9 of a recording daemon `--kills` times at random moments: integrity and ≤ 1 s lost.
// 4. Disk full on a small tmpfs (skipped where mounting is not permitted).
import fs from 'node:fs';
import path from 'node:path';
import { FAULT_MODES, type FaultMode } from '../actors/faults.ts';
import { spawnDaemon, tempDirs } from '../test/helpers/daemonProcess.ts';
import { client } from '../test/helpers/http.ts';
import { injectAndAwaitRestart } from '../test/helpers/actorFaults.ts';
import { probeHealth } from '../test/helpers/healthProbe.ts';
import { dayFolders, integrityCheck, rawCsvFiles, readCsv, readJson } from '../test/helpers/recording.ts';
import { supervisorEvents } from '../test/helpers/supervisorEvents.ts';
import { until } from '../test/helpers/until.ts';
import { diskFullScenario } from '../test/helpers/diskFullScenario.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const TIMES = arg('times', 1000);
const KILLS = arg('kills', 100);
const MINUTES = arg('minutes', 12);
const DISK = !process.argv.includes('--no-disk');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out = (line: string) => console.log(line);
let failed = false;
const fail = (what: string) => {
  failed = true;
  out(`  FAIL ${what}`);
};

const STANDARD = { maxRestarts: 5, backoff: [250, 500, 1000, 2000, 4000] };

async function intensityPhase(): Promise<void> {
  out('\n## 1. Restart intensity (standard: 5 restarts in 60 s, backoff 250 ms doubling)');
  const daemon = await spawnDaemon({ env: { SKILL_FAULT_INJECTION: '1' }, lifetimeMs: null });
  const admin = client(daemon.port, daemon.token);
  const events = await supervisorEvents(daemon.port, daemon.token);
  const plan: Array<[string, FaultMode]> = [['watchdog', 'throw'], ['scanner', 'exit'], ['dnd', 'hang']];
  await Promise.all(
    plan.map(async ([actor, mode]) => {
      const delays: Array<number | null | undefined> = [];
      for (let i = 0; i <= STANDARD.maxRestarts; i++) {
        const r = await injectAndAwaitRestart(admin, events, actor, mode, 30_000);
        const end = r.events.find((e) => e.type !== 'actor-restarted' && e.type !== 'actor-given-up');
        delays.push(end?.restart_in_ms);
        if (!r.ok) {
          const gaveUp = /given up/.test(r.problem ?? '');
          const right = gaveUp && i === STANDARD.maxRestarts && JSON.stringify(delays.slice(0, -1)) === JSON.stringify(STANDARD.backoff);
          out(`  ${actor} (${mode}): restart delays ${JSON.stringify(delays.slice(0, -1))} ms, ${gaveUp ? `given up at fault ${i + 1}` : r.problem}`);
          if (!right) fail(`${actor} ${mode}: expected delays ${JSON.stringify(STANDARD.backoff)} and a give-up at fault ${STANDARD.maxRestarts + 1}`);
          return;
        }
      }
      fail(`${actor} ${mode}: never given up`);
    }),
  );
  const tree = (await admin.get('/v1/debug/actors')).json;
  for (const [actor] of plan) {
    const node = tree.children.find((c: { id: string }) => c.id === actor);
    if (node?.status !== 'given_up') fail(`${actor} is ${node?.status}, not given_up`);
  }
  if ((await admin.get('/healthz')).status !== 200) fail('/healthz after the give-ups');
  events.close();
  await daemon.stop();
}

interface ActorFigures {
  done: Record<FaultMode, number>;
  mismatches: string[];
  /** Fault requests sent again after a connection reset. */
  retries: number;
}

async function stormPhase(): Promise<void> {
  out(`\n## 2. Storm: every actor × {throw, hang, exit} × ${TIMES}, within ${MINUTES} min`);
  const env = { SKILL_FAULT_INJECTION: '1', SKILL_RESTART_INTENSITY: '1000000/60000', SKILL_RESTART_BACKOFF: '5/50', SKILL_ACTOR_HEARTBEAT_MS: '25' };
  out(`  supervision for the run: ${JSON.stringify(env)}`);
  const daemon = await spawnDaemon({ env, lifetimeMs: null });
  const admin = client(daemon.port, daemon.token);
  const events = await supervisorEvents(daemon.port, daemon.token);
  if ((await admin.post('/v1/control/start-session', { target: 'virtual' })).status !== 200) fail('session start');
  const firstStatus = await until('recording', async () => {
    const s = (await admin.get('/v1/status')).json;
    return s.recording.state === 'recording' ? s : undefined;
  });
  const rate: number = firstStatus.eeg_sample_rate_hz;
  const actors: string[] = (await admin.get('/v1/debug/actors')).json.children.map((c: { id: string }) => c.id);
  out(`  actors: ${actors.join(', ')}`);
  const others = actors.filter((a) => a !== 'device');
  const figures = new Map<string, ActorFigures>(actors.map((a) => [a, { done: { throw: 0, hang: 0, exit: 0 }, mismatches: [], retries: 0 }]));
  const health = probeHealth(daemon.port);
  const deadline = Date.now() + MINUTES * 60_000 * 0.8;
  const stormStart = Date.now();

  const drive = async (actor: string, until: number, after?: () => Promise<void>) => {
    const f = figures.get(actor)!;
    for (let i = 0; i < TIMES && Date.now() < until; i++) {
      for (const mode of FAULT_MODES) {
        const r = await injectAndAwaitRestart(admin, events, actor, mode, 30_000);
        if (r.retried) f.retries++;
        if (r.ok) f.done[mode]++;
        else if (f.mismatches.push(`${mode} #${i + 1}: ${r.problem}`) > 5) return;
        await after?.();
      }
    }
  };
  await Promise.all(others.map((a) => drive(a, deadline)));
  const stormEnd = Date.now();
  // Samples recorded while the session ran unbroken (before the device phase).
  const recorded = countSamples(daemon.dirs.data, stormStart, stormEnd);

  // The device: each restart ends the session, which is started again.
  const restartSession = async () => {
    await admin.post('/v1/control/start-session', { target: 'virtual' }).catch((err: Error) => fail(`session restart: ${err.message}`));
  };
  // The device gets what is left of the budget, and at least its fifth of it.
  await drive('device', Math.max(Date.now() + MINUTES * 60_000 * 0.2, stormStart + MINUTES * 60_000), restartSession);
  const h = await health.stop();
  if (daemon.proc.exitCode !== null || daemon.proc.signalCode !== null) {
    fail(`the daemon died during the storm (${daemon.proc.exitCode ?? daemon.proc.signalCode}):\n${daemon.stderr().slice(-3000)}`);
  }

  const tree = (await admin.get('/v1/debug/actors')).json;
  out('\n  | actor | throw | hang | exit | restarts | status | resent | problems |');
  out('  | --- | ---: | ---: | ---: | ---: | --- | ---: | --- |');
  for (const actor of actors) {
    const f = figures.get(actor)!;
    const node = tree.children.find((c: { id: string }) => c.id === actor);
    out(`  | ${actor} | ${f.done.throw} | ${f.done.hang} | ${f.done.exit} | ${node?.restarts} | ${node?.status} | ${f.retries} | ${f.mismatches.slice(0, 2).join('; ').slice(0, 300) || '—'} |`);
    if (f.mismatches.length) fail(`${actor}: ${f.mismatches.length} fault(s) took the wrong path`);
    if (node?.status !== 'running') fail(`${actor} ends ${node?.status}`);
  }
  const givenUp = tree.children.filter((c: { status: string }) => c.status === 'given_up').length;
  out(`\n  give-ups: ${givenUp}`);
  out(`  /healthz: ${h.calls} calls, ${h.failures} failed, max latency ${h.maxLatencyMs.toFixed(1)} ms`);
  if (h.failures) fail(`/healthz failed: ${h.firstFailure}`);
  const recorderRestarts = figures.get('recorder') ? Object.values(figures.get('recorder')!.done).reduce((a, b) => a + b, 0) : 0;
  const wallS = (stormEnd - stormStart) / 1000;
  const expected = Math.round(rate * wallS);
  const lost = Math.max(0, expected - recorded.samples);
  out(`  samples during the storm (${wallS.toFixed(1)} s at ${rate} Hz): expected ≈ ${expected}, recorded ${recorded.samples} in ${recorded.segments} segments, lost ${lost} (${((100 * lost) / expected).toFixed(2)} %)`);
  out(`  recorder restarts ${recorderRestarts}: ${(lost / Math.max(1, recorderRestarts) / rate * 1000).toFixed(1)} ms of samples lost per restart on average; largest gap between segments ${recorded.maxGapMs.toFixed(0)} ms`);
  events.close();
  const exit = await daemon.stop();
  if (exit.code !== 0) fail(`storm daemon exit ${exit.code ?? exit.signal}`);
  fs.rmSync(daemon.dirs.root, { recursive: true, force: true });
}

/** Raw EEG rows with timestamps in [fromMs, toMs], and the largest gap between consecutive rows. */
function countSamples(dataDir: string, fromMs: number, toMs: number): { samples: number; segments: number; maxGapMs: number } {
  const stamps: number[] = [];
  const files = rawCsvFiles(dataDir);
  for (const f of files) for (const r of readCsv(f).rows) if (r[0]! * 1000 >= fromMs && r[0]! * 1000 <= toMs) stamps.push(r[0]! * 1000);
  stamps.sort((a, b) => a - b);
  let maxGapMs = 0;
  for (let i = 1; i < stamps.length; i++) maxGapMs = Math.max(maxGapMs, stamps[i]! - stamps[i - 1]!);
  return { samples: stamps.length, segments: files.length, maxGapMs };
}

async function killPhase(): Promise<void> {
  out(`\n## 3. kill -9 of a recording daemon, ${KILLS} times`);
  const dirs = tempDirs('skill-kills-');
  let seed = 424242;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  let worstMs = 0;
  let problems = 0;
  const problem = (what: string) => {
    if (++problems <= 5) fail(what);
  };
  for (let round = 0; round < KILLS; round++) {
    const daemon = await spawnDaemon({ dirs, lifetimeMs: null });
    const admin = client(daemon.port, daemon.token);
    if (round > 0) {
      const last = rawCsvFiles(dirs.data).at(-1)!;
      const sidecar = readJson(last.replace(/\.csv$/, '.json'));
      if (sidecar.recovered !== true) problem(`round ${round}: sidecar not marked recovered`);
      if (readCsv(last).partialTail !== '') problem(`round ${round}: partial line left`);
    }
    await admin.post('/v1/control/start-session', { target: 'virtual' });
    const csvPath: string = await until('a segment', async () => (await admin.get('/v1/status')).json.csv_path);
    await sleep(700 + rand() * 2000);
    const killedAt = Date.now();
    daemon.proc.kill('SIGKILL');
    await daemon.exited;
    const csv = readCsv(csvPath);
    const lostMs = killedAt - csv.rows.at(-1)![0]! * 1000;
    worstMs = Math.max(worstMs, lostMs);
    if (lostMs > 1000) problem(`round ${round + 1}: ${lostMs.toFixed(0)} ms lost`);
    if (!csv.rows.every((r) => r.length === csv.header.length)) problem(`round ${round + 1}: a short line`);
    for (const day of dayFolders(dirs.data)) {
      const db = path.join(day, 'eeg.sqlite');
      if (fs.existsSync(db) && integrityCheck(db) !== 'ok') problem(`round ${round + 1}: ${db} integrity`);
    }
    if ((round + 1) % 10 === 0) out(`  ${round + 1} kills, worst loss so far ${worstMs.toFixed(0)} ms`);
  }
  const last = await spawnDaemon({ dirs, lifetimeMs: null });
  const exit = await last.stop();
  if (exit.code !== 0) problem(`final start exit ${exit.code}`);
  const unfinished = rawCsvFiles(dirs.data).filter((f) => !fs.existsSync(f.replace(/\.csv$/, '.json')));
  if (unfinished.length) problem(`${unfinished.length} segment(s) without a sidecar`);
  out(`  ${KILLS} kills: worst loss ${worstMs.toFixed(0)} ms (bound 1000 ms), ${problems} problem(s), integrity_check ok after each`);
  fs.rmSync(dirs.root, { recursive: true, force: true });
}

async function diskPhase(): Promise<void> {
  out('\n## 4. Disk full');
  const r = await diskFullScenario((l) => out(`  ${l}`));
  if (r.skipped) return out(`  skipped: ${r.skipped}`);
  out(`  filled after ${r.secondsToFill?.toFixed(1)} s; recording block ${JSON.stringify(r.recordingBlock)}`);
  out(`  toast ${JSON.stringify(r.toast)}`);
  out(`  rows when full ${r.rowsWhenFull}, after freeing space and restarting ${r.rowsAfterRestart}`);
  for (const p of r.problems) fail(p);
}

const t0 = Date.now();
out(`# npm run faults — ${new Date().toISOString()}, times ${TIMES}, kills ${KILLS}`);
await intensityPhase();
await stormPhase();
await killPhase();
if (DISK) await diskPhase();
out(`\n${failed ? 'FAILED' : 'passed'} in ${((Date.now() - t0) / 60_000).toFixed(1)} min`);
process.exit(failed ? 1 : 0);
