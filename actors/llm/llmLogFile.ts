// The LLM server's log on disk, `<data>/llm_logs/llm_YYYYMMDD.log` (one file per UTC day, as the
// recordings' day folders), so what llama.cpp printed before a crash or a failed load can still
// be read after a restart, when the in-memory ring (llmLogs.ts) is gone. One line per entry:
// `<ISO time> <LEVEL> <message>`, newlines in a message escaped so each entry stays one line.
//
// Lines are gathered and appended asynchronously, at most every FLUSH_MS: a model load prints
// hundreds of lines, and the event loop should not wait on the disk for each. `close()` writes
// what is pending synchronously, for shutdown. Files older than KEEP_DAYS are deleted when a new
// day's file starts. A write that fails (disk full) is reported once and the entries of that
// day are dropped: the log must never take the daemon down.
import fs from 'node:fs';
import path from 'node:path';
import type { LlmLogEntry } from './llmLogs.ts';

export const LLM_LOG_DIR = 'llm_logs';
/** Days of log files kept. */
export const KEEP_DAYS = 14;
const FLUSH_MS = 200;
const FILE = /^llm_(\d{8})\.log$/;

/** `YYYYMMDD` of an ISO time (UTC). */
const dayOfIso = (iso: string) => iso.slice(0, 10).replaceAll('-', '');
const dayOf = (ms: number) => dayOfIso(new Date(ms).toISOString());

export class LlmLogFile {
  readonly dir: string;
  #pending: Array<{ day: string; line: string }> = [];
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  #day: string | null = null;
  #failedDay: string | null = null;

  constructor(
    dataDir: string,
    private readonly warn: (message: string) => void,
    private readonly keepDays = KEEP_DAYS,
  ) {
    this.dir = path.join(dataDir, LLM_LOG_DIR);
  }

  fileFor(day: string): string {
    return path.join(this.dir, `llm_${day}.log`);
  }

  add(entry: LlmLogEntry): void {
    const iso = new Date(entry.ts_unix_ms).toISOString();
    const line = `${iso} ${entry.level.toUpperCase()} ${entry.message.replace(/\r?\n/g, '\\n')}\n`;
    this.#pending.push({ day: dayOfIso(iso), line });
    this.#timer ??= setTimeout(() => this.#flush(), FLUSH_MS).unref();
  }

  /** Resolves once everything added so far is on disk (or dropped after a failure). */
  flushed(): Promise<void> {
    if (this.#timer) this.#flush();
    return this.#writing;
  }

  /** Writes what is pending, synchronously: for shutdown. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const [day, text] of this.#byDay(this.#take())) void this.#append(day, () => fs.appendFileSync(this.fileFor(day), text));
  }

  #take(): Array<{ day: string; line: string }> {
    const taken = this.#pending;
    this.#pending = [];
    return taken;
  }

  #byDay(entries: Array<{ day: string; line: string }>): Map<string, string> {
    const out = new Map<string, string>();
    for (const e of entries) if (e.day !== this.#failedDay) out.set(e.day, (out.get(e.day) ?? '') + e.line);
    return out;
  }

  #flush(): void {
    this.#timer = null;
    const batch = this.#byDay(this.#take());
    this.#writing = this.#writing.then(async () => {
      for (const [day, text] of batch) await this.#append(day, () => fs.promises.appendFile(this.fileFor(day), text));
    });
  }

  /**
   * One day's text through `write`; a failure is reported, never thrown. With a synchronous
   * `write` all of it, the report included, happens before this returns (close relies on it).
   */
  async #append(day: string, write: () => void | Promise<void>): Promise<void> {
    try {
      this.#startDay(day);
      await write();
    } catch (err) {
      this.#failed(day, err);
    }
  }

  /** The first write of a day makes the folder and deletes files past the kept days. */
  #startDay(day: string): void {
    if (this.#day === day) return;
    fs.mkdirSync(this.dir, { recursive: true });
    this.#day = day;
    const oldest = dayOf(Date.UTC(+day.slice(0, 4), +day.slice(4, 6) - 1, +day.slice(6, 8)) - (this.keepDays - 1) * 86_400_000);
    for (const name of fs.readdirSync(this.dir)) {
      const m = FILE.exec(name);
      if (m && m[1]! < oldest) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }

  #failed(day: string, err: unknown): void {
    if (this.#failedDay === day) return;
    this.#failedDay = day;
    this.warn(`LLM log ${this.fileFor(day)} could not be written (${(err as Error).message}); the rest of the day's entries stay in memory only`);
  }
}
