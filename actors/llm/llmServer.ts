// The LLM server subsystem (notes §9.1): lifecycle, chats and status over the statechart of
// machines/llmServer.ts.
//
// - The supervised `llm` actor runs the statechart; its `process` actor is one llama.cpp child
//   process (llmProcess.ts) per loaded model. A crash or OOM kill of that process is the
//   chart's `failed` state, reported as `llm:status {status:"failed", error}`, and the process is
//   started again when `restart_on_crash` says so; the daemon itself is never at risk.
// - Start and stop persist `enabled`; while it is true the server starts with the daemon (and
//   with the actor, if its supervisor restarts it).
// - Chats go through a bounded queue (chatQueue.ts) of `parallel` running and `max_queued`
//   waiting, then to the child; `abortAll` stops every generation in progress.
import { fromCallback } from 'xstate';
import { llmServerMachine, type LlmLoadSpec, type LlmServerContext, type LlmServerEvent, type LlmServerInput, type LlmServerState } from '../../machines/llmServer.ts';
import type { EventBus } from '../eventBus.ts';
import { ChatQueue, QueueAbortedError, QueueFullError } from './chatQueue.ts';
import { LlmRefused } from './llmRefused.ts';
import type { ChatRequest } from './chatRequest.ts';
import type { LlmCatalog } from './llmCatalog.ts';
import { effectiveThreads, type LlmSettings } from './llmConfig.ts';
import type { LlmLogs } from './llmLogs.ts';
import { LlmGenerationError, LlmProcess, LlmProcessLost, type GenerationResult } from './llmProcess.ts';

const ALL_LAYERS = 4294967295;

export interface LlmServerDeps {
  settings: LlmSettings;
  catalog: LlmCatalog;
  logs: LlmLogs;
  bus: EventBus;
}

/** Delivers an event to the running `llm` actor; false while it is not running. */
export type SendToActor = (event: LlmServerEvent) => boolean;

/** A chat that was admitted: run it once, with a callback for its text. */
export interface ChatTicket {
  /** The model id answering (`GET /v1/models`). */
  model: string;
  run(onDelta: (content: string, reasoning: string) => void): Promise<GenerationResult>;
}

export class LlmServer {
  readonly queue: ChatQueue;
  #state: LlmServerState = 'stopped';
  #context: LlmServerContext | null = null;
  #process: LlmProcess | null = null;
  #send: SendToActor = () => false;
  #loadedAt: number | null = null;
  readonly #generations = new Set<AbortController>();

