// One TCP connection to our outlet's data port (protocol doc §6.1): dispatch on the first line,
// answer `LSL:fullinfo` / `LSL:shortinfo` and close, or negotiate a stream feed (1.10, or the
// legacy 1.00 request) and hand the socket to an OutletFeed. liblsl's quirks are kept on purpose
// so liblsl inlets and our tests see the same outlet: a 1.10 request without any header line gets
// no answer, error status lines have no CRLF, `Max-Buffer-Length: 0` closes after the patterns.
import type net from 'node:net';
import { decideFeed, parseFeedRequest } from './feedHandshake.ts';
import { feedPreamble, OutletFeed, type FeedParameters } from './outletFeed.ts';
import type { StreamInfo } from './streamInfo.ts';

export interface OutletConnectionHost {
  readonly info: StreamInfo;
  readonly fullInfoXml: string;
  readonly shortInfoXml: string;
  matches(predicate: string): boolean;
  attach(feed: OutletFeed, socket: net.Socket): void;
}

/** A handshake that never completes (liblsl would wait forever) is dropped after this long. */
const HANDSHAKE_TIMEOUT_MS = 30_000;
const MAX_REQUEST_BYTES = 64 * 1024;

export function serveOutletConnection(socket: net.Socket, host: OutletConnectionHost): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let pending = Buffer.alloc(0);
  let dispatched = false;
  const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
  timer.unref();

  const onData = (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    if (pending.length > MAX_REQUEST_BYTES) return done(() => socket.destroy());
    const firstEol = pending.indexOf('\r\n');
    if (firstEol < 0) return;
    const text = pending.toString('latin1');
    const method = text.slice(0, text.indexOf('\n')).trim();
    const rest = text.slice(firstEol + 2);

    if (method === 'LSL:fullinfo') return done(() => socket.end(host.fullInfoXml));
    if (method === 'LSL:shortinfo') {
      const eol = rest.indexOf('\r\n');
      if (eol < 0) return;
      const predicate = rest.slice(0, rest.indexOf('\n')).trim();
      return done(() => (host.matches(predicate) ? socket.end(host.shortInfoXml) : socket.end()));
    }
    if (method === 'LSL:streamfeed') {
      // Protocol 1.00: one line "<max_buflen> <max_chunklen>", no text response at all.
      const eol = rest.indexOf('\r\n');
      if (eol < 0) return;
      const [buflen, chunklen] = rest.slice(0, eol).trim().split(/\s+/).map((n) => Number.parseInt(n, 10));
      const params: FeedParameters = {
        dataProtocol: 100,
        littleEndian: true,
        suppressSubnormals: false,
        maxBufferLength: Math.max(0, buflen || 0),
        maxChunkLength: Math.max(0, chunklen || 0),
      };
      return done(() => startFeed(socket, host, params, false));
    }
    if (method.startsWith('LSL:streamfeed/')) {
      // The header block ends at a blank line *after* the request line's own CRLF.
      const end = rest.indexOf('\r\n\r\n');
      if (end < 0) return;
      const request = parseFeedRequest(method, rest.slice(0, end + 2));
      if (!request) return done(() => socket.destroy());
      const decision = decideFeed(request, host.info);
      if (!decision.ok) return done(() => socket.end(decision.status));
      return done(() => startFeed(socket, host, decision, true));
    }
    return done(() => socket.destroy());
  };

  const done = (action: () => void) => {
    dispatched = true;
    clearTimeout(timer);
    socket.off('data', onData);
    action();
  };

  socket.on('data', onData);
  socket.on('close', () => {
    if (!dispatched) clearTimeout(timer);
  });
}

function startFeed(socket: net.Socket, host: OutletConnectionHost, params: FeedParameters, textHeader: boolean): void {
  if (params.maxBufferLength === 0) {
    socket.end(feedPreamble(host.info, params, textHeader));
    return;
  }
  socket.write(feedPreamble(host.info, params, textHeader));
  // Registered only after the preamble: samples pushed earlier are never sent (§6.7).
  host.attach(new OutletFeed(socket, host.info, params), socket);
  // The inlet sends nothing more; reading keeps the socket flowing so a FIN is noticed.
  socket.resume();
}
