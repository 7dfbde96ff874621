// The daemon's log: every line goes to a 512-line ring buffer (served by GET /v1/log/recent)
// and, unless silenced, to stderr. Sequence numbers let clients poll with `?since=`.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  seq: number;
  ts_unix_ms: number;
  level: LogLevel;
  target: string;
  message: string;
}

export const LOG_RING_SIZE = 512;

/**
 * Whether stderr still has a reader. Once it has none (the terminal closed, the parent died),
 * every write fails with EPIPE as an asynchronous 'error' event; unhandled, that is an uncaught
 * exception, which is logged, to stderr, which fails again: the daemon would spin at full CPU
 * and never get to its shutdown. After the first failure the log keeps to its ring buffer.
 */
let stderrOpen = true;
process.stderr.on('error', () => {
  stderrOpen = false;
});

export class DaemonLog {
  private readonly ring: LogLine[] = [];
  private nextSeq = 1;

  constructor(private readonly toStderr: boolean, private readonly now: () => number = Date.now) {}

  write(level: LogLevel, target: string, message: string): void {
    const line: LogLine = { seq: this.nextSeq++, ts_unix_ms: this.now(), level, target, message };
    this.ring.push(line);
    if (this.ring.length > LOG_RING_SIZE) this.ring.shift();
    if (this.toStderr && stderrOpen) {
      process.stderr.write(`${new Date(line.ts_unix_ms).toISOString()} ${level.toUpperCase().padEnd(5)} ${target}: ${message}\n`);
    }
  }

  info(target: string, message: string): void { this.write('info', target, message); }
  warn(target: string, message: string): void { this.write('warn', target, message); }
  error(target: string, message: string): void { this.write('error', target, message); }

  /** Lines with seq > since, oldest first, and the seq to ask for next. */
  since(since: number): { next_seq: number; lines: LogLine[] } {
    return { next_seq: this.nextSeq, lines: this.ring.filter((l) => l.seq > since) };
  }
}
