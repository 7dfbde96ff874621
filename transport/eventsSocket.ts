// The `/v1/events` WebSocket hub. Each event is serialised once and offered to every client,
// as UTF-8 bytes: given a string, uWS encodes it again for every socket it is sent to, and for
// a 16 KB EegBands frame that encoding was four fifths of a 100-client broadcast's time.
// A client that reads slowly gets its own bounded queue (drop-oldest, counted) instead of
// holding up the others or growing memory; per-connection subscription filters are honoured.
import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t, WebSocket } from 'uWebSockets.js';
import type { EventEnvelope } from '../actors/eventBus.ts';
import type { Authenticator } from './auth.ts';
import { extractToken } from './auth.ts';
import { forbiddenHost, HttpError, type ErrorBody } from './errors.ts';
import { statusLine } from './exchange.ts';
import type { HostGuard } from './hostGuard.ts';
import type { Principal, Route } from './route.ts';

/** Bytes uWS may hold for a client before we start queueing ourselves. */
export const WS_HIGH_WATER_BYTES = 256 * 1024;
/** Messages queued per slow client before the oldest are dropped. */
export const WS_MAX_QUEUED = 1024;
/** Client → server messages allowed per second before the connection is closed. */
export const WS_MAX_INBOUND_PER_SEC = 200;

interface Client {
  id: number;
  peer: string;
  connectedAt: number;
  principal: Principal;
  /** null: all event types. */
  filter: Set<string> | null;
  /** Text frames waiting for uWS's buffer to drain, oldest first. */
  queue: Frame[];
  dropped: number;
  delivered: number;
  inboundWindowStart: number;
  inboundCount: number;
  ws?: WebSocket<Client>;
}

/** A text frame's payload: UTF-8 bytes when shared by many clients, else the string itself. */
type Frame = string | Buffer;

export interface WsClientInfo {
  peer: string;
  connected_at: number;
  subscriptions: string[] | null;
  delivered: number;
  queued: number;
  dropped: number;
}

export interface EventsSocketDeps {
  route: Route;
  /** The local Authenticator, or the remote listener's client check (remoteAuth.ts). */
  auth: Pick<Authenticator, 'authorize'>;
  hostGuard: Pick<HostGuard, 'allows'>;
  now: () => number;
  /** The envelope sent first on every connection (DaemonStarted). */
  greeting: () => EventEnvelope;
  /** High-rate types (EegSample) sent only to clients that subscribed to them by name. */
  optInTypes: ReadonlySet<string>;
}

export class EventsSocket {
  private readonly clients = new Set<Client>();
  private nextId = 1;

  constructor(private readonly deps: EventsSocketDeps) {}

  attach(app: TemplatedApp): void {
    app.ws<Client>(this.deps.route.path, {
      maxPayloadLength: 64 * 1024,
      // Our own queue does the dropping; uWS's limit is only a last resort.
      maxBackpressure: 64 * 1024 * 1024,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => this.upgrade(res, req, context),
      open: (ws) => {
        const client = ws.getUserData();
        client.ws = ws;
        this.clients.add(client);
        this.deliver(client, JSON.stringify(this.deps.greeting()));
      },
      message: (ws, message, isBinary) => this.onMessage(ws.getUserData(), message, isBinary),
      drain: (ws) => this.flush(ws.getUserData()),
      close: (ws) => {
        const client = ws.getUserData();
        client.ws = undefined;
        this.clients.delete(client);
      },
    });
  }

  broadcast(event: EventEnvelope): void {
    let frame: Buffer | null = null;
    for (const client of this.clients) {
      if (!this.accepts(client, event.type)) continue;
      frame ??= Buffer.from(JSON.stringify(event));
      this.deliver(client, frame);
    }
  }

  /** Whether any client would receive this type, so publishers can skip building it. */
  wants(type: string): boolean {
    for (const client of this.clients) if (this.accepts(client, type)) return true;
    return false;
  }

  private accepts(client: Client, type: string): boolean {
    return client.filter ? client.filter.has(type) : !this.deps.optInTypes.has(type);
  }

  list(): WsClientInfo[] {
    return [...this.clients].map((c) => ({
      peer: c.peer,
      connected_at: c.connectedAt,
      subscriptions: c.filter ? [...c.filter] : null,
      delivered: c.delivered,
      queued: c.queue.length,
      dropped: c.dropped,
    }));
  }

