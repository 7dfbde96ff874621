// The LLM server end to end, with the real llama.cpp (node-llama-cpp) on the tiny random-weight
// GGUF of scripts/build-tiny-gguf.ts, copied into the models folder as a user would: catalog
// refresh, switch-model, start; chats through an OpenAI-style client (models, whole and streamed
// completions, max_tokens, seed, stop), the bounded queue's 429, abort-stream, a client closing its
// stream (and its line in llm_logs/), killing the llama.cpp process (the daemon keeps serving, the
// server comes back), stop; and every route's bad inputs. One daemon for the file; tests run in
// order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ensureTinyGguf, TINY_GGUF_NAME } from '../scripts/build-tiny-gguf.ts';
import { tempDirs, useDaemon } from './helpers/daemonProcess.ts';
import { subscribe, type Subscriber } from './helpers/events.ts';
import { client } from './helpers/http.ts';
import { APIError, OpenAI } from './helpers/openaiClient.ts';
import { until } from './helpers/until.ts';

const dirs = tempDirs('skill-llm-');
ensureTinyGguf(path.join(dirs.data, 'models', 'llm', TINY_GGUF_NAME));
// The chats here come back to back (a tiny model answers in milliseconds): the chat rate limit
// would answer some of them; it has its own tests (transport.rateLimits), this file the queue's 429.
const ctx = useDaemon({ dirs, env: { SKILL_RATE_LIMITS: 'off' } });
const MODEL = TINY_GGUF_NAME;
const LONG = 1900;
const timeout = 60_000;

let events: Subscriber;
const openai = () => new OpenAI({ baseURL: `${ctx.daemon.url}/v1`, apiKey: ctx.daemon.token });
const ask = (content: string) => [{ role: 'user', content }];

/** The next `llm:status` with this status published after frame `from`. */
function statusAfter(from: number, status: string, timeoutMs = 20_000) {
  return events.next((f) => f.type === 'llm:status' && f.payload.status === status && events.frames.indexOf(f) >= from, timeoutMs);
}

async function expectApiError(p: Promise<unknown>, status: number, code: string | null) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof APIError, String(err));
    assert.equal(err.status, status, err.message);
    assert.equal(err.error?.code, code);
    assert.equal(typeof err.error?.message, 'string');
    assert.ok(err.error && 'type' in err.error && 'param' in err.error);
    return true;
  });
}

test('before a model runs: stopped, no models listed, chat is 503 in OpenAI shape, start without a model is 409', { timeout }, async () => {
  events = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const status = await ctx.admin.get('/v1/llm/server/status');
  assert.equal(status.json.status, 'stopped');
  assert.deepEqual((await openai().models.list()).data, []);
  await expectApiError(openai().chat.completions.create({ model: MODEL, messages: ask('hi') }), 503, 'model_not_loaded');
  const start = await ctx.admin.post('/v1/llm/server/start');
  assert.equal(start.status, 409);
  assert.equal(start.json.code, 'no_model');
});

test('a GGUF copied into the models folder is found, selected and loaded; threads never exceed the cores', { timeout }, async () => {
  const refresh = await ctx.admin.post('/v1/llm/catalog/refresh');
  assert.deepEqual(refresh.json.added, [MODEL]);
  const entry = refresh.json.catalog.models.find((m: any) => m.filename === MODEL);
  assert.equal(entry.state, 'downloaded');
  assert.equal(entry.family, 'local');

  const config = await ctx.admin.post('/v1/settings/llm-config', { n_threads: 512 });
  assert.equal(config.status, 200, config.text);
  assert.ok(config.json.effective_threads <= (await import('node:os')).availableParallelism());
  // One thread: the tiny model is fastest so, and the machine is shared with other tests.
  assert.equal((await ctx.admin.post('/v1/settings/llm-config', { n_threads: 1, max_queued: 1 })).json.effective_threads, 1);

  const sw = await ctx.admin.post('/v1/llm/server/switch-model', { filename: MODEL });
  assert.deepEqual(sw.json, { ok: true, result: 'selected', active_model: MODEL });
  const from = events.frames.length;
  assert.deepEqual((await ctx.admin.post('/v1/llm/server/start')).json, { ok: true, result: 'starting' });
  await statusAfter(from, 'loading');
  const running = await statusAfter(from, 'running');
  assert.equal(running.payload.n_ctx, 2048);
  const status = (await ctx.admin.get('/v1/llm/server/status')).json;
  assert.equal(status.status, 'running');
  assert.equal(status.threads, 1);
  assert.equal(status.model_name, 'skill-tiny-llama');
  assert.equal(status.chat_wrapper, 'ChatML');
  assert.ok(Number.isInteger(status.pid) && status.pid !== ctx.daemon.proc.pid, 'llama.cpp runs in its own process');
  assert.equal((await ctx.admin.get('/v1/settings/llm-config')).json.enabled, true, 'start persists enabled');
  assert.equal((await ctx.admin.post('/v1/llm/server/start')).json.result, 'already_running');
});

