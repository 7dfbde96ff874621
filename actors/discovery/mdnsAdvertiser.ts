// Announces the daemon as `_skill._tcp` over multicast DNS, which the reference's CLIs browse
// for (notes §1.5; its daemon only kept the constants). TXT carries what a client needs before
// its first request: the port, the daemon version, the protocol version and the body format.
//
// Under SKILL_NETWORK=loopback the responder is confined to 127.0.0.1: multicast goes out on the
// loopback interface only (`interface`), the group is joined there only, and the only address
// record is 127.0.0.1. The socket itself is bound to 0.0.0.0:5353 because Linux does not hand
// multicast datagrams to a socket bound to a unicast address; bound that way it may hear
// queries from elsewhere, but every answer still leaves through loopback.
import dgram from 'node:dgram';
import os from 'node:os';
import type { Bonjour, Service } from 'bonjour-service';
import type { NetworkMode } from '../config.ts';

export const MDNS_SERVICE_TYPE = 'skill';

export interface MdnsAdvertiserOptions {
  port: number;
  version: string;
  protocolVersion: number;
  network: NetworkMode;
  log: { info(source: string, message: string): void; warn(source: string, message: string): void };
}

export interface MdnsAdvertisement {
  /** The instance name, `skill-daemon-<host>-<port>` (unique per daemon, so probing finds no clash). */
  name: string;
  stop(): Promise<void>;
}

export function advertiseMdns(opts: MdnsAdvertiserOptions): MdnsAdvertisement {
  const name = `skill-daemon-${os.hostname().replaceAll('.', '-')}-${opts.port}`;
  const warn = (err: unknown) => opts.log.warn('mdns', `mDNS: ${(err as Error)?.message ?? String(err)}`);
  // bonjour-service and its DNS codec are loaded here rather than at start-up: they are a fifth
  // of what the daemon would parse before it can answer, for a responder that may be turned off.
  const started = import('bonjour-service').then(
    ({ Bonjour }) => publish(Bonjour, name, opts, warn),
    (err: unknown) => {
      warn(err);
      return null;
    },
  );
  let stopped: Promise<void> | null = null;
  return {
    name,
    stop: () =>
      (stopped ??= started.then((bonjour) => new Promise<void>((resolve) => {
        if (!bonjour) return resolve();
        // The goodbye (TTL 0) packet goes out before the socket closes; bounded in case it never does.
        const timer = setTimeout(resolve, 1_000);
        bonjour.unpublishAll(() => bonjour.destroy(() => {
          clearTimeout(timer);
          resolve();
        }));
      }))),
  };
}

function publish(BonjourClass: typeof Bonjour, name: string, opts: MdnsAdvertiserOptions, warn: (err: unknown) => void): Bonjour {
  const loopback = opts.network === 'loopback';
  // `interface`, `bind` and `socket` reach multicast-dns but are missing from bonjour-service's types.
  const socketOptions = loopback ? { interface: '127.0.0.1', bind: '0.0.0.0', socket: loopbackSocket(warn) } : {};
  const bonjour = new BonjourClass(socketOptions as object, warn);
  // multicast-dns emits 'error' for EACCES/EADDRINUSE; without a listener that would crash the daemon.
  (bonjour as unknown as { server: { mdns: NodeJS.EventEmitter } }).server.mdns.on('error', warn);

  const service: Service = bonjour.publish({
    name,
    type: MDNS_SERVICE_TYPE,
    protocol: 'tcp',
    port: opts.port,
    disableIPv6: loopback,
    txt: { port: String(opts.port), version: opts.version, protocol: String(opts.protocolVersion), format: 'json' },
  });
  service.on('error', warn);
  if (loopback) {
    // bonjour-service lists every non-internal interface address; on loopback only 127.0.0.1 is true.
    const records = service.records.bind(service);
    service.records = () => [...records().filter((r) => r.type !== 'A' && r.type !== 'AAAA'), { name: service.host, type: 'A', ttl: 120, data: '127.0.0.1' }];
  }
  opts.log.info('mdns', `advertising _${MDNS_SERVICE_TYPE}._tcp "${name}" on port ${opts.port}${loopback ? ' (loopback only)' : ''}`);
  return bonjour;
}

/**
 * multicast-dns picks the outgoing interface only after joining the group succeeds; if the join
 * failed, its packets would leave by the default route. This socket is pinned to loopback as soon
 * as it is bound, before anything is sent, and closed if that cannot be done.
 */
function loopbackSocket(warn: (err: unknown) => void): dgram.Socket {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  socket.once('listening', () => {
    try {
      socket.setMulticastInterface('127.0.0.1');
    } catch (err) {
      warn(err);
      socket.close();
    }
  });
  return socket;
}
