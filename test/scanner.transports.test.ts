// The scanner's real loops (actors/scanner/) inside its statechart, without radios or cables:
// BLE through the replay adapter (a phone to filter out, a headset heard too long ago, RSSI
// order, ageing out), USB serial ports from a temporary directory standing in for /dev and
// /sys, LSL through a fake discovery; then the device list merge, devices-updated, the session
// hold, the toggles and the secret mask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActor } from 'xstate';
import { ReplayAdapter, type ReplayDevice } from '../actors/devices/ble/replayAdapter.ts';
import { BleSightings } from '../actors/devices/ble/scan.ts';
import type { DiscoveredLslStream } from '../actors/devices/lsl/lslSource.ts';
import { PairedDevices } from '../actors/devices/pairedDevices.ts';
import { EventBus, type EventEnvelope } from '../actors/eventBus.ts';
import { deviceList } from '../actors/scanner/deviceList.ts';
import { maskSecret } from '../actors/scanner/networkDeviceConfig.ts';
import { holdsBleScan, ScanHold } from '../actors/scanner/scanHold.ts';
import { scannerLogic } from '../actors/scanner/scannerActor.ts';
import { scannerReporter, DEVICES_UPDATED } from '../actors/scanner/scannerReporter.ts';
import { ScannerState } from '../actors/scanner/scannerState.ts';
import { scannerToggles, type ScannerToggles } from '../actors/scanner/scannerToggles.ts';
import { listSerialPorts, type SerialRoots } from '../actors/scanner/usbSerialProbe.ts';
import { SettingsStore } from '../actors/settings/settingsStore.ts';
import type { ScannerContext } from '../machines/scanner.ts';

const T0 = 1_800_000_000_000;

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A /dev and /sys with two USB serial adapters described by sysfs, one not, and non-USB ttys. */
function fakeSerialRoots(): SerialRoots {
  const root = tempDir('scanner-serial-');
  const dev = path.join(root, 'dev');
  const sys = path.join(root, 'sys');
  fs.mkdirSync(dev);
  for (const f of ['ttyUSB0', 'ttyUSB10', 'ttyACM1', 'ttyS0', 'tty1', 'null', 'ttyUSBx']) fs.writeFileSync(path.join(dev, f), '');
  const usbDevice = (bus: string, product: string, below: string[]) => {
    const d = path.join(sys, 'devices', 'usb1', bus);
    fs.mkdirSync(path.join(d, ...below), { recursive: true });
    fs.writeFileSync(path.join(d, 'product'), `${product}\n`);
    return path.join(d, ...below);
  };
  const link = (port: string, target: string) => {
    fs.mkdirSync(path.join(sys, 'class', 'tty', port), { recursive: true });
    fs.symlinkSync(target, path.join(sys, 'class', 'tty', port, 'device'));
  };
  // An FTDI converter: `device` is the port node below the interface, product two levels up.
  link('ttyUSB0', usbDevice('1-1', 'FT231X USB UART', ['1-1:1.0', 'ttyUSB0']));
  // A CDC device: `device` is the interface, product one level up.
  link('ttyACM1', usbDevice('1-2', 'OpenBCI Cyton', ['1-2:1.0']));
  return { dev, sys };
}

interface Rig {
  actor: ReturnType<typeof createActor<ReturnType<typeof scannerLogic>>>;
  clock: { now: number };
  ctx(): ScannerContext;
  /** Resolves once the context satisfies `ok`. */
  until(ok: (c: ScannerContext) => boolean, timeoutMs?: number): Promise<ScannerContext>;
  stop(): void;
}

