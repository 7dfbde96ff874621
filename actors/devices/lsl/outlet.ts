// An LSL outlet that liblsl inlets (LabRecorder, viewers, pylsl) and our own inlet can find and
// read (protocol doc §9). It owns:
//   - a TCP data server on the first free port of 16572..16603: fullinfo, shortinfo, stream feeds;
//   - a UDP service socket in the same range: shortinfo queries (known peers and our port-range
//     probe) and `LSL:timedata` probes for time correction;
//   - a UDP discovery responder on 16571, shared with other outlets (address reuse): on 127.0.0.1
//     only in loopback mode; on all interfaces, joined to liblsl's multicast groups, on a LAN.
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { NetworkMode } from '../../config.ts';
import type { ChannelFormat } from './channelFormat.ts';
import { lslLocalClock } from './clock.ts';
import { buildShortinfoReply, datagramMethod, parseShortinfoQuery } from './discoveryMessages.ts';
import {
  bindAddress,
  bindUdp,
  bindUdpInRange,
  interfaceAddresses,
  listenTcpInRange,
  MULTICAST_GROUPS,
  MULTICAST_PORT,
} from './networkScope.ts';
import { serveOutletConnection } from './outletConnection.ts';
import type { OutletFeed, OutletSample } from './outletFeed.ts';
import { predicateMatches } from './predicate.ts';
import type { OutgoingValues } from './sampleCodec.ts';
import {
  channelsDesc,
  DEFAULT_SESSION_ID,
  fullInfoXml,
  PROTOCOL_VERSION,
  shortInfoXml,
  streamInfoElement,
  type StreamInfo,
} from './streamInfo.ts';
import { buildTimeReply, parseTimeProbe } from './timeProbe.ts';
import type { XmlElement } from './xmlTree.ts';

export interface LslOutletOptions {
  name: string;
  type: string;
  channelCount: number;
  /** Samples per second; 0 for an irregular stream (markers). */
  nominalSrate: number;
  channelFormat: ChannelFormat;
  /** Stable across restarts of the same source, so inlets can recover (§7). */
  sourceId: string;
  /**
   * Written to `desc/channels/channel/label` (XDF convention), each with `channelUnit` and
   * `channelType`; without labels the desc describes no channels (and so no units either).
   */
  channelLabels?: string[];
  /** Default `microvolts`. */
  channelUnit?: string;
  /** Default: the stream type. */
  channelType?: string;
  manufacturer?: string;
  /** A complete `<desc>` element instead of the one built from the channel options. */
  desc?: XmlElement;
  network: NetworkMode;
  sessionId?: string;
}

export interface OutletEndpoint {
  role: 'data' | 'service' | 'discovery';
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
}

const QUERY_CACHE_SIZE = 128;

export class LslOutlet {
  private readonly options: LslOutletOptions;
  private readonly feeds = new Map<net.Socket, OutletFeed>();
  private readonly sockets = new Set<net.Socket>();
  private readonly queryCache = new Map<string, boolean>();
  private server: net.Server | null = null;
  private service: dgram.Socket | null = null;
  private responder: dgram.Socket | null = null;
  private infoValue: StreamInfo;
  private fullXml = '';
  private shortXml = '';
  private infoElement: XmlElement | null = null;
  private joinedGroups: string[] = [];
  private state: 'new' | 'starting' | 'open' | 'closed' = 'new';

  constructor(options: LslOutletOptions) {
    if (!options.name) throw new Error('an LSL stream needs a name');
    if (!Number.isInteger(options.channelCount) || options.channelCount < 1) throw new Error('channelCount must be a positive integer');
    if (!(options.nominalSrate >= 0)) throw new Error('nominalSrate must be 0 (irregular) or positive');
    this.options = options;
    const desc =
      options.desc ??
      channelsDesc(options.channelLabels ?? [], options.channelUnit ?? 'microvolts', options.channelType ?? options.type, options.manufacturer);
    this.infoValue = {
      name: options.name,
      type: options.type,
      channelCount: options.channelCount,
      channelFormat: options.channelFormat,
      sourceId: options.sourceId,
      nominalSrate: options.nominalSrate,
      version: PROTOCOL_VERSION,
      createdAt: lslLocalClock(),
      uid: randomUUID(),
      sessionId: options.sessionId ?? DEFAULT_SESSION_ID,
      hostname: os.hostname(),
      v4address: '',
      v4dataPort: 0,
      v4servicePort: 0,
      v6address: '',
      v6dataPort: 0,
      v6servicePort: 0,
      desc,
    };
  }

