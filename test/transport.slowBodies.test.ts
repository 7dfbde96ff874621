// Slow uploads (slowloris): a client that trickles its body is answered 408 and disconnected once
// the body deadline passes (SKILL_BODY_DEADLINE_MS, shortened here), while other clients are
// served; an upload that is slow but in time still goes through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { useDaemon } from './helpers/daemonProcess.ts';
import { call } from './helpers/http.ts';

const DEADLINE_MS = 800;
const ctx = useDaemon({ env: { SKILL_BODY_DEADLINE_MS: String(DEADLINE_MS) } });

/** Sends the head of a POST and then one body byte every `everyMs`; resolves with what came back once the server closes. */
function trickle(port: number, token: string, everyMs: number): Promise<{ reply: string; closedAfterMs: number; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(`POST /v1/labels HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
      timer = setInterval(() => {
        if (socket.writable) (socket.write(' '), sent++);
      }, everyMs);
    });
    socket.on('data', (d: string) => (reply += d));
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ reply, closedAfterMs: Date.now() - started, bytesSent: sent });
    });
    socket.on('error', (err) => (reply ? undefined : reject(err)));
    setTimeout(() => socket.destroy(), 15_000).unref();
  });
}

test('trickled bodies get 408 and are cut off; the daemon serves others meanwhile', async () => {
  const clients = Array.from({ length: 40 }, () => trickle(ctx.daemon.port, ctx.daemon.token, 100));
  const health = await call(ctx.daemon.port, 'GET', '/healthz');
  assert.equal(health.status, 200, 'served while 40 uploads trickle');
  const results = await Promise.all(clients);
  for (const r of results) {
    assert.match(r.reply, /^HTTP\/1\.1 408 /, `a 408 for the trickling client: ${r.reply.slice(0, 80)}`);
    assert.match(r.reply, /"code":"request_timeout"/, 'in the error shape');
    assert.ok(r.closedAfterMs < 10_000, `the connection was closed (after ${r.closedAfterMs} ms), not held until the client gave up`);
  }
  assert.deepEqual((await ctx.admin.get('/v1/labels')).json, [], 'nothing was created');
});

test('a slow upload that finishes in time is served', async () => {
  const body = JSON.stringify({ text: 'slow but in time' });
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(ctx.daemon.port, '127.0.0.1');
    let out = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(`POST /v1/labels HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ctx.daemon.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`);
      setTimeout(() => socket.write(body.slice(5)), DEADLINE_MS / 4);
    });
    socket.on('data', (d: string) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 200 /, `served: ${reply.slice(0, 120)}`);
});
