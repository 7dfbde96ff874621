// The llama.cpp child process: forked by actors/llm/llmProcess.ts, it loads one model with
// node-llama-cpp and runs chats on it, talking to the daemon over IPC (llmProtocol.ts). Running
// llama.cpp out of the daemon's process means a crash, an abort() in native code or the kernel's
// OOM killer ends this process only; the daemon sees the exit and decides what to do.
//
// One context with `parallel` sequences; each chat takes a free sequence for its duration (the
// daemon's queue never sends more chats than there are sequences). If the daemon goes away the
// IPC channel closes and this process exits with it.
import { performance } from 'node:perf_hooks';
import { getLlama, LlamaChat, LlamaLogLevel, type ChatHistoryItem, type LlamaContext, type LlamaContextSequence, type LlamaModel } from 'node-llama-cpp';
import type { LlmLoadSpec, LlmModelInfo } from '../../machines/llmServer.ts';
import type { GenParams } from './genParams.ts';
import type { ChatTurn, ChildMessage, FinishReason, ParentMessage } from './llmProtocol.ts';
import { ThinkSplitter } from './thinkSplitter.ts';

/** Context size when the configuration leaves it to the model: its training size, capped here. */
const DEFAULT_MAX_CONTEXT = 8192;
/**
 * Text is sent to the daemon at most once per this interval per chat: the first piece at once,
 * later ones gathered. A small model makes a token every millisecond or so, and one IPC message
 * (and one SSE event) per token would cost a good part of that; a large model's tokens are
 * slower than this anyway, so they still go out one by one.
 */
const DELTA_INTERVAL_MS = 10;

const send = (m: ChildMessage) => {
  if (process.connected) process.send!(m);
};

interface Slot {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  busy: boolean;
}

let model: LlamaModel | null = null;
let context: LlamaContext | null = null;
const slots: Slot[] = [];
const running = new Map<number, AbortController>();

async function load(spec: LlmLoadSpec): Promise<void> {
  const t0 = performance.now();
  try {
    const llama = await getLlama({
      gpu: spec.gpu ? 'auto' : false,
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      // The default is every core llama.cpp sees, which on a small machine with other work
      // running is far slower than fewer threads (DEPENDENCIES.md §6: 4 threads on 2 cores, 100×).
      maxThreads: spec.threads,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trimEnd();
        if (text) send({ type: 'log', level: level === LlamaLogLevel.error || level === LlamaLogLevel.fatal ? 'error' : level === LlamaLogLevel.warn ? 'warn' : 'info', message: text });
      },
    });
    model = await llama.loadModel({ modelPath: spec.modelPath, gpuLayers: llama.gpu === false ? 0 : spec.gpuLayers });
    if (spec.mmprojPath) send({ type: 'log', level: 'warn', message: `multimodal projector ${spec.mmprojPath} not loaded: this build's llama.cpp bindings have no vision support` });
    const trainCtx = model.trainContextSize;
    context = await model.createContext({
      contextSize: spec.contextSize ?? { max: Math.min(trainCtx, DEFAULT_MAX_CONTEXT) },
      sequences: spec.parallel,
      threads: spec.threads,
      flashAttention: spec.flashAttention,
      ...(spec.batchSize ? { batchSize: spec.batchSize } : {}),
    });
    for (let i = 0; i < spec.parallel; i++) {
      const sequence = context.getSequence();
      slots.push({ sequence, chat: new LlamaChat({ contextSequence: sequence }), busy: false });
    }
    const meta = model.fileInfo.metadata as { general?: { name?: string } };
    const info: LlmModelInfo = {
      model_name: meta.general?.name ?? spec.filename,
      n_ctx: context.contextSize,
      n_ctx_train: trainCtx,
      description: model.typeDescription,
      size_bytes: model.size,
      chat_wrapper: slots[0]!.chat.chatWrapper.wrapperName,
      supports_vision: false,
      supports_tools: false,
      gpu: llama.gpu,
      threads: spec.threads,
      parallel: spec.parallel,
      load_ms: Math.round(performance.now() - t0),
    };
    send({ type: 'loaded', info });
  } catch (err) {
    send({ type: 'load_failed', error: (err as Error)?.message ?? String(err) });
  }
}