  get size(): number {
    return this.clients.size;
  }

  closeAll(code = 1001, reason = 'daemon shutting down'): void {
    for (const c of [...this.clients]) c.ws?.end(code, reason);
  }

  /** Ends the connections of callers who may no longer hold them (a revoked or re-scoped remote client). */
  closeWhere(stale: (principal: Principal) => boolean, code = 1008, reason = 'credentials revoked or changed'): void {
    for (const c of [...this.clients]) if (stale(c.principal)) c.ws?.end(code, reason);
  }

  private upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    const host = req.getHeader('host');
    const token = extractToken(req.getHeader('authorization'), req.getQuery() ?? '');
    const key = req.getHeader('sec-websocket-key');
    const protocol = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
    const refuse = (err: HttpError) => reject(res, err.status, err.body());
    if (!this.deps.hostGuard.allows(host)) return refuse(forbiddenHost(host));
    const principal = this.deps.auth.authorize(this.deps.route.scope, 'GET', this.deps.route.path, token);
    if (principal instanceof HttpError) return refuse(principal);
    const client: Client = {
      id: this.nextId++,
      peer,
      connectedAt: this.deps.now(),
      principal,
      filter: null,
      queue: [],
      dropped: 0,
      delivered: 0,
      inboundWindowStart: 0,
      inboundCount: 0,
    };
    res.upgrade(client, key, protocol, extensions, context);
  }

  private deliver(client: Client, frame: Frame): void {
    const ws = client.ws;
    if (!ws) return;
    if (client.queue.length === 0 && ws.getBufferedAmount() < WS_HIGH_WATER_BYTES) {
      ws.send(frame, false);
      client.delivered++;
      return;
    }
    client.queue.push(frame);
    if (client.queue.length > WS_MAX_QUEUED) {
      client.queue.shift();
      client.dropped++;
    }
  }

  private flush(client: Client): void {
    const ws = client.ws;
    if (!ws) return;
    ws.cork(() => {
      while (client.queue.length && ws.getBufferedAmount() < WS_HIGH_WATER_BYTES) {
        ws.send(client.queue.shift()!, false);
        client.delivered++;
      }
    });
  }

  private onMessage(client: Client, message: ArrayBuffer, isBinary: boolean): void {
    if (isBinary || !client.ws) return;
    const now = this.deps.now();
    if (now - client.inboundWindowStart >= 1000) {
      client.inboundWindowStart = now;
      client.inboundCount = 0;
    }
    if (++client.inboundCount > WS_MAX_INBOUND_PER_SEC) {
      client.ws.end(1008, 'too many messages');
      return;
    }
    const reply = this.command(client, Buffer.from(message).toString('utf8'));
    this.deliver(client, JSON.stringify(reply));
  }

  /** Client commands: `subscribe` / `unsubscribe` change the filter, `ping` answers. */
  private command(client: Client, text: string): Record<string, unknown> {
    let msg: { command?: unknown; types?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return { ok: false, error: 'message is not valid JSON' };
    }
    const command = typeof msg?.command === 'string' ? msg.command : null;
    if (!command) return { ok: false, error: 'expected {"command": "..."}' };
    const types = Array.isArray(msg.types) ? msg.types.filter((t): t is string => typeof t === 'string').slice(0, 256) : null;
    switch (command) {
      case 'subscribe':
        client.filter = !types || types.length === 0 || types.includes('*') ? null : new Set(types);
        return { command, ok: true, subscribed: true, types: client.filter ? [...client.filter] : ['*'] };
      case 'unsubscribe':
        if (!types) client.filter = new Set();
        else if (client.filter) for (const t of types) client.filter.delete(t);
        return { command, ok: true, types: client.filter ? [...client.filter] : ['*'] };
      case 'ping':
        return { command, ok: true, ts_unix_ms: this.deps.now() };
      default:
        return { command, ok: false, error: `unknown command "${command}"` };
    }
  }
}

function reject(res: HttpResponse, status: number, body: ErrorBody): void {
  res.cork(() => {
    res.writeStatus(statusLine(status));
    res.writeHeader('content-type', 'application/json');
    res.writeHeader('access-control-allow-origin', '*');
    res.end(JSON.stringify(body));
  });
}
