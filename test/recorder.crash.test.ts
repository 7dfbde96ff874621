// kill -9 of a real daemon while it records, again and again: each time at most the last second
// of samples is lost, the day's eeg.sqlite passes integrity_check, every CSV is valid up to its
// last complete line, and the next start finishes what the killed run left (sidecar rebuilt,
// partial last lines cut) without touching earlier sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnDaemon, tempDirs } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';
import { dayFolders, integrityCheck, rawCsvFiles, readCsv, readJson } from './helpers/recording.ts';

const KILLS = Number(process.env.KILLS ?? 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`recording survives kill -9 (${KILLS} times) with at most 1 s of samples lost`, { timeout: 120_000 }, async (t) => {
  const dirs = tempDirs('skill-crash-');
  // A seeded pseudo-random schedule: kills land at different moments of the 100 ms batch cycle.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const finished = new Map<string, string>();

  for (let round = 0; round < KILLS; round++) {
    const daemon = await spawnDaemon({ dirs });
    const admin = client(daemon.port, daemon.token);

    // The previous round's segment has been finished by this start, and nothing earlier changed.
    for (const [csv, sidecar] of finished) assert.equal(fs.readFileSync(csv.replace(/\.csv$/, '.json'), 'utf8'), sidecar, `${csv} untouched`);
    if (round > 0) {
      const last = rawCsvFiles(dirs.data).at(-1)!;
      const sidecar = readJson(last.replace(/\.csv$/, '.json'));
      assert.equal(sidecar.recovered, true);
      assert.equal(sidecar.end_reason, 'recovered');
      const csv = readCsv(last);
      assert.equal(csv.partialTail, '', 'partial last line cut');
      assert.equal(sidecar.total_samples, csv.rows.length);
      assert.equal(sidecar.device_kind, 'virtual');
      assert.ok(!fs.existsSync(last.replace(/\.csv$/, '.recording.json')), 'marker removed');
      for (const f of rawCsvFiles(dirs.data)) finished.set(f, fs.readFileSync(f.replace(/\.csv$/, '.json'), 'utf8'));
    }

    assert.equal((await admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200);
    let csvPath: string | null = null;
    for (let i = 0; i < 100 && !csvPath; i++) {
      await sleep(50);
      csvPath = (await admin.get('/v1/status')).json.csv_path;
    }
    assert.ok(csvPath, 'status names the CSV being written');
    await sleep(1500 + rand() * 2500);
    const killedAt = Date.now();
    daemon.proc.kill('SIGKILL');
    await daemon.exited;

    const csv = readCsv(csvPath!);
    assert.ok(csv.rows.length > 256, `${csv.rows.length} rows written before the kill`);
    const width = csv.header.length;
    for (const r of csv.rows) assert.equal(r.length, width, 'every complete line has every column');
    const lastSampleMs = csv.rows.at(-1)![0]! * 1000;
    assert.ok(killedAt - lastSampleMs <= 1000, `lost ${(killedAt - lastSampleMs).toFixed(0)} ms of samples`);
    t.diagnostic(`round ${round + 1}: ${csv.rows.length} rows on disk, last sample ${(killedAt - lastSampleMs).toFixed(0)} ms before the kill`);
    for (const day of dayFolders(dirs.data)) {
      const db = path.join(day, 'eeg.sqlite');
      if (fs.existsSync(db)) assert.equal(integrityCheck(db), 'ok');
    }
    assert.ok(!fs.existsSync(csvPath!.replace(/\.csv$/, '.json')), 'no sidecar yet: the run was killed');
  }

  // A last start repairs the final round; a clean stop leaves nothing unfinished.
  const daemon = await spawnDaemon({ dirs });
  const exit = await daemon.stop();
  assert.equal(exit.code, 0, `${exit.signal} ${exit.stderr}`);
  const csvs = rawCsvFiles(dirs.data);
  assert.equal(csvs.length, KILLS);
  for (const f of csvs) {
    assert.ok(fs.existsSync(f.replace(/\.csv$/, '.json')), `${f} has its sidecar`);
    for (const part of ['', '_metrics', '_ppg', '_imu']) assert.equal(readCsv(f.replace(/\.csv$/, `${part}.csv`)).partialTail, '');
  }
  assert.match(exit.stderr + daemon.stdout(), /finished 1 session\(s\) left unfinished/);
});
