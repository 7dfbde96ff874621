// The uWebSockets.js server: the only place that creates the app and binds the socket.
import net from 'node:net';
import uWS from 'uWebSockets.js';
import type { EventsSocket } from './eventsSocket.ts';

export class ListenError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** The package silently falls back to a slow pure-JS server if its native addon fails to load. */
export function assertNativeUws(): void {
  if (!String(uWS.App).includes('[native code]')) {
    throw new Error('uWebSockets.js native addon did not load (the JS fallback is not supported); reinstall with npm ci');
  }
}

export interface HttpServer {
  port: number;
  close(): void;
}

/** Serves `handler` and the event WebSocket on host:port; over TLS with the given certificate and key files. */
export async function listen(
  host: string,
  port: number,
  handler: (res: uWS.HttpResponse, req: uWS.HttpRequest) => void,
  events: EventsSocket,
  tls?: { certFile: string; keyFile: string },
): Promise<HttpServer> {
  assertNativeUws();
  const app = tls ? uWS.SSLApp({ cert_file_name: tls.certFile, key_file_name: tls.keyFile }) : uWS.App();
  events.attach(app);
  app.any('/*', handler);
  const socket = await new Promise<uWS.us_listen_socket | false>((resolve) => app.listen(host, port, resolve));
  if (!socket) throw await explainListenFailure(host, port);
  return {
    port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket),
    close: () => uWS.us_listen_socket_close(socket),
  };
}

/** uWS only says "false": ask the OS, with a throwaway Node socket, why the bind fails. */
export async function explainListenFailure(host: string, port: number): Promise<ListenError> {
  const code = await new Promise<string>((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'UNKNOWN'));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve('UNKNOWN')));
  });
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const why: Record<string, string> = {
    EADDRINUSE: `address ${where} is already in use (is another skill-daemon running?). Stop it, or set SKILL_DAEMON_ADDR to another port (port 0 picks a free one).`,
    EACCES: `permission denied binding ${where}; use a port ≥ 1024.`,
    EADDRNOTAVAIL: `address ${where} is not available on this machine.`,
  };
  return new ListenError(why[code] ?? `could not listen on ${where} (${code})`, code);
}
