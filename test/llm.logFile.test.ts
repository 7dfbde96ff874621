// The LLM log on disk: one line per entry in the UTC day's file, newlines kept on one line, a
// file per day with old days deleted, what is pending written at close, and a folder that
// cannot be written reported once without disturbing the in-memory log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LlmLogFile } from '../actors/llm/llmLogFile.ts';
import { LlmLogs, type LlmLogEntry } from '../actors/llm/llmLogs.ts';

const at = (iso: string, message: string, level: LlmLogEntry['level'] = 'info', seq = 1): LlmLogEntry => ({ seq, ts_unix_ms: Date.parse(iso), level, message });

function withDir(fn: (dir: string) => Promise<void> | void) {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-llmlog-'));
    try {
      await fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('entries land in the UTC day\'s file, one line each', withDir(async (dir) => {
  const file = new LlmLogFile(dir, () => undefined);
  file.add(at('2026-11-27T23:59:59.500Z', 'llama_model_loader: loaded meta data\nwith 2 lines'));
  file.add(at('2026-11-27T23:59:59.900Z', 'load failed', 'error'));
  file.add(at('2026-11-28T00:00:00.100Z', 'chat: 5 prompt + 3 completion tokens'));
  await file.flushed();
  assert.equal(
    fs.readFileSync(path.join(dir, 'llm_logs', 'llm_20261127.log'), 'utf8'),
    '2026-11-27T23:59:59.500Z INFO llama_model_loader: loaded meta data\\nwith 2 lines\n2026-11-27T23:59:59.900Z ERROR load failed\n',
  );
  assert.equal(fs.readFileSync(file.fileFor('20261128'), 'utf8'), '2026-11-28T00:00:00.100Z INFO chat: 5 prompt + 3 completion tokens\n');
}));

test('a new day\'s file deletes the files past the days kept, and nothing else', withDir(async (dir) => {
  const logs = path.join(dir, 'llm_logs');
  fs.mkdirSync(logs);
  for (const name of ['llm_20261110.log', 'llm_20261113.log', 'llm_20261114.log', 'notes.txt']) fs.writeFileSync(path.join(logs, name), 'old\n');
  const file = new LlmLogFile(dir, () => undefined, 14);
  file.add(at('2026-11-27T12:00:00Z', 'hello'));
  await file.flushed();
  assert.deepEqual(fs.readdirSync(logs).sort(), ['llm_20261114.log', 'llm_20261127.log', 'notes.txt']);
}));

test('close writes what is still pending, synchronously', withDir((dir) => {
  const file = new LlmLogFile(dir, () => undefined);
  file.add(at('2026-11-27T12:00:00Z', 'stopping'));
  file.close();
  assert.match(fs.readFileSync(file.fileFor('20261127'), 'utf8'), /INFO stopping\n$/);
}));

test('a log folder that cannot be written is reported once; the in-memory log goes on', withDir(async (dir) => {
  fs.writeFileSync(path.join(dir, 'llm_logs'), 'a file where the folder should be');
  const warnings: string[] = [];
  const file = new LlmLogFile(dir, (m) => warnings.push(m));
  const logs = new LlmLogs(null, 500, (e) => file.add(e));
  logs.add('info', 'one');
  await file.flushed();
  logs.add('info', 'two');
  await file.flushed();
  file.close();
  assert.equal(warnings.length, 1, warnings.join('; '));
  assert.match(warnings[0]!, /could not be written/);
  assert.deepEqual(logs.entries().map((e) => e.message), ['one', 'two']);
}));
