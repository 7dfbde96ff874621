// The LLM's pure parts: the server statechart on a simulated clock with a scripted process
// actor (load, crash and restart with backoff, giving up, stop, switch), `<think>` splitting
// across chunk boundaries, the bounded chat queue, request parsing and parameter resolution
// (OpenAI's fields honoured, quirk §15.12), catalog file names, the catalog store and the
// OpenAI error shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { llmServerMachine, llmStateOf, MAX_CRASHES, type LlmLoadSpec, type LlmServerEvent, type LlmModelInfo } from '../machines/llmServer.ts';
import { ThinkSplitter } from '../actors/llm/thinkSplitter.ts';
import { ChatQueue, QueueAbortedError, QueueFullError } from '../actors/llm/chatQueue.ts';
import { chatBodySchema, chatRequestOf } from '../actors/llm/chatRequest.ts';
import { DEFAULT_GEN_PARAMS } from '../actors/llm/genParams.ts';
import { quantOf, shardFilesOf } from '../actors/llm/llmCatalogFormat.ts';
import { LlmCatalog, LOCAL_FAMILY } from '../actors/llm/llmCatalog.ts';
import { effectiveThreads } from '../actors/llm/llmConfig.ts';
import { invalidBody, unauthorized } from '../transport/errors.ts';
import { openAiErrorReply } from '../transport/openaiErrors.ts';

const SPEC: LlmLoadSpec = {
  filename: 'm.gguf', modelPath: '/models/m.gguf', mmprojPath: null, threads: 1, contextSize: null, parallel: 1,
  gpuLayers: 'max', gpu: false, flashAttention: true, batchSize: null,
};
const INFO = { model_name: 'm', n_ctx: 2048, parallel: 1 } as LlmModelInfo;

function startChart(opts: { restartOnCrash?: boolean; autostart?: boolean; onSpawn?: (send: (e: LlmServerEvent) => void, n: number) => void } = {}) {
  const clock = new SimulatedClock();
  let spawned = 0;
  let killed = 0;
  const received: string[] = [];
  let send: (e: LlmServerEvent) => void = () => undefined;
  const reported: string[] = [];
  const machine = llmServerMachine.provide({
    actors: {
      process: fromCallback<LlmServerEvent, LlmLoadSpec>(({ sendBack, receive }) => {
        spawned++;
        send = sendBack;
        receive((e) => received.push(e.type));
        opts.onSpawn?.(sendBack, spawned);
        return () => void killed++;
      }),
    },
    actions: { report: (_, p: { state: string }) => void reported.push(p.state) },
  });
  const start = opts.autostart ? { spec: SPEC, restartOnCrash: opts.restartOnCrash ?? true } : null;
  const actor = createActor(machine, { clock, input: { start } }).start();
  return {
    actor,
    clock,
    send: (e: LlmServerEvent) => send(e),
    state: () => llmStateOf(actor.getSnapshot().value),
    ctx: () => actor.getSnapshot().context,
    spawned: () => spawned,
    killed: () => killed,
    received,
    reported,
    advance: (ms: number) => {
      for (let left = ms; left > 0; left -= 100) clock.increment(Math.min(100, left));
    },
  };
}

const loads = (send: (e: LlmServerEvent) => void) => send({ type: 'process.loaded', info: INFO });

test('the server chart loads a model in a process and runs it; stop shuts the process down', () => {
  const m = startChart({ onSpawn: loads });
  assert.equal(m.state(), 'stopped');
  m.actor.send({ type: 'llm.start', spec: SPEC, restartOnCrash: true });
  assert.equal(m.state(), 'running');
  assert.deepEqual(m.reported, ['stopped', 'loading', 'running']);
  m.actor.send({ type: 'llm.stop' });
  assert.equal(m.state(), 'stopping');
  assert.deepEqual(m.received, ['process.shutdown']);
  m.send({ type: 'process.exited', reason: 'exited with code 0', at: 0 });
  assert.equal(m.state(), 'stopped');
  assert.equal(m.killed(), 1);
});

test('a process that does not exit after shutdown is left behind after the stop timeout', () => {
  const m = startChart({ autostart: true, onSpawn: loads });
  assert.equal(m.state(), 'running');
  m.actor.send({ type: 'llm.stop' });
  m.advance(5_000);
  assert.equal(m.state(), 'stopped');
  assert.equal(m.killed(), 1);
});

