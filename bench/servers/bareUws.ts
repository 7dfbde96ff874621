// Baseline: the least work uWebSockets.js can do for GET /v1/status — a bearer check and the
// daemon's status object serialized per request. The daemon's overhead is measured against this.
import uWS from 'uWebSockets.js';

const expected = `Bearer ${process.env.BENCH_TOKEN}`;
const status: unknown = JSON.parse(process.env.BENCH_STATUS_JSON ?? '{}');

uWS
  .App()
  .get('/v1/status', (res, req) => {
    if (req.getHeader('authorization') !== expected) {
      res.writeStatus('401 Unauthorized').end('{"error":"unauthorized"}');
      return;
    }
    res.writeHeader('content-type', 'application/json').end(JSON.stringify(status));
  })
  .listen('127.0.0.1', 0, (socket) => {
    if (!socket) {
      process.stderr.write('bare uWS: listen failed\n');
      process.exit(1);
    }
    const port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
    process.stdout.write(`bare uWS listening on http://127.0.0.1:${port}\n`);
  });