test('the OpenAI client lists the model and chats; max_tokens bounds the completion', { timeout }, async () => {
  const models = await openai().models.list();
  assert.equal(models.object, 'list');
  assert.deepEqual(models.data.map((m) => [m.id, m.object, m.owned_by]), [[MODEL, 'model', 'skill']]);
  const r = await openai().chat.completions.create({ model: models.data[0]!.id, messages: ask('Hello, what is EEG?'), max_tokens: 12 });
  assert.equal(r.object, 'chat.completion');
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.model, MODEL);
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 12);
  assert.ok(r.usage.prompt_tokens > 5);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 12);
  for (const max of [1, 3, 40]) {
    const c = await openai().chat.completions.create({ model: MODEL, messages: ask('again'), max_tokens: max });
    assert.equal(c.usage.completion_tokens, max, `max_tokens ${max}`);
  }
  const withoutModel = await ctx.admin.post('/v1/chat/completions', { messages: ask('hi'), max_tokens: 2 });
  assert.equal(withoutModel.status, 200, 'model may be left out');
  assert.equal((await ctx.admin.post('/v1/chat/completions', { model: 'skill-tiny-llama', messages: ask('hi'), max_tokens: 2 })).status, 200);
});

test('streaming: a role chunk, content chunks, a last chunk with finish_reason and usage, then [DONE]; same text as the whole answer', { timeout }, async () => {
  const body = { model: MODEL, messages: ask('Tell me about alpha waves'), max_tokens: 30, temperature: 0.8, seed: 7 };
  const whole = await openai().chat.completions.create(body);
  const stream = await openai().chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
  assert.equal(stream.response.headers.get('content-type'), 'text/event-stream');
  const chunks: any[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 4);
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, chunks[0].id);
    assert.equal(c.model, MODEL);
  }
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  const finish = chunks.at(-2);
  assert.deepEqual(finish.choices[0], { index: 0, delta: {}, logprobs: null, finish_reason: 'length' });
  assert.equal(finish.usage.completion_tokens, 30);
  const usageOnly = chunks.at(-1);
  assert.deepEqual(usageOnly.choices, [], 'include_usage adds the usage-only chunk');
  assert.deepEqual(usageOnly.usage, finish.usage);
  const middle = chunks.slice(1, -2);
  assert.ok(middle.every((c) => c.choices[0].finish_reason === null && typeof c.choices[0].delta.content === 'string'));
  assert.equal(middle.map((c) => c.choices[0].delta.content).join(''), whole.choices[0].message.content);
  assert.deepEqual(finish.usage, whole.usage);

  const raw = await ctx.admin.post('/v1/chat/completions', { ...body, stream: true });
  assert.match(raw.text, /\n\ndata: \[DONE\]\n\n$/);
});

test('a seed makes sampling repeatable; another seed gives another answer', { timeout }, async () => {
  const at = (seed: number) => openai().chat.completions.create({ model: MODEL, messages: ask('Say something'), max_tokens: 24, temperature: 1, top_p: 0.95, seed });
  const [a, b, c] = [await at(42), await at(42), await at(43)];
  assert.equal(a.choices[0].message.content, b.choices[0].message.content);
  assert.notEqual(a.choices[0].message.content, c.choices[0].message.content);
});

test('stop sequences end the answer before them, with finish_reason stop', { timeout }, async () => {
  const body = { model: MODEL, messages: ask('Count for me'), max_tokens: 60 };
  const full: string = (await openai().chat.completions.create(body)).choices[0].message.content;
  const m = /[a-z]{3,}/.exec(full.slice(8));
  assert.ok(m, `a word to stop at in ${JSON.stringify(full)}`);
  const at = full.indexOf(m[0]);
  const stopped = await openai().chat.completions.create({ ...body, stop: [m[0]] });
  assert.equal(stopped.choices[0].finish_reason, 'stop');
  assert.equal(stopped.choices[0].message.content, full.slice(0, at));
});

