// The Muse device source end to end over the replay adapter: the same connection code as with a
// real headset, fed the fixture's recorded notifications. Checks the connect sequence (control
// subscribed first, h / preset / s / d / v1), aligned EEG chunks with monotonic times, PPG, IMU,
// battery and info frames, `ended` on link loss, and that close() halts and disconnects once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { ReplayAdapter, type ReplayDevice, type ReplayNotification } from '../actors/devices/ble/replayAdapter.ts';
import { museSource, type MuseSourceOptions } from '../actors/devices/muse/museSource.ts';
import { MUSE_ATHENA_DATA, museCharacteristic, nobleUuid } from '../actors/devices/muse/gatt.ts';
import type { SourceFrame } from '../actors/devices/source.ts';

const v = JSON.parse(readFileSync(new URL('../../shared/fixtures/muse/vectors.json', import.meta.url), 'utf8'));
const CLOCK = 1700000000000;
const C = (short: string) => museCharacteristic(short);
const CONTROL = C('0001');
const EEG = ['0003', '0004', '0005', '0006', '0007'].map(C);
const PPG = ['000f', '0010', '0011'].map(C);
const MUSE2 = [CONTROL, ...EEG, C('0009'), C('000a'), C('000b'), ...PPG];
const hex = (command: string) => Buffer.from([command.length + 1, ...Buffer.from(command), 0x0a]).toString('hex');
const textOf = (data: Uint8Array) => Buffer.from(data.subarray(1, data.length - 1)).toString('latin1');
const note = (c: { characteristic: string; hex: string }): ReplayNotification =>
  ({ characteristic: nobleUuid(c.characteristic), hex: c.hex });
const withIndex = (packetHex: string, index: number) => index.toString(16).padStart(4, '0') + packetHex.slice(4);

/** A `{"rc":0}` acknowledgement as the headset frames it. */
const ack: ReplayNotification = { characteristic: CONTROL, hex: Buffer.from([8, ...Buffer.from('{"rc":0}')]).toString('hex').padEnd(40, '0') };

/** What the headset sends once `d` starts it: the fixture's EEG and PPG timestamp scenarios, then more of the same. */
function recordedStream(): ReplayNotification[] {
  const [eegScenario, ppgScenario] = v.timestamps;
  const realistic = v.eeg.find((c: { id: string }) => c.id === 'eeg-realistic-10hz').hex;
  const out: ReplayNotification[] = eegScenario.notifications.map(note);
  for (let k = 3; k < 40; k++) for (let e = 0; e < 4; e++) if (!(k === 3 && e === 0)) out.push({ characteristic: EEG[e]!, hex: withIndex(realistic, k) });
  out.push(...ppgScenario.notifications.map(note));
  for (let k = 2; k < 8; k++) for (const uuid of PPG) out.push({ characteristic: uuid, hex: withIndex(v.ppg[3].hex, k) });
  out.push(...v.accelerometer.map(note), ...v.gyroscope.map(note), note(v.telemetry[0]));
  return out;
}

function muse2(overrides: Partial<ReplayDevice> = {}): ReplayDevice {
  return {
    id: '00:55:DA:B0:13:24',
    name: 'Muse-1324',
    characteristics: MUSE2,
    onWrite: (characteristic, data) => {
      assert.equal(characteristic, CONTROL);
      const command = textOf(data);
      if (command === 'd') return [ack, ...recordedStream()];
      if (command === 'v1') return v.control.stream.packetIds.map((id: string) => note(v.control.packets.find((p: { id: string }) => p.id === id)));
      return [ack];
    },
    ...overrides,
  };
}

