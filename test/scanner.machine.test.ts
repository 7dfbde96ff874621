// The scanner statechart with fake probe and loops and xstate's simulated clock: the automatic
// start, start/stop, a transport that is not there, BLE paused while a session connects, toggles
// applied while running, loops failing, and what a stopped scanner lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate';
import {
  AUTO_START_AFTER_MS, scannerMachine, scannerWireState, transportActive,
  type AvailabilityMap, type ScannerEvent, type ScannerMachineInput,
} from '../machines/scanner.ts';
import type { DiscoveredDevice, ScanTransport } from '../actors/scanner/discoveredDevice.ts';
import type { ScannerToggles } from '../actors/scanner/scannerToggles.ts';

const ALL_ON: ScannerToggles = { ble: true, usb_serial: true, cortex: true, lsl: true };
const NO_BLUETOOTH = { available: false, reason: 'Bluetooth unavailable: EAFNOSUPPORT' };
const OK = { available: true, reason: null };

interface Fake {
  probes: ScannerToggles[];
  /** Loops running now, by transport, with the sendBack each was given. */
  live: Map<ScanTransport, (e: ScannerEvent) => void>;
  started: ScanTransport[];
}

function start(availability: Partial<AvailabilityMap>, input: Partial<ScannerMachineInput> = {}) {
  const clock = new SimulatedClock();
  const fake: Fake = { probes: [], live: new Map(), started: [] };
  const loop = (t: ScanTransport) =>
    fromCallback<ScannerEvent>(({ sendBack }) => {
      fake.started.push(t);
      fake.live.set(t, sendBack);
      return () => fake.live.delete(t);
    });
  const machine = scannerMachine.provide({
    actors: {
      probe: fromPromise<Partial<AvailabilityMap>, { toggles: ScannerToggles }>(async ({ input: i }) => {
        fake.probes.push(i.toggles);
        // As the real probe: Bluetooth is not opened (no `ble` key) while BLE is off.
        const { ble, ...rest } = availability;
        return i.toggles.ble && ble ? { ...rest, ble } : rest;
      }),
      bleListener: loop('ble'),
      usbSerialProbe: loop('usb_serial'),
      lslWatch: loop('lsl'),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: { toggles: ALL_ON, autoStartAfterMs: AUTO_START_AFTER_MS, held: false, ...input },
  }).start();
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    actor,
    fake,
    advance: (ms: number) => clock.increment(ms),
    settle,
    value: () => actor.getSnapshot().value,
    ctx: () => actor.getSnapshot().context,
    wire: () => scannerWireState(actor.getSnapshot().value),
  };
}

const device = (id: string, transport: ScanTransport): DiscoveredDevice => ({ id, name: id, last_seen: 1, last_rssi: null, transport });

test('starts by itself 500 ms after boot, probes, and runs every available transport', async () => {
  const m = start({ ble: OK, usb_serial: OK, lsl: OK });
  assert.equal(m.value(), 'stopped');
  m.advance(AUTO_START_AFTER_MS - 1);
  assert.equal(m.value(), 'stopped');
  m.advance(1);
  assert.equal(m.value(), 'starting');
  await m.settle();
  assert.deepEqual(m.value(), { running: { ble: 'listening', usb_serial: 'probing', lsl: 'watching' } });
  assert.equal(m.wire(), 'running');
  assert.deepEqual([...m.fake.live.keys()].sort(), ['ble', 'lsl', 'usb_serial']);
  for (const t of ['ble', 'usb_serial', 'lsl'] as const) assert.ok(transportActive(m.value(), t));
});

test('without Bluetooth the BLE region is unavailable with the reason, and the rest runs', async () => {
  const m = start({ ble: NO_BLUETOOTH, usb_serial: OK, lsl: OK });
  m.advance(AUTO_START_AFTER_MS);
  await m.settle();
  assert.deepEqual(m.value(), { running: { ble: 'unavailable', usb_serial: 'probing', lsl: 'watching' } });
  assert.deepEqual(m.ctx().availability.ble, NO_BLUETOOTH);
  assert.ok(!m.fake.live.has('ble'));
  assert.equal(m.wire(), 'running');
});

test('no automatic start when not asked; start and stop by event; a stopped scanner lists nothing', async () => {
  const m = start({ ble: OK, usb_serial: OK, lsl: OK }, { autoStartAfterMs: null });
  m.advance(10_000);
  assert.equal(m.value(), 'stopped');
  m.actor.send({ type: 'scanner.start' });
  await m.settle();
  assert.equal(m.wire(), 'running');
  m.fake.live.get('usb_serial')!({ type: 'scanner.found', transport: 'usb_serial', devices: [device('usb:/dev/ttyUSB0', 'usb_serial')] });
  assert.equal(m.ctx().found.usb_serial.length, 1);
  m.actor.send({ type: 'scanner.stop' });
  assert.equal(m.value(), 'stopped');
  assert.equal(m.fake.live.size, 0, 'every loop stopped');
  assert.deepEqual(m.ctx().found, { ble: [], usb_serial: [], lsl: [] });
});

test('a stop before the automatic start cancels it', () => {
  const m = start({ ble: OK });
  m.actor.send({ type: 'scanner.stop' });
  m.advance(5_000);
  assert.equal(m.value(), 'stopped');
  assert.equal(m.fake.probes.length, 0);
});

