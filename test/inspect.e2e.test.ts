// The Stately inspection protocol: off by default; with --inspect=<url> the daemon connects to
// an inspection WebSocket on 127.0.0.1 and reports its actors (creation, events, snapshots), so
// the Stately visualizer can attach. The receiver here is a bare `ws` server standing in for
// @statelyai/inspect's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ConfigError, loadConfig } from '../actors/config.ts';
import { spawnDaemon } from './helpers/daemonProcess.ts';
import { client } from './helpers/http.ts';

const configWith = (argv: string[], env: Record<string, string> = {}) => loadConfig({ env, argv, homedir: '/tmp/none' });

test('inspection is off unless --inspect or SKILL_INSPECT asks for it, and stays on loopback', () => {
  assert.equal(configWith([]).inspectUrl, null, 'off by default');
  assert.equal(configWith(['--inspect']).inspectUrl, 'ws://127.0.0.1:8080/', '--inspect alone: the standard receiver port');
  assert.equal(configWith(['--inspect=ws://localhost:9999']).inspectUrl, 'ws://localhost:9999/', '--inspect=<url>');
  assert.equal(configWith([], { SKILL_INSPECT: '1' }).inspectUrl, 'ws://127.0.0.1:8080/', 'SKILL_INSPECT=1');
  assert.equal(configWith([], { SKILL_INSPECT: '0' }).inspectUrl, null, 'SKILL_INSPECT=0');
  assert.throws(() => configWith(['--inspect=ws://192.0.2.1:8080']), ConfigError, 'a non-loopback receiver is refused');
  assert.equal(configWith(['--inspect=ws://192.0.2.1:8080', '--allow-remote']).inspectUrl, 'ws://192.0.2.1:8080/', 'unless --allow-remote');
  assert.throws(() => configWith(['--inspect=http://127.0.0.1:8080']), ConfigError, 'only ws:// URLs');
});

test('with --inspect an inspection WebSocket on 127.0.0.1 receives the actor tree and its events', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as AddressInfo).port;
  const messages: any[] = [];
  let onMessage = () => {};
  wss.on('connection', (ws) => ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    onMessage();
  }));
  const waitFor = (what: string, match: (m: any) => boolean, timeoutMs = 15_000) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no inspection event: ${what} (got ${messages.length})`)), timeoutMs);
      const check = () => {
        const hit = messages.find(match);
        if (hit) {
          clearTimeout(timer);
          onMessage = () => {};
          resolve(hit);
        }
      };
      onMessage = check;
      check();
    });

  const daemon = await spawnDaemon({ args: [`--inspect=ws://127.0.0.1:${port}`] });
  try {
    // Stately's actor events carry the actor's id as `name` and its machine as a JSON `definition`.
    const root = await waitFor('the root supervisor created', (m) => m.type === '@xstate.actor' && m.name === 'root');
    assert.match(String(root.definition), /supervising/, 'the root carries its statechart definition');
    await waitFor('the device actor created', (m) => m.type === '@xstate.actor' && m.name === 'device');
    await waitFor('a snapshot', (m) => m.type === '@xstate.snapshot');

    // An event sent to the device actor reaches the inspector as an @xstate.event.
    const admin = client(daemon.port, daemon.token);
    const started = await admin.post('/v1/control/start-session', { target: 'virtual' });
    assert.equal(started.status, 200, `start-session: ${started.text}`);
    const ev = await waitFor('device.start', (m) => m.type === '@xstate.event' && m.event?.type === 'device.start');
    assert.equal(ev.event.type, 'device.start', 'the event as sent');
    assert.equal((await admin.post('/v1/control/cancel-session', {})).status, 200, 'cancel-session');
  } finally {
    const exit = await daemon.stop();
    wss.close();
    assert.equal(exit.code, 0, `daemon exit ${exit.code ?? exit.signal}: ${exit.stderr}`);
  }
});