async function openWith(device: ReplayDevice, options: Partial<MuseSourceOptions> = {}) {
  const ble = new ReplayAdapter([device]);
  const frames: SourceFrame[] = [];
  const ended: string[] = [];
  const logs: string[] = [];
  let opened = false;
  const source = museSource({ target: 'muse', ble, now: () => CLOCK, keepAliveMs: 0, log: (l, m) => logs.push(`${l} ${m}`), ...options });
  const connection = await source.open({
    frame: (f) => {
      assert.ok(opened, 'no frame before open resolves');
      frames.push(f);
    },
    ended: (reason) => ended.push(reason),
  }, new AbortController().signal);
  opened = true;
  const link = ble.links[0]!;
  return { connection, frames, ended, logs, link };
}

const settle = async () => { for (let i = 0; i < 5; i++) await tick(); };
const ofKind = <K extends SourceFrame['kind']>(frames: SourceFrame[], kind: K) =>
  frames.filter((f): f is Extract<SourceFrame, { kind: K }> => f.kind === kind);

test('opens a Muse 2: subscriptions, start sequence, device info from the protocol', async () => {
  const { connection, link } = await openWith(muse2());
  assert.deepEqual(connection.info, {
    name: 'Muse-1324', kind: 'muse', id: 'ble:00:55:da:b0:13:24',
    channelNames: ['TP9', 'AF7', 'AF8', 'TP10'], eegSampleRateHz: 256,
    ppgChannelNames: ['ambient', 'infrared', 'red'], ppgSampleRateHz: 64,
    imuChannelNames: ['accel_x', 'accel_y', 'accel_z', 'gyro_x', 'gyro_y', 'gyro_z'],
    serialNumber: null, firmwareVersion: null, hardwareVersion: null, macAddress: null,
  });
  const ops = link.operations;
  assert.deepEqual(ops.slice(0, 2), [{ op: 'connect' }, { op: 'discover', services: ['fe8d'] }]);
  const subscribed = ops.flatMap((o) => (o.op === 'subscribe' ? [o.characteristic] : []));
  assert.deepEqual(subscribed, [CONTROL, C('000b'), C('000a'), C('0009'), ...PPG, ...EEG.slice(0, 4)]);
  assert.ok(ops.findIndex((o) => o.op === 'write') > ops.findLastIndex((o) => o.op === 'subscribe'), 'all subscribed before any command');
  const muteJsPpg = v.museJsClientSequences.sequences.enablePpg.startWrites.map((w: { hex: string }) => w.hex);
  assert.deepEqual(link.writes(), [...muteJsPpg, hex('v1')], 'h, p50, s, d as muse-js, then v1');
  await connection.close();
});

