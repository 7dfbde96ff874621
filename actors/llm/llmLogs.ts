// The LLM server's log (`GET /v1/llm/server/logs`): lifecycle lines of the daemon and whatever
// llama.cpp and its child process print, in a ring of the last 500 entries as in the reference
// (`LLM_LOG_CAP`). Warnings and errors also go to the daemon log; every entry also goes to the
// `sink`, the log file under `<data>/llm_logs/` (llmLogFile.ts).
import type { DaemonLog } from '../log.ts';

export const LLM_LOG_CAP = 500;

export type LlmLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LlmLogEntry {
  seq: number;
  ts_unix_ms: number;
  level: LlmLogLevel;
  message: string;
}

export class LlmLogs {
  readonly #ring: LlmLogEntry[] = [];
  #seq = 0;

  constructor(
    private readonly daemonLog: DaemonLog | null,
    private readonly cap = LLM_LOG_CAP,
    private readonly sink: ((entry: LlmLogEntry) => void) | null = null,
  ) {}

  add(level: LlmLogLevel, message: string): void {
    const entry: LlmLogEntry = { seq: ++this.#seq, ts_unix_ms: Date.now(), level, message };
    this.#ring.push(entry);
    if (this.#ring.length > this.cap) this.#ring.shift();
    this.sink?.(entry);
    if (level === 'warn' || level === 'error') this.daemonLog?.write(level, 'llm', message);
  }

  /** Entries after `since` (a `seq`), oldest first, at most `limit` of the newest. */
  entries(since = 0, limit = this.cap): LlmLogEntry[] {
    const after = this.#ring.filter((e) => e.seq > since);
    return after.slice(Math.max(0, after.length - limit));
  }
}
