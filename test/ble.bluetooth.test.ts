// The BLE layer without a radio: on this machine noble cannot load (no AF_BLUETOOTH) and that
// must come back as `{available: false, reason}`, never a throw. A fake noble stands in for an
// adapter that is off or on, to check scanning, the EEG-name filter and the link plumbing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { openBluetooth, scanEegDevices, isKnownEegName, BleSightings } from '../actors/devices/ble/bluetooth.ts';
import { matchesTarget } from '../actors/devices/ble/findPeripheral.ts';
import type { NobleCharacteristic, NobleLike, NoblePeripheral } from '../actors/devices/ble/nobleAdapter.ts';

test('on a machine without Bluetooth, openBluetooth reports unavailability instead of throwing', async () => {
  const result = await openBluetooth({ stateTimeoutMs: 500 });
  if (existsSync('/sys/class/bluetooth')) {
    if (!result.available) assert.match(result.reason, /\S/); // a host with a radio may go either way
    return;
  }
  assert.equal(result.available, false);
  assert.ok(!result.available);
  assert.match(result.reason, /EAFNOSUPPORT|not supported|unsupported|Cannot find module/i);
  const again = await openBluetooth({ stateTimeoutMs: 500 });
  assert.equal(again.available, false, 'asking twice is just as safe');
});

test('a loader that throws becomes a reason', async () => {
  const result = await openBluetooth({
    loadNoble: () => {
      throw Object.assign(new Error('Address family not supported by protocol'), { code: 'EAFNOSUPPORT' });
    },
  });
  assert.deepEqual(result, { available: false, reason: 'Bluetooth unavailable: EAFNOSUPPORT: Address family not supported by protocol' });
});

class FakeCharacteristic extends EventEmitter implements NobleCharacteristic {
  subscribed = false;
  written: Array<{ hex: string; withoutResponse: boolean }> = [];
  constructor(readonly uuid: string, readonly properties: string[]) { super(); }
  async subscribeAsync() { this.subscribed = true; }
  async writeAsync(data: Buffer, withoutResponse: boolean) { this.written.push({ hex: data.toString('hex'), withoutResponse }); }
}

class FakePeripheral extends EventEmitter implements NoblePeripheral {
  connected = false;
  constructor(readonly id: string, public rssi: number, readonly advertisement: { localName?: string }, readonly chars: FakeCharacteristic[] = []) { super(); }
  async connectAsync() { this.connected = true; }
  async disconnectAsync() { this.connected = false; this.emit('disconnect'); }
  cancelConnect() {}
  async discoverSomeServicesAndCharacteristicsAsync() { return { characteristics: this.chars }; }
}

class FakeNoble extends EventEmitter implements NobleLike {
  scanning = false;
  constructor(public state: string, private readonly onScan: (n: FakeNoble) => void = () => undefined) { super(); }
  async startScanningAsync() {
    if (this.state !== 'poweredOn') throw new Error(`Could not start scanning, state is ${this.state} (not poweredOn)`);
    this.scanning = true;
    setImmediate(() => this.onScan(this));
  }
  async stopScanningAsync() { this.scanning = false; }
}

test('an adapter that is off, unsupported or silent is reported, not thrown', async () => {
  assert.deepEqual(await openBluetooth({ loadNoble: () => new FakeNoble('unsupported') }),
    { available: false, reason: 'Bluetooth adapter is unsupported' });
  const late = new FakeNoble('unknown');
  setTimeout(() => { late.state = 'poweredOff'; late.emit('stateChange', 'poweredOff'); }, 5);
  assert.deepEqual(await openBluetooth({ loadNoble: () => late }), { available: false, reason: 'Bluetooth adapter is poweredOff' });
  const silent = await openBluetooth({ loadNoble: () => new FakeNoble('unknown'), stateTimeoutMs: 20 });
  assert.ok(!silent.available && /unknown \(no adapter state after 20 ms\)/.test(silent.reason));
});

