// The OpenAI-compatible API (notes §9.4): chat completions, whole or streamed, and the model
// list, so OpenAI's client libraries work against the daemon with only the base URL
// (`http://127.0.0.1:<port>/v1`) and the API key (the daemon token) changed. Errors, including
// auth and validation, are in OpenAI's shape.
import { chatBodySchema, chatRequestOf, type ChatRequest } from '../../actors/llm/chatRequest.ts';
import { LlmRefused } from '../../actors/llm/llmRefused.ts';
import type { ChatTicket } from '../../actors/llm/llmServer.ts';
import { HttpError } from '../errors.ts';
import { llmRefusalError } from '../llmRefusal.ts';
import { chatCompletion, completionChunk, completionMeta, usageChunk } from '../openaiCompletion.ts';
import { openAiErrorReply } from '../openaiErrors.ts';
import { route, SseReply, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

function admitted(s: RouteServices, req: ChatRequest, signal: AbortSignal): ChatTicket {
  try {
    return s.llm.server.admit(req, signal);
  } catch (err) {
    throw err instanceof LlmRefused ? llmRefusalError(err) : err;
  }
}

async function whole(req: ChatRequest, ticket: ChatTicket) {
  const meta = completionMeta(ticket.model);
  let content = '';
  let reasoning = '';
  try {
    const r = await ticket.run((c, th) => {
      content += c;
      reasoning += th;
    });
    return chatCompletion(meta, content, reasoning, r.finish_reason, r.usage);
  } catch (err) {
    throw err instanceof LlmRefused ? llmRefusalError(err) : err;
  }
}

/**
 * `chat.completion.chunk` events: the role first, then the text as it is generated, then an
 * empty delta with `finish_reason` and `usage`, then `[DONE]`. A failure after the stream has
 * begun is an `{"error": {…}}` event before `[DONE]`. The client closing the stream aborts
 * the request's signal, which stops its generation (or takes it out of the queue).
 */
function streamed(req: ChatRequest, ticket: ChatTicket): SseReply {
  const meta = completionMeta(ticket.model);
  return new SseReply((sink) => {
    sink.send(completionChunk(meta, { role: 'assistant', content: '' }));
    ticket
      .run((content, reasoning) => {
        if (reasoning) sink.send(completionChunk(meta, { reasoning_content: reasoning }));
        if (content) sink.send(completionChunk(meta, { content }));
      })
      .then((r) => {
        sink.send(completionChunk(meta, {}, r.finish_reason, r.usage));
        if (req.includeUsage) sink.send(usageChunk(meta, r.usage));
      })
      .catch((err: unknown) => {
        const http = err instanceof LlmRefused ? llmRefusalError(err) : new HttpError(500, 'internal_error', (err as Error)?.message ?? String(err));
        sink.send(openAiErrorReply(http).body);
      })
      .finally(() => {
        sink.send('[DONE]');
        sink.close();
      });
  });
}

export function openAiRoutes(s: RouteServices): Route[] {
  const chat = (path: string, summary: string) =>
    route({
      method: 'POST', path, scope: 'acl', summary,
      body: chatBodySchema,
      errorReply: openAiErrorReply,
      handler: ({ body, signal }) => {
        const req = chatRequestOf(body);
        const ticket = admitted(s, req, signal);
        return req.stream ? streamed(req, ticket) : whole(req, ticket);
      },
    });
  return [
    chat(
      '/v1/chat/completions',
      "OpenAI chat completion on the running model: `{model?, messages: [{role: system|developer|user|assistant|tool, content}], stream?, max_tokens? (or max_completion_tokens), temperature?, top_p?, top_k?, stop? (string or up to 4), seed?, frequency_penalty?, presence_penalty?, stream_options?: {include_usage}}`. Returns a `chat.completion` (`choices[0].message.content`, `reasoning_content` for text inside `<think>…</think>`, `finish_reason` stop|length, `usage`), or with `stream: true` server-sent `chat.completion.chunk` events ending with `finish_reason` and `usage`, then `data: [DONE]`; closing the stream stops the generation. Errors in OpenAI's `{error: {message, type, param, code}}` shape: 400 bad messages or parameters, 404 `model_not_found` (a `model` other than `GET /v1/models` lists), 429 `rate_limit_exceeded` when `max_queued` chats already wait, 503 `model_not_loaded` when no model runs.",
    ),
    chat(
      '/v1/llm/chat-completions',
      "The same handler as `POST /v1/chat/completions`; also takes the reference's `{messages, params: {temperature, top_k, top_p, repeat_penalty, seed, max_tokens, stop}}` (top-level OpenAI fields win over `params`).",
    ),
    route({
      method: 'GET', path: '/v1/models', scope: 'acl',
      summary: "OpenAI model list: `{object: \"list\", data: [{id, object: \"model\", created, owned_by: \"skill\"}]}`, the running model's file name as `id`; empty while no model runs.",
      errorReply: openAiErrorReply,
      handler: () => {
        const loadedAt = s.llm.server.loadedAt ?? Date.now();
        return { object: 'list', data: s.llm.server.modelIds().map((id) => ({ id, object: 'model', created: Math.floor(loadedAt / 1000), owned_by: 'skill' })) };
      },
    }),
  ];
}