function historyOf(turns: ChatTurn[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = turns.map((t) =>
    t.role === 'system' ? { type: 'system', text: t.text } : t.role === 'user' ? { type: 'user', text: t.text } : { type: 'model', response: [t.text] },
  );
  // The chat generates the last model turn: an empty one to answer, or the assistant's own
  // unfinished text to continue.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

async function generate(id: number, turns: ChatTurn[], params: GenParams): Promise<void> {
  const slot = slots.find((s) => !s.busy);
  if (!slot || !model || !context) return send({ type: 'failed', id, error: 'no free sequence to generate with', code: null });
  slot.busy = true;
  const abort = new AbortController();
  running.set(id, abort);
  const t0 = performance.now();
  let prompt = 0;
  // The sequence's meter counts every generated token; the text chunks can leave out the last
  // one (held back as a possible start of a stop trigger when the limit is reached).
  const outputBefore = slot.sequence.tokenMeter.usedOutputTokens;
  const sendDone = (finish: FinishReason, aborted: boolean) => {
    const completion = slot.sequence.tokenMeter.usedOutputTokens - outputBefore;
    const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    send({ type: 'done', id, finish_reason: finish, aborted, usage, ms: Math.round(performance.now() - t0) });
  };
  const out = new DeltaBatcher((content, reasoning) => send({ type: 'delta', id, content, reasoning }));
  try {
    const history = historyOf(turns);
    prompt = slot.chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
    const room = context.contextSize - prompt;
    if (room <= 0) {
      return send({ type: 'failed', id, error: `the messages take ${prompt} tokens; the model's context holds ${context.contextSize}`, code: 'context_length_exceeded' });
    }
    const splitter = new ThinkSplitter();
    const result = await slot.chat.generateResponse(history, {
      maxTokens: Math.min(params.max_tokens, room),
      temperature: params.temperature,
      topK: params.top_k,
      topP: params.top_p,
      seed: params.seed,
      repeatPenalty: { penalty: params.repeat_penalty, frequencyPenalty: params.frequency_penalty || undefined, presencePenalty: params.presence_penalty || undefined },
      ...(params.stop.length ? { customStopTriggers: params.stop } : {}),
      signal: abort.signal,
      stopOnAbortSignal: true,
      onResponseChunk: (chunk) => {
        if (!chunk.text) return;
        if (chunk.type === 'segment') {
          if (chunk.segmentType === 'thought') out.add('', chunk.text);
          return;
        }
        const part = splitter.push(chunk.text);
        out.add(part.content, part.reasoning);
      },
    });
    const rest = splitter.flush();
    out.add(rest.content, rest.reasoning);
    out.flush();
    sendDone(result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop', result.metadata.stopReason === 'abort');
  } catch (err) {
    // An abort before the first token (while the prompt is evaluated) throws despite
    // `stopOnAbortSignal`: it is still an aborted answer, not a failure.
    out.flush();
    if (abort.signal.aborted) sendDone('stop', true);
    else send({ type: 'failed', id, error: (err as Error)?.message ?? String(err), code: null });
  } finally {
    running.delete(id);
    slot.busy = false;
  }
}

/** Gathers a chat's text between sends (see DELTA_INTERVAL_MS); `flush` sends what is left. */
class DeltaBatcher {
  #content = '';
  #reasoning = '';
  #lastSent = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly emit: (content: string, reasoning: string) => void) {}

  add(content: string, reasoning: string): void {
    if (!content && !reasoning) return;
    // Reasoning and answer alternate rarely; keep their order by sending at each switch.
    if ((content && this.#reasoning) || (reasoning && this.#content)) this.flush();
    this.#content += content;
    this.#reasoning += reasoning;
    const wait = this.#lastSent + DELTA_INTERVAL_MS - performance.now();
    if (wait <= 0) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (!this.#content && !this.#reasoning) return;
    this.emit(this.#content, this.#reasoning);
    this.#content = '';
    this.#reasoning = '';
    this.#lastSent = performance.now();
  }
}

process.on('message', (m: ParentMessage) => {
  switch (m.type) {
    case 'load':
      return void load(m.spec);
    case 'generate':
      return void generate(m.id, m.turns, m.params);
    case 'abort':
      return running.get(m.id)?.abort();
    case 'shutdown':
      for (const a of running.values()) a.abort();
      return void (async () => {
        await context?.dispose().catch(() => undefined);
        await model?.dispose().catch(() => undefined);
        process.exit(0);
      })();
  }
});
// The daemon is gone (exited, crashed, killed): nothing can use this model any more.
process.on('disconnect', () => process.exit(0));
