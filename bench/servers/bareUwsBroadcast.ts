// Baseline for the WebSocket fan-out: the least work uWebSockets.js can do to broadcast the
// daemon's EegBands payload — on a timer, stamp the envelope with Date.now() as the daemon's
// event bus does, serialise it once to UTF-8 bytes and send those to every open socket. No
// auth, no filters, no per-client queues, no signal pipeline.
//
// BENCH_PAYLOAD_FILE: a captured EegBands frame (its payload is replayed); BENCH_INTERVAL_MS:
// the time between events, matched to the daemon's rate in the same run. GET /send-loop-ms
// answers how long each broadcast's loop over the sockets took (only broadcasts that reached
// BENCH_CLIENTS sockets, default 100), so the benchmark can tell the sender's share.
import fs from 'node:fs';
import uWS from 'uWebSockets.js';

const frame = JSON.parse(fs.readFileSync(process.env.BENCH_PAYLOAD_FILE ?? '', 'utf8')) as { type: string; payload: unknown };
const intervalMs = Number(process.env.BENCH_INTERVAL_MS ?? 250);
const clients = Number(process.env.BENCH_CLIENTS ?? 100);
const sockets = new Set<uWS.WebSocket<unknown>>();
let loopMs: number[] = [];

setInterval(() => {
  if (sockets.size === 0) return;
  const bytes = Buffer.from(JSON.stringify({ type: frame.type, ts_unix_ms: Date.now(), correlation_id: null, payload: frame.payload }));
  const started = performance.now();
  for (const ws of sockets) ws.send(bytes, false);
  if (sockets.size === clients) loopMs.push(performance.now() - started);
}, intervalMs);

uWS
  .App()
  .get('/send-loop-ms', (res) => {
    res.writeHeader('content-type', 'application/json').end(JSON.stringify(loopMs));
    loopMs = [];
  })
  .ws('/v1/events', {
    maxPayloadLength: 64 * 1024,
    idleTimeout: 120,
    open: (ws) => void sockets.add(ws),
    close: (ws) => void sockets.delete(ws),
  })
  .listen('127.0.0.1', 0, (socket) => {
    if (!socket) {
      process.stderr.write('bare uWS broadcast: listen failed\n');
      process.exit(1);
    }
    const port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
    process.stdout.write(`bare uWS broadcast listening on http://127.0.0.1:${port}\n`);
  });