function rig(opts: {
  ble?: ReplayDevice[] | null;
  sightings?: BleSightings;
  clock?: { now: number };
  roots?: SerialRoots;
  lsl?: () => DiscoveredLslStream[];
  toggles?: Partial<ScannerToggles>;
}): Rig {
  const clock = opts.clock ?? { now: T0 };
  const now = () => clock.now;
  const logic = scannerLogic({
    bluetooth: async () =>
      opts.ble ? { available: true, adapter: new ReplayAdapter(opts.ble) } : { available: false, reason: 'Bluetooth unavailable: EAFNOSUPPORT' },
    discoverLsl: async () => opts.lsl?.() ?? [],
    sightings: opts.sightings ?? new BleSightings(now),
    serialRoots: opts.roots ?? fakeSerialRoots(),
    onToggles: () => () => undefined,
    hold: new ScanHold(),
    now,
    timing: { bleReportEveryMs: 20, usbEveryMs: 20, lslEveryMs: 20, lslLookMs: 1 },
  });
  const actor = createActor(logic, {
    input: { toggles: { ble: true, usb_serial: true, cortex: true, lsl: true, ...opts.toggles }, autoStartAfterMs: 0, held: false },
  }).start();
  const ctx = () => actor.getSnapshot().context;
  return {
    actor,
    clock,
    ctx,
    until: (ok, timeoutMs = 3_000) =>
      new Promise((resolve, reject) => {
        if (ok(ctx())) return resolve(ctx());
        const timer = setTimeout(() => {
          sub.unsubscribe();
          reject(new Error(`timed out; context: ${JSON.stringify(ctx())}`));
        }, timeoutMs);
        const sub = actor.subscribe((s) => {
          if (!ok(s.context)) return;
          clearTimeout(timer);
          sub.unsubscribe();
          resolve(s.context);
        });
      }),
    stop: () => actor.stop(),
  };
}

const HEADSETS: ReplayDevice[] = [
  { id: 'AA:00:00:00:00:01', name: 'Muse-A1B2', rssi: -70, characteristics: [] },
  { id: 'AA:00:00:00:00:02', name: 'Pixel 7', rssi: -40, characteristics: [] },
  { id: 'AA:00:00:00:00:03', name: 'MuseS-7F21', rssi: -50, characteristics: [] },
  { id: 'AA:00:00:00:00:04', name: '', rssi: -30, characteristics: [] },
];

test('BLE: known EEG names only, strongest first; a headset heard 130 s ago is not listed', async () => {
  const clock = { now: T0 - 130_000 };
  const sightings = new BleSightings(() => clock.now);
  sightings.observe({ id: 'AA:00:00:00:00:09', name: 'Muse-OLD', rssi: -60 }); // heard in an earlier listening period
  clock.now = T0;
  const m = rig({ ble: HEADSETS, sightings, clock, toggles: { usb_serial: false, lsl: false } });
  const c = await m.until((x) => x.found.ble.length === 2);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(m.ctx().found.ble, c.found.ble, 'nothing else turns up');
  assert.deepEqual(c.found.ble, [
    { id: 'ble:aa:00:00:00:00:03', name: 'MuseS-7F21', last_seen: T0 / 1000, last_rssi: -50, transport: 'ble' },
    { id: 'ble:aa:00:00:00:00:01', name: 'Muse-A1B2', last_seen: T0 / 1000, last_rssi: -70, transport: 'ble' },
  ]);
  m.stop();
});

test('BLE: headsets not heard for more than 120 s drop out while listening', async () => {
  const m = rig({ ble: HEADSETS, toggles: { usb_serial: false, lsl: false } });
  await m.until((x) => x.found.ble.length === 2);
  m.clock.now += 119_000;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(m.ctx().found.ble.length, 2, 'still fresh at 119 s');
  m.clock.now += 2_000;
  await m.until((x) => x.found.ble.length === 0);
  m.stop();
});

test('BLE: no Bluetooth is a reason in the state, and the other transports run on', async () => {
  const m = rig({ ble: null, lsl: () => [] });
  await m.until((x) => x.found.usb_serial.length > 0);
  const snap = m.actor.getSnapshot();
  assert.deepEqual(snap.value, { running: { ble: 'unavailable', usb_serial: 'probing', lsl: 'watching' } });
  assert.equal(snap.context.availability.ble?.reason, 'Bluetooth unavailable: EAFNOSUPPORT');
  m.stop();
});

test('USB serial: ttyUSB*/ttyACM* from the injected /dev, in port order, named from sysfs', () => {
  const roots = fakeSerialRoots();
  assert.deepEqual(listSerialPorts(roots, 42), [
    { id: `usb:${path.join(roots.dev, 'ttyACM1')}`, name: 'OpenBCI Cyton (ttyACM1)', last_seen: 42, last_rssi: null, transport: 'usb_serial' },
    { id: `usb:${path.join(roots.dev, 'ttyUSB0')}`, name: 'FT231X USB UART (ttyUSB0)', last_seen: 42, last_rssi: null, transport: 'usb_serial' },
    { id: `usb:${path.join(roots.dev, 'ttyUSB10')}`, name: 'ttyUSB10', last_seen: 42, last_rssi: null, transport: 'usb_serial' },
  ]);
});