test('stop while starting goes back to stopped', () => {
  const m = start({ ble: OK, usb_serial: OK, lsl: OK });
  m.advance(AUTO_START_AFTER_MS);
  m.actor.send({ type: 'scanner.stop' });
  assert.equal(m.value(), 'stopped');
});

test('BLE pauses while a Bluetooth session connects and resumes after; the others keep looking', async () => {
  const m = start({ ble: OK, usb_serial: OK, lsl: OK });
  m.advance(AUTO_START_AFTER_MS);
  await m.settle();
  m.fake.live.get('ble')!({ type: 'scanner.found', transport: 'ble', devices: [device('ble:aa', 'ble')] });
  m.actor.send({ type: 'scanner.pause' });
  assert.deepEqual(m.value(), { running: { ble: 'paused', usb_serial: 'probing', lsl: 'watching' } });
  assert.equal(m.wire(), 'paused');
  assert.ok(!m.fake.live.has('ble'), 'the listener is stopped');
  assert.ok(m.fake.live.has('usb_serial') && m.fake.live.has('lsl'));
  assert.equal(m.ctx().found.ble.length, 1, 'what was heard stays listed');
  m.actor.send({ type: 'scanner.resume' });
  assert.deepEqual(m.value(), { running: { ble: 'listening', usb_serial: 'probing', lsl: 'watching' } });
  assert.ok(m.fake.live.has('ble'));
  assert.equal(m.fake.started.filter((t) => t === 'ble').length, 2);
});

test('a hold that begins before the scanner starts is honoured once it runs', async () => {
  const m = start({ ble: OK, usb_serial: OK, lsl: OK }, { held: true });
  m.advance(AUTO_START_AFTER_MS);
  await m.settle();
  assert.equal(m.wire(), 'paused');
  assert.ok(!m.fake.live.has('ble'));
  m.actor.send({ type: 'scanner.resume' });
  assert.equal(m.wire(), 'running');
});

test('turning a transport off stops its loop and clears its devices; turning BLE on probes it first', async () => {
  const m = start({ ble: OK, usb_serial: OK, lsl: OK }, { toggles: { ...ALL_ON, ble: false } });
  m.advance(AUTO_START_AFTER_MS);
  await m.settle();
  assert.deepEqual(m.fake.probes, [{ ...ALL_ON, ble: false }]);
  assert.deepEqual(m.value(), { running: { ble: 'off', usb_serial: 'probing', lsl: 'watching' } });
  assert.equal(m.ctx().availability.ble, null, 'Bluetooth is not opened while BLE is off');

  m.fake.live.get('lsl')!({ type: 'scanner.found', transport: 'lsl', devices: [device('lsl:EEG', 'lsl')] });
  m.actor.send({ type: 'scanner.configure', toggles: { ...ALL_ON, ble: false, lsl: false } });
  assert.deepEqual(m.value(), { running: { ble: 'off', usb_serial: 'probing', lsl: 'off' } });
  assert.deepEqual(m.ctx().found.lsl, []);

  m.actor.send({ type: 'scanner.configure', toggles: ALL_ON });
  assert.equal(m.value(), 'starting', 'BLE was never checked');
  await m.settle();
  assert.deepEqual(m.value(), { running: { ble: 'listening', usb_serial: 'probing', lsl: 'watching' } });
  assert.equal(m.fake.probes.length, 2);
});

test('changing only the Cortex toggle restarts no loop', async () => {
  const m = start({ ble: OK, usb_serial: OK, lsl: OK });
  m.advance(AUTO_START_AFTER_MS);
  await m.settle();
  const before = m.fake.started.length;
  m.actor.send({ type: 'scanner.configure', toggles: { ...ALL_ON, cortex: false } });
  assert.equal(m.fake.started.length, before);
  assert.equal(m.ctx().toggles.cortex, false);
});

test('a loop that fails marks its transport unavailable with the reason; a restart checks again', async () => {
  const m = start({ ble: OK, usb_serial: OK, lsl: OK });
  m.advance(AUTO_START_AFTER_MS);
  await m.settle();
  m.fake.live.get('ble')!({ type: 'scanner.found', transport: 'ble', devices: [device('ble:aa', 'ble')] });
  m.fake.live.get('ble')!({ type: 'scanner.failed', transport: 'ble', reason: 'Bluetooth adapter is poweredOff' });
  assert.deepEqual(m.value(), { running: { ble: 'unavailable', usb_serial: 'probing', lsl: 'watching' } });
  assert.deepEqual(m.ctx().availability.ble, { available: false, reason: 'Bluetooth adapter is poweredOff' });
  assert.deepEqual(m.ctx().found.ble, []);
  m.actor.send({ type: 'scanner.stop' });
  m.actor.send({ type: 'scanner.start' });
  await m.settle();
  assert.deepEqual(m.value(), { running: { ble: 'listening', usb_serial: 'probing', lsl: 'watching' } });
});

test('a probe that throws still runs the transports it could check', async () => {
  const machine = scannerMachine.provide({
    actors: {
      probe: fromPromise<Partial<AvailabilityMap>, { toggles: ScannerToggles }>(async () => {
        throw new Error('boom');
      }),
    },
  });
  const actor = createActor(machine, { input: { toggles: ALL_ON, autoStartAfterMs: null, held: false } }).start();
  actor.send({ type: 'scanner.start' });
  await new Promise((r) => setImmediate(r));
  const snap = actor.getSnapshot();
  assert.equal(scannerWireState(snap.value), 'running');
  assert.match(snap.context.availability.ble?.reason ?? '', /boom/);
  actor.stop();
});
