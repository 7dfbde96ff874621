// LLM refusals (actors/llm/llmRefused.ts) as HTTP errors, with the codes OpenAI uses where it
// has one (`model_not_found`, `context_length_exceeded`, `rate_limit_exceeded`), for both the
// OpenAI-compatible routes and the daemon's own LLM routes.
import type { LlmRefusalKind, LlmRefused } from '../actors/llm/llmRefused.ts';
import { HttpError } from './errors.ts';

const STATUS: Record<LlmRefusalKind, [number, string]> = {
  no_model: [409, 'no_model'],
  restarting: [503, 'restarting'],
  not_running: [503, 'model_not_loaded'],
  unknown_model: [404, 'model_not_found'],
  invalid_request: [400, 'invalid_request'],
  context_length: [400, 'context_length_exceeded'],
  busy: [429, 'rate_limit_exceeded'],
  lost: [503, 'model_unavailable'],
};

export function llmRefusalError(err: LlmRefused): HttpError {
  const [status, code] = STATUS[err.kind];
  return new HttpError(status, code, err.message, err.param === null ? {} : { param: err.param }, status === 429 ? { 'retry-after': '1' } : {});
}
