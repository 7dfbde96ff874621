// Where LSL traffic goes, per network mode (protocol doc §2). liblsl's defaults (ResolveScope
// `site`) send discovery to 127.0.0.1, the broadcast address and three multicast groups on port
// 16571, and outlets take their TCP data and UDP service ports from 16572..16603.
//
// `loopback` (SKILL_NETWORK=loopback) keeps everything on 127.0.0.1: sockets bind 127.0.0.1 only,
// nothing joins a multicast group or broadcasts, and discovery is unicast to 127.0.0.1:16571 plus
// every port of the range, which is how liblsl's KnownPeers reach outlets' service sockets. That
// port-range probe is also the reliable way to find *every* outlet on one host, because a unicast
// datagram to 127.0.0.1:16571 reaches only one of the sockets sharing that port (§2.2).
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import { isLoopbackHost, type NetworkMode } from '../../config.ts';

export const MULTICAST_PORT = 16571;
export const BASE_PORT = 16572;
export const PORT_RANGE = 32;
export const BROADCAST_ADDRESS = '255.255.255.255';
/** liblsl's link-scope (224.0.0.1, 224.0.0.183) and site-scope (239.255.172.215) IPv4 groups. */
export const MULTICAST_GROUPS = ['224.0.0.1', '224.0.0.183', '239.255.172.215'];
/** Multicast TTL of liblsl's default `site` scope. */
export const MULTICAST_TTL = 24;
export const LOOPBACK = '127.0.0.1';

export interface Destination {
  address: string;
  port: number;
}

/** The address outlets and resolvers bind: 127.0.0.1 in loopback mode, all interfaces on a LAN. */
export function bindAddress(network: NetworkMode): string {
  return network === 'loopback' ? LOOPBACK : '0.0.0.0';
}

export function portRange(): number[] {
  return Array.from({ length: PORT_RANGE }, (_, i) => BASE_PORT + i);
}

/**
 * Unicast destinations of one query wave: the machine address on the discovery port, and every
 * port of the range on 127.0.0.1 and on each known peer. Multicast and broadcast are separate
 * (`lan` only) because they need per-interface sends.
 */
export function unicastDestinations(peerAddresses: string[]): Destination[] {
  const hosts = [...new Set([LOOPBACK, ...peerAddresses])];
  return [
    { address: LOOPBACK, port: MULTICAST_PORT },
    ...hosts.flatMap((address) => portRange().map((port) => ({ address, port }))),
  ];
}

/** Multicast and broadcast destinations; none in loopback mode. */
export function groupDestinations(network: NetworkMode): Destination[] {
  if (network === 'loopback') return [];
  return [BROADCAST_ADDRESS, ...MULTICAST_GROUPS].map((address) => ({ address, port: MULTICAST_PORT }));
}

/**
 * Known peers as IPv4 addresses. In loopback mode only peers that are this machine are kept
 * (a peer elsewhere would be a query leaving 127.0.0.1); names are looked up, failures dropped.
 */
export async function peerAddresses(network: NetworkMode, knownPeers: string[] = []): Promise<string[]> {
  const out = new Set<string>();
  for (const peer of knownPeers) {
    const host = peer.trim().replace(/^\[|\]$/g, '');
    if (!host) continue;
    if (network === 'loopback') {
      if (isLoopbackHost(host)) out.add(net.isIPv4(host) ? host : LOOPBACK);
      continue;
    }
    if (net.isIPv4(host)) out.add(host);
    else if (isLoopbackHost(host)) out.add(LOOPBACK);
    else {
      try {
        const { address } = await dns.lookup(host, { family: 4 });
        out.add(address);
      } catch {
        // An unreachable peer name is not an error for discovery: it just finds nothing there.
      }
    }
  }
  return [...out];
}

/** IPv4 addresses of the local interfaces: multicast is joined and sent on each of them. */
export function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4')
    .map((a) => a.address);
}

// ---------------------------------------------------------------------------------------------
// Binding in the port range

export function bindUdp(socket: dgram.Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      socket.off('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind(port, address);
  });
}

const PORT_TAKEN = new Set(['EADDRINUSE', 'EACCES']);

/** A UDP socket on the first free port of 16572..16603, else any port (liblsl's AllowRandomPorts). */
export async function bindUdpInRange(address: string): Promise<dgram.Socket> {
  for (const port of [...portRange(), 0]) {
    const socket = dgram.createSocket({ type: 'udp4' });
    try {
      await bindUdp(socket, port, address);
      return socket;
    } catch (err) {
      socket.close();
      if (!PORT_TAKEN.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  throw new Error('no UDP port available');
}

/** Listens on the first free TCP port of 16572..16603, else any port. Returns the port. */
export async function listenTcpInRange(server: net.Server, address: string): Promise<number> {
  for (const port of [...portRange(), 0]) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host: address, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const bound = server.address();
      return typeof bound === 'object' && bound ? bound.port : port;
    } catch (err) {
      if (!PORT_TAKEN.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  throw new Error('no TCP port available');
}

/** Sends one datagram; errors (no route to a group in a bare namespace, …) are reported, not thrown. */
export function sendDatagram(socket: dgram.Socket, message: Buffer, to: Destination): Promise<Error | null> {
  return new Promise((resolve) => {
    try {
      socket.send(message, to.port, to.address, (err) => resolve(err ?? null));
    } catch (err) {
      resolve(err as Error);
    }
  });
}
