// A live session on the real daemon: the virtual headset streams, a WebSocket subscriber sees
// DeviceConnected then EegBands about four times a second, alpha rises in the eyes-closed block,
// status and latest-bands follow, and cancelling ends it with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe } from './helpers/events.ts';
import { useDaemon } from './helpers/daemonProcess.ts';

const ctx = useDaemon();

test('a virtual session streams EegBands at ~4 Hz with alpha rising when the eyes close', async () => {
  const { admin } = ctx;
  const options = { template: 'muse', seed: 7, eyes_closed_schedule: { open_s: 3, closed_s: 3, first: 'open' } };
  const started = await admin.post('/v1/lsl/virtual-source/start', options);
  assert.equal(started.status, 200, started.text);
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const res = await admin.post('/v1/control/start-session', { target: 'virtual' });
  assert.equal(res.status, 200);
  assert.ok(['connecting', 'connected'].includes(res.json.state));

  const connected = await sub.next((f) => f.type === 'DeviceConnected');
  assert.equal(connected.payload.kind, 'virtual');
  const first = await sub.next((f) => f.type === 'EegBands', 10_000);
  // Snapshots cover the 2 s before their timestamp; the first lands at the end of the first window.
  const t0 = first.payload.timestamp - 511 / 256;
  await sub.next((f) => f.type === 'EegBands' && f.payload.timestamp - t0 >= 9, 20_000);
  const bands = sub.frames.filter((f) => f.type === 'EegBands').map((f) => f.payload);
  const spanS = bands.at(-1).timestamp - bands[0].timestamp;
  const rate = (bands.length - 1) / spanS;
  assert.ok(rate > 3.5 && rate < 4.5, `EegBands at ${rate.toFixed(2)} Hz`);

  const p = bands[0];
  assert.deepEqual(p.channels.map((c: any) => c.channel), ['TP9', 'AF7', 'AF8', 'TP10'], 'labels come from the device');
  for (const key of ['focus', 'relaxation', 'engagement', 'meditation', 'cognitive_load', 'drowsiness']) {
    for (const b of bands) assert.ok(b[key] >= 0 && b[key] <= 100, `${key}=${b[key]}`);
  }
  const rel = (b: any) => b.rel_alpha;
  const within = (from: number, to: number) => bands.filter((b) => b.timestamp - t0 >= from && b.timestamp - t0 <= to).map(rel);
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const closed = within(5.1, 6), open = within(8.1, 9);
  assert.ok(closed.length >= 2 && open.length >= 2);
  assert.ok(mean(closed) > 1.5 * mean(open), `alpha closed ${mean(closed).toFixed(3)} vs open ${mean(open).toFixed(3)}`);

  // Heart rate from the virtual PPG (65 bpm by default) reaches the live event.
  const withHr = bands.filter((b) => typeof b.hr === 'number');
  assert.ok(withHr.length > 0, 'hr appears in EegBands once the PPG window has filled');
  assert.ok(Math.abs(withHr.at(-1).hr - 65) < 4, `hr ${withHr.at(-1).hr}`);
  assert.equal(typeof bands.at(-1).stillness, 'number', 'head pose from the IMU');

  const quality = sub.frames.find((f) => f.type === 'SignalQuality');
  assert.equal(quality.payload.quality.length, 4);
  const status = (await admin.get('/v1/status')).json;
  assert.equal(status.state, 'connected');
  assert.equal(status.device_kind, 'virtual');
  assert.deepEqual(status.channel_names, ['TP9', 'AF7', 'AF8', 'TP10']);
  assert.equal(status.eeg_sample_rate_hz, 256);
  assert.ok(status.sample_count > 256 * 8);
  assert.equal(status.has_ppg, true);
  assert.ok(status.battery > 0);
  const latest = (await admin.get('/v1/activity/latest-bands')).json;
  assert.ok(latest.timestamp >= bands.at(-1).timestamp);

  const cancelled = await admin.post('/v1/control/cancel-session');
  assert.equal(cancelled.json.state, 'disconnected');
  const gone = await sub.next((f) => f.type === 'DeviceDisconnected');
  assert.equal(gone.payload.reason, 'user_cancel');
  assert.equal((await admin.get('/v1/activity/latest-bands')).json, null, 'no stale bands after disconnect');
  assert.equal((await admin.get('/v1/status')).json.sample_count, 0);
  sub.close();
  await admin.post('/v1/lsl/virtual-source/stop');
});

