// Recording onto a disk that fills up: the data directory is a small tmpfs, nearly filled by a
// ballast file once the session records. The daemon must report the full disk (recording
// block `failed` with ENOSPC or SQLITE_FULL, a toast) and keep serving; after the ballast is removed and the
// daemon restarted, the day's SQLite passes integrity_check and every CSV still holds at least
// what it held when the disk filled, in complete lines.
import fs from 'node:fs';
import path from 'node:path';
import { spawnDaemon, tempDirs } from './daemonProcess.ts';
import { client } from './http.ts';
import { dayFolders, integrityCheck, rawCsvFiles, readCsv } from './recording.ts';
import { mountSizeLimited } from './sizeLimitedDir.ts';
import { subscribe } from './events.ts';
import { until } from './until.ts';

export interface DiskFullReport {
  skipped?: string;
  /** Problems found; empty when the scenario passed. */
  problems: string[];
  recordingBlock?: unknown;
  toast?: unknown;
  secondsToFill?: number;
  rowsWhenFull?: number;
  rowsAfterRestart?: number;
}

const HEADROOM = 1024 * 1024;

export async function diskFullScenario(log: (line: string) => void = () => {}): Promise<DiskFullReport> {
  const dirs = tempDirs('skill-diskfull-');
  const disk = mountSizeLimited(dirs.data, 8 * 1024 * 1024);
  if ('skipped' in disk) return { skipped: disk.skipped, problems: [] };
  const problems: string[] = [];
  const report: DiskFullReport = { problems };
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  try {
    const daemon = await spawnDaemon({ dirs });
    const admin = client(daemon.port, daemon.token);
    const sub = await subscribe(daemon.port, daemon.token);
    try {
      expect((await admin.post('/v1/control/start-session', { target: 'virtual' })).status === 200, 'session started');
      await until('recording', async () => (await admin.get('/v1/status')).json.recording.state === 'recording');
      const ballast = path.join(dirs.data, 'ballast');
      fs.writeFileSync(ballast, Buffer.alloc(Math.max(0, disk.free() - HEADROOM)));
      const t0 = Date.now();
      log(`data directory on an 8 MiB tmpfs, ${Math.round(disk.free() / 1024)} KiB left`);
      const full = await until('the recorder to report the full disk', async () => {
        const s = (await admin.get('/v1/status')).json;
        return s.recording.state === 'failed' ? s : undefined;
      }, 120_000, 200);
      report.secondsToFill = (Date.now() - t0) / 1000;
      report.recordingBlock = full.recording;
      expect(['ENOSPC', 'SQLITE_FULL'].includes(full.recording.error_code), `recording block names the full disk: ${JSON.stringify(full.recording)}`);
      report.toast = (await sub.next((f) => f.type === 'toast' && /Recording stopped/.test(f.payload?.title ?? ''), 10_000).catch(() => null))?.payload ?? null;
      expect(report.toast !== null && /disk is full/.test((report.toast as { message: string }).message), 'a toast says the disk is full');
      // Still serving, while full.
      for (const p of ['/healthz', '/v1/status', '/v1/debug/actors']) expect((await admin.get(p)).status === 200, `${p} answers while the disk is full`);
      report.rowsWhenFull = rawCsvFiles(dirs.data).reduce((n, f) => n + readCsv(f).rows.length, 0);
      const stopped = await daemon.stop();
      expect(stopped.code === 0, `clean stop with a full disk (exit ${stopped.code ?? stopped.signal})`);
    } finally {
      sub.close();
      await daemon.stop();
    }
    // Free the space, start again: the start finishes what the full disk left open.
    fs.rmSync(path.join(dirs.data, 'ballast'));
    const again = await spawnDaemon({ dirs });
    const exit = await again.stop();
    expect(exit.code === 0, `restart after freeing space (exit ${exit.code ?? exit.signal})`);
    for (const day of dayFolders(dirs.data)) {
      const db = path.join(day, 'eeg.sqlite');
      if (fs.existsSync(db)) {
        const check = integrityCheck(db);
        expect(check === 'ok', `${db}: integrity_check ${check}`);
      }
    }
    let rows = 0;
    for (const f of rawCsvFiles(dirs.data)) {
      for (const part of ['', '_metrics', '_ppg', '_imu']) {
        const file = f.replace(/\.csv$/, `${part}.csv`);
        if (!fs.existsSync(file)) continue;
        const csv = readCsv(file);
        expect(csv.partialTail === '', `${file}: no partial last line after the restart`);
        expect(csv.rows.every((r) => r.length === csv.header.length), `${file}: every line has every column`);
        if (part === '') rows += csv.rows.length;
      }
    }
    report.rowsAfterRestart = rows;
    expect(rows >= (report.rowsWhenFull ?? 0), `rows committed before the disk filled are still there (${rows} < ${report.rowsWhenFull})`);
    return report;
  } finally {
    disk.unmount();
    fs.rmSync(dirs.root, { recursive: true, force: true });
  }
}