  /** The info as announced (ports are set once `start` resolved). */
  get info(): StreamInfo {
    return this.infoValue;
  }

  /** Inlets currently receiving samples. */
  get consumerCount(): number {
    return this.feeds.size;
  }

  /** Every socket the outlet bound: tests check that loopback mode bound 127.0.0.1 only. */
  get endpoints(): OutletEndpoint[] {
    const out: OutletEndpoint[] = [];
    const tcp = this.server?.address();
    if (tcp && typeof tcp === 'object') out.push({ role: 'data', protocol: 'tcp', address: tcp.address, port: tcp.port });
    for (const [role, socket] of [['service', this.service], ['discovery', this.responder]] as const) {
      if (!socket) continue;
      const a = socket.address();
      out.push({ role, protocol: 'udp', address: a.address, port: a.port });
    }
    return out;
  }

  /** Multicast groups joined (`group@interface`); always empty in loopback mode. */
  get multicastMemberships(): string[] {
    return [...this.joinedGroups];
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`outlet already ${this.state}`);
    this.state = 'starting';
    const address = bindAddress(this.options.network);
    try {
      const server = net.createServer((socket) => this.accept(socket));
      this.server = server;
      const dataPort = await listenTcpInRange(server, address);
      const service = await bindUdpInRange(address);
      this.service = service;
      service.on('error', () => undefined);
      this.infoValue = { ...this.infoValue, v4dataPort: dataPort, v4servicePort: service.address().port };
      this.fullXml = fullInfoXml(this.infoValue);
      this.shortXml = shortInfoXml(this.infoValue);
      this.infoElement = streamInfoElement(this.infoValue, true);
      // Listening only once the info carries its ports: no reply may announce port 0.
      service.on('message', (msg, rinfo) => this.onDatagram(service, msg, rinfo, true));
      this.responder = await this.openResponder(address);
    } catch (err) {
      await this.close();
      throw err;
    }
    if (this.state === 'starting') this.state = 'open';
  }

  /**
   * Pushes samples, sample-major: `samples[i][c]` is channel c of sample i (one row per sample, as
   * liblsl's multiplexed push_chunk). Timestamps are LSL clock seconds (`lslLocalClock()`):
   *   - omitted: the last sample is stamped now;
   *   - one number: the timestamp of the *last* sample; earlier ones are spaced 1/nominalSrate
   *     before it. The first goes out with its timestamp, the rest as deduced (tag 1);
   *   - one number per sample: every sample carries its own timestamp (tag 2).
   */
  push(samples: ReadonlyArray<OutgoingValues>, timestamp?: number | ArrayLike<number>): void {
    if (this.state === 'closed') throw new Error('outlet is closed');
    if (samples.length === 0) return;
    for (const row of samples) {
      if (row.length !== this.infoValue.channelCount) {
        throw new Error(`sample has ${row.length} values, stream has ${this.infoValue.channelCount} channels`);
      }
    }
    const n = samples.length;
    const srate = this.infoValue.nominalSrate;
    let stamped: OutletSample[];
    if (typeof timestamp === 'object') {
      if (timestamp.length !== n) throw new Error(`${timestamp.length} timestamps for ${n} samples`);
      stamped = samples.map((values, i) => ({ timestamp: timestamp[i] ?? 0, deduced: false, values }));
    } else {
      const last = timestamp ?? lslLocalClock();
      const step = srate > 0 ? 1 / srate : 0;
      const first = last - (n - 1) * step;
      stamped = samples.map((values, i) => ({ timestamp: first + i * step, deduced: i > 0, values }));
    }
    if (this.feeds.size === 0) return;
    const memo = new Map<string, Buffer>();
    for (const feed of this.feeds.values()) feed.send(stamped, memo);
  }

  /** One sample with its own timestamp (now if omitted). */
  pushSample(values: OutgoingValues, timestamp: number = lslLocalClock()): void {
    this.push([values], [timestamp]);
  }

  /** Closes every connection (inlets see a FIN, as when a liblsl outlet is destroyed) and socket. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
    for (const socket of this.sockets) {
      socket.end();
      // A peer that does not read would keep the socket half-open; do not wait for it.
      setTimeout(() => socket.destroy(), 1000).unref();
    }
    const closeUdp = (socket: dgram.Socket | null) =>
      new Promise<void>((resolve) => {
        if (!socket) return resolve();
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
    const server = this.server;
    await Promise.all([
      new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve())),
      closeUdp(this.service),
      closeUdp(this.responder),
    ]);
    this.server = null;
    this.service = null;
    this.responder = null;
  }

  // -------------------------------------------------------------------------------------------

  private async openResponder(address: string): Promise<dgram.Socket | null> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    try {
      await bindUdp(socket, MULTICAST_PORT, address);
    } catch {
      // Another program holding 16571 without address reuse: the service socket still answers
      // port-range and known-peer queries, so the outlet stays discoverable that way.
      socket.close();
      return null;
    }
    socket.on('error', () => undefined);
    socket.on('message', (msg, rinfo) => this.onDatagram(socket, msg, rinfo, false));
    if (this.options.network === 'lan') {
      for (const group of MULTICAST_GROUPS) {
        for (const iface of interfaceAddresses()) {
          try {
            socket.addMembership(group, iface);
            this.joinedGroups.push(`${group}@${iface}`);
          } catch {
            // Interfaces without multicast (or 224.0.0.1, which every host is in already).
          }
        }
      }
    }
    return socket;
  }

  private accept(socket: net.Socket): void {
    if (this.state === 'closed') {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.feeds.get(socket)?.close();
      this.feeds.delete(socket);
    });
    serveOutletConnection(socket, this);
  }

  /** Part of the connection host interface: a feed that finished its preamble. */
  attach(feed: OutletFeed, socket: net.Socket): void {
    if (this.state === 'closed' || socket.destroyed) return;
    this.feeds.set(socket, feed);
  }

  get fullInfoXml(): string {
    return this.fullXml;
  }

  get shortInfoXml(): string {
    return this.shortXml;
  }

  /** Predicates are evaluated against the full info (desc included), results cached per text. */
  matches(predicate: string): boolean {
    const cached = this.queryCache.get(predicate);
    if (cached !== undefined) return cached;
    const result = this.infoElement ? predicateMatches(predicate, this.infoElement) : false;
    if (this.queryCache.size >= QUERY_CACHE_SIZE) this.queryCache.clear();
    this.queryCache.set(predicate, result);
    return result;
  }

  private onDatagram(socket: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo, isService: boolean): void {
    const received = lslLocalClock();
    if (this.state === 'closed') return;
    const method = datagramMethod(msg);
    if (method === 'LSL:shortinfo') {
      const query = parseShortinfoQuery(msg);
      if (!query || !this.matches(query.predicate)) return;
      // The reply goes to the query's source address but the announced return port.
      socket.send(buildShortinfoReply(query.queryId, this.shortXml), query.returnPort, rinfo.address, () => undefined);
      return;
    }
    // Time probes are answered on the service port only, back to the probe's own port.
    if (method === 'LSL:timedata' && isService) {
      const probe = parseTimeProbe(msg);
      if (!probe) return;
      const reply = buildTimeReply({ ...probe, t1: received, t2: lslLocalClock() });
      socket.send(reply, rinfo.port, rinfo.address, () => undefined);
    }
  }
}