test('USB serial: a port plugged in appears and one unplugged goes at the next probe', async () => {
  const roots = fakeSerialRoots();
  const m = rig({ ble: null, roots, toggles: { lsl: false } });
  await m.until((x) => x.found.usb_serial.length === 3);
  fs.writeFileSync(path.join(roots.dev, 'ttyACM0'), '');
  fs.rmSync(path.join(roots.dev, 'ttyUSB10'));
  const c = await m.until((x) => x.found.usb_serial.some((d) => d.name === 'ttyACM0'));
  assert.deepEqual(c.found.usb_serial.map((d) => d.name), ['ttyACM0', 'OpenBCI Cyton (ttyACM1)', 'FT231X USB UART (ttyUSB0)']);
  m.stop();
});

test('USB serial: a /dev that cannot be listed makes the transport unavailable with the reason', async () => {
  const m = rig({ ble: null, roots: { dev: path.join(tempDir('scanner-nodev-'), 'missing'), sys: '/nonexistent' }, toggles: { lsl: false } });
  await m.until((x) => x.availability.usb_serial !== null);
  assert.equal(m.ctx().availability.usb_serial?.available, false);
  assert.match(m.ctx().availability.usb_serial?.reason ?? '', /USB serial ports cannot be listed: ENOENT/);
  assert.deepEqual((m.actor.getSnapshot().value as any).running.usb_serial, 'unavailable');
  m.stop();
});

test('LSL: signal streams are listed as lsl:<name>, markers are not; a stream goes once missing for 15 s', async () => {
  const stream = (name: string, type: string): DiscoveredLslStream => ({ name, stream_type: type, channels: 8, sample_rate: 256, source_id: name, hostname: 'h' });
  let streams = [stream('Cyton', 'EEG'), stream('Markers', 'Markers'), stream('Body', 'ExG')];
  const m = rig({ ble: null, lsl: () => streams, toggles: { usb_serial: false } });
  const c = await m.until((x) => x.found.lsl.length > 0);
  assert.deepEqual(c.found.lsl.map((d) => [d.id, d.transport, d.last_rssi]), [['lsl:Body', 'lsl', null], ['lsl:Cyton', 'lsl', null]]);
  streams = [stream('Body', 'ExG')];
  m.clock.now += 10_000;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(m.ctx().found.lsl.length, 2, 'one missed look does not drop a stream');
  m.clock.now += 6_000;
  await m.until((x) => x.found.lsl.length === 1);
  assert.equal(m.ctx().found.lsl[0]!.id, 'lsl:Body');
  m.stop();
});

test('devices-updated goes out when the set of devices changes, not when RSSI or last_seen move', async () => {
  const dir = tempDir('scanner-bus-');
  const settings = new SettingsStore(dir);
  const paired = new PairedDevices(dir, settings);
  paired.pair('ble:AA:00:00:00:00:01', 'My Muse');
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((e) => events.push(e));
  const state = new ScannerState(settings, () => m.clock.now);
  const reporter = scannerReporter(state, paired, bus);
  const m = rig({ ble: HEADSETS, toggles: { usb_serial: false, lsl: false } });
  m.actor.subscribe((s) => reporter.onSnapshot(s));
  await m.until((x) => x.found.ble.length === 2);
  const updates = () => events.filter((e) => e.type === DEVICES_UPDATED);
  const afterArrival = updates().length; // one per headset heard for the first time
  assert.ok(afterArrival >= 1 && afterArrival <= 2);
  const devices = (updates().at(-1)!.payload as { devices: any[] }).devices;
  assert.deepEqual(devices.map((d) => [d.id, d.name, d.is_paired, d.transport]), [
    ['ble:aa:00:00:00:00:03', 'MuseS-7F21', false, 'ble'],
    ['ble:AA:00:00:00:00:01', 'Muse-A1B2', true, 'ble'],
  ]);
  // The same headsets with another RSSI and a later last_seen are no news.
  const ctx = m.ctx();
  const moved = ctx.found.ble.map((d) => ({ ...d, last_rssi: (d.last_rssi ?? 0) - 7, last_seen: d.last_seen + 3 }));
  reporter.onSnapshot({ value: m.actor.getSnapshot().value, context: { ...ctx, found: { ...ctx.found, ble: moved } } });
  assert.equal(updates().length, afterArrival);
  assert.equal(state.discovered()[0]!.last_rssi, -57, 'the state has the new RSSI all the same');
  m.clock.now += 200_000;
  await m.until((x) => x.found.ble.length === 0);
  assert.equal(updates().length, afterArrival + 1);
  assert.deepEqual((updates().at(-1)!.payload as { devices: any[] }).devices.map((d) => d.id), ['ble:AA:00:00:00:00:01'], 'the paired one stays listed');
  assert.equal(state.state().transports.ble.devices, 0);
  m.stop();
});