test('a crash is `failed` with its reason, then the process starts again after 1, 2, 4 … s', () => {
  const m = startChart({ autostart: true, onSpawn: loads });
  for (const [i, delay] of [1_000, 2_000, 4_000].entries()) {
    m.send({ type: 'process.exited', reason: 'killed by SIGKILL (out of memory?)', at: m.clock.now() });
    assert.equal(m.state(), 'failed');
    assert.equal(m.ctx().error, 'killed by SIGKILL (out of memory?)');
    assert.equal(m.ctx().restartInMs, delay);
    m.advance(delay - 100);
    assert.equal(m.state(), 'failed');
    m.advance(100);
    assert.equal(m.state(), 'running');
    assert.equal(m.ctx().restarts, i + 1);
  }
  assert.equal(m.spawned(), 4);
});

test(`more than ${MAX_CRASHES} crashes within a minute leave the server failed until it is started again`, () => {
  const m = startChart({ autostart: true, onSpawn: loads });
  for (let i = 0; i < MAX_CRASHES; i++) {
    m.send({ type: 'process.exited', reason: 'segfault', at: m.clock.now() });
    m.advance(m.ctx().restartInMs!);
    assert.equal(m.state(), 'running');
  }
  m.send({ type: 'process.exited', reason: 'segfault', at: m.clock.now() });
  assert.equal(m.state(), 'failed');
  assert.equal(m.ctx().restartInMs, null);
  assert.match(m.ctx().error!, /not restarted: 6 crashes within 60 s/);
  m.advance(120_000);
  assert.equal(m.state(), 'failed');
  m.actor.send({ type: 'llm.start', spec: SPEC, restartOnCrash: true });
  assert.equal(m.state(), 'running');
  assert.deepEqual(m.ctx().crashTimes, []);
});

test('with restart_on_crash off a crash stays failed; a file that will not load is failed without restarts', () => {
  const m = startChart({ autostart: true, restartOnCrash: false, onSpawn: loads });
  m.send({ type: 'process.exited', reason: 'boom', at: 0 });
  m.advance(60_000);
  assert.equal(m.state(), 'failed');
  assert.equal(m.spawned(), 1);

  const bad = startChart({ autostart: true, onSpawn: (send) => send({ type: 'process.load_failed', error: 'not a GGUF file' }) });
  assert.equal(bad.state(), 'failed');
  assert.equal(bad.ctx().error, 'not a GGUF file');
  bad.advance(60_000);
  assert.equal(bad.spawned(), 1);
  assert.equal(bad.killed(), 1, 'the process that failed to load is ended');
});

test('a switch loads the new model in a fresh process; configure changes the crash policy live', () => {
  const m = startChart({ autostart: true, onSpawn: loads });
  m.actor.send({ type: 'llm.switch', spec: { ...SPEC, filename: 'other.gguf' } });
  assert.equal(m.state(), 'running');
  assert.equal(m.ctx().spec?.filename, 'other.gguf');
  assert.deepEqual([m.spawned(), m.killed()], [2, 1]);
  m.actor.send({ type: 'llm.configure', restartOnCrash: false });
  m.send({ type: 'process.exited', reason: 'boom', at: 0 });
  assert.equal(m.ctx().restartInMs, null);
});

test('think tags split the text into content and reasoning, across any chunk boundary', () => {
  const text = 'Hi <think>let me see</think>the answer is <b>4</b>.';
  for (let size = 1; size <= text.length; size++) {
    const s = new ThinkSplitter();
    let content = '';
    let reasoning = '';
    for (let i = 0; i < text.length; i += size) {
      const out = s.push(text.slice(i, i + size));
      content += out.content;
      reasoning += out.reasoning;
    }
    const rest = s.flush();
    content += rest.content;
    reasoning += rest.reasoning;
    assert.equal(content, 'Hi the answer is <b>4</b>.', `chunk size ${size}`);
    assert.equal(reasoning, 'let me see', `chunk size ${size}`);
  }
  const open = new ThinkSplitter();
  assert.deepEqual(open.push('<thi'), { content: '', reasoning: '' });
  assert.deepEqual(open.flush(), { content: '<thi', reasoning: '' }, 'a held-back tail that never became a tag is text');
});

