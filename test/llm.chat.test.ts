// The LLM chat history (`/v1/llm/chat/*`) through the real daemon: sessions, messages with their
// thinking and tool calls, rename, archive and unarchive, params, paging, delete; every route's
// bad input (422, 404, 413) leaving the history exactly as it was; the scopes that may reach it;
// the history surviving a daemon restart; and a file the reference wrote, opened and migrated.
// One daemon at a time for the file, restarted once; tests run in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chatDbPath } from '../actors/llm/chatSchema.ts';
import { ChatStore } from '../actors/llm/chatStore.ts';
import { spawnDaemon, tempDirs, type RunningDaemon } from './helpers/daemonProcess.ts';
import { client, type CallResult } from './helpers/http.ts';

const timeout = 60_000;
const dirs = tempDirs('skill-chat-');
let daemon: RunningDaemon;
let admin: ReturnType<typeof client>;

before(async () => {
  daemon = await spawnDaemon({ dirs });
  admin = client(daemon.port, daemon.token);
});

after(async () => {
  const exit = await daemon.stop();
  assert.equal(exit.code, 0, `daemon exit: ${exit.code ?? exit.signal}\n${exit.stderr}`);
});

function expectStatus(res: CallResult, status: number, what: string) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 400)}`);
}

async function ok(res: Promise<CallResult>, what: string) {
  const r = await res;
  expectStatus(r, 200, what);
  return r.json;
}

/** Everything the history holds, as the routes show it, plus the raw row counts of its tables. */
async function snapshot() {
  const active = await ok(admin.get('/v1/llm/chat/sessions'), 'list sessions');
  const archived = await ok(admin.get('/v1/llm/chat/archived-sessions'), 'list archived sessions');
  const sessions = [];
  for (const s of [...active, ...archived]) {
    sessions.push({
      load: await ok(admin.post('/v1/llm/chat/load-session', { id: s.id }), `load ${s.id}`),
      params: await ok(admin.post('/v1/llm/chat/session-params', { id: s.id }), `params ${s.id}`),
    });
  }
  const db = new Database(chatDbPath(dirs.data), { readonly: true });
  try {
    const count = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { active, archived, sessions, rows: { sessions: count('chat_sessions'), messages: count('chat_messages'), tool_calls: count('chat_tool_calls') } };
  } finally {
    db.close();
  }
}

let first: number;
let second: number;
let assistantMessage: number;

test('an empty history: no sessions; last-session creates one and then keeps answering it', { timeout }, async () => {
  const list = await admin.get('/v1/llm/chat/sessions');
  expectStatus(list, 200, 'empty list');
  assert.deepEqual(list.json, [], 'no sessions yet');
  assert.equal(list.headers['x-total-count'], '0', 'x-total-count of an empty list');
  assert.equal(list.headers['x-next-offset'], undefined, 'no next page of an empty list');

  const last = await ok(admin.post('/v1/llm/chat/last-session'), 'last-session');
  assert.ok(Number.isInteger(last.session_id) && last.session_id > 0, `a new session id: ${JSON.stringify(last)}`);
  assert.deepEqual(last.messages, [], 'the new session is empty');
  assert.equal(last.session.title, '', 'untitled');
  assert.equal(last.session.archived, false, 'not archived');
  first = last.session_id;
  const again = await ok(admin.post('/v1/llm/chat/last-session'), 'last-session again');
  assert.equal(again.session_id, first, 'last-session does not create a second empty session');
  assert.ok(fs.existsSync(chatDbPath(dirs.data)), 'the history is <data>/chats/chat_history.sqlite');
});

test('messages with thinking and tool calls are stored in order and read back; camelCase and snake_case both work', { timeout }, async () => {
  const created = await ok(admin.post('/v1/llm/chat/new-session', { title: 'Alpha waves', model_name: 'tiny.gguf' }), 'new-session');
  second = created.id;
  assert.ok(second > first, `new ids grow: ${second} after ${first}`);

  const long = 'Why do my alpha waves rise when I close my eyes? '.repeat(4);
  const user = await ok(admin.post('/v1/llm/chat/save-message', { sessionId: second, role: 'user', content: long }), 'save user message');
  const reply = await ok(
    admin.post('/v1/llm/chat/save-message', {
      session_id: second,
      role: 'assistant',
      content: 'Closing the eyes removes visual input, so occipital alpha grows.',
      thinking: 'Berger effect.',
      tool_calls: [{ tool: 'web_search', status: 'ok', detail: 'Found 2', toolCallId: 'call_1', args: { query: 'Berger effect' }, result: { count: 2, hits: ['a', 'b'] } }],
    }),
    'save assistant message with a tool call',
  );
  assert.ok(reply.id > user.id, `message ids grow: ${reply.id} after ${user.id}`);
  assistantMessage = reply.id;

  const more = await ok(
    admin.post('/v1/llm/chat/save-tool-calls', {
      messageId: assistantMessage,
      toolCalls: [
        { id: 999, message_id: 1, created_at: 5, tool: 'read_file', status: 'error', detail: null, tool_call_id: null, args: ['x', 1], result: null },
        { tool: 'date', status: 'ok' },
      ],
    }),
    'save-tool-calls',
  );
  assert.equal(more.ids.length, 2, `two tool call ids: ${JSON.stringify(more)}`);

  const loaded = await ok(admin.post('/v1/llm/chat/load-session', { id: second }), 'load-session');
  assert.equal(loaded.session_id, second, 'session_id');
  assert.deepEqual(loaded.messages.map((m: any) => [m.id, m.role, m.content, m.thinking]), [
    [user.id, 'user', long, null],
    [assistantMessage, 'assistant', 'Closing the eyes removes visual input, so occipital alpha grows.', 'Berger effect.'],
  ], 'messages in the order saved');
  assert.deepEqual(loaded.messages[0].tool_calls, [], 'the user message has no tool calls');
  const calls = loaded.messages[1].tool_calls;
  assert.deepEqual(calls.map((c: any) => [c.tool, c.status, c.detail, c.tool_call_id, c.args, c.result, c.message_id]), [
    ['web_search', 'ok', 'Found 2', 'call_1', { query: 'Berger effect' }, { count: 2, hits: ['a', 'b'] }, assistantMessage],
    ['read_file', 'error', null, null, ['x', 1], null, assistantMessage],
    ['date', 'ok', null, null, null, null, assistantMessage],
  ], 'tool calls with their JSON arguments and results, in order; a client-sent id/message_id/created_at is ignored');
  assert.notEqual(calls[1].id, 999, 'ids are the store\'s own');
  for (const m of loaded.messages) assert.ok(Math.abs(m.created_at - Date.now()) < 60_000, `created_at is unix ms: ${m.created_at}`);

  assert.equal(loaded.session.title, 'Alpha waves', 'the title given at creation');
  assert.equal(loaded.session.message_count, 2, 'message_count');
  assert.equal(loaded.session.preview, long.slice(0, 80), 'preview: the first 80 characters of the first user message');
});

test('rename, session params, archive and unarchive round-trip; last-session skips archived sessions', { timeout }, async () => {
  const renamed = await ok(admin.post('/v1/llm/chat/rename', { id: first, title: 'First chat' }), 'rename');
  assert.equal(renamed.session.title, 'First chat', 'renamed');

  assert.deepEqual(await ok(admin.post('/v1/llm/chat/session-params', { id: second }), 'params'), { ok: true, value: '' }, 'no params yet: ""');
  const params = JSON.stringify({ temperature: 0.7, top_p: 0.9 });
  await ok(admin.post('/v1/llm/chat/set-session-params', { id: second, paramsJson: params }), 'set params');
  assert.equal((await ok(admin.post('/v1/llm/chat/session-params', { id: second }), 'params')).value, params, 'params read back as stored');
  await ok(admin.post('/v1/llm/chat/set-session-params', { id: first, params_json: '' }), 'reset params (snake_case)');

  const archived = await ok(admin.post('/v1/llm/chat/archive', { id: second }), 'archive');
  assert.equal(archived.session.archived, true, 'archived flag');
  assert.deepEqual((await ok(admin.get('/v1/llm/chat/sessions'), 'list')).map((s: any) => s.id), [first], 'an archived session leaves the list');
  const archivedList = await ok(admin.get('/v1/llm/chat/archived-sessions'), 'archived list');
  assert.deepEqual(archivedList.map((s: any) => [s.id, s.title, s.message_count, s.archived]), [[second, 'Alpha waves', 2, true]], 'and is listed as archived');
  assert.equal((await ok(admin.post('/v1/llm/chat/last-session'), 'last-session')).session_id, first, 'last-session is the newest session not archived');
  await ok(admin.post('/v1/llm/chat/archive', { id: second }), 'archiving twice is not an error');
  assert.equal((await ok(admin.post('/v1/llm/chat/load-session', { id: second }), 'load archived')).messages.length, 2, 'an archived session keeps its messages');

  const back = await ok(admin.post('/v1/llm/chat/unarchive', { id: second }), 'unarchive');
  assert.equal(back.session.archived, false, 'unarchived flag');
  assert.deepEqual((await ok(admin.get('/v1/llm/chat/sessions'), 'list')).map((s: any) => s.id), [second, first], 'back in the list, newest first');
  assert.deepEqual(await ok(admin.get('/v1/llm/chat/archived-sessions'), 'archived list'), [], 'no archived sessions left');
  assert.equal((await ok(admin.post('/v1/llm/chat/last-session'), 'last-session')).session_id, second, 'last-session is the newest again');
});

test('session lists page with limit and offset, x-total-count and x-next-offset', { timeout }, async () => {
  const extra: number[] = [];
  for (let i = 0; i < 5; i++) extra.push((await ok(admin.post('/v1/llm/chat/new-session', {}), `new-session ${i}`)).id);
  const all = [...extra.reverse(), second, first];
  const page1 = await admin.get('/v1/llm/chat/sessions', { query: { limit: '3' } });
  expectStatus(page1, 200, 'page 1');
  assert.deepEqual(page1.json.map((s: any) => s.id), all.slice(0, 3), 'first page, newest first');
  assert.equal(page1.headers['x-total-count'], '7', 'total');
  assert.equal(page1.headers['x-next-offset'], '3', 'next offset');
  const page3 = await admin.get('/v1/llm/chat/sessions', { query: { limit: '3', offset: '6' } });
  assert.deepEqual(page3.json.map((s: any) => s.id), all.slice(6), 'last page');
  assert.equal(page3.headers['x-next-offset'], undefined, 'no next page after the last');
  const beyond = await admin.get('/v1/llm/chat/sessions', { query: { offset: '50' } });
  assert.deepEqual(beyond.json, [], 'past the end: empty');
  assert.equal(beyond.headers['x-total-count'], '7', 'total past the end');

  await ok(admin.post('/v1/llm/chat/archive', { id: extra[0] }), 'archive one');
  const archivedPage = await admin.get('/v1/llm/chat/archived-sessions', { query: { limit: '1' } });
  assert.deepEqual(archivedPage.json.map((s: any) => s.id), [extra[0]], 'archived list pages too');
  assert.equal(archivedPage.headers['x-total-count'], '1', 'archived total');
  assert.equal((await admin.get('/v1/llm/chat/sessions')).headers['x-total-count'], '6', 'active total without the archived one');

  for (const query of [{ limit: '0' }, { limit: 'abc' }, { limit: '10001' }, { offset: '-1' }, { limit: '1.5' }] as Array<Record<string, string>>) {
    for (const p of ['/v1/llm/chat/sessions', '/v1/llm/chat/archived-sessions']) {
      const res = await admin.get(p, { query });
      expectStatus(res, 422, `${p} ${JSON.stringify(query)}`);
      assert.equal(res.json.code, 'invalid_query', `${p} ${JSON.stringify(query)} code`);
    }
  }
});

test('bad input on every chat route is refused (422, 404, 413) and changes nothing', { timeout }, async () => {
  const before = await snapshot();
  const missing = 987_654;
  const big = 'x'.repeat(500_001);
  const cases: Array<[string, unknown, number, string]> = [
    ['/v1/llm/chat/load-session', {}, 422, 'invalid_body'],
    ['/v1/llm/chat/load-session', { id: '1' }, 422, 'invalid_body'],
    ['/v1/llm/chat/load-session', { id: 0 }, 422, 'invalid_body'],
    ['/v1/llm/chat/load-session', { id: 1.5 }, 422, 'invalid_body'],
    ['/v1/llm/chat/load-session', { id: missing }, 404, 'session_not_found'],
    ['/v1/llm/chat/rename', { id: second }, 422, 'invalid_body'],
    ['/v1/llm/chat/rename', { id: second, title: 't'.repeat(201) }, 422, 'invalid_body'],
    ['/v1/llm/chat/rename', { id: missing, title: 'x' }, 404, 'session_not_found'],
    ['/v1/llm/chat/delete', { id: -3 }, 422, 'invalid_body'],
    ['/v1/llm/chat/delete', { id: missing }, 404, 'session_not_found'],
    ['/v1/llm/chat/archive', { id: null }, 422, 'invalid_body'],
    ['/v1/llm/chat/archive', { id: missing }, 404, 'session_not_found'],
    ['/v1/llm/chat/unarchive', { ids: [second] }, 422, 'invalid_body'],
    ['/v1/llm/chat/unarchive', { id: missing }, 404, 'session_not_found'],
    ['/v1/llm/chat/save-message', { sessionId: second, role: 'user' }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-message', { sessionId: second, role: 'wizard', content: 'x' }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-message', { sessionId: second, role: 'user', content: 7 }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-message', { sessionId: second, role: 'user', content: big }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-message', { sessionId: second, role: 'assistant', content: 'x', thinking: big }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-message', { sessionId: second, role: 'assistant', content: 'x', toolCalls: [{ status: 'ok' }] }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-message', { sessionId: missing, role: 'user', content: 'lost' }, 404, 'session_not_found'],
    ['/v1/llm/chat/save-message', { sessionId: missing, role: 'user', content: 'lost', toolCalls: [{ tool: 't', status: 'ok' }] }, 404, 'session_not_found'],
    ['/v1/llm/chat/session-params', { id: 'second' }, 422, 'invalid_body'],
    ['/v1/llm/chat/session-params', { id: missing }, 404, 'session_not_found'],
    ['/v1/llm/chat/set-session-params', { id: second, paramsJson: '{not json' }, 422, 'invalid_body'],
    ['/v1/llm/chat/set-session-params', { id: second, paramsJson: '[1,2]' }, 422, 'invalid_body'],
    ['/v1/llm/chat/set-session-params', { id: second, paramsJson: { temperature: 1 } }, 422, 'invalid_body'],
    ['/v1/llm/chat/set-session-params', { id: missing, paramsJson: '{}' }, 404, 'session_not_found'],
    ['/v1/llm/chat/new-session', { title: 7 }, 422, 'invalid_body'],
    ['/v1/llm/chat/new-session', { title: 't'.repeat(201) }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-tool-calls', { messageId: assistantMessage }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-tool-calls', { messageId: assistantMessage, toolCalls: [{ tool: 'ok', status: 'ok' }, { tool: '', status: 'ok' }] }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-tool-calls', { messageId: assistantMessage, toolCalls: Array.from({ length: 65 }, () => ({ tool: 't', status: 'ok' })) }, 422, 'invalid_body'],
    ['/v1/llm/chat/save-tool-calls', { messageId: missing, toolCalls: [{ tool: 't', status: 'ok' }] }, 404, 'message_not_found'],
  ];
  for (const [p, body, status, code] of cases) {
    const res = await admin.post(p, body);
    expectStatus(res, status, `${p} ${JSON.stringify(body).slice(0, 120)}`);
    assert.equal(res.json?.code, code, `${p} ${JSON.stringify(body).slice(0, 120)}: code`);
    assert.equal(res.json?.ok, false, `${p}: error shape`);
  }
  const tooLong = await admin.post('/v1/llm/chat/save-message', { sessionId: second, role: 'user', content: big });
  assert.match(tooLong.json.message, /content is longer than 500000 characters/, `a clear reason for an oversized message: ${tooLong.json.message}`);

  const huge = await admin.post('/v1/llm/chat/save-message', { sessionId: second, role: 'user', content: 'y'.repeat(1_100_000) });
  expectStatus(huge, 413, 'a body over 1 MiB');
  assert.equal(huge.json.code, 'payload_too_large', '413 code');
  const broken = await admin.post('/v1/llm/chat/save-message', undefined, { rawBody: '{"sessionId": 2, "role": "user", "content": "x"' });
  expectStatus(broken, 400, 'malformed JSON');

  assert.deepEqual(await snapshot(), before, 'no rejected request changed the history');
});

test('delete removes a session with its messages and tool calls', { timeout }, async () => {
  const doomed = (await ok(admin.post('/v1/llm/chat/new-session', {}), 'new-session')).id;
  const m = (await ok(admin.post('/v1/llm/chat/save-message', { sessionId: doomed, role: 'assistant', content: 'bye', toolCalls: [{ tool: 't', status: 'ok', args: { a: 1 } }] }), 'save')).id;
  const before = (await snapshot()).rows;
  assert.deepEqual(await ok(admin.post('/v1/llm/chat/delete', { id: doomed }), 'delete'), { ok: true, id: doomed }, 'delete reply');
  const after = (await snapshot()).rows;
  assert.deepEqual(after, { sessions: before.sessions - 1, messages: before.messages - 1, tool_calls: before.tool_calls - 1 }, 'session, message and tool call rows gone');
  expectStatus(await admin.post('/v1/llm/chat/load-session', { id: doomed }), 404, 'load a deleted session');
  expectStatus(await admin.post('/v1/llm/chat/delete', { id: doomed }), 404, 'delete twice');
  expectStatus(await admin.post('/v1/llm/chat/save-tool-calls', { messageId: m, toolCalls: [{ tool: 't', status: 'ok' }] }), 404, 'tool calls for a deleted message');
});

test('scopes: data tokens use the chat history and the model list; read-only tokens read it; stream tokens do not', { timeout }, async () => {
  const token = async (acl: string) => {
    const res = await admin.post('/v1/auth/tokens', { name: `chat-${acl}`, acl, expiry: 'week' });
    expectStatus(res, 200, `create a ${acl} token`);
    return client(daemon.port, res.json.token);
  };
  const data = await token('data');
  const readOnly = await token('read_only');
  const stream = await token('stream');

  const made = await data.post('/v1/llm/chat/new-session', { title: 'from a data token' });
  expectStatus(made, 200, 'data token: new-session');
  expectStatus(await data.post('/v1/llm/chat/save-message', { sessionId: made.json.id, role: 'user', content: 'hi' }), 200, 'data token: save-message');
  expectStatus(await data.get('/v1/llm/chat/sessions'), 200, 'data token: sessions');
  expectStatus(await data.post('/v1/llm/chat/load-session', { id: made.json.id }), 200, 'data token: load-session');
  const models = await data.get('/v1/models');
  expectStatus(models, 200, 'data token: GET /v1/models');
  assert.deepEqual(models.json, { object: 'list', data: [] }, 'the OpenAI model list (no model running)');
  expectStatus(await data.get('/v1/models/config'), 403, 'data token: the EEG encoder config stays closed');
  expectStatus(await data.post('/v1/llm/selection/active-model', { filename: 'x.gguf' }), 403, 'data token: selection is not chat');
  expectStatus(await data.get('/v1/llm/catalog/search', { query: { q: 'qwen' } }), 403, 'data token: hub search is not chat');

  const before = await snapshot();
  expectStatus(await readOnly.get('/v1/llm/chat/sessions'), 200, 'read-only token: sessions');
  expectStatus(await readOnly.get('/v1/llm/chat/archived-sessions'), 200, 'read-only token: archived sessions');
  expectStatus(await readOnly.post('/v1/llm/chat/save-message', { sessionId: made.json.id, role: 'user', content: 'no' }), 403, 'read-only token: save-message');
  expectStatus(await readOnly.post('/v1/llm/chat/delete', { id: made.json.id }), 403, 'read-only token: delete');
  expectStatus(await stream.get('/v1/llm/chat/sessions'), 403, 'stream token: sessions');
  expectStatus(await stream.post('/v1/llm/chat/new-session', {}), 403, 'stream token: new-session');
  expectStatus(await client(daemon.port, null).get('/v1/llm/chat/sessions'), 401, 'no token');
  assert.deepEqual(await snapshot(), before, 'refused tokens changed nothing');
});

test('the history survives a daemon restart unchanged', { timeout }, async () => {
  const before = await snapshot();
  const exit = await daemon.stop();
  assert.equal(exit.code, 0, `first daemon exit: ${exit.code ?? exit.signal}\n${exit.stderr}`);
  daemon = await spawnDaemon({ dirs });
  admin = client(daemon.port, daemon.token);
  assert.deepEqual(await snapshot(), before, 'sessions, messages, tool calls, params and archive flags as they were');
  const next = await ok(admin.post('/v1/llm/chat/new-session', {}), 'new-session after restart');
  assert.ok(next.id > Math.max(...before.active.map((s: any) => s.id), ...before.archived.map((s: any) => s.id)), 'ids keep growing after a restart');
});

test('a history file of the reference, without the later columns, opens and keeps its rows', { timeout }, () => {
  const dir = tempDirs('skill-chat-ref-').data;
  const file = chatDbPath(dir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const old = new Database(file);
  old.exec(`
    CREATE TABLE chat_sessions (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL, model_name TEXT NOT NULL DEFAULT '');
    CREATE TABLE chat_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL REFERENCES chat_sessions(id), role TEXT NOT NULL, content TEXT NOT NULL, thinking TEXT, created_at INTEGER NOT NULL);
    ALTER TABLE chat_sessions ADD COLUMN title TEXT NOT NULL DEFAULT '';
    INSERT INTO chat_sessions (created_at, model_name, title) VALUES (1700000000000, 'qwen.gguf', 'Old chat');
    INSERT INTO chat_messages (session_id, role, content, thinking, created_at) VALUES (1, 'user', 'hello from before', NULL, 1700000000001);`);
  old.close();
  const store = new ChatStore(dir);
  try {
    assert.deepEqual(store.list(false, -1, 0), [{ id: 1, title: 'Old chat', preview: 'hello from before', created_at: 1700000000000, message_count: 1, archived: false }], 'the old session, with defaults for the added columns');
    assert.equal(store.params(1), '', 'params column added with its default');
    assert.ok(store.setArchived(1, true), 'archived column added');
    const id = store.saveMessage(1, { role: 'assistant', content: 'hi', tool_calls: [{ tool: 'date', status: 'ok', args: { tz: 'UTC' } }] });
    assert.ok(id !== null && id > 1, 'messages append after the old ones');
    assert.deepEqual(store.messages(1)?.map((m) => [m.content, m.tool_calls.map((c) => c.args)]), [['hello from before', []], ['hi', [{ tz: 'UTC' }]]], 'old and new rows, with the tool calls table created');
  } finally {
    store.close();
  }
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.pragma('user_version', { simple: true }), 1, 'migration 1 recorded');
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'WAL');
  } finally {
    db.close();
  }
});
