// A small stand-in for the official `openai` npm client (not a dependency of this project),
// doing what it does on the wire: `fetch` against `baseURL` with `Authorization: Bearer
// <apiKey>`, JSON bodies, errors read from OpenAI's `{error: {…}}` shape into an APIError with
// the status, and streams read as server-sent events — `data:` lines parsed as JSON chunks until
// `data: [DONE]`, comment lines ignored, an `{error}` event thrown. Tests use it as a user's
// script would use the real client, with only the base URL and key changed.
export class APIError extends Error {
  constructor(
    readonly status: number,
    readonly error: { message: string; type: string; param: string | null; code: string | null } | undefined,
    readonly headers: Headers,
  ) {
    super(`${status} ${error?.message ?? 'request failed'}`);
  }
}

export interface OpenAiClientOptions {
  baseURL: string;
  apiKey: string;
}

export class OpenAI {
  constructor(private readonly opts: OpenAiClientOptions) {}

  readonly models = {
    list: async (): Promise<{ object: 'list'; data: Array<{ id: string; object: 'model'; created: number; owned_by: string }> }> =>
      (await this.#request('GET', '/models')).json() as Promise<any>,
  };

  readonly chat = {
    completions: {
      create: async (body: Record<string, unknown>, options: { signal?: AbortSignal } = {}): Promise<any> => {
        const res = await this.#request('POST', '/chat/completions', body, options.signal);
        return body.stream ? new ChunkStream(res, options.signal) : res.json();
      },
    },
  };

  async #request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const res = await fetch(this.opts.baseURL.replace(/\/+$/, '') + path, {
      method,
      headers: { authorization: `Bearer ${this.opts.apiKey}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (!res.ok) {
      const text = await res.text();
      let parsed: any;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      throw new APIError(res.status, parsed?.error, res.headers);
    }
    return res;
  }
}

/** The chunks of a streamed completion, as an async iterable (like the client's `Stream`). */
export class ChunkStream implements AsyncIterable<any> {
  constructor(
    readonly response: Response,
    private readonly signal?: AbortSignal,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<any> {
    const reader = this.response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).replace(/^ /, ''))
            .join('\n');
          if (!data) continue;
          if (data === '[DONE]') return;
          const chunk = JSON.parse(data);
          if (chunk.error) throw new APIError(200, chunk.error, this.response.headers);
          yield chunk;
        }
      }
    } finally {
      if (!this.signal?.aborted) await reader.cancel().catch(() => undefined);
    }
  }
}