test('the chat queue runs `parallel` at once, queues `maxQueued`, refuses one more at once, and hands turns on in order', async () => {
  const limits = { parallel: 1, maxQueued: 2 };
  const q = new ChatQueue(() => limits);
  const first = await q.admit();
  const order: number[] = [];
  const second = q.admit().then((r) => (order.push(2), r));
  const third = q.admit().then((r) => (order.push(3), r));
  assert.throws(() => q.admit(), QueueFullError);
  assert.deepEqual([q.running, q.waiting], [1, 2]);
  first();
  first(); // releasing twice gives back one turn only
  (await second)();
  (await third)();
  assert.deepEqual(order, [2, 3]);
  assert.deepEqual([q.running, q.waiting], [0, 0]);

  const busy = await q.admit();
  const abandoned = new AbortController();
  const waiting = q.admit(abandoned.signal);
  abandoned.abort();
  await assert.rejects(waiting, QueueAbortedError);
  const dropped = q.admit();
  q.rejectAll('stopped');
  await assert.rejects(dropped, /stopped/);
  busy();
  assert.equal(q.running, 0);
});

test("OpenAI's max_tokens, temperature, top_p, stop and seed are honoured; params are the reference's and lose to top-level fields", () => {
  const parse = (body: unknown) => chatRequestOf(chatBodySchema.parse(body));
  const plain = parse({ messages: [{ role: 'user', content: 'hi' }] });
  assert.deepEqual(plain.params, DEFAULT_GEN_PARAMS);
  assert.equal(plain.model, null);
  const openai = parse({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 7, temperature: 0.5, top_p: 0.8, stop: 'END', seed: 42, stream: true });
  assert.deepEqual(
    [openai.params.max_tokens, openai.params.temperature, openai.params.top_p, openai.params.stop, openai.params.seed, openai.stream],
    [7, 0.5, 0.8, ['END'], 42, true],
  );
  assert.equal(parse({ messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 9 }).params.max_tokens, 9);
  const mixed = parse({ messages: [{ role: 'user', content: 'hi' }], params: { max_tokens: 3, top_k: 5, temperature: 1 }, temperature: 0.2 });
  assert.deepEqual([mixed.params.max_tokens, mixed.params.top_k, mixed.params.temperature], [3, 5, 0.2]);
  assert.equal(parse({ messages: [{ role: 'user', content: 'hi' }], seed: -1 }).params.seed, 0xffffffff, 'seeds are taken modulo 2^32');
});