test('streams aligned EEG chunks with monotonic times, PPG, IMU, battery and info', async () => {
  const { connection, frames, link } = await openWith(muse2());
  await settle();

  const eeg = ofKind(frames, 'eeg');
  assert.ok(eeg.length >= 30, `got ${eeg.length} EEG frames`);
  let end = -Infinity;
  for (const f of eeg) {
    assert.equal(f.sampleRateHz, 256);
    assert.equal(f.channels.length, 4);
    assert.ok(f.channels.every((c) => c instanceof Float32Array && c.length === f.channels[0]!.length && c.length % 12 === 0));
    assert.ok(f.t0Ms >= end, 'chunks never overlap or go back');
    end = f.t0Ms + (f.channels[0]!.length * 1000) / 256;
  }
  const zip = v.timestamps[0].zipSamples.expected;
  assert.equal(eeg[0]!.t0Ms, zip[0].timestamp, 'first sample stamped from the index, anchored at open');
  assert.deepEqual(eeg.slice(0, 4).flatMap((f) => Array.from(f.channels[0]!)), zip.slice(0, 48).map((s: { data: number[] }) => s.data[0]));
  // The first packet (index 0xFFFE) anchors at CLOCK − 46.875, so index k ≥ 0 starts at CLOCK + (k + 1) · 46.875.
  const indexTime = (k: number) => CLOCK + (k + 1) * 46.875;
  const block2 = eeg.find((f) => f.t0Ms === indexTime(2));
  assert.ok(block2, 'index 2 (late on AF7, lost on the others) keeps its slot');
  const first12 = (c: Float32Array) => Array.from(c.subarray(0, 12));
  assert.ok(first12(block2.channels[0]!).every(Number.isNaN), 'TP9 lost');
  assert.ok(!first12(block2.channels[1]!).some(Number.isNaN), 'AF7 arrived late, still in time');
  assert.ok([2, 3].every((c) => first12(block2.channels[c]!).every(Number.isNaN)), 'AF8, TP10 lost');
  const last = eeg.at(-1)!;
  assert.equal(last.t0Ms + (last.channels[0]!.length - 12) * (1000 / 256), indexTime(39), 'index 39 where the clock says');

  const ppg = ofKind(frames, 'ppg');
  assert.ok(ppg.length >= 8);
  assert.equal(ppg[0]!.t0Ms, CLOCK - 93.75, 'PPG keeps its own clock');
  assert.ok(ppg.every((f) => f.sampleRateHz === 64 && f.channels.length === 3));
  assert.deepEqual(Array.from(ppg[0]!.channels[1]!), [1001, 2001, 3001, 4001, 5001, 6001]);
  for (let i = 1; i < ppg.length; i++) assert.ok(ppg[i]!.t0Ms > ppg[i - 1]!.t0Ms);

  const imu = ofKind(frames, 'imu');
  assert.deepEqual(imu.map((f) => f.sensor), ['accel', 'accel', 'accel', 'accel', 'accel', 'gyro', 'gyro', 'gyro', 'gyro', 'gyro']);
  const s0 = v.accelerometer[0].expected.samples[0];
  assert.deepEqual(imu[0]!.samples[0], [s0.x, s0.y, s0.z]);
  assert.ok(imu.every((f) => f.sampleRateHz === 52 && f.samples.length === 3));

  const battery = ofKind(frames, 'battery');
  assert.deepEqual(battery, [
    { kind: 'battery', levelPct: 90.859375, voltageMv: 4083.2000000000003 }, // telemetry
    { kind: 'battery', levelPct: 82 }, // "bp" of the status reply
  ]);
  assert.deepEqual(ofKind(frames, 'info').map((f) => f.info), [
    { firmwareVersion: '1.2.13', hardwareVersion: '3.1' },
    { name: 'Muse-1324', serialNumber: '2031-TZRW-1324', macAddress: '00-55-da-b0-13-24' },
  ]);

  await connection.close();
  assert.equal(link.writes().at(-1), hex('h'), 'close halts the headset');
  assert.deepEqual(link.operations.at(-1), { op: 'disconnect' });
});

test('close() is idempotent and nothing flows after it', async () => {
  const { connection, frames, ended, link } = await openWith(muse2());
  await settle();
  const count = frames.length;
  await Promise.all([connection.close(), connection.close()]);
  await connection.close();
  assert.equal(link.writes().filter((w) => w === hex('h')).length, 2, 'one h to start, one to stop');
  assert.equal(link.operations.filter((o) => o.op === 'disconnect').length, 1);
  link.deliver(recordedStream());
  await settle();
  assert.equal(frames.length, count);
  assert.deepEqual(ended, []);
});

test('the headset going away ends the stream once; close() afterwards only releases', async () => {
  const { connection, ended, link } = await openWith(muse2());
  link.drop('supervision timeout');
  link.drop('again');
  await settle();
  assert.deepEqual(ended, ['Muse disconnected: supervision timeout']);
  const writes = link.writes().length;
  await connection.close();
  assert.equal(link.writes().length, writes, 'no halt to a headset that is gone');
});

test('Athena firmware is detected and refused with a clear reason', async () => {
  const ble = new ReplayAdapter([muse2({ name: 'MuseS-8C1A', characteristics: [...MUSE2, MUSE_ATHENA_DATA, C('0014')] })]);
  await assert.rejects(
    museSource({ target: 'muse', ble, keepAliveMs: 0 }).open({ frame: () => undefined, ended: () => undefined }, new AbortController().signal),
    /Athena firmware \(characteristic 273e0013\), which is not supported/,
  );
  assert.equal(ble.links[0]!.isConnected, false);
  assert.deepEqual(ble.links[0]!.writes(), [], 'no classic command sent to it');
});