test("the reference's route takes {messages, params}; top-level OpenAI fields win over params", { timeout }, async () => {
  const r = await ctx.admin.post('/v1/llm/chat-completions', { messages: ask('hello'), params: { max_tokens: 4, temperature: 0 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.usage.completion_tokens, 4);
  const both = await ctx.admin.post('/v1/llm/chat-completions', { messages: ask('hello'), params: { max_tokens: 4 }, max_tokens: 6 });
  assert.equal(both.json.usage.completion_tokens, 6);
});

test('bad requests get OpenAI errors: unknown model 404, bad messages and parameters 400, images 400, bad key 401', { timeout }, async () => {
  await expectApiError(openai().chat.completions.create({ model: 'gpt-4o', messages: ask('hi') }), 404, 'model_not_found');
  for (const [body, param] of [
    [{ model: MODEL }, 'messages'],
    [{ model: MODEL, messages: [] }, 'messages'],
    [{ model: MODEL, messages: [{ role: 'wizard', content: 'x' }] }, 'messages.0.role'],
    [{ model: MODEL, messages: ask('x'), max_tokens: 0 }, 'max_tokens'],
    [{ model: MODEL, messages: ask('x'), temperature: -1 }, 'temperature'],
    [{ model: MODEL, messages: ask('x'), n: 3 }, 'n'],
    [{ model: MODEL, messages: ask('x'), stream: 'yes' }, 'stream'],
  ] as const) {
    await assert.rejects(openai().chat.completions.create(body as Record<string, unknown>), (err: any) => {
      assert.equal(err.status, 400, JSON.stringify(body));
      assert.equal(err.error.type, 'invalid_request_error');
      assert.equal(err.error.param, param);
      return true;
    });
  }
  const image = [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }];
  await expectApiError(openai().chat.completions.create({ model: MODEL, messages: image }), 400, 'invalid_request');
  const notJson = await ctx.admin.call('POST', '/v1/chat/completions', { rawBody: '{"messages": [' });
  assert.equal(notJson.status, 400);
  assert.equal(notJson.json.error.code, 'invalid_json');
  const wrongKey = new OpenAI({ baseURL: `${ctx.daemon.url}/v1`, apiKey: 'sk-not-a-token' });
  await expectApiError(wrongKey.models.list(), 401, 'invalid_api_key');
  await expectApiError(wrongKey.chat.completions.create({ model: MODEL, messages: ask('hi') }), 401, 'invalid_api_key');
  // A data-scoped token may chat (notes §10.3) but not control the server.
  const data = (await ctx.admin.post('/v1/auth/tokens', { name: 'chat-only', acl: 'data', expiry: 'week' })).json.token;
  const scoped = new OpenAI({ baseURL: `${ctx.daemon.url}/v1`, apiKey: data });
  assert.equal((await scoped.chat.completions.create({ model: MODEL, messages: ask('hi'), max_tokens: 2 })).usage.completion_tokens, 2);
  assert.equal((await client(ctx.daemon.port, data).post('/v1/llm/server/stop')).status, 403);
});

test('a full queue answers 429; abort-stream ends the generations in progress', { timeout }, async () => {
  const long = { model: MODEL, messages: ask('Write a long story'), max_tokens: LONG, temperature: 0.8 };
  const first = openai().chat.completions.create(long);
  await until('the first chat to run', async () => (await ctx.admin.get('/v1/llm/server/status')).json.queue.running === 1);
  const second = openai().chat.completions.create(long);
  await until('the second chat to wait', async () => (await ctx.admin.get('/v1/llm/server/status')).json.queue.waiting === 1);
  await assert.rejects(openai().chat.completions.create(long), (err: any) => {
    assert.equal(err.status, 429);
    assert.equal(err.error.code, 'rate_limit_exceeded');
    assert.equal(err.error.type, 'rate_limit_error');
    assert.equal(err.headers.get('retry-after'), '1');
    return true;
  });
  const streamed = await ctx.admin.post('/v1/chat/completions', { ...long, stream: true });
  assert.equal(streamed.status, 429, 'a stream is refused before it starts');
  assert.equal(streamed.json.error.code, 'rate_limit_exceeded');

  const aborted = await ctx.admin.post('/v1/llm/abort-stream');
  assert.deepEqual(aborted.json, { ok: true, aborted: 1 });
  const a = await first;
  assert.equal(a.choices[0].finish_reason, 'stop');
  assert.ok(a.usage.completion_tokens < LONG, `stopped early (${a.usage.completion_tokens} tokens)`);
  // The second now runs; stop it too.
  await until('the second chat to run', async () => (await ctx.admin.get('/v1/llm/server/status')).json.queue.running === 1);
  await ctx.admin.post('/v1/llm/abort-stream');
  assert.ok((await second).usage.completion_tokens < LONG);
});

test('a client that closes its stream stops its generation', { timeout }, async () => {
  const logged: Array<{ seq: number }> = (await ctx.admin.get('/v1/llm/server/logs')).json.entries;
  const since = String(logged.at(-1)?.seq ?? 0);
  const abort = new AbortController();
  const stream = await openai().chat.completions.create(
    { model: MODEL, messages: ask('Write an endless poem'), max_tokens: LONG, temperature: 0.8, stream: true },
    { signal: abort.signal },
  );
  let seen = 0;
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content && ++seen === 3) abort.abort();
      }
    })(),
    /abort/i,
  );
  const line = await until('the aborted chat in the LLM log', async () => {
    const entries: Array<{ message: string }> = (await ctx.admin.get('/v1/llm/server/logs', { query: { since } })).json.entries;
    return entries.map((e) => e.message).find((m) => m.startsWith('chat:') && m.endsWith('(aborted)'));
  });
  // The same line on disk, where it outlives the daemon.
  const logFile = path.join(dirs.data, 'llm_logs', `llm_${new Date().toISOString().slice(0, 10).replaceAll('-', '')}.log`);
  await until('the aborted chat in llm_logs/', async () => fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes(` INFO ${line}\n`));
  const generated = Number(/\+ (\d+) completion/.exec(line!)![1]);
  assert.ok(generated < LONG, `the generation stopped after ${generated} tokens`);
  const t0 = Date.now();
  const next = await openai().chat.completions.create({ model: MODEL, messages: ask('hi'), max_tokens: 3 });
  assert.equal(next.usage.completion_tokens, 3);
  assert.ok(Date.now() - t0 < 1_000, 'the next chat did not wait for the abandoned one');
  assert.equal((await ctx.admin.get('/v1/llm/server/status')).json.queue.running, 0);
});

