// The daemon's handle on one llama.cpp child process (actors/llm/llmChild.ts): forks it, asks
// it to load a model, runs chats through it and forwards their text, and turns its exit into a
// reason a person can read ("killed by SIGKILL (out of memory?)"). Chats still running when the
// process goes are rejected with LlmProcessLost.
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { childExecArgv, entryUrl } from '../runtimeLayout.ts';
import type { LlmLoadSpec, LlmModelInfo } from '../../machines/llmServer.ts';
import type { GenParams } from './genParams.ts';
import type { ChatTurn, ChildMessage, FinishReason, ParentMessage, Usage } from './llmProtocol.ts';

const CHILD_ENTRY = entryUrl('llmChild');
/** Lines of the child's stderr kept to explain a crash. */
const STDERR_TAIL = 8;

export interface GenerationResult {
  finish_reason: FinishReason;
  aborted: boolean;
  usage: Usage;
  ms: number;
}

export class LlmProcessLost extends Error {}

/** A chat the child refused or failed; `code` is OpenAI's where one fits. */
export class LlmGenerationError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export interface LlmProcessEvents {
  loaded(info: LlmModelInfo): void;
  loadFailed(error: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  exited(reason: string): void;
}

interface Pending {
  onDelta(content: string, reasoning: string): void;
  resolve(r: GenerationResult): void;
  reject(err: Error): void;
}

export class LlmProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  readonly #stderrTail: string[] = [];
  #nextId = 1;
  #exited = false;

  constructor(private readonly events: LlmProcessEvents) {
    // Under tsx the child needs the loader too; a built daemon forks plain JavaScript.
    this.#child = fork(CHILD_ENTRY, [], { execArgv: childExecArgv(CHILD_ENTRY), stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
    this.#child.on('message', (m: ChildMessage) => this.#onMessage(m));
    this.#child.on('error', (err) => events.log('error', `llama.cpp process: ${err.message}`));
    this.#child.on('exit', (code, signal) => this.#onExit(code, signal));
    createInterface({ input: this.#child.stdout! }).on('line', (line) => line.trim() && events.log('info', line));
    createInterface({ input: this.#child.stderr! }).on('line', (line) => {
      if (!line.trim()) return;
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > STDERR_TAIL) this.#stderrTail.shift();
      events.log('warn', line);
    });
  }

  get pid(): number | null {
    return this.#child.pid ?? null;
  }

  get exited(): boolean {
    return this.#exited;
  }

  load(spec: LlmLoadSpec): void {
    this.#send({ type: 'load', spec });
  }

  /** Runs one chat; `onDelta` gets its text as it is generated. Abort with `signal`. */
  generate(turns: ChatTurn[], params: GenParams, onDelta: Pending['onDelta'], signal?: AbortSignal): Promise<GenerationResult> {
    if (this.#exited) return Promise.reject(new LlmProcessLost('the llama.cpp process has exited'));
    const id = this.#nextId++;
    return new Promise<GenerationResult>((resolve, reject) => {
      const onAbort = () => this.#send({ type: 'abort', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        onDelta,
        resolve: (r) => (settle(), resolve(r)),
        reject: (e) => (settle(), reject(e)),
      });
      this.#send({ type: 'generate', id, turns, params });
      if (signal?.aborted) onAbort();
    });
  }

  /** Asks the child to free the model and exit. */
  shutdown(): void {
    this.#send({ type: 'shutdown' });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.#exited) this.#child.kill(signal);
  }

  #send(m: ParentMessage): void {
    if (this.#exited || !this.#child.connected) return;
    this.#child.send(m, (err) => {
      if (err) this.events.log('warn', `could not reach the llama.cpp process: ${err.message}`);
    });
  }

  #onMessage(m: ChildMessage): void {
    switch (m.type) {
      case 'loaded':
        return this.events.loaded(m.info);
      case 'load_failed':
        return this.events.loadFailed(m.error);
      case 'log':
        return this.events.log(m.level, m.message);
      case 'delta':
        return this.#pending.get(m.id)?.onDelta(m.content, m.reasoning);
      case 'done': {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        return p?.resolve({ finish_reason: m.finish_reason, aborted: m.aborted, usage: m.usage, ms: m.ms });
      }
      case 'failed': {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        return p?.reject(new LlmGenerationError(m.error, m.code));
      }
    }
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#exited = true;
    const how =
      signal === 'SIGKILL' ? 'was killed by SIGKILL (out of memory?)' : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = this.#stderrTail.at(-1);
    const reason = `the llama.cpp process ${how}${tail ? `; last output: ${tail}` : ''}`;
    for (const p of this.#pending.values()) p.reject(new LlmProcessLost(reason));
    this.#pending.clear();
    this.events.exited(reason);
  }
}
