// The remote listener's socket: the same uWS request handler and event WebSocket as the local
// server, served over TLS (uWS SSLApp) with the daemon's own certificate.
import uWS from 'uWebSockets.js';
import type { EventsSocket } from './eventsSocket.ts';
import { assertNativeUws, explainListenFailure, type HttpServer } from './server.ts';

export async function listenTls(
  host: string,
  port: number,
  tls: { certFile: string; keyFile: string },
  handler: (res: uWS.HttpResponse, req: uWS.HttpRequest) => void,
  events: EventsSocket,
): Promise<HttpServer> {
  assertNativeUws();
  const app = uWS.SSLApp({ cert_file_name: tls.certFile, key_file_name: tls.keyFile });
  events.attach(app);
  app.any('/*', handler);
  const socket = await new Promise<uWS.us_listen_socket | false>((resolve) => app.listen(host, port, resolve));
  if (!socket) throw await explainListenFailure(host, port);
  return {
    port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket),
    close: () => uWS.us_listen_socket_close(socket),
  };
}
