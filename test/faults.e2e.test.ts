// Each fault mode through the real daemon during a live, recording virtual session: throw and
// hang end in actor-failed (hang only because the heartbeat found it), exit in actor-exited, each
// followed by a restart; /healthz answers throughout, and recording goes on once the recorder is
// back. `npm run faults` does the same thousands of times for every actor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnDaemon } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';
import { injectAndAwaitRestart } from './helpers/actorFaults.ts';
import { probeHealth } from './helpers/healthProbe.ts';
import { rawCsvFiles, readCsv } from './helpers/recording.ts';
import { supervisorEvents } from './helpers/supervisorEvents.ts';
import { until } from './helpers/until.ts';
import { FAULT_MODES } from '../actors/faults.ts';

test('every fault mode takes its supervisor path while the daemon serves and records', { timeout: 120_000 }, async (t) => {
  const daemon = await spawnDaemon({
    env: { SKILL_FAULT_INJECTION: '1', SKILL_RESTART_INTENSITY: '100/60000', SKILL_RESTART_BACKOFF: '20/200', SKILL_ACTOR_HEARTBEAT_MS: '100' },
  });
  const admin = client(daemon.port, daemon.token);
  const events = await supervisorEvents(daemon.port, daemon.token);
  const health = probeHealth(daemon.port);
  try {
    assert.equal((await admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200, 'session started');
    await until('the first segment', async () => (await admin.get('/v1/status')).json.recording.state === 'recording');

    for (const actor of ['recorder', 'watchdog']) {
      for (const mode of FAULT_MODES) {
        for (let i = 0; i < (actor === 'recorder' ? 2 : 1); i++) {
          const outcome = await injectAndAwaitRestart(admin, events, actor, mode);
          assert.ok(outcome.ok, `${actor} ${mode} #${i + 1}: ${outcome.problem}`);
          t.diagnostic(`${actor} ${mode}: ${outcome.events.map((e) => e.type).join(' → ')}`);
        }
      }
    }

    const tree = (await admin.get('/v1/debug/actors')).json;
    const recorder = tree.children.find((c: { id: string }) => c.id === 'recorder');
    assert.equal(recorder?.status, 'running', 'the recorder runs after its restarts');
    assert.equal(recorder?.restarts, 6, 'six recorder restarts counted');

    // The restarted recorder writes a new segment, and it keeps growing.
    const status = await until('the recorder recording again', async () => {
      const s = (await admin.get('/v1/status')).json;
      return s.recording.state === 'recording' && s.csv_path ? s : undefined;
    });
    const rows = () => readCsv(status.csv_path).rows.length;
    const before = rows();
    await until('rows written after the restarts', async () => rows() > before + 256, 15_000);

    // The samples that arrived while the recorder was restarting were held and written into the
    // next segment: across the segments the raw stream has no gap (256 Hz: 3.9 ms apart).
    const files = rawCsvFiles(daemon.dirs.data);
    assert.ok(files.length >= 7, `a segment per restart: ${files.length}`);
    const times = files.flatMap((f) => readCsv(f).rows.map((r) => r[0]!)).sort((a, b) => a - b);
    let worst = 0;
    for (let i = 1; i < times.length; i++) worst = Math.max(worst, times[i]! - times[i - 1]!);
    assert.ok(worst < 0.02, `largest gap in the raw samples across ${files.length} segments: ${(worst * 1000).toFixed(1)} ms`);
  } finally {
    const figures = await health.stop();
    events.close();
    t.diagnostic(`/healthz: ${figures.calls} calls, ${figures.failures} failed, slowest ${figures.maxLatencyMs.toFixed(1)} ms`);
    const exit = await daemon.stop();
    assert.equal(figures.failures, 0, `/healthz failed during the faults: ${figures.firstFailure}`);
    assert.equal(exit.code, 0, `daemon exit ${exit.code ?? exit.signal}: ${exit.stderr.slice(-2000)}`);
  }
});