  constructor(private readonly deps: LlmServerDeps) {
    this.queue = new ChatQueue(() => ({ parallel: this.#context?.info?.parallel ?? 1, maxQueued: deps.settings.get().max_queued }));
  }

  /** Connects the control methods to the running actor (the actor system is built after this). */
  attach(send: SendToActor): void {
    this.#send = send;
  }

  get state(): LlmServerState {
    return this.#state;
  }

  /** The actor's input at every (re)start: start at once when the server is enabled and a model is ready. */
  input(): LlmServerInput {
    const config = this.deps.settings.get();
    if (!config.enabled && !config.autostart) return { start: null };
    const spec = this.#spec();
    if (typeof spec === 'string') {
      this.deps.logs.add('warn', `not starting the LLM server: ${spec}`);
      return { start: null };
    }
    return { start: { spec, restartOnCrash: config.restart_on_crash } };
  }

  /** `POST /v1/llm/server/start`: persists `enabled` and loads the active model. */
  start(): { ok: true; result: 'starting' | 'already_running' } {
    const spec = this.#spec();
    if (typeof spec === 'string') throw new LlmRefused('no_model', spec);
    this.deps.settings.update({ enabled: true });
    if (this.#state === 'running' || this.#state === 'loading') return { ok: true, result: 'already_running' };
    this.#deliver({ type: 'llm.start', spec, restartOnCrash: this.deps.settings.get().restart_on_crash });
    return { ok: true, result: 'starting' };
  }

  /** `POST /v1/llm/server/stop`: persists `enabled: false` and ends the llama.cpp process. */
  stop(): { ok: true; result: 'stopping' | 'already_stopped' } {
    this.deps.settings.update({ enabled: false });
    if (this.#state === 'stopped') return { ok: true, result: 'already_stopped' };
    this.#deliver({ type: 'llm.stop' });
    return { ok: true, result: 'stopping' };
  }

  /** Loads the active model again if the server is up (or failed): after a switch of model or projector. */
  reload(): 'switching' | 'selected' {
    if (this.#state === 'stopped' || this.#state === 'stopping') return 'selected';
    const spec = this.#spec();
    if (typeof spec === 'string') throw new LlmRefused('no_model', spec);
    this.#deliver({ type: 'llm.switch', spec });
    return 'switching';
  }

  /** `restart_on_crash` changed: the running chart follows it at once. */
  configure(): void {
    this.#send({ type: 'llm.configure', restartOnCrash: this.deps.settings.get().restart_on_crash });
  }

  /** Stops every generation in progress; returns how many. */
  abortAll(): number {
    const n = this.#generations.size;
    for (const c of this.#generations) c.abort();
    return n;
  }

  /** Kills the llama.cpp process as a crash would (fault injection); false when there is none. */
  killProcess(): boolean {
    if (!this.#process || this.#process.exited) return false;
    this.#process.kill('SIGKILL');
    return true;
  }

  /** The model id chats name (`GET /v1/models`): the running model's file name; `admit` also takes it without `.gguf`. */
  modelIds(): string[] {
    const filename = this.#context?.spec?.filename;
    if (this.#state !== 'running' || !filename) return [];
    return [filename];
  }

  get loadedAt(): number | null {
    return this.#loadedAt;
  }

  /**
   * Checks that a chat can run now and takes its place in the queue. Throws LlmRefused (not
   * running, unknown model, images for a text model, queue full) before any reply is started.
   */
  admit(req: ChatRequest, signal: AbortSignal): ChatTicket {
    const model = this.#context?.spec?.filename;
    if (this.#state !== 'running' || !model) {
      throw new LlmRefused('not_running', `no model is running (the LLM server is ${this.#state}); start it with POST /v1/llm/server/start`);
    }
    if (req.model !== null && req.model !== model && `${req.model}.gguf` !== model) {
      throw new LlmRefused('unknown_model', `The model \`${req.model}\` does not exist; GET /v1/models lists the one being served (${model})`, 'model');
    }
    if (req.hasImages && !this.#context?.info?.supports_vision) {
      throw new LlmRefused('invalid_request', `the model ${model} does not accept images`, 'messages');
    }
    let turn: Promise<() => void>;
    try {
      turn = this.queue.admit(signal);
    } catch (err) {
      if (err instanceof QueueFullError) throw new LlmRefused('busy', err.message);
      throw err;
    }
    return { model, run: (onDelta) => this.#run(req, turn, signal, onDelta) };
  }

  async #run(req: ChatRequest, turn: Promise<() => void>, signal: AbortSignal, onDelta: (c: string, r: string) => void): Promise<GenerationResult> {
    let release: () => void;
    try {
      release = await turn;
    } catch (err) {
      if (err instanceof QueueAbortedError) throw new LlmRefused('lost', err.message);
      throw err;
    }
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) abort.abort();
    this.#generations.add(abort);
    try {
      const proc = this.#process;
      if (this.#state !== 'running' || !proc) throw new LlmRefused('not_running', `the LLM server is ${this.#state}`);
      const r = await proc.generate(req.turns, req.params, onDelta, abort.signal);
      this.deps.logs.add(
        'info',
        `chat: ${r.usage.prompt_tokens} prompt + ${r.usage.completion_tokens} completion tokens in ${r.ms} ms, ${r.finish_reason}${r.aborted ? ' (aborted)' : ''}`,
      );
      return r;
    } catch (err) {
      if (err instanceof LlmProcessLost) throw new LlmRefused('lost', err.message);
      if (err instanceof LlmGenerationError && err.code === 'context_length_exceeded') throw new LlmRefused('context_length', err.message, 'messages');
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#generations.delete(abort);
      release();
    }
  }

  /** `GET /v1/llm/server/status`: the reference's fields first. */
  status() {
    const c = this.#context;
    const info = c?.info ?? null;
    const config = this.deps.settings.get();
    return {
      status: this.#state,
      model_name: info?.model_name ?? c?.spec?.filename ?? null,
      n_ctx: info?.n_ctx ?? null,
      supports_vision: info?.supports_vision ?? false,
      supports_tools: info?.supports_tools ?? false,
      start_error: this.#state === 'failed' ? (c?.error ?? null) : null,
      filename: c?.spec?.filename ?? null,
      model_path: c?.spec?.modelPath ?? null,
      mmproj: c?.spec?.mmprojPath ?? null,
      pid: this.#state === 'stopped' || this.#state === 'failed' ? null : (this.#process?.pid ?? null),
      threads: c?.spec?.threads ?? effectiveThreads(config),
      parallel: info?.parallel ?? config.parallel,
      gpu: info?.gpu ?? false,
      chat_wrapper: info?.chat_wrapper ?? null,
      load_ms: info?.load_ms ?? null,
      error: c?.error ?? null,
      restarts: c?.restarts ?? 0,
      restart_in_secs: this.#state === 'failed' && c?.restartInMs != null ? c.restartInMs / 1000 : null,
      restart_on_crash: config.restart_on_crash,
      queue: { running: this.queue.running, waiting: this.queue.waiting, max_queued: config.max_queued },
    };
  }

  /** The actor to run under the supervisor. */
  logic() {
    return llmServerMachine.provide({
      actors: {
        process: fromCallback<LlmServerEvent, LlmLoadSpec>(({ input, sendBack, receive }) => {
          const proc = new LlmProcess({
            loaded: (info) => sendBack({ type: 'process.loaded', info }),
            loadFailed: (error) => sendBack({ type: 'process.load_failed', error }),
            log: (level, message) => this.deps.logs.add(level, message),
            exited: (reason) => sendBack({ type: 'process.exited', reason, at: Date.now() }),
          });
          this.#process = proc;
          if (proc.pid) sendBack({ type: 'process.spawned', pid: proc.pid });
          this.deps.logs.add(
            'info',
            `starting llama.cpp (pid ${proc.pid}) for ${input.filename}: ${input.threads} thread(s), ${input.parallel} sequence(s), context ${input.contextSize ?? 'from the model'}, ${input.gpu ? 'GPU if available' : 'CPU only'}`,
          );
          proc.load(input);
          receive((e) => {
            if (e.type === 'process.shutdown') proc.shutdown();
          });
          return () => {
            if (this.#process === proc) this.#process = null;
            this.queue.rejectAll('the LLM server stopped');
            if (!proc.exited) {
              proc.kill('SIGTERM');
              setTimeout(() => proc.kill('SIGKILL'), 2_000).unref();
            }
          };
        }),
      },
      actions: {
        report: ({ context }, params: { state: LlmServerState }) => this.#enter(params.state, context),
      },
    });
  }

  #enter(state: LlmServerState, context: LlmServerContext): void {
    this.#state = state;
    this.#context = context;
    if (state === 'running') this.#loadedAt = Date.now();
    else this.#loadedAt = null;
    const payload: Record<string, unknown> = { status: state, model_name: context.info?.model_name ?? context.spec?.filename ?? null };
    if (state === 'failed') {
      payload.error = context.error;
      payload.restart_in_secs = context.restartInMs === null ? null : context.restartInMs / 1000;
      this.deps.logs.add('error', `LLM server failed: ${context.error}${context.restartInMs === null ? '' : `; restarting in ${context.restartInMs / 1000} s`}`);
    } else if (state === 'running') {
      payload.n_ctx = context.info?.n_ctx ?? null;
      this.deps.logs.add('info', `model ${context.spec?.filename} loaded in ${context.info?.load_ms} ms (context ${context.info?.n_ctx}, chat format ${context.info?.chat_wrapper})`);
    } else {
      this.deps.logs.add('info', `LLM server ${state}`);
    }
    this.deps.bus.publish('llm:status', payload);
  }

  #deliver(event: LlmServerEvent): void {
    if (!this.#send(event)) throw new LlmRefused('restarting', 'the LLM server actor is restarting; try again shortly');
  }

  /** What to load: the active model (and projector) with the current config; a string says why not. */
  #spec(): LlmLoadSpec | string {
    const { catalog, settings } = this.deps;
    const active = catalog.activeModel;
    if (!active) return 'no model selected (choose a downloaded model with POST /v1/llm/server/switch-model)';
    const model = catalog.find(active);
    if (!model) return `the selected model "${active}" is not in the catalog`;
    const modelPath = catalog.localPathOf(model);
    if (!modelPath) return `the selected model "${active}" is not downloaded`;
    const config = settings.get();
    const mmprojModel = catalog.activeMmproj ? catalog.find(catalog.activeMmproj) : undefined;
    return {
      filename: model.filename,
      modelPath,
      mmprojPath: config.autoload_mmproj && mmprojModel ? catalog.localPathOf(mmprojModel) : null,
      threads: effectiveThreads(config),
      contextSize: config.ctx_size,
      parallel: config.parallel,
      gpuLayers: config.n_gpu_layers >= ALL_LAYERS ? 'max' : config.n_gpu_layers,
      gpu: settings.inferenceDevice() === 'gpu',
      flashAttention: config.flash_attention,
      batchSize: config.n_batch,
    };
  }
}
