// Hooks and Do Not Disturb through the real daemon and the virtual headset:
// - every new route refuses bad input with a 422/404 JSON error and changes nothing;
// - a rule with keyword "focus" fires on the live session once a label "deep focus" exists over
//   the session's own recent EEG, respects the 10 s cool-down, runs its command (a script in a
//   temp dir) when commands are on, and shows in statuses and the log; a rule added while the
//   session runs fires without a new session;
// - DND enters and exits on the live focus score as its threshold is moved (0, then 100), running
//   the configured on/off commands, with real counters in its status;
// - rules, statuses and hooks.sqlite are the same after a restart.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnDaemon, tempDirs, type RunningDaemon } from './helpers/daemonProcess.ts';
import { subscribe, type Subscriber } from './helpers/events.ts';
import { client } from './helpers/http.ts';

const dirs = tempDirs('skill-hooks-');
fs.mkdirSync(dirs.data, { recursive: true });
const ranFile = path.join(dirs.root, 'ran.txt');
const script = path.join(dirs.root, 'record.sh');
// Appends its arguments (one line) and the hook it ran for: proof of what ran, with what.
fs.writeFileSync(script, `#!/bin/sh\nprintf '%s|%s\\n' "$*" "$SKILL_HOOK_NAME$SKILL_DND" >> "${ranFile}"\n`, { mode: 0o755 });
const ran = () => (fs.existsSync(ranFile) ? fs.readFileSync(ranFile, 'utf8').trim().split('\n') : []);

let daemon: RunningDaemon;
let admin: ReturnType<typeof client>;
let sub: Subscriber;
after(async () => {
  sub?.close();
  if (daemon) assert.equal((await daemon.stop()).code, 0, 'clean exit');
});

async function poll<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const focusRule = { name: 'focus', keywords: ['focus'], distance_threshold: 1, command: `${script} hook "focus fired"`, text: 'You are focused' };

test('bad inputs on every new route: 422/404 JSON errors that change nothing', async () => {
  daemon = await spawnDaemon({ dirs });
  admin = client(daemon.port, daemon.token);
  const bad: Array<[string, string, unknown, number]> = [
    ['PUT', '/v1/hooks', { name: 'not a list' }, 422],
    ['PUT', '/v1/hooks', [{ name: 'a' }, { name: 'a' }], 422],
    ['PUT', '/v1/hooks', [{ name: '' }], 422],
    ['PUT', '/v1/hooks', [{ name: 'a', scenario: 'sleepy' }], 422],
    ['PUT', '/v1/hooks', [{ name: 'a', distance_threshold: 'near' }], 422],
    ['PUT', '/v1/hooks', [{ name: 'a', keywords: 'focus' }], 422],
    ['PUT', '/v1/hooks', [{ name: 'a', command: 'notify-send "unterminated' }], 422],
    ['POST', '/v1/hooks', Array.from({ length: 101 }, (_, i) => ({ name: `h${i}` })), 422],
    ['POST', '/v1/hooks/log', { limit: 0 }, 422],
    ['POST', '/v1/hooks/log', { limit: 501 }, 422],
    ['POST', '/v1/hooks/log', { offset: -1 }, 422],
    ['POST', '/v1/hooks/suggest-keywords', {}, 422],
    ['POST', '/v1/hooks/suggest-keywords', { draft: 'focus', limit: 21 }, 422],
    ['POST', '/v1/hooks/suggest-distances', { keywords: 'focus' }, 422],
    ['POST', '/v1/settings/hooks/commands', { enabled: 'yes' }, 422],
    ['POST', '/v1/settings/hooks/commands', { timeout_secs: 0 }, 422],
    ['POST', '/v1/settings/dnd/command', { enter_argv: 'gsettings set x' }, 422],
    ['POST', '/v1/settings/dnd/command', { exit_argv: [''] }, 422],
    ['POST', '/v1/settings/dnd/command', { timeout_secs: 121 }, 422],
    ['GET', '/v1/hooks/nope', undefined, 404],
    ['DELETE', '/v1/hooks', undefined, 405],
  ];
  for (const [method, p, body, status] of bad) {
    const r = await admin.call(method, p, body === undefined ? {} : { body });
    assert.equal(r.status, status, `${method} ${p} ${String(JSON.stringify(body)).slice(0, 80)} → ${r.status} ${r.text?.slice(0, 200)}`);
    assert.equal(r.json?.ok, false, `${method} ${p}: JSON error body`);
    if (status === 422) assert.ok(Array.isArray(r.json.issues) && r.json.issues.length > 0, `${method} ${p}: names the field: ${r.text}`);
  }
  assert.deepEqual((await admin.get('/v1/hooks')).json, [], 'no rules stored');
  assert.deepEqual((await admin.get('/v1/settings/hooks/commands')).json, { enabled: false, timeout_secs: 10 }, 'commands still off');
  const dndCommand = (await admin.get('/v1/settings/dnd/command')).json;
  assert.deepEqual(dndCommand.enter_argv, ['gsettings', 'set', 'org.gnome.desktop.notifications', 'show-banners', 'false'], `default unchanged: ${JSON.stringify(dndCommand)}`);
  assert.equal((await admin.get('/v1/hooks/log-count')).json.count, 0, 'empty log');
  assert.deepEqual((await admin.post('/v1/hooks/log', {})).json, [], 'empty log page');
  assert.deepEqual((await admin.post('/v1/hooks/suggest-keywords', { draft: 'f' })).json, [], 'short draft: no suggestions');
  const none = (await admin.post('/v1/hooks/suggest-distances', { keywords: ['focus'] })).json;
  assert.equal(none.suggested, 0.1, `nothing to measure: default 0.1 (${JSON.stringify(none)})`);
  const status = (await admin.get('/v1/settings/dnd/status')).json;
  assert.equal(status.dnd_active, false, 'DND off');
  assert.equal(status.state, 'disabled', `engine disabled by default: ${JSON.stringify(status)}`);
  const tree = JSON.stringify((await admin.get('/v1/debug/actors')).json);
  assert.ok(tree.includes('"dnd"') && tree.includes('dndEngine'), `the DND engine is a supervised actor: ${tree.slice(0, 400)}`);
});

