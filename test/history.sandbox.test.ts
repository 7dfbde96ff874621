// The csvPath sandbox and session deletion, on real folders with symlinks: every way out of the
// data directory is refused, and nothing is changed by a refused request.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { deleteSessionFiles } from '../actors/history/sessionDeletion.ts';
import { resolveSessionCsv } from '../actors/history/sessionPathSandbox.ts';
import { snapshotTree, writeSession } from './helpers/sessionFixture.ts';

function world() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'history-sandbox-'));
  const data = path.join(root, 'data');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside, { recursive: true });
  const victim = writeSession(outside, { start: 1_700_000_000, samples: 10, allParts: true });
  const session = writeSession(data, { start: 1_700_500_000, samples: 10, allParts: true, epochs: 'current' });
  // A symlink named like a session, pointing out; a symlinked day folder pointing out.
  fs.symlinkSync(victim.csvPath, path.join(session.dayDir, 'exg_1700000001.csv'));
  fs.symlinkSync(victim.dayDir, path.join(data, '20990101'));
  fs.mkdirSync(path.join(session.dayDir, 'exg_1700000002.csv'));
  return { root, data, outside, victim, session };
}

test('sandbox: only real session CSVs inside the data directory pass', async () => {
  const w = world();
  const ok = await resolveSessionCsv(w.data, w.session.csvPath);
  assert.deepEqual(ok, { ok: true, csvPath: fs.realpathSync(w.session.csvPath) });
  assert.equal((await resolveSessionCsv(w.data, `${w.session.day}/${w.session.stem}.csv`)).ok, true, 'relative to the data directory');

  const rel = path.relative(w.data, w.victim.csvPath);
  const refused = [
    rel, // ../outside/…
    `${w.session.day}/../${w.session.day}/${w.session.stem}.csv`, // a `..` even if it lands inside
    w.victim.csvPath, // absolute, elsewhere
    '/etc/passwd',
    `${w.session.csvPath}\0.csv`,
    w.data,
    w.data + '/',
    '.',
    '',
    path.join(w.session.dayDir, 'eeg.sqlite'),
    path.join(w.session.dayDir, `${w.session.stem}_metrics.csv`),
    path.join(w.session.dayDir, `${w.session.stem}.json`),
    path.join(w.session.dayDir, 'exg_1700000001.csv'), // symlink out
    path.join(w.data, '20990101', `${w.victim.stem}.csv`), // through a symlinked day folder
    path.join(w.session.dayDir, 'exg_1700000002.csv'), // a directory
    path.join(w.data, `${w.session.stem}.csv`), // not inside a day folder
    path.join(w.data, '20231114x', `${w.session.stem}.csv`),
    path.join(w.outside, '..', 'data', '..', 'outside', w.victim.day, `${w.victim.stem}.csv`),
  ];
  for (const p of refused) {
    const v = await resolveSessionCsv(w.data, p);
    assert.equal(v.ok, false, JSON.stringify(p));
    assert.equal(!v.ok && v.reason, 'forbidden', JSON.stringify(p));
  }
  for (const bad of [42, null, undefined, {}, ['a']]) assert.equal((await resolveSessionCsv(w.data, bad)).ok, false);

  const missing = await resolveSessionCsv(w.data, path.join(w.session.dayDir, 'exg_1234.csv'));
  assert.deepEqual(missing.ok ? null : missing.reason, 'missing');
});

test('sandbox: a data directory reached through a symlink accepts both spellings', async () => {
  const w = world();
  const link = path.join(w.root, 'data-link');
  fs.symlinkSync(w.data, link);
  const viaLink = path.join(link, w.session.day, `${w.session.stem}.csv`);
  assert.equal((await resolveSessionCsv(link, viaLink)).ok, true);
  assert.equal((await resolveSessionCsv(link, w.session.csvPath)).ok, true, 'the real spelling');
  assert.equal((await resolveSessionCsv(link, w.victim.csvPath)).ok, false);
});

test('delete: every part of the session goes, nothing else does, symlinks are unlinked not followed', async () => {
  const w = world();
  const other = writeSession(w.data, { start: 1_700_500_100, samples: 10, allParts: true });
  // A part that is a symlink to a file outside: the link goes, the target stays.
  const outsideFile = path.join(w.outside, 'keep.txt');
  fs.writeFileSync(outsideFile, 'keep');
  fs.symlinkSync(outsideFile, path.join(w.session.dayDir, `${w.session.stem}_fnirs.csv`));
  const before = snapshotTree(w.root);
  const removed = await deleteSessionFiles(fs.realpathSync(w.session.csvPath));
  assert.deepEqual(
    removed.sort(),
    [`${w.session.stem}.csv`, `${w.session.stem}.json`, `${w.session.stem}_metrics.csv`, `${w.session.stem}_ppg.csv`,
      `${w.session.stem}_imu.csv`, `${w.session.stem}_fnirs.csv`, `${w.session.stem}_metrics_cache.json`, `${w.session.stem}.meta.jsonl`].sort(),
  );
  const after = snapshotTree(w.root);
  const gone = Object.keys(before).filter((k) => !(k in after)).map((k) => path.basename(k)).sort();
  assert.deepEqual(gone, removed.sort());
  for (const f of other.files) assert.ok(fs.existsSync(f), f);
  for (const f of w.victim.files) assert.ok(fs.existsSync(f), f);
  assert.equal(fs.readFileSync(outsideFile, 'utf8'), 'keep');
  assert.ok(fs.existsSync(path.join(w.session.dayDir, 'eeg.sqlite')));
});