test('bad targets are 422, unpaired BLE targets 409, and a second device needs switch-session', async () => {
  const { admin } = ctx;
  const bogus = await admin.post('/v1/control/start-session', { target: 'toaster' });
  assert.equal(bogus.status, 422);
  assert.equal(bogus.json.issues[0].path, 'target');
  assert.equal((await admin.post('/v1/control/start-session', { target: '' })).status, 422);
  assert.equal((await admin.post('/v1/control/start-session', { target: 42 })).status, 422);
  assert.equal((await admin.post('/v1/control/switch-session', {})).status, 422);
  const unpaired = await admin.post('/v1/control/start-session', { target: 'ble:AA:BB' });
  assert.equal(unpaired.status, 409);
  assert.match(unpaired.json.message, /not paired/);
  assert.equal((await admin.get('/v1/status')).json.state, 'disconnected', 'refusals change nothing');

  assert.equal((await admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200);
  const other = await admin.post('/v1/control/start-session', { target: 'lsl:Nope' });
  assert.equal(other.status, 409);
  const same = await admin.post('/v1/control/start-session', { target: 'virtual' });
  assert.equal(same.status, 200, 'the same target again is a no-op');
  await admin.post('/v1/control/cancel-session');
});

test('a paired Muse on a machine without Bluetooth: the error is reported and the countdown runs', async () => {
  const { admin } = ctx;
  const pairedList = await admin.post('/v1/devices/pair', { id: 'ble:muse-test', name: 'Muse-TEST' });
  assert.equal(pairedList.status, 200);
  assert.ok(pairedList.json.some((d: any) => d.id === 'ble:muse-test' && d.is_paired));
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  const res = await admin.post('/v1/control/start-session', { target: 'ble:muse-test' });
  assert.equal(res.status, 200);
  const pending = await sub.next((f) => f.type === 'reconnect-state' && f.payload.pending, 10_000);
  assert.ok(pending.payload.countdown >= 1);
  const status = (await admin.get('/v1/status')).json;
  assert.match(status.device_error, /Bluetooth/);
  assert.equal(status.target_id, 'ble:muse-test');
  assert.equal(status.target_name, 'Muse-TEST');
  const rs = (await admin.get('/v1/reconnect-state')).json;
  assert.equal(rs.pending, true);
  const cancelled = await admin.post('/v1/control/cancel-retry');
  assert.equal(cancelled.json.retry_countdown_secs, 0);
  assert.equal((await admin.get('/v1/reconnect-state')).json.pending, false);
  sub.close();
});

test('paired devices persist; preferred is set and cleared; forgetting an unknown device is 404', async () => {
  const { admin } = ctx;
  await admin.post('/v1/devices/pair', { id: 'ble:second', name: 'Muse-2' });
  const pref = await admin.post('/v1/devices/set-preferred', { id: 'ble:second' });
  assert.equal(pref.json.find((d: any) => d.id === 'ble:second').is_preferred, true);
  assert.equal((await admin.post('/v1/devices/set-preferred', { id: 'ble:unknown' })).status, 404);
  const forgotten = await admin.post('/v1/devices/forget', { id: 'ble:second' });
  assert.ok(!forgotten.json.some((d: any) => d.id === 'ble:second'));
  assert.equal((await admin.post('/v1/devices/forget', { id: 'ble:second' })).status, 404);
  const status = (await admin.get('/v1/status')).json;
  assert.ok(status.paired_devices.some((d: any) => d.id === 'ble:muse-test'));
});

test('filter settings are validated and stored; the embedding overlap is clamped', async () => {
  const { admin } = ctx;
  const set = await admin.post('/v1/settings/filter-config', { lowPassHz: 40, notch: 'Hz50' });
  assert.equal(set.status, 200);
  assert.equal(set.json.low_pass_hz, 40);
  assert.equal((await admin.get('/v1/settings/filter-config')).json.notch, 'Hz50');
  const bad = await admin.post('/v1/settings/filter-config', { high_pass_hz: 45 });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.issues[0].path, 'high_pass_hz');
  assert.equal((await admin.post('/v1/settings/notch-preset', { value: null })).json.notch, null);
  assert.equal((await admin.post('/v1/settings/embedding-overlap', { value: 9 })).json.value, 4.5);
  assert.equal((await admin.get('/v1/settings/embedding-overlap')).json.value, 4.5);
});

test('the virtual headset published over LSL is discovered and recorded as lsl:<name>', async () => {
  const { admin } = ctx;
  assert.equal((await admin.post('/v1/lsl/virtual-source/start', { channels: 8, seed: 3 })).status, 200);
  assert.deepEqual((await admin.get('/v1/lsl/virtual-source/running')).json.running, true);
  const streams = (await admin.get('/v1/lsl/discover')).json;
  const mine = streams.find((s: any) => s.name === 'SkillVirtualEEG');
  assert.ok(mine, JSON.stringify(streams));
  assert.equal(mine.channels, 8);
  assert.equal(mine.sample_rate, 256);
  const paired = await admin.post('/v1/lsl/pair', { source_id: mine.source_id, name: mine.name, stream_type: 'EEG', channels: 8, sample_rate: 256 });
  assert.equal(paired.json.paired_streams[0].source_id, 'skill-virtual-eeg', 'snake_case body accepted, snake_case reply');

  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  assert.equal((await admin.post('/v1/control/start-session', { target: 'lsl:SkillVirtualEEG' })).status, 200);
  const connected = await sub.next((f) => f.type === 'DeviceConnected', 15_000);
  assert.equal(connected.payload.kind, 'lsl');
  const bands = await sub.next((f) => f.type === 'EegBands', 10_000);
  assert.deepEqual(bands.payload.channels.map((c: any) => c.channel).slice(0, 3), ['Fp1', 'Fp2', 'F7'], 'labels from the stream description');
  const status = (await admin.get('/v1/status')).json;
  assert.equal(status.device_kind, 'lsl');
  assert.match(status.hardware_version, /8ch · 256 Hz/);

  // The outlet goes away: the session ends after the LSL idle timeout instead of hanging.
  assert.equal((await admin.post('/v1/lsl/idle-timeout', { secs: 2 })).json.secs, 2);
  await admin.post('/v1/control/disable-reconnect');
  assert.equal((await admin.post('/v1/lsl/virtual-source/stop')).json.running, false);
  const gone = await sub.next((f) => f.type === 'DeviceDisconnected', 20_000);
  assert.ok(gone.payload.reason, JSON.stringify(gone.payload));
  assert.equal((await admin.post('/v1/lsl/unpair', { sourceId: 'skill-virtual-eeg' })).json.paired_streams.length, 0);
  assert.equal((await admin.post('/v1/lsl/unpair', { sourceId: 'skill-virtual-eeg' })).status, 404);
  sub.close();
});