test('AUX is a fifth channel only when asked for and the preset streams it', async () => {
  const ble = new ReplayAdapter([muse2()]);
  const handlers = { frame: () => undefined, ended: () => undefined };
  await assert.rejects(
    museSource({ target: 'muse', ble, preset: 'p21', aux: true, keepAliveMs: 0 }).open(handlers, new AbortController().signal),
    /preset p21 .* does not stream/,
  );
  const { connection, link } = await openWith(muse2(), { preset: 'p20', aux: true });
  assert.deepEqual(connection.info.channelNames, ['TP9', 'AF7', 'AF8', 'TP10', 'AUX']);
  assert.deepEqual(connection.info.ppgChannelNames, [], 'p20 streams no PPG');
  assert.ok(link.operations.some((o) => o.op === 'subscribe' && o.characteristic === EEG[4]));
  assert.equal(link.writes()[1], hex('p20'));
  await connection.close();
});

test('a Muse 2016 (no PPG characteristics) gets p21 and no PPG channels', async () => {
  const { connection, link } = await openWith(muse2({ name: 'Muse-0A1B', characteristics: MUSE2.filter((c) => !PPG.includes(c)) }));
  assert.equal(link.writes()[1], hex('p21'));
  assert.deepEqual(connection.info.ppgChannelNames, []);
  assert.equal(connection.info.ppgSampleRateHz, 0);
  await connection.close();
});

test('targets: by ble id, not found in time, cancelled, and stuck', async () => {
  const handlers = { frame: () => undefined, ended: () => undefined };
  const byId = await museSource({ target: 'ble:00:55:da:b0:13:24', ble: new ReplayAdapter([muse2()]), keepAliveMs: 0 })
    .open(handlers, new AbortController().signal);
  assert.equal(byId.info.id, 'ble:00:55:da:b0:13:24');
  await byId.close();

  await assert.rejects(
    museSource({ target: 'Muse-FFFF', ble: new ReplayAdapter([muse2()]), scanTimeoutMs: 30 }).open(handlers, new AbortController().signal),
    /No Bluetooth device matching "Muse-FFFF"/,
  );

  const abort = new AbortController();
  const ble = new ReplayAdapter([muse2({ onWrite: () => abort.abort() })]); // cancelled during the start sequence
  await assert.rejects(museSource({ target: 'muse', ble, keepAliveMs: 0 }).open(handlers, abort.signal), /cancelled/i);
  assert.equal(ble.links.length, 1);
  for (const link of ble.links) assert.equal(link.isConnected, false, 'a cancelled connect releases the link');

  // A link whose discovery never answers: the connect deadline gives up and releases it.
  const hanging = new ReplayAdapter([muse2()]);
  const connect = hanging.connect.bind(hanging);
  hanging.connect = async (id, sig) => Object.assign(await connect(id, sig), { discover: () => new Promise<string[]>(() => undefined) });
  await assert.rejects(
    museSource({ target: 'muse', ble: hanging, connectTimeoutMs: 30, keepAliveMs: 0 }).open(handlers, new AbortController().signal),
    /Connecting to Muse-1324 timed out/,
  );
  assert.equal(hanging.links[0]!.isConnected, false);
});

test('keep-alive sends k while open and stops at close', async () => {
  const { connection, link } = await openWith(muse2(), { keepAliveMs: 5 });
  await new Promise((r) => setTimeout(r, 40));
  assert.ok(link.writes().filter((w) => w === hex('k')).length >= 2);
  await connection.close();
  const after = link.writes().length;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(link.writes().length, after);
});

test('an unknown preset is refused up front', () => {
  assert.throws(() => museSource({ target: 'muse', ble: new ReplayAdapter([]), preset: 'p23' as never }), /unknown Muse preset p23/);
});