test('messages fold to system, user and assistant turns; images are flagged; bad bodies fail validation', () => {
  const req = chatRequestOf(
    chatBodySchema.parse({
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] },
        { role: 'assistant', content: null, tool_calls: [] },
        { role: 'tool', content: '42', tool_call_id: 'x' },
      ],
      user: 'someone',
      logprobs: false,
    }),
  );
  assert.deepEqual(req.turns, [
    { role: 'system', text: 'be brief' },
    { role: 'user', text: 'look' },
    { role: 'assistant', text: '' },
    { role: 'user', text: 'Tool result: 42' },
  ]);
  assert.equal(req.hasImages, true);
  for (const bad of [
    {},
    { messages: [] },
    { messages: 'hi' },
    { messages: [{ role: 'wizard', content: 'x' }] },
    { messages: [{ role: 'user', content: 3 }] },
    { messages: [{ role: 'user', content: 'x' }], max_tokens: 0 },
    { messages: [{ role: 'user', content: 'x' }], temperature: 3 },
    { messages: [{ role: 'user', content: 'x' }], top_p: 0 },
    { messages: [{ role: 'user', content: 'x' }], stop: ['a', 'b', 'c', 'd', 'e'] },
    { messages: [{ role: 'user', content: 'x' }], n: 2 },
    { messages: [{ role: 'user', content: 'x' }], seed: 1.5 },
  ]) {
    assert.equal(chatBodySchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('split GGUF names give their shards, and file names their quantisation', () => {
  assert.deepEqual(shardFilesOf('qwen-q4_k_m-00002-of-00003.gguf'), ['qwen-q4_k_m-00001-of-00003.gguf', 'qwen-q4_k_m-00002-of-00003.gguf', 'qwen-q4_k_m-00003-of-00003.gguf']);
  assert.equal(shardFilesOf('model.gguf'), null);
  assert.equal(quantOf('qwen2.5-0.5b-instruct-q4_k_m.gguf'), 'Q4_K_M');
  assert.equal(quantOf('Llama-3.2-1B-Instruct-Q8_0.gguf'), 'Q8_0');
  assert.equal(quantOf('mmproj-model-f16.gguf'), 'F16');
  assert.equal(quantOf('qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf'), 'Q4_K_M');
  assert.equal(quantOf('x-IQ3_XS.gguf'), 'IQ3_XS');
  assert.equal(quantOf('skill-tiny-llama.gguf'), 'unknown');
});

test('llama.cpp never gets more threads than cores', () => {
  assert.equal(effectiveThreads({ n_threads: null }, 2), 2);
  assert.equal(effectiveThreads({ n_threads: 4 }, 2), 2);
  assert.equal(effectiveThreads({ n_threads: 1 }, 8), 1);
});

test('the catalog keeps the bundled models, adds by repo (shards included), finds copied-in files and persists the selection', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-catalog-'));
  const catalog = new LlmCatalog(dir, () => undefined);
  const bundled = catalog.models().length;
  assert.ok(catalog.find('qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf'), 'a shard finds its model');
  const added = catalog.addModel({ repo: 'someone/big-GGUF', filename: 'big-Q4_K_M-00001-of-00002.gguf' });
  assert.equal(added.added, true);
  assert.deepEqual(added.model.shard_files, ['big-Q4_K_M-00001-of-00002.gguf', 'big-Q4_K_M-00002-of-00002.gguf']);
  assert.equal(catalog.addModel({ repo: 'someone/big-GGUF', filename: 'big-Q4_K_M-00001-of-00002.gguf' }).added, false);
  assert.equal(catalog.repoOf(added.model), 'someone/big-GGUF');

  fs.mkdirSync(catalog.modelsDir, { recursive: true });
  fs.writeFileSync(catalog.pathOf('mine-Q8_0.gguf'), 'x');
  fs.writeFileSync(catalog.pathOf('split-00001-of-00002.gguf'), 'x');
  fs.writeFileSync(catalog.pathOf('split-00002-of-00002.gguf'), 'x');
  fs.writeFileSync(catalog.pathOf('big-Q4_K_M-00001-of-00002.gguf'), 'x');
  fs.writeFileSync(catalog.pathOf('partial.gguf.incomplete'), 'x');
  assert.deepEqual(catalog.refresh(), { added: ['mine-Q8_0.gguf', 'split-00001-of-00002.gguf'], removed: [] });
  assert.equal(catalog.find('mine-Q8_0.gguf')?.family, LOCAL_FAMILY);
  assert.equal(catalog.localPathOf(catalog.find('split-00002-of-00002.gguf')!), catalog.pathOf('split-00001-of-00002.gguf'));
  assert.equal(catalog.localPathOf(added.model), null, 'a split model is on disk only with every shard');
  catalog.setActiveModel('mine-Q8_0.gguf');

  fs.rmSync(catalog.pathOf('mine-Q8_0.gguf'));
  assert.deepEqual(catalog.refresh(), { added: [], removed: ['mine-Q8_0.gguf'] });
  const again = new LlmCatalog(dir, () => undefined);
  assert.equal(again.activeModel, 'mine-Q8_0.gguf');
  assert.equal(again.models().length, bundled + 2);

  fs.writeFileSync(again.file, '{not json');
  const warnings: string[] = [];
  const recovered = new LlmCatalog(dir, (m) => warnings.push(m));
  assert.equal(recovered.models().length, bundled);
  assert.match(warnings[0]!, /unreadable LLM catalog moved to/);
});

test("errors of the OpenAI routes are OpenAI's `{error: {message, type, param, code}}`, validation failures as 400", () => {
  const invalid = openAiErrorReply(invalidBody([{ path: 'messages', message: 'Required' }]));
  assert.equal(invalid.status, 400);
  assert.deepEqual(invalid.body, { error: { message: 'invalid request body: messages: Required', type: 'invalid_request_error', param: 'messages', code: 'invalid_body' } });
  const auth = openAiErrorReply(unauthorized());
  assert.equal(auth.status, 401);
  assert.deepEqual((auth.body as { error: { code: string } }).error.code, 'invalid_api_key');
});
