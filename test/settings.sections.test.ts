// The settings sections (sleep-config, umap-config, dnd/config, screenshot/config, ws-config)
// through the real daemon: defaults, round trips in both casings, the `settings-changed` event,
// clamps, 422s naming the field with nothing stored, and values surviving a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnDaemon, tempDirs, type RunningDaemon } from './helpers/daemonProcess.ts';
import { subscribe, type Subscriber } from './helpers/events.ts';
import { client } from './helpers/http.ts';

const dirs = tempDirs('skill-sections-');
let daemon: RunningDaemon;
let api: ReturnType<typeof client>;
let events: Subscriber;

before(async () => {
  daemon = await spawnDaemon({ dirs });
  api = client(daemon.port, daemon.token);
  events = await subscribe(daemon.port, daemon.token);
});

after(async () => {
  events?.close();
  const exit = await daemon.stop();
  assert.equal(exit.code, 0, `daemon exit: ${exit.code ?? exit.signal}\n${exit.stderr}`);
});

const DEFAULTS: Record<string, Record<string, unknown>> = {
  'sleep-config': { bedtime: '23:00', wake_time: '07:00', preset: 'default' },
  'umap-config': { repulsion_strength: 3, neg_sample_rate: 15, timeout_secs: 120, n_epochs: 500, n_neighbors: 15, cooldown_ms: 0, backend: 'auto', precision: 'f32' },
  'dnd/config': {
    enabled: false, focus_threshold: 60, duration_secs: 60, exit_duration_secs: 300, focus_lookback_secs: 60,
    focus_mode_identifier: 'com.apple.donotdisturb.mode.default', exit_notification: true, snr_exit_db: 0, grayscale: false,
  },
  'screenshot/config': {
    enabled: false, interval_secs: 5, image_size: 768, quality: 60, session_only: true, embed_backend: 'fastembed',
    fastembed_model: 'nomic-embed-vision-v1.5', ocr_enabled: true, ocr_engine: process.platform === 'darwin' ? 'apple-vision' : 'tesseract',
    use_gpu: true, gif_enabled: false, gif_frame_count: 15, gif_frame_delay_ms: 100, gif_motion_threshold: 0.05, gif_max_size_kb: 2048,
    user_screenshot_enabled: false, clipboard_image_enabled: false,
  },
  'ws-config': { host: '127.0.0.1', port: 8375 },
};

/** One change per section, sent in camelCase, with the stored value expected back in snake_case. */
const CHANGES: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['sleep-config', { bedtime: '22:30', wakeTime: '06:45' }, { bedtime: '22:30', wake_time: '06:45', preset: 'custom' }],
  ['umap-config', { nEpochs: 200, repulsionStrength: 2.5, backend: 'cpu' }, { n_epochs: 200, repulsion_strength: 2.5, backend: 'cpu' }],
  ['dnd/config', { enabled: true, focusThreshold: 72.5, exitDurationSecs: 120 }, { enabled: true, focus_threshold: 72.5, exit_duration_secs: 120 }],
  ['screenshot/config', { enabled: true, intervalSecs: 30, ocrEngine: 'ocrs' }, { enabled: true, interval_secs: 30, ocr_engine: 'ocrs' }],
  ['ws-config', { host: '0.0.0.0', port: 9000 }, { host: '0.0.0.0', port: 9000 }],
];

const get = async (name: string) => {
  const res = await api.get(`/v1/settings/${name}`);
  assert.equal(res.status, 200, `GET ${name}: ${res.text}`);
  return res.json as Record<string, unknown>;
};

test('every section answers its reference defaults', async () => {
  for (const [name, defaults] of Object.entries(DEFAULTS)) {
    assert.deepEqual(await get(name), defaults, `defaults of ${name}`);
  }
});

test('a POST stores the merged value, answers it and publishes settings-changed', async () => {
  for (const [name, body, stored] of CHANGES) {
    const expected = { ...DEFAULTS[name], ...stored };
    const res = await api.post(`/v1/settings/${name}`, body);
    assert.equal(res.status, 200, `POST ${name}: ${res.text}`);
    assert.deepEqual(res.json, { ok: true, ...expected }, `reply of POST ${name}`);
    assert.deepEqual(await get(name), expected, `GET ${name} after POST`);
    const event = await events.next((f) => f.type === 'settings-changed' && f.payload.setting === name, 5_000);
    assert.deepEqual(event.payload.value, expected, `settings-changed payload of ${name}`);
  }
});

test('a POST that changes nothing publishes nothing', async () => {
  const before = events.frames.filter((f) => f.type === 'settings-changed').length;
  const res = await api.post('/v1/settings/ws-config', { port: 9000 });
  assert.equal(res.status, 200, res.text);
  // A later change proves the stream is flowing; only that one may have been published.
  await api.post('/v1/settings/ws-config', { port: 9001 });
  await events.next((f) => f.type === 'settings-changed' && f.payload.value.port === 9001, 5_000);
  const after = events.frames.filter((f) => f.type === 'settings-changed').length;
  assert.equal(after - before, 1, 'one event, for the real change only');
});