test('a "focus" hook fires on the live virtual session after a matching label is created', async () => {
  sub = await subscribe(daemon.port, daemon.token);
  assert.equal((await admin.post('/v1/settings/hooks/commands', { enabled: true, timeout_secs: 5 })).status, 200, 'commands on');
  assert.equal((await admin.call('PUT', '/v1/hooks', { body: [focusRule, { name: 'idle', keywords: [], distance_threshold: 1 }] })).status, 200, 'rules stored');
  assert.equal((await admin.post('/v1/lsl/virtual-source/start', { template: 'muse', seed: 11 })).status, 200, 'virtual source');
  assert.equal((await admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200, 'session');
  const first = await sub.next((f) => f.type === 'EegEmbedding', 40_000);
  const second = await sub.next((f) => f.type === 'EegEmbedding' && f.payload.timestamp > first.payload.timestamp, 20_000);
  assert.equal(sub.frames.filter((f) => f.type === 'hook').length, 0, 'no label yet: nothing to compare with, no fire');

  // The label covers the session's own recent EEG, so its EEG reference exists at once.
  const label = (await admin.post('/v1/labels', { text: 'deep focus', eegStart: first.payload.timestamp / 1000, eegEnd: second.payload.timestamp / 1000 + 5 })).json;
  assert.equal(typeof label.id, 'number', `label created: ${JSON.stringify(label)}`);
  const suggestions = (await admin.post('/v1/hooks/suggest-keywords', { draft: 'focus' })).json;
  assert.equal(suggestions[0]?.keyword, 'deep focus', `semantic suggestion: ${JSON.stringify(suggestions)}`);
  assert.equal(suggestions[0]?.source, 'embedding', 'ranked by the text model');

  const fire = await sub.next((f) => f.type === 'hook', 20_000);
  assert.equal(fire.payload.hook, 'focus', JSON.stringify(fire.payload));
  assert.equal(fire.payload.label_id, label.id, 'the new label is the reference');
  assert.equal(fire.payload.label_text, 'deep focus', 'label text');
  assert.equal(fire.payload.context, 'labels', 'context');
  assert.equal(fire.payload.text, 'You are focused', 'rule text');
  assert.ok(fire.payload.distance >= 0 && fire.payload.distance <= 1, `distance ${fire.payload.distance}`);
  assert.match(String(fire.payload.triggered_at_utc), /^20\d{12}$/, 'YYYYMMDDHHmmss');

  // Cool-down: the next fire comes no sooner than 10 s later, with matching epochs in between.
  const again = await sub.next((f) => f.type === 'hook' && f.ts_unix_ms > fire.ts_unix_ms, 30_000);
  const gap = again.ts_unix_ms - fire.ts_unix_ms;
  const between = sub.frames.filter((f) => f.type === 'EegEmbedding' && f.ts_unix_ms > fire.ts_unix_ms && f.ts_unix_ms < again.ts_unix_ms).length;
  assert.ok(gap >= 9_500, `fires ${gap} ms apart`);
  assert.ok(between >= 1, `an embedding within the threshold was held back by the cool-down (${between} between fires)`);

  const statuses = (await admin.get('/v1/hooks/statuses')).json;
  const focus = statuses.find((s: any) => s.hook.name === 'focus');
  assert.ok(focus.trigger_count >= 2, `count: ${JSON.stringify(focus)}`);
  assert.equal(focus.last_trigger.label_id, label.id, 'last trigger label');
  assert.equal(typeof focus.last_distance, 'number', 'last distance');
  assert.equal(focus.references, 1, 'one EEG reference');
  assert.equal(statuses.find((s: any) => s.hook.name === 'idle').trigger_count, 0, 'a rule without keywords never fires');

  const count = (await admin.get('/v1/hooks/log-count')).json.count;
  assert.ok(count >= 2, `log count ${count}`);
  const page = await admin.post('/v1/hooks/log', { limit: 1 });
  assert.equal(page.json.length, 1, 'one row per page of 1');
  assert.equal(page.headers['x-total-count'], String(count), 'x-total-count');
  assert.equal(page.headers['x-next-offset'], '1', 'x-next-offset');
  const row = page.json[0];
  assert.equal(JSON.parse(row.hook_json).name, 'focus', 'hook_json');
  assert.equal(JSON.parse(row.trigger_json).label_text, 'deep focus', 'trigger_json');
  await poll('the command result in the log', async () => JSON.parse((await admin.post('/v1/hooks/log', { limit: 1 })).json[0].payload_json).command_result);
  const payload = JSON.parse((await admin.post('/v1/hooks/log', { limit: 1 })).json[0].payload_json);
  assert.equal(payload.command_result.exit_code, 0, JSON.stringify(payload));
  assert.ok(ran().includes('hook focus fired|focus'), `the script ran with the rule's arguments and context: ${JSON.stringify(ran())}`);

  const dist = (await admin.post('/v1/hooks/suggest-distances', { keywords: ['focus'] })).json;
  assert.equal(dist.ref_n, 1, `one reference: ${JSON.stringify(dist)}`);
  assert.ok(dist.sample_n >= 2 && dist.eeg_min <= dist.eeg_p25 && dist.eeg_p25 <= dist.eeg_max, `distribution: ${JSON.stringify(dist)}`);
  assert.ok(dist.suggested >= 0.01 && dist.suggested <= 0.99, `suggested ${dist.suggested}`);
});

test('a rule added while the session runs fires without a new session', async () => {
  const before = sub.frames.length;
  assert.equal((await admin.post('/v1/hooks', [focusRule, { name: 'late', keywords: ['deep'], distance_threshold: 1 }])).status, 200, 'rules replaced');
  const late = await sub.next((f) => f.type === 'hook' && f.payload.hook === 'late', 20_000);
  assert.ok(sub.frames.indexOf(late) >= before, 'fired after the change');
  assert.equal(late.payload.label_text, 'deep focus', 'against the same label');
});

test('DND enters and exits on the live focus score, running the configured commands', async () => {
  assert.equal((await admin.post('/v1/settings/dnd/command', { enter_argv: [script, 'dnd', 'on'], exit_argv: [script, 'dnd', 'off'], timeout_secs: 5 })).status, 200, 'commands set');
  const sinceOn = sub.frames.length;
  // Threshold 0: every focus score qualifies; the window is 8 snapshots (2 s).
  const on = await admin.post('/v1/settings/dnd/config', { enabled: true, focus_threshold: 0, duration_secs: 1, exit_duration_secs: 1, focus_lookback_secs: 1, snr_exit_db: -100 });
  assert.equal(on.status, 200, on.text);
  const entered = await sub.next((f) => f.type === 'dnd-state-changed' && f.payload === true && sub.frames.indexOf(f) >= sinceOn, 15_000);
  assert.ok(entered, 'dnd-state-changed true');
  const active = (await admin.get('/v1/settings/dnd/status')).json;
  assert.equal(active.dnd_active, true, JSON.stringify(active));
  assert.equal(active.activations, 1, 'one activation');
  assert.equal(active.command_applied, true, 'the on command ran');
  assert.ok(active.sample_count >= 8 && active.ticks >= 8, `real counters: ${JSON.stringify(active)}`);
  assert.ok(ran().includes('dnd on|1'), `on command with its arguments: ${JSON.stringify(ran())}`);
  const eligibility = await sub.next((f) => f.type === 'dnd-eligibility' && f.payload.dnd_active === true, 5_000);
  assert.equal(typeof eligibility.payload.focus_score, 'number', 'eligibility carries the live score');

  // Threshold 100: no score reaches it; after the 4-tick exit window DND goes off.
  const sinceOff = sub.frames.length;
  assert.equal((await admin.post('/v1/settings/dnd/config', { focus_threshold: 100 })).status, 200, 'threshold raised live');
  await sub.next((f) => f.type === 'dnd-state-changed' && f.payload === false && sub.frames.indexOf(f) >= sinceOff, 15_000);
  const toast = await sub.next((f) => f.type === 'toast' && f.payload.title === 'Focus mode exited', 5_000);
  assert.match(toast.payload.message, /focus score dropped/, 'exit notification');
  const off = (await admin.get('/v1/settings/dnd/status')).json;
  assert.equal(off.dnd_active, false, JSON.stringify(off));
  assert.equal(off.exits, 1, 'one exit');
  assert.equal(off.exit_reason, 'focus', 'exit reason');
  assert.ok(ran().includes('dnd off|0'), `off command: ${JSON.stringify(ran())}`);
  assert.equal((await admin.post('/v1/settings/dnd/config', { enabled: false })).status, 200, 'disabled again');
});

test('rules, statuses and hooks.sqlite survive a restart', async () => {
  await admin.post('/v1/control/cancel-session');
  await admin.post('/v1/lsl/virtual-source/stop');
  sub.close();
  const rules = (await admin.get('/v1/hooks')).json;
  const statuses = (await admin.get('/v1/hooks/statuses')).json;
  const count = (await admin.get('/v1/hooks/log-count')).json.count;
  const firstPage = (await admin.post('/v1/hooks/log', { limit: 500 })).json;
  assert.equal((await daemon.stop()).code, 0, 'clean exit');
  assert.ok(fs.existsSync(path.join(dirs.data, 'hooks.sqlite')), 'hooks.sqlite on disk');

  daemon = await spawnDaemon({ dirs });
  admin = client(daemon.port, daemon.token);
  assert.deepEqual((await admin.get('/v1/hooks')).json, rules, 'rules');
  assert.equal((await admin.get('/v1/hooks/log-count')).json.count, count, 'log count');
  assert.deepEqual((await admin.post('/v1/hooks/log', { limit: 500 })).json, firstPage, 'log rows');
  const after = (await admin.get('/v1/hooks/statuses')).json;
  for (const s of statuses) {
    const a = after.find((x: any) => x.hook.name === s.hook.name);
    assert.equal(a.trigger_count, s.trigger_count, `${s.hook.name}: count`);
    assert.equal(a.last_trigger?.triggered_at_utc, s.last_trigger?.triggered_at_utc, `${s.hook.name}: last trigger time`);
    assert.equal(a.last_trigger?.label_id, s.last_trigger?.label_id, `${s.hook.name}: last trigger label`);
  }
});
