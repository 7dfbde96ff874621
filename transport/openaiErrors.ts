// Errors of the OpenAI-compatible routes in OpenAI's shape,
// `{"error": {"message", "type", "param", "code"}}`, which OpenAI's client libraries parse into
// their typed errors (errors.ts's `{ok:false, code, message}` would reach them as an unknown
// failure). Used as those routes' `errorReply`, so auth and validation failures get it too.
// A body that fails validation is a 400 here, as OpenAI answers it, not this daemon's usual 422.
import { HttpError } from './errors.ts';
import { Reply } from './route.ts';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

function typeOf(status: number): string {
  // OpenAI itself answers a bad key and an unknown model as invalid requests (with their codes).
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

const CODES: Record<string, string> = {
  unauthorized: 'invalid_api_key',
  rate_limited: 'rate_limit_exceeded',
};

export function openAiErrorReply(err: HttpError): Reply {
  const status = err.status === 422 ? 400 : err.status;
  const issues = err.extra.issues as Array<{ path: string }> | undefined;
  const param = typeof err.extra.param === 'string' ? err.extra.param : (issues?.[0]?.path ?? null) || null;
  const body: OpenAiErrorBody = { error: { message: err.message, type: typeOf(status), param, code: CODES[err.code] ?? err.code } };
  return new Reply(status, body);
}

/** An error of an OpenAI route raised by its handler. */
export const openAiError = (status: number, code: string, message: string, param: string | null = null) =>
  new HttpError(status, code, message, param === null ? {} : { param });
