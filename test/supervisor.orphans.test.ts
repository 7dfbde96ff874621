// A failed actor leaves nothing running: in the real daemon, the LLM actor made to throw while
// llama.cpp runs. Its llama.cpp process must end (it is what the actor invoked) and the restarted
// actor must start exactly one new one — not a second beside an orphan still holding the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ensureTinyGguf, TINY_GGUF_NAME } from '../scripts/build-tiny-gguf.ts';
import { tempDirs, useDaemon } from './helpers/daemonProcess.ts';
import { until } from './helpers/until.ts';

const dirs = tempDirs('skill-orphans-');
ensureTinyGguf(path.join(dirs.data, 'models', 'llm', TINY_GGUF_NAME));
const ctx = useDaemon({ dirs, env: { SKILL_FAULT_INJECTION: '1' } });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const runningPid = () =>
  until('the LLM server running', async () => {
    const s = (await ctx.admin.get('/v1/llm/server/status')).json;
    return s.status === 'running' && Number.isInteger(s.pid) ? (s.pid as number) : undefined;
  });

test('the LLM actor fails: its llama.cpp process ends and the restart runs the only one', { timeout: 90_000 }, async () => {
  assert.equal((await ctx.admin.post('/v1/llm/catalog/refresh')).status, 200, 'catalog refresh');
  assert.equal((await ctx.admin.post('/v1/settings/llm-config', { n_threads: 1 })).status, 200, 'one thread');
  assert.equal((await ctx.admin.post('/v1/llm/server/switch-model', { filename: TINY_GGUF_NAME })).status, 200, 'model selected');
  assert.equal((await ctx.admin.post('/v1/llm/server/start')).status, 200, 'start');
  const first = await runningPid();
  assert.ok(alive(first), `llama.cpp runs as pid ${first}`);

  const fault = await ctx.admin.post('/v1/debug/actors/fault', { id: 'llm' });
  assert.equal(fault.status, 200, `fault injected: ${fault.text}`);
  await until(`the failed actor's llama.cpp (pid ${first}) to exit`, async () => !alive(first));

  const second = await runningPid();
  assert.notEqual(second, first, 'a new process after the restart');
  assert.ok(alive(second), 'and it runs');
  const tree = (await ctx.admin.get('/v1/debug/actors')).json.children.find((c: any) => c.id === 'llm');
  assert.equal(tree?.restarts, 1, `the supervisor restarted the actor once: ${JSON.stringify(tree)}`);
  const health = await ctx.admin.get('/healthz');
  assert.equal(health.status, 200, 'the daemon kept serving');
});
