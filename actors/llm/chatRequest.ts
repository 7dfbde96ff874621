// The body of `POST /v1/chat/completions` (and the reference's `/v1/llm/chat-completions`,
// which also takes `{messages, params}`), validated, and turned into what the child runs:
// chat turns and resolved generation parameters. Unknown OpenAI fields (`user`, `logprobs`,
// `tools`, `response_format`, …) are accepted and ignored, as clients send them by default.
import * as z from 'zod';
import type { ChatTurn } from './llmProtocol.ts';
import { resolveGenParams, type GenParams } from './genParams.ts';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({ type: z.literal('image_url'), image_url: z.union([z.string(), z.object({ url: z.string() }).loose()]) });
const otherPart = z.object({ type: z.string() }).loose();

const message = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z.union([z.string(), z.array(z.union([textPart, imagePart, otherPart])), z.null()]).optional(),
    name: z.string().optional(),
  })
  .loose();

const seed = z.number().int().refine(Number.isSafeInteger, { message: 'must be a safe integer' });

/** Generation fields, as OpenAI names them at the top level. */
const openAiFields = {
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  seed: seed.optional(),
  max_tokens: z.number().int().min(1).optional(),
  max_completion_tokens: z.number().int().min(1).optional(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4), z.null()]).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  repeat_penalty: z.number().min(0).max(10).optional(),
};

export const chatBodySchema = z
  .object({
    model: z.string().min(1).optional(),
    messages: z.array(message).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    n: z.literal(1, { message: 'only n = 1 is supported' }).nullable().optional(),
    /** The reference's own parameter object (GenParams names). */
    params: z.object(openAiFields).loose().nullable().optional(),
    ...openAiFields,
  })
  .loose();

export type ChatBody = z.infer<typeof chatBodySchema>;

export interface ChatRequest {
  model: string | null;
  turns: ChatTurn[];
  params: GenParams;
  stream: boolean;
  /** OpenAI's `stream_options.include_usage`: a last chunk with `choices: []` and the usage. */
  includeUsage: boolean;
  /** Some message carries an image (only vision models take those). */
  hasImages: boolean;
}

export function chatRequestOf(body: ChatBody): ChatRequest {
  let hasImages = false;
  const turns: ChatTurn[] = body.messages.map((m) => {
    let text = '';
    if (typeof m.content === 'string') text = m.content;
    else if (Array.isArray(m.content)) {
      const texts: string[] = [];
      for (const part of m.content) {
        if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
        else if (part.type === 'image_url') hasImages = true;
      }
      text = texts.join('\n');
    }
    switch (m.role) {
      case 'developer':
      case 'system':
        return { role: 'system', text };
      case 'tool':
        return { role: 'user', text: `Tool result: ${text}` };
      default:
        return { role: m.role, text };
    }
  });
  const { params, ...top } = body;
  const gen = resolveGenParams(params ?? undefined, top);
  // llama.cpp seeds are 32-bit; OpenAI's are any integer.
  gen.seed = Number(BigInt.asUintN(32, BigInt(gen.seed)));
  return {
    model: body.model ?? null,
    turns,
    params: gen,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    hasImages,
  };
}
