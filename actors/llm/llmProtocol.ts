// Messages between the daemon and its llama.cpp child process (Node IPC, JSON). The child loads
// one model and runs chats on it; everything it says is one of `ChildMessage`.
import type { LlmLoadSpec, LlmModelInfo } from '../../machines/llmServer.ts';
import type { GenParams } from './genParams.ts';

/** One chat turn as the child needs it: OpenAI roles folded to three, text only. */
export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

export type FinishReason = 'stop' | 'length';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type ParentMessage =
  | { type: 'load'; spec: LlmLoadSpec }
  | { type: 'generate'; id: number; turns: ChatTurn[]; params: GenParams }
  | { type: 'abort'; id: number }
  /** Free the model and exit. */
  | { type: 'shutdown' };

export type ChildMessage =
  | { type: 'loaded'; info: LlmModelInfo }
  | { type: 'load_failed'; error: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  /** Generated text, already split into the answer and the `<think>` reasoning. */
  | { type: 'delta'; id: number; content: string; reasoning: string }
  | { type: 'done'; id: number; finish_reason: FinishReason; aborted: boolean; usage: Usage; ms: number }
  /** `code` is OpenAI's where one fits (`context_length_exceeded`). */
  | { type: 'failed'; id: number; error: string; code: string | null };