test('killing the llama.cpp process: failed with the reason, the daemon keeps serving, the server is back within seconds', { timeout }, async () => {
  const before = (await ctx.admin.get('/v1/llm/server/status')).json;
  const from = events.frames.length;
  const inFlight = openai().chat.completions.create({ model: MODEL, messages: ask('long'), max_tokens: LONG, temperature: 0.8 });
  await until('the chat to run', async () => (await ctx.admin.get('/v1/llm/server/status')).json.queue.running === 1);
  const t0 = Date.now();
  process.kill(before.pid, 'SIGKILL');
  await expectApiError(inFlight, 503, 'model_unavailable');
  const failed = await statusAfter(from, 'failed');
  assert.match(failed.payload.error, /SIGKILL/);
  assert.equal(failed.payload.restart_in_secs, 1);
  assert.equal((await ctx.admin.get('/v1/status')).status, 200, 'the daemon serves on');
  const during = (await ctx.admin.get('/v1/llm/server/status')).json;
  if (during.status === 'failed') assert.match(during.start_error, /SIGKILL/);
  await statusAfter(from, 'running');
  const recoveredMs = Date.now() - t0;
  const after = (await ctx.admin.get('/v1/llm/server/status')).json;
  assert.notEqual(after.pid, before.pid);
  assert.equal(after.restarts, 1);
  assert.ok(recoveredMs < 15_000, `running again after ${recoveredMs} ms`);
  const r = await openai().chat.completions.create({ model: MODEL, messages: ask('are you back?'), max_tokens: 5 });
  assert.equal(r.usage.completion_tokens, 5);
});

test('with restart_on_crash off a crash stays failed, and start brings the server back (here with two sequences, which chat at once)', { timeout }, async () => {
  assert.equal((await ctx.admin.post('/v1/settings/llm-config', { restart_on_crash: false })).status, 200);
  const from = events.frames.length;
  process.kill((await ctx.admin.get('/v1/llm/server/status')).json.pid, 'SIGKILL');
  const failed = await statusAfter(from, 'failed');
  assert.equal(failed.payload.restart_in_secs, null);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal((await ctx.admin.get('/v1/llm/server/status')).json.status, 'failed');
  await expectApiError(openai().chat.completions.create({ model: MODEL, messages: ask('hi') }), 503, 'model_not_loaded');
  assert.equal((await ctx.admin.post('/v1/settings/llm-config', { parallel: 2 })).status, 200);
  assert.equal((await ctx.admin.post('/v1/llm/server/start')).json.result, 'starting');
  await statusAfter(from, 'running');
  assert.equal((await ctx.admin.post('/v1/settings/llm-config', { restart_on_crash: true })).status, 200);

  const long = { model: MODEL, messages: ask('Two stories at once'), max_tokens: LONG, temperature: 0.8 };
  const both = [openai().chat.completions.create(long), openai().chat.completions.create({ ...long, seed: 9 })];
  await until('both chats to run', async () => (await ctx.admin.get('/v1/llm/server/status')).json.queue.running === 2);
  assert.equal((await ctx.admin.get('/v1/llm/server/status')).json.parallel, 2);
  assert.equal((await ctx.admin.post('/v1/llm/abort-stream')).json.aborted, 2);
  for (const r of await Promise.all(both)) assert.ok(r.usage.completion_tokens < LONG);
});

