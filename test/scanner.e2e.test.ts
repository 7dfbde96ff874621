// The scanner through the real daemon: it starts by itself, reports that this machine has no
// Bluetooth while the daemon runs on, stops and starts, applies its toggles, stores the WiFi and
// Cortex settings without echoing the secret, refuses bad bodies with 422, lists the virtual
// headset's LSL outlet in GET /v1/devices with a devices-updated event, and keeps its control
// routes from tokens that may only read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { useDaemon } from './helpers/daemonProcess.ts';
import { subscribe } from './helpers/events.ts';
import { client } from './helpers/http.ts';

const ctx = useDaemon();

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 12_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const scannerState = async () => {
  const res = await ctx.admin.get('/v1/control/scanner/state');
  assert.equal(res.status, 200, res.text);
  return res.json;
};

test('the scanner starts by itself; without Bluetooth it says why and the daemon runs on', async () => {
  const state = await until(scannerState, (s) => s.state === 'running' || s.state === 'paused');
  assert.equal(state.running, true);
  assert.deepEqual(Object.keys(state.transports).sort(), ['ble', 'cortex', 'lsl', 'usb_serial', 'wifi']);
  assert.equal(state.transports.usb_serial.available, true);
  assert.equal(state.transports.usb_serial.scanning, true);
  assert.equal(state.transports.lsl.scanning, true);
  assert.equal(state.transports.cortex.available, false);
  assert.match(state.transports.cortex.reason, /Cortex/);
  if (!existsSync('/sys/class/bluetooth')) {
    assert.equal(state.transports.ble.enabled, true);
    assert.equal(state.transports.ble.available, false);
    assert.equal(state.transports.ble.scanning, false);
    assert.match(state.transports.ble.reason, /^Bluetooth unavailable: /);
  }
  assert.equal((await ctx.admin.get('/v1/status')).status, 200, 'the daemon answers');
  const tree = (await ctx.admin.get('/v1/debug/actors')).json;
  const scanner = tree.children.find((c: any) => c.id === 'scanner');
  assert.equal(scanner.status, 'running');
  assert.equal(scanner.restarts, 0, 'no Bluetooth is not a crash');
});

test('stop and start: a stopped scanner lists nothing and looks nowhere', async () => {
  const stopped = await ctx.admin.post('/v1/control/scanner/stop');
  assert.equal(stopped.status, 200);
  assert.equal(stopped.json.running, false);
  assert.equal(stopped.json.state, 'stopped');
  assert.equal(stopped.json.discovered, 0);
  assert.ok(Object.values(stopped.json.transports).every((t: any) => t.scanning === false));
  const started = await ctx.admin.post('/v1/control/scanner/start');
  assert.equal(started.status, 200);
  assert.equal(started.json.running, true);
  await until(scannerState, (s) => s.transports.lsl.scanning);
});

test('scanner-config: defaults on, a toggle applies to the running scanner, bad bodies are 422', async () => {
  assert.deepEqual((await ctx.admin.get('/v1/settings/scanner-config')).json, { ble: true, usb_serial: true, cortex: true, lsl: true });
  const off = await ctx.admin.post('/v1/settings/scanner-config', { usb_serial: false });
  assert.equal(off.status, 200);
  assert.deepEqual(off.json, { ok: true, ble: true, usb_serial: false, cortex: true, lsl: true });
  const state = await until(scannerState, (s) => !s.transports.usb_serial.scanning);
  assert.equal(state.transports.usb_serial.enabled, false);
  assert.equal(state.transports.lsl.scanning, true, 'the others keep looking');

  for (const body of [{ ble: 'yes' }, { usb_serial: 1 }, { lsl: null }]) {
    const bad = await ctx.admin.post('/v1/settings/scanner-config', body);
    assert.equal(bad.status, 422, JSON.stringify(body));
    assert.equal(bad.json.issues[0].path, Object.keys(body)[0]);
  }
  await ctx.admin.post('/v1/settings/scanner-config', { usb_serial: true });
  await until(scannerState, (s) => s.transports.usb_serial.scanning);
});

