// Every HTTP request goes through here, in this order: Host check (403), CORS preflight,
// route lookup (404/405, before auth as in the reference), auth (401/403), body (413, 400),
// validation (422), rate limit of costly routes (429), then the route's handler. Its result or error becomes the response.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { Authenticator } from './auth.ts';
import { extractToken } from './auth.ts';
import { forbiddenHost, HttpError, internalError, invalidBody, invalidJson, methodNotAllowed, notFound, tooManyRequests, upgradeRequired } from './errors.ts';
import { Exchange } from './exchange.ts';
import type { HostGuard } from './hostGuard.ts';
import type { RateLimiter } from './rateLimits.ts';
import type { Method, Principal, RequestContext, Route } from './route.ts';
import type { Router } from './router.ts';
import { validate } from './validate.ts';
import { illFormedTextIssues } from './wellFormedText.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** How long a request body may take to arrive (a 1 MiB body needs 35 KiB/s). */
export const DEFAULT_BODY_DEADLINE_MS = 30_000;

export interface HttpDeps {
  router: Router;
  /** The local listener's Authenticator, or the remote listener's client check (remoteAuth.ts). */
  auth: Pick<Authenticator, 'authorize'>;
  hostGuard: Pick<HostGuard, 'allows'>;
  maxBodyBytes: number;
  /** Time allowed for a body to arrive in full (DEFAULT_BODY_DEADLINE_MS when absent). */
  bodyDeadlineMs?: number;
  /** Limits the costly routes per caller (rateLimits.ts); none when absent. */
  rateLimiter?: RateLimiter;
  /** Paths served as WebSockets: a plain GET there is told to upgrade. */
  websocketPaths: ReadonlySet<string>;
  newRequestId(): string;
  /** Logs an unexpected error; returns the request id to show the client. */
  reportError(requestId: string, route: string, err: unknown): void;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function createHttpHandler(deps: HttpDeps) {
  const handle = requestHandler(deps);
  // uWS aborts the whole process if a handler returns without responding: whatever goes wrong
  // in our own request path, the client gets a 500 and the daemon lives on.
  return (res: HttpResponse, req: HttpRequest): void => {
    try {
      handle(res, req);
    } catch (err) {
      const id = deps.newRequestId();
      deps.reportError(id, 'request path', err);
      try {
        res.cork(() => res.writeStatus('500 Internal Server Error').end(JSON.stringify(internalError(id).body()), true));
      } catch {
        res.onAborted(() => undefined);
      }
    }
  };
}

function requestHandler(deps: HttpDeps) {
  return (res: HttpResponse, req: HttpRequest): void => {
    // HttpRequest is only valid synchronously: read everything needed now. Each read crosses
    // into the native addon, so what a request may not need (the query) is read only if needed.
    const method = req.getCaseSensitiveMethod().toUpperCase();
    const path = req.getUrl();
    const host = req.getHeader('host');
    const ex = new Exchange(res, method === 'HEAD', deps.newRequestId, deps.reportError);

    if (!deps.hostGuard.allows(host)) return ex.error(forbiddenHost(host));
    if (method === 'OPTIONS') return ex.preflight(req.getHeader('access-control-request-headers'));

    const match = deps.router.match(method, path);
    if (match.kind === 'not_found') return ex.error(notFound(`no route for ${method} ${path}`));
    if (match.kind === 'method_not_allowed') return ex.error(methodNotAllowed(match.allow));
    const { route, params } = match;
    ex.routeName = match.key;
    ex.errorReply = route.errorReply;

    const authorization = req.getHeader('authorization');
    const rawQuery = route.query || !authorization.startsWith('Bearer ') ? req.getQuery() ?? '' : '';
    const token = extractToken(authorization, rawQuery);
    const principal = deps.auth.authorize(route.scope, method, path, token);
    if (principal instanceof HttpError) return ex.error(principal);
    if (deps.websocketPaths.has(route.path)) return ex.error(upgradeRequired());

    let query: unknown;
    try {
      query = route.query ? validate(route.query, parseQuery(rawQuery), 'query') : undefined;
    } catch (err) {
      return ex.fail(err);
    }
    const ctx = new Context(route, path, params, query, principal, ex);
    if (!BODY_METHODS.has(method)) return run(deps, route, ctx, ex);

    const limit = route.maxBodyBytes ?? deps.maxBodyBytes;
    const declared = Number(req.getHeader('content-length') || 0);
    const deadline = deps.bodyDeadlineMs ?? DEFAULT_BODY_DEADLINE_MS;
    if (declared > limit) return ex.refuseBody(limit, declared, deadline);
    ex.readBody(limit, deadline, (bytes) => {
      try {
        ctx.body = parseBody(route, bytes);
      } catch (err) {
        return ex.fail(err);
      }
      run(deps, route, ctx, ex);
    });
  };
}

/** Only a request that would run is counted: a malformed one gets its 4xx, not a 429. */
function run(deps: HttpDeps, route: Route, ctx: Context, ex: Exchange): void {
  const retryAfter = deps.rateLimiter?.take(ex.routeName, ctx.principal) ?? null;
  if (retryAfter !== null) return ex.error(tooManyRequests(retryAfter));
  runHandler(route, ctx, ex);
}

/** The handler's view of a request; the abort signal is made only if the handler reads it. */
class Context implements RequestContext {
  body: unknown = undefined;
  readonly method: Method;

  constructor(
    route: Route,
    readonly path: string,
    readonly params: Record<string, string>,
    readonly query: unknown,
    readonly principal: Principal,
    private readonly ex: Exchange,
  ) {
    this.method = route.method;
  }

  /** Made when first read: most requests never need one. */
  get requestId(): string {
    return this.ex.requestId;
  }

  get signal(): AbortSignal {
    return this.ex.signal;
  }
}

function runHandler(route: Route, ctx: Context, ex: Exchange): void {
  let result: unknown;
  try {
    result = route.handler(ctx);
  } catch (err) {
    return ex.fail(err);
  }
  if (result instanceof Promise) {
    ex.armAbort();
    result.then((v) => ex.send(v), (err) => ex.fail(err));
  } else {
    ex.send(result);
  }
}

/**
 * JSON body validated against the route's schema; an empty body counts as `{}`. Routes without
 * a body ignore it, but it must still be valid JSON, and its text well-formed Unicode: malformed
 * input never reaches a handler.
 */
function parseBody(route: Route, bytes: Buffer): unknown {
  let raw: unknown = {};
  const text = bytes.toString('utf8').trim();
  if (text) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw invalidJson((err as Error).message);
    }
    const illFormed = illFormedTextIssues(text, raw);
    if (illFormed.length) throw invalidBody(illFormed);
  }
  return route.body ? validate(route.body, raw, 'body') : undefined;
}

/** Query string to a flat object; `token` is auth, not a parameter. Repeated keys keep the last. */
export function parseQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const [k, v] of new URLSearchParams(raw)) if (k !== 'token') out[k] = v;
  return out;
}