test('numbers the reference clamps are clamped; screenshot intervals snap to 5 s steps', async () => {
  const umap = await api.post('/v1/settings/umap-config', { repulsion_strength: 50, n_neighbors: 1, timeout_secs: 5, n_epochs: 100_000, cooldown_ms: -3, neg_sample_rate: 31 });
  assert.equal(umap.status, 200, umap.text);
  assert.equal(umap.json.repulsion_strength, 10, 'repulsion_strength clamped to 10');
  assert.equal(umap.json.n_neighbors, 2, 'n_neighbors clamped to 2');
  assert.equal(umap.json.timeout_secs, 10, 'timeout_secs clamped to 10');
  assert.equal(umap.json.n_epochs, 2000, 'n_epochs clamped to 2000');
  assert.equal(umap.json.cooldown_ms, 0, 'cooldown_ms clamped to 0');
  assert.equal(umap.json.neg_sample_rate, 30, 'neg_sample_rate clamped to 30');
  for (const [sent, stored] of [[17, 15], [18, 20], [1, 5], [1000, 60]] as const) {
    const res = await api.post('/v1/settings/screenshot/config', { interval_secs: sent });
    assert.equal(res.json?.interval_secs, stored, `interval ${sent} s stored as ${stored} s`);
  }
});

test('sleep presets fill in their times; times alone find their preset; contradictions are 422', async () => {
  const owl = await api.post('/v1/settings/sleep-config', { preset: 'night_owl' });
  assert.deepEqual(owl.json, { ok: true, bedtime: '01:00', wake_time: '09:00', preset: 'night_owl' }, 'night_owl fills its times');
  const long = await api.post('/v1/settings/sleep-config', { bedtime: '22:00', wake_time: '08:00' });
  assert.equal(long.json?.preset, 'long_sleeper', 'times of a preset name it');
  const clash = await api.post('/v1/settings/sleep-config', { preset: 'early_bird', bedtime: '23:15' });
  assert.equal(clash.status, 422, clash.text);
  assert.equal(clash.json.issues?.[0]?.path, 'bedtime', `the issue names bedtime: ${clash.text}`);
  assert.equal((await get('sleep-config')).preset, 'long_sleeper', 'the refused POST stored nothing');
});

test('out-of-range and mistyped values are 422 naming the field, and nothing is stored', async () => {
  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['sleep-config', { bedtime: '25:00' }, 'bedtime'],
    ['sleep-config', { wake_time: '7:00', preset: 'default' }, 'wake_time'],
    ['sleep-config', { preset: 'siesta' }, 'preset'],
    ['umap-config', { n_epochs: 'many' }, 'n_epochs'],
    ['umap-config', { n_neighbors: 15.5 }, 'n_neighbors'],
    ['umap-config', { backend: 'tpu' }, 'backend'],
    ['dnd/config', { focus_threshold: 150 }, 'focus_threshold'],
    ['dnd/config', { duration_secs: 0 }, 'duration_secs'],
    ['dnd/config', { enabled: 'yes' }, 'enabled'],
    ['screenshot/config', { quality: 0 }, 'quality'],
    ['screenshot/config', { gifMotionThreshold: 2 }, 'gif_motion_threshold'],
    ['ws-config', { port: 80 }, 'port'],
    ['ws-config', { host: '10.0.0.1' }, 'host'],
  ];
  // A valid field sent next to the bad one must not be stored either.
  const neighbour = (name: string, current: Record<string, unknown>): Record<string, unknown> =>
    ({ 'umap-config': { cooldown_ms: 7 }, 'dnd/config': { grayscale: !current.grayscale }, 'screenshot/config': { use_gpu: !current.use_gpu }, 'ws-config': { port: 9100 } })[name] ?? {};
  for (const [name, body, field] of bad) {
    const before = await get(name);
    const res = await api.post(`/v1/settings/${name}`, { ...neighbour(name, before), ...body });
    assert.equal(res.status, 422, `POST ${name} ${JSON.stringify(body)} → ${res.status} ${res.text}`);
    const paths = (res.json?.issues ?? []).map((i: { path: unknown }) => String(i.path));
    assert.ok(paths.includes(field), `422 of ${name} names ${field}: ${res.text}`);
    assert.deepEqual(await get(name), before, `${name} unchanged after the refused POST ${JSON.stringify(body)}`);
  }
});

test('settings.json holds the reference keys, and every value survives a restart', async () => {
  const beforeRestart: Record<string, unknown> = {};
  for (const name of Object.keys(DEFAULTS)) beforeRestart[name] = await get(name);
  const file = JSON.parse(fs.readFileSync(path.join(dirs.data, 'settings.json'), 'utf8'));
  for (const key of ['sleep_config', 'umap_config', 'do_not_disturb', 'screenshot', 'ws_host', 'ws_port']) {
    assert.ok(key in file, `settings.json has ${key}`);
  }
  assert.equal(file.ws_port, 9001, 'ws_port stored top-level as the reference does');
  events.close();
  const exit = await daemon.stop();
  assert.equal(exit.code, 0, `first daemon exit: ${exit.code ?? exit.signal}`);
  daemon = await spawnDaemon({ dirs });
  api = client(daemon.port, daemon.token);
  events = await subscribe(daemon.port, daemon.token);
  for (const name of Object.keys(DEFAULTS)) {
    assert.deepEqual(await get(name), beforeRestart[name], `${name} after restart`);
  }
  assert.notDeepEqual(beforeRestart['dnd/config'], DEFAULTS['dnd/config'], 'the restart check compares changed values, not defaults');
});
