// Discovery: find outlets by sending `LSL:shortinfo` queries over UDP and collecting the replies
// (protocol doc §3, §10 step 1). One query wave goes out immediately and then every 500 ms, as
// liblsl's fast-mode resolver does; replies are keyed by uid, and each stream's address is the
// source address of its first reply (outlets leave <v4address> empty).
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import type { NetworkMode } from '../../config.ts';
import { buildShortinfoQuery, parseShortinfoReply } from './discoveryMessages.ts';
import {
  bindAddress,
  bindUdp,
  groupDestinations,
  interfaceAddresses,
  MULTICAST_TTL,
  peerAddresses,
  sendDatagram,
  unicastDestinations,
} from './networkScope.ts';
import { equalsTerm } from './predicate.ts';
import { DEFAULT_SESSION_ID, parseStreamInfo, type StreamInfo } from './streamInfo.ts';

const WAVE_INTERVAL_MS = 500;

export interface ResolveOptions {
  /** XPath predicate over the stream info, e.g. `name='Muse' and type='EEG'`. Empty: every stream. */
  predicate?: string;
  /**
   * Session the stream must belong to, added as `session_id='…' and …` like liblsl's resolve
   * functions do. null sends the predicate alone (inlet recovery does that).
   */
  sessionId?: string | null;
  timeoutMs: number;
  network: NetworkMode;
  /** Hosts that also get unicast queries on every port of the range (liblsl's KnownPeers). */
  knownPeers?: string[];
  /** Return as soon as this many accepted streams answered; otherwise wait the whole timeout. */
  minimum?: number;
  /** Local filter on replies (outlets already applied the predicate). */
  accept?: (info: StreamInfo) => boolean;
  signal?: AbortSignal;
}

/** The predicate put on the wire: liblsl's `session_id='default' and <predicate>`. */
export function queryPredicate(predicate: string | undefined, sessionId: string | null): string {
  const user = (predicate ?? '').trim();
  if (sessionId === null) return user;
  const session = equalsTerm('session_id', sessionId);
  if (!user) return session;
  // liblsl joins without parentheses; a user `or` would then escape the session term.
  return /\bor\b/.test(user) ? `${session} and (${user})` : `${session} and ${user}`;
}

/** `name='x' and type='y'` from the non-empty properties, for callers that resolve by property. */
export function propertyPredicate(properties: Record<string, string | undefined>): string {
  return Object.entries(properties)
    .filter((entry): entry is [string, string] => Boolean(entry[1]))
    .map(([field, value]) => equalsTerm(field, value))
    .join(' and ');
}

/** Streams that answered within `timeoutMs`, in order of first reply. */
export async function resolveStreams(options: ResolveOptions): Promise<StreamInfo[]> {
  const { network, timeoutMs, minimum, accept, signal } = options;
  signal?.throwIfAborted();
  const peers = await peerAddresses(network, options.knownPeers);
  const socket = dgram.createSocket({ type: 'udp4' });
  socket.on('error', () => undefined); // a failed send to one destination must not end the resolve
  await bindUdp(socket, 0, bindAddress(network));
  if (network === 'lan') {
    socket.setBroadcast(true);
    socket.setMulticastTTL(MULTICAST_TTL);
    socket.setMulticastLoopback(true);
  }
  const queryId = randomBytes(8).readBigUInt64LE().toString();
  const query = buildShortinfoQuery({
    predicate: queryPredicate(options.predicate, options.sessionId === undefined ? DEFAULT_SESSION_ID : options.sessionId),
    returnPort: socket.address().port,
    queryId,
  });

  const found = new Map<string, StreamInfo>();
  const accepted: StreamInfo[] = [];
  return new Promise<StreamInfo[]>((resolve, reject) => {
    let finished = false;
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      clearInterval(waves);
      signal?.removeEventListener('abort', onAbort);
      socket.close();
      if (error) reject(error);
      else resolve(accepted);
    };
    const onAbort = () => finish(signal?.reason ?? new Error('resolve aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });

    socket.on('message', (datagram, rinfo) => {
      const reply = parseShortinfoReply(datagram);
      // Our own reply socket can receive other resolvers' queries; only our id counts.
      if (!reply || reply.queryId !== queryId) return;
      let info: StreamInfo;
      try {
        info = parseStreamInfo(reply.xml);
      } catch {
        return; // an info liblsl would reject is not a stream we can use
      }
      if (found.has(info.uid)) return;
      info.v4address = rinfo.address;
      found.set(info.uid, info);
      if (accept && !accept(info)) return;
      accepted.push(info);
      if (minimum !== undefined && accepted.length >= minimum) finish();
    });

    const sendWave = async () => {
      for (const to of unicastDestinations(peers)) {
        if (finished) return;
        await sendDatagram(socket, query, to);
      }
      const groups = groupDestinations(network);
      if (groups.length === 0) return;
      // Multicast leaves through one interface per send, so the wave goes out on each of them.
      for (const iface of interfaceAddresses()) {
        if (finished) return;
        try {
          socket.setMulticastInterface(iface);
        } catch {
          continue;
        }
        for (const to of groups) if (!finished) await sendDatagram(socket, query, to);
      }
    };
    const waves = setInterval(() => void sendWave(), WAVE_INTERVAL_MS);
    const deadline = setTimeout(() => finish(), timeoutMs);
    void sendWave();
  });
}
