// One error shape for every route: `{ok:false, code, message, error}` — `code`/`message` as the
// reference's ApiError, `ok`/`error` as its handler-level errors, so clients of either shape work.
export interface ErrorBody {
  ok: false;
  code: string;
  message: string;
  error: string;
  [extra: string]: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { ok: false, code: this.code, message: this.message, error: this.message, ...this.extra };
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export const badRequest = (message: string, extra?: Record<string, unknown>) => new HttpError(400, 'bad_request', message, extra);
export const unauthorized = () => new HttpError(401, 'unauthorized', 'missing or invalid bearer token');
export const forbidden = () => new HttpError(403, 'forbidden', 'token does not have permission for this endpoint');
export const forbiddenHost = (host: string) =>
  new HttpError(403, 'forbidden_host', `Host header "${host}" is not a loopback name; request refused (DNS-rebinding defence)`);
export const notFound = (message = 'no such route') => new HttpError(404, 'not_found', message);
export const methodNotAllowed = (allow: string[]) =>
  new HttpError(405, 'method_not_allowed', `method not allowed; use ${allow.join(', ')}`, { allow }, { allow: allow.join(', ') });
export const conflict = (message: string) => new HttpError(409, 'conflict', message);
export const payloadTooLarge = (limit: number) => new HttpError(413, 'payload_too_large', `request body exceeds ${limit} bytes`);
export const requestTimeout = (ms: number) =>
  new HttpError(408, 'request_timeout', `the request body did not arrive within ${ms / 1000} s`);
export const invalidJson = (detail: string) => new HttpError(400, 'invalid_json', `request body is not valid JSON: ${detail}`);
export const invalidBody = (issues: FieldIssue[], where: 'body' | 'query' = 'body') =>
  new HttpError(422, where === 'body' ? 'invalid_body' : 'invalid_query',
    `invalid request ${where}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, { issues });
export const tooManyRequests = (retryAfterSecs: number) =>
  new HttpError(429, 'rate_limited', `too many requests; retry in ${retryAfterSecs} s`, { retry_after_secs: retryAfterSecs },
    { 'retry-after': String(retryAfterSecs) });
export const upgradeRequired = () => new HttpError(426, 'upgrade_required', 'this endpoint is a WebSocket; connect with ws://');
export const unavailable = (message: string) => new HttpError(503, 'unavailable', message);
export const internalError = (requestId: string) =>
  new HttpError(500, 'internal_error', `internal error (request id ${requestId})`, { request_id: requestId });