test('scanning lists known EEG headsets once each, with the latest RSSI and last_seen in seconds', async () => {
  const noble = new FakeNoble('poweredOn', (n) => {
    n.emit('discover', new FakePeripheral('AA:BB:CC:00:00:01', -70, { localName: 'Muse-4A2B' }));
    n.emit('discover', new FakePeripheral('aa:bb:cc:00:00:02', -40, { localName: 'Pixel Watch' }));
    n.emit('discover', new FakePeripheral('AA:BB:CC:00:00:03', -55, { localName: 'Ganglion-1a2b' }));
    n.emit('discover', new FakePeripheral('AA:BB:CC:00:00:01', -62, {})); // no name this time
  });
  const bt = await openBluetooth({ loadNoble: () => noble });
  assert.ok(bt.available);
  const devices = await scanEegDevices(bt.adapter, { durationMs: 20, now: () => 1_700_000_000_500 });
  assert.deepEqual(devices, [
    { id: 'ble:aa:bb:cc:00:00:03', name: 'Ganglion-1a2b', rssi: -55, last_seen: 1_700_000_000 },
    { id: 'ble:aa:bb:cc:00:00:01', name: 'Muse-4A2B', rssi: -62, last_seen: 1_700_000_000 },
  ]);
  assert.equal(noble.scanning, false, 'the scan is stopped');
  assert.equal(noble.listenerCount('discover'), 1, 'only the adapter’s own peripheral cache still listens');
});

test('connect, subscribe, write and link loss go through noble’s objects', async () => {
  const control = new FakeCharacteristic('273e00014c4d454d96bef03bac821358', ['writeWithoutResponse', 'notify']);
  const other = new FakeCharacteristic('abcd', ['write']);
  const muse = new FakePeripheral('AA:01', -60, { localName: 'Muse-0001' }, [control, other]);
  const noble = new FakeNoble('poweredOn', (n) => n.emit('discover', muse));
  const bt = await openBluetooth({ loadNoble: () => noble });
  assert.ok(bt.available);
  await assert.rejects(bt.adapter.connect('aa:01'), /has not been seen by a scan/);
  await scanEegDevices(bt.adapter, { durationMs: 10 });
  const link = await bt.adapter.connect('aa:01');
  assert.equal(link.name, 'Muse-0001');
  assert.deepEqual(await link.discover(['fe8d']), [control.uuid, 'abcd']);
  const got: string[] = [];
  await link.subscribe(control.uuid, (d) => got.push(Buffer.from(d).toString('hex')));
  assert.ok(control.subscribed);
  control.emit('data', Buffer.from('0102', 'hex'), true);
  assert.deepEqual(got, ['0102']);
  await link.write(control.uuid, Uint8Array.of(2, 0x64, 0x0a));
  await link.write('abcd', Uint8Array.of(1));
  assert.deepEqual(control.written, [{ hex: '02640a', withoutResponse: true }]);
  assert.deepEqual(other.written, [{ hex: '01', withoutResponse: false }]);
  await assert.rejects(link.write('ffff', Uint8Array.of(1)), /was not discovered/);
  const lost: string[] = [];
  link.onDisconnect((r) => lost.push(r));
  muse.emit('disconnect', 'timeout');
  assert.deepEqual(lost, ['link lost (timeout)']);

  const quiet = new FakePeripheral('AA:02', -60, { localName: 'Muse-0002' });
  noble.emit('discover', quiet);
  const link2 = await bt.adapter.connect('AA:02');
  const lost2: string[] = [];
  link2.onDisconnect((r) => lost2.push(r));
  await link2.disconnect();
  await link2.disconnect();
  assert.deepEqual(lost2, [], 'asking to disconnect is not a loss');
});

test('known EEG names and target matching', () => {
  for (const name of ['Muse-4A2B', 'MuseS-8C1A', 'muse', 'Ganglion-1234', 'MW75 Neuro', 'Crown-01', 'IGE-XYZ', 'CGX Quick-20r']) {
    assert.ok(isKnownEegName(name), name);
  }
  for (const name of ['', 'Pixel Watch', 'JBL Flip 5', 'AirPods']) assert.ok(!isKnownEegName(name), name);
  const ad = { id: 'AA:BB:CC:00:00:01', name: 'Muse-4A2B', rssi: -60 };
  assert.ok(matchesTarget('ble:aa:bb:cc:00:00:01', ad));
  assert.ok(matchesTarget('AA:BB:CC:00:00:01', ad));
  assert.ok(matchesTarget('muse', ad));
  assert.ok(matchesTarget('Muse-4a2b', ad));
  assert.ok(!matchesTarget('ble:muse', ad), 'a ble: target is an id, never a name');
  assert.ok(!matchesTarget('Muse-FFFF', ad));
  assert.ok(!matchesTarget(' ', ad));
});

test('sightings older than 120 s are hidden but keep their name', () => {
  let now = 1_000_000;
  const s = new BleSightings(() => now);
  s.observe({ id: 'X1', name: 'Muse-1', rssi: -50 });
  now += 121_000;
  assert.deepEqual(s.eegDevices(), []);
  s.observe({ id: 'X1', name: '', rssi: 0 });
  assert.deepEqual(s.eegDevices(), [{ id: 'ble:x1', name: 'Muse-1', rssi: -50, last_seen: 1121 }]);
});
