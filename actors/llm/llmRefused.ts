// Why the LLM server refused a request, in terms the routes turn into statuses (and, on the
// OpenAI routes, OpenAI error codes): no model selected or downloaded (409), the actor
// restarting (503), nothing loaded (503), a model name that is not served (404), a request the
// model cannot take (400), a full queue (429), the process lost mid-answer (503).
export type LlmRefusalKind =
  | 'no_model'
  | 'restarting'
  | 'not_running'
  | 'unknown_model'
  | 'invalid_request'
  | 'context_length'
  | 'busy'
  | 'lost';

export class LlmRefused extends Error {
  constructor(
    readonly kind: LlmRefusalKind,
    message: string,
    /** The request field at fault, as OpenAI's `param`. */
    readonly param: string | null = null,
  ) {
    super(message);
  }
}
