// A route is one row of the route table: method, path, scope, schemas and a handler.
// Handlers receive a small typed context and return data (sent as JSON 200), a `Reply`, a
// `RawReply`, a `StreamReply` or an `SseReply`; they throw `HttpError` for failures. They never
// see uWebSockets.js.
import type * as z from 'zod';
import type { Acl } from '../actors/auth/acl.ts';
import type { HttpError } from './errors.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route:
 * - `public`: no token (health probes);
 * - `acl`: any valid token whose scope the reference's path rules allow (notes §10.3);
 * - `admin`: the default token or an admin-scoped token only.
 */
export type RouteScope = 'public' | 'acl' | 'admin';

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'default' }
  | { kind: 'token'; id: string; name: string; acl: Acl };

export interface RequestContext<B = unknown, Q = unknown> {
  method: Method;
  path: string;
  params: Record<string, string>;
  query: Q;
  body: B;
  principal: Principal;
  requestId: string;
  /** Aborted when the client goes away before the reply is sent. */
  signal: AbortSignal;
}

export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Body bytes sent as they are (files, images, text). */
export class RawReply {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly bytes: Uint8Array | string,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * A body too large to hold in memory (file exports), written chunk by chunk as fast as the
 * client reads it. With `length` known it is sent as content-length, otherwise chunked. If the
 * client goes away, iteration stops and the iterator is closed (its `finally` blocks run); if
 * the iterator throws before its first chunk the client gets the usual error reply, after that
 * the connection is cut so the client sees a truncated body rather than a complete-looking one.
 */
export class StreamReply {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly chunks: AsyncIterable<Uint8Array>,
    readonly headers: Record<string, string> = {},
    readonly length: number | null = null,
  ) {}
}

export interface SseSink {
  /** Sends one `data:` event (JSON-encoded unless a string). Returns false once the stream is closed. */
  send(data: unknown, event?: string): boolean;
  close(): void;
  readonly closed: boolean;
}

/** A Server-Sent Events reply: `start` runs once headers are out and may return a cleanup. */
export class SseReply {
  constructor(readonly start: (sink: SseSink, signal: AbortSignal) => void | (() => void)) {}
}

export type HandlerResult = unknown;

export interface Route<B = any, Q = any> {
  method: Method;
  path: string;
  scope: RouteScope;
  summary: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Larger body limit for routes that need it (default 1 MiB). */
  maxBodyBytes?: number;
  handler: (ctx: RequestContext<B, Q>) => HandlerResult | Promise<HandlerResult>;
  /**
   * Renders this route's errors (auth, validation and the handler's own) in another shape than
   * errors.ts's: the OpenAI-compatible routes answer as OpenAI does, for OpenAI's clients.
   */
  errorReply?: (err: HttpError) => Reply;
}

/** Typed constructor for route rows: infers body/query types from the schemas. */
export function route<B = undefined, Q = Record<string, string>>(r: Route<B, Q>): Route<B, Q> {
  return r;
}