test('the device list merges discovered and paired: one entry each, paired id and preference kept', () => {
  const list = deviceList(
    [
      { id: 'ble:aa', name: 'Muse-AA', last_seen: 100, last_rssi: -55, transport: 'ble' },
      { id: 'usb:/dev/ttyUSB0', name: 'ttyUSB0', last_seen: 100, last_rssi: null, transport: 'usb_serial' },
      { id: 'lsl:EEG', name: 'EEG', last_seen: 100, last_rssi: null, transport: 'lsl' },
    ],
    [
      { id: 'ble:AA', name: 'My Muse', last_seen: 50 },
      { id: 'lsl:Other', name: 'Other', last_seen: 10 },
      { id: 'muse', name: 'Any Muse', last_seen: 5 },
      { id: 'cgx:1', name: 'CGX', last_seen: 5 },
    ],
    'lsl:Other',
  );
  assert.deepEqual(list, [
    { id: 'ble:AA', name: 'Muse-AA', last_seen: 100, last_rssi: -55, is_paired: true, is_preferred: false, transport: 'ble' },
    { id: 'usb:/dev/ttyUSB0', name: 'ttyUSB0', last_seen: 100, last_rssi: null, is_paired: false, is_preferred: false, transport: 'usb_serial' },
    { id: 'lsl:EEG', name: 'EEG', last_seen: 100, last_rssi: null, is_paired: false, is_preferred: false, transport: 'lsl' },
    { id: 'lsl:Other', name: 'Other', last_seen: 10, last_rssi: null, is_paired: true, is_preferred: true, transport: 'lsl' },
    { id: 'muse', name: 'Any Muse', last_seen: 5, last_rssi: null, is_paired: true, is_preferred: false, transport: 'ble' },
    { id: 'cgx:1', name: 'CGX', last_seen: 5, last_rssi: null, is_paired: true, is_preferred: false, transport: 'unknown' },
  ]);
});

test('only a Bluetooth session that is scanning or connecting holds the BLE listener', () => {
  const snap = (value: unknown, target: string | null) => ({ value, context: { target } });
  assert.equal(holdsBleScan(snap({ session: { connecting: 'scanning' } }, 'ble:aa')), true);
  assert.equal(holdsBleScan(snap({ session: { connecting: 'opening' } }, 'muse')), true);
  assert.equal(holdsBleScan(snap({ session: 'connected' }, 'ble:aa')), false);
  assert.equal(holdsBleScan(snap({ session: { connecting: 'opening' } }, 'virtual')), false);
  assert.equal(holdsBleScan(snap({ session: { connecting: 'opening' } }, 'lsl:EEG')), false);
  assert.equal(holdsBleScan(snap('disconnected', 'ble:aa')), false);
  assert.equal(holdsBleScan(snap({ reconnecting: 'counting' }, 'ble:aa')), false);

  const hold = new ScanHold();
  const seen: boolean[] = [];
  hold.subscribe((h) => seen.push(h));
  hold.onDeviceSnapshot(snap({ session: { connecting: 'opening' } }, 'ble:aa'));
  hold.onDeviceSnapshot(snap({ session: { connecting: 'scanning' } }, 'ble:aa'));
  hold.onDeviceSnapshot(snap({ session: 'connected' }, 'ble:aa'));
  assert.deepEqual(seen, [true, false], 'told only on change');
});

test('scanner toggles default to on, and stored values that are not booleans read as the default', () => {
  assert.deepEqual(scannerToggles({ daemon_auto_restart: true, daemon_restart_timeout_secs: 10 }), { ble: true, usb_serial: true, cortex: true, lsl: true });
  assert.deepEqual(
    scannerToggles({ daemon_auto_restart: true, daemon_restart_timeout_secs: 10, scanner: { ble: false, usb_serial: 'no', lsl: false } }),
    { ble: false, usb_serial: true, cortex: true, lsl: false },
  );
});

test('a secret is never shown whole', () => {
  assert.equal(maskSecret(''), '');
  assert.equal(maskSecret('short'), '••••');
  assert.equal(maskSecret('abcdefghijklmnopWXYZ'), '••••WXYZ');
});