test('wifi-config stores the addresses; anything but an IP address is 422', async () => {
  const res = await ctx.admin.post('/v1/control/scanner/wifi-config', { wifi_shield_ip: '192.168.4.1', galea_ip: '' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { ok: true, wifi_shield_ip: '192.168.4.1', galea_ip: '' });
  const partial = await ctx.admin.post('/v1/control/scanner/wifi-config', { galea_ip: 'fe80::1' });
  assert.deepEqual(partial.json, { ok: true, wifi_shield_ip: '192.168.4.1', galea_ip: 'fe80::1' });
  assert.equal((await scannerState()).transports.wifi.enabled, true);
  for (const body of [{ wifi_shield_ip: 'shield.local' }, { galea_ip: '999.1.1.1' }, { wifi_shield_ip: 42 }]) {
    const bad = await ctx.admin.post('/v1/control/scanner/wifi-config', body);
    assert.equal(bad.status, 422, JSON.stringify(body));
    assert.equal(bad.json.issues[0].path, Object.keys(body)[0]);
  }
});

test('cortex-config stores the credentials and never sends the secret back', async () => {
  const secret = 'cortex-secret-0123456789-ABCD';
  const res = await ctx.admin.post('/v1/control/scanner/cortex-config', { emotiv_client_id: 'client-1', emotiv_client_secret: secret });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { ok: true, emotiv_client_id: 'client-1', emotiv_client_secret: '••••ABCD', emotiv_client_secret_set: true });
  const idOnly = await ctx.admin.post('/v1/control/scanner/cortex-config', { emotiv_client_id: 'client-2' });
  assert.equal(idOnly.json.emotiv_client_secret_set, true, 'the secret is kept when only the id changes');
  for (const path of ['/v1/control/scanner/state', '/v1/settings/scanner-config', '/v1/devices']) {
    assert.ok(!(await ctx.admin.get(path)).text.includes(secret), path);
  }
  const bad = await ctx.admin.post('/v1/control/scanner/cortex-config', { emotiv_client_secret: ['x'] });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.issues[0].path, 'emotiv_client_secret');
});

test('an LSL stream on the machine is listed in GET /v1/devices and announced by devices-updated', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  try {
    const started = await ctx.admin.post('/v1/lsl/virtual-source/start', { channels: 4 });
    assert.equal(started.status, 200, started.text);
    const name: string = started.json.name;
    const event = await sub.next((f) => f.type === 'devices-updated' && f.payload.devices.some((d: any) => d.transport === 'lsl'), 15_000);
    const announced = event.payload.devices.find((d: any) => d.transport === 'lsl');
    assert.equal(announced.id, `lsl:${name}`);
    assert.equal(announced.name, name);
    assert.equal(announced.is_paired, false);
    assert.equal(announced.last_rssi, null);

    const devices = (await ctx.admin.get('/v1/devices')).json;
    const listed = devices.filter((d: any) => d.id === announced.id);
    assert.equal(listed.length, 1);
    assert.equal((await scannerState()).transports.lsl.devices, 1);

    // Paired, it is still one entry, now marked paired (and preferred when set so).
    await ctx.admin.post('/v1/devices/pair', { id: announced.id, name: announced.name });
    const pref = await ctx.admin.post('/v1/devices/set-preferred', { id: announced.id });
    const entry = pref.json.filter((d: any) => d.id === announced.id);
    assert.equal(entry.length, 1);
    assert.equal(entry[0].is_paired, true);
    assert.equal(entry[0].is_preferred, true);
    assert.equal(entry[0].transport, 'lsl');
    await ctx.admin.post('/v1/devices/forget', { id: announced.id });

    // Turned off, LSL streams leave the list.
    await ctx.admin.post('/v1/settings/scanner-config', { lsl: false });
    await sub.next((f) => f.type === 'devices-updated' && !f.payload.devices.some((d: any) => d.transport === 'lsl'), 5_000);
    assert.ok(!(await ctx.admin.get('/v1/devices')).json.some((d: any) => d.id === announced.id));
  } finally {
    await ctx.admin.post('/v1/settings/scanner-config', { lsl: true });
    await ctx.admin.post('/v1/lsl/virtual-source/stop');
    sub.close();
  }
});

test('scopes: a read-only token may read the scanner state but not control it', async () => {
  const res = await ctx.admin.post('/v1/auth/tokens', { name: 'scanner-reader', acl: 'read_only', expiry: 'week' });
  assert.equal(res.status, 200, res.text);
  const reader = client(ctx.daemon.port, res.json.token);
  assert.equal((await reader.get('/v1/control/scanner/state')).status, 200);
  assert.equal((await reader.get('/v1/settings/scanner-config')).status, 200);
  for (const path of ['/v1/control/scanner/stop', '/v1/control/scanner/start', '/v1/settings/scanner-config', '/v1/control/scanner/cortex-config']) {
    assert.equal((await reader.post(path, {})).status, 403, path);
  }
  assert.equal((await scannerState()).running, true, 'still running');
});