test('server routes refuse bad input: unknown, undownloaded or wrong-kind models, loaded-model delete, bad bodies', { timeout }, async () => {
  const bad = async (p: Promise<{ status: number; json: any }>, status: number, code?: string) => {
    const r = await p;
    assert.equal(r.status, status, JSON.stringify(r.json));
    if (code) assert.equal(r.json.code, code);
  };
  await bad(ctx.admin.post('/v1/llm/server/switch-model', { filename: 'nope.gguf' }), 404, 'unknown_model');
  await bad(ctx.admin.post('/v1/llm/server/switch-model', { filename: 'mmproj-model-f16.gguf' }), 400, 'is_mmproj');
  await bad(ctx.admin.post('/v1/llm/server/switch-model', { filename: 'qwen2.5-0.5b-instruct-q4_k_m.gguf' }), 409, 'not_downloaded');
  await bad(ctx.admin.post('/v1/llm/server/switch-model', {}), 422, 'invalid_body');
  await bad(ctx.admin.post('/v1/llm/server/switch-model', { filename: 3 }), 422);
  await bad(ctx.admin.post('/v1/llm/server/switch-mmproj', { filename: MODEL }), 400, 'not_mmproj');
  await bad(ctx.admin.post('/v1/llm/server/switch-mmproj', { filename: 'mmproj-model-f16.gguf' }), 409, 'not_downloaded');
  await bad(ctx.admin.post('/v1/llm/server/switch-mmproj', {}), 422);
  assert.deepEqual((await ctx.admin.post('/v1/llm/server/switch-mmproj', { filename: null })).json.active_mmproj, null);
  await bad(ctx.admin.post('/v1/llm/download/delete', { filename: MODEL }), 409, 'model_in_use');
  await bad(ctx.admin.post('/v1/llm/download/start', { filename: MODEL }), 200);
  await bad(ctx.admin.get('/v1/llm/server/logs', { query: { since: '-1' } }), 422, 'invalid_query');
  await bad(ctx.admin.get('/v1/llm/server/logs', { query: { limit: '0' } }), 422);
  const logs = (await ctx.admin.get('/v1/llm/server/logs', { query: { limit: '2' } })).json.entries;
  assert.equal(logs.length, 2);
  assert.deepEqual((await ctx.admin.get('/v1/llm/server/logs', { query: { since: String(logs[1].seq) } })).json.entries, []);
  await bad(ctx.admin.post('/v1/settings/llm-config', { parallel: 0 }), 422);
  await bad(ctx.admin.post('/v1/settings/llm-config', { n_threads: 'many' }), 422);
  await bad(ctx.admin.post('/v1/settings/llm-config', { no_such_field: true }), 422);
  await bad(ctx.admin.post('/v1/settings/llm-config', { max_queued: -1 }), 422);
  await bad(ctx.admin.post('/v1/settings/inference-device', { value: 'tpu' }), 422);
  await bad(ctx.admin.post('/v1/settings/inference-device', {}), 422);
  assert.deepEqual((await ctx.admin.post('/v1/settings/inference-device', { value: 'cpu' })).json, { ok: true, value: 'cpu', available: ['gpu', 'cpu'], gpu_in_use: false });
  assert.equal((await ctx.admin.get('/v1/settings/inference-device')).json.value, 'cpu');
  const config = (await ctx.admin.get('/v1/settings/llm-config')).json;
  assert.equal(config.model_path, path.join(dirs.data, 'models', 'llm', MODEL));
  assert.equal(config.n_gpu_layers, 4294967295);
  assert.equal(config.flash_attention, true);
});

test('stop ends the process and persists enabled: false; the model list empties', { timeout }, async () => {
  const pid = (await ctx.admin.get('/v1/llm/server/status')).json.pid;
  const from = events.frames.length;
  assert.deepEqual((await ctx.admin.post('/v1/llm/server/stop')).json, { ok: true, result: 'stopping' });
  await statusAfter(from, 'stopping');
  await statusAfter(from, 'stopped');
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the llama.cpp process is gone');
  assert.deepEqual((await openai().models.list()).data, []);
  assert.equal((await ctx.admin.get('/v1/settings/llm-config')).json.enabled, false);
  assert.equal((await ctx.admin.post('/v1/llm/server/stop')).json.result, 'already_stopped');
  events.close();
});
