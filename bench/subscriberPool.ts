// /v1/events subscribers spread over worker threads, each with its own event loop. A hundred
// subscribers are a hundred apps, not a hundred sockets read one after another by one event
// loop: in one thread the last socket's frame waits for the 99 before it, and that queueing in
// the receiver would be measured as delivery latency. The pool is used alike for the daemon and
// its baseline.
import type { Worker } from 'node:worker_threads';
import { startThread } from '../actors/runtimeLayout.ts';
import type { SubscribeOptions } from './eventSubscribers.ts';
import type { SubscriberReport, SubscriberThreadData, ThreadReport } from './subscriberThread.ts';

export interface PoolReport {
  subscribers: SubscriberReport[];
  /** The last frame of the watched type some subscriber received (for replaying its payload). */
  lastFrame: Buffer | null;
}

export interface SubscriberPool {
  readonly threads: number;
  collect(): Promise<PoolReport>;
  close(): Promise<void>;
}

type ThreadMessage = { kind: 'open' } | { kind: 'failed'; message: string } | { kind: 'report'; report: ThreadReport } | { kind: 'closed' };

/**
 * A thread's messages, queued from the moment it starts: an EventEmitter drops a message that
 * arrives while nobody listens, and the threads answer in any order.
 */
class Mailbox {
  readonly #queue: ThreadMessage[] = [];
  #waiting: ((m: ThreadMessage) => void) | null = null;

  constructor(readonly worker: Worker) {
    worker.on('message', (m: ThreadMessage) => this.#deliver(m));
    worker.on('error', (err) => this.#deliver({ kind: 'failed', message: err.message }));
  }

  #deliver(m: ThreadMessage): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting) waiting(m);
    else this.#queue.push(m);
  }

  /** The next message of this kind (or a failure), skipping others. */
  async next(kind: ThreadMessage['kind']): Promise<ThreadMessage> {
    for (;;) {
      const m = this.#queue.shift() ?? (await new Promise<ThreadMessage>((resolve) => (this.#waiting = resolve)));
      if (m.kind === kind || m.kind === 'failed') return m;
    }
  }
}

/** `count` subscribers over `threads` threads (as evenly as they divide). */
export async function openSubscriberPool(count: number, threads: number, options: SubscribeOptions): Promise<SubscriberPool> {
  const workers: Mailbox[] = [];
  const close = async () => {
    await Promise.all(workers.map(async (w) => {
      w.worker.postMessage({ kind: 'close' });
      await Promise.race([w.next('closed'), new Promise((r) => setTimeout(r, 3000).unref())]);
      await w.worker.terminate();
    }));
  };
  try {
    for (let t = 0; t < threads; t++) {
      const share = Math.floor(count / threads) + (t < count % threads ? 1 : 0);
      const data: SubscriberThreadData = { count: share, options };
      workers.push(new Mailbox(startThread(new URL('./subscriberThread.ts', import.meta.url).href, data)));
    }
    for (const w of workers) {
      const msg = await w.next('open');
      if (msg.kind === 'failed') throw new Error(`subscriber thread: ${msg.message}`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    threads,
    async collect() {
      const reports = await Promise.all(workers.map(async (w) => {
        w.worker.postMessage({ kind: 'collect' });
        const msg = await w.next('report');
        if (msg.kind !== 'report') throw new Error('subscriber thread failed while collecting');
        return msg.report;
      }));
      const frame = reports.find((r) => r.lastFrame)?.lastFrame;
      return { subscribers: reports.flatMap((r) => r.subscribers), lastFrame: frame ? Buffer.from(frame) : null };
    },
    close,
  };
}
