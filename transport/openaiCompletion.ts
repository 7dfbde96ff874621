// OpenAI's chat completion objects, exactly as its API returns them: `chat.completion` for a
// whole answer, `chat.completion.chunk` for each streamed piece (the first carrying the role,
// the last an empty delta with `finish_reason` and `usage`). Reasoning between `<think>` tags
// travels as `reasoning_content`, the field OpenAI-compatible servers use for it.
import { randomBytes } from 'node:crypto';
import type { FinishReason, Usage } from '../actors/llm/llmProtocol.ts';

export interface CompletionMeta {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}

export function completionMeta(model: string, now = Date.now()): CompletionMeta {
  return { id: `chatcmpl-${now.toString(36)}${randomBytes(6).toString('hex')}`, created: Math.floor(now / 1000), model };
}

export function chatCompletion(meta: CompletionMeta, content: string, reasoning: string, finish: FinishReason, usage: Usage) {
  return {
    id: meta.id,
    object: 'chat.completion' as const,
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content, ...(reasoning ? { reasoning_content: reasoning } : {}), refusal: null },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage,
  };
}

export type ChunkDelta = { role?: 'assistant'; content?: string; reasoning_content?: string };

export function completionChunk(meta: CompletionMeta, delta: ChunkDelta, finish: FinishReason | null = null, usage?: Usage) {
  return {
    id: meta.id,
    object: 'chat.completion.chunk' as const,
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  };
}

/** OpenAI's usage-only chunk (`stream_options.include_usage`): no choices, just the counts. */
export function usageChunk(meta: CompletionMeta, usage: Usage) {
  return { id: meta.id, object: 'chat.completion.chunk' as const, created: meta.created, model: meta.model, system_fingerprint: null, choices: [], usage };
}
