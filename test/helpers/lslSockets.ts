// Raw socket exchanges for LSL tests: send exact bytes to an outlet's TCP or UDP port and
// collect exactly what comes back, including "nothing" and who closed the connection.
import dgram from 'node:dgram';
import net from 'node:net';

export interface TcpExchange {
  response: Buffer;
  /** True if the outlet closed (FIN) before `waitMs` ran out. */
  closedByServer: boolean;
}

/** Sends `request`, reads until the server closes or `waitMs` passes, then closes. */
export function tcpExchange(port: number, request: Buffer | string, waitMs = 400, host = '127.0.0.1'): Promise<TcpExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: Buffer.concat(chunks), closedByServer });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => done(true));
    socket.on('error', (err) => (settled ? undefined : reject(err)));
  });
}

/** Reads from a TCP socket until `predicate(bytes)` holds or `waitMs` passes. */
export function tcpUntil(port: number, request: string, predicate: (b: Buffer) => boolean, waitMs = 2000): Promise<{ socket: net.Socket; data: () => Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const data = () => Buffer.concat(chunks);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`condition not met within ${waitMs} ms (${data().length} bytes)`));
    }, waitMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (c) => {
      chunks.push(c);
      if (predicate(data())) {
        clearTimeout(timer);
        resolve({ socket, data });
      }
    });
    socket.on('error', reject);
  });
}

export interface UdpReply {
  message: Buffer;
  fromPort: number;
}

/**
 * Sends `payload(port)` (the payload may name the port it listens on, as LSL queries do) and
 * collects replies until `expected` arrived or `waitMs` passed.
 */
export async function udpExchange(
  toPort: number,
  payload: (ownPort: number) => Buffer,
  { waitMs = 300, expected = Infinity }: { waitMs?: number; expected?: number } = {},
): Promise<UdpReply[]> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const replies: UdpReply[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    socket.on('message', (message, rinfo) => {
      replies.push({ message, fromPort: rinfo.port });
      if (replies.length >= expected) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.send(payload(socket.address().port), toPort, '127.0.0.1');
  });
  socket.close();
  return replies;
}
