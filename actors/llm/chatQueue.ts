// Admission for chat completions: at most `parallel` generate at once (one per sequence of the
// loaded context), at most `maxQueued` wait for a turn in arrival order, and one more is refused
// at once — the caller answers 429 rather than holding a connection for an unbounded wait.
export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`the LLM is busy: ${limit} request(s) are already waiting; retry later`);
  }
}

export class QueueAbortedError extends Error {}

export interface QueueLimits {
  parallel: number;
  maxQueued: number;
}

interface Waiter {
  resolve(release: () => void): void;
  reject(err: Error): void;
  detach(): void;
}

export class ChatQueue {
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(private readonly limits: () => QueueLimits) {}

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * A turn to generate: resolves with the function that gives it back. Throws QueueFullError at
   * once (not through the promise) when the queue is full; rejects with QueueAbortedError if
   * `signal` aborts while waiting, or `rejectAll` empties the queue.
   */
  admit(signal?: AbortSignal): Promise<() => void> {
    const { parallel, maxQueued } = this.limits();
    if (this.#running < parallel && this.#waiting.length === 0) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiting.length >= maxQueued) throw new QueueFullError(maxQueued);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(new QueueAbortedError('the request was abandoned while waiting for the LLM'));
      };
      const waiter: Waiter = { resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** Refuses everyone waiting (the server stopped); running turns end on their own. */
  rejectAll(reason: string): void {
    for (const w of this.#waiting.splice(0)) {
      w.detach();
      w.reject(new QueueAbortedError(reason));
    }
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      this.#pump();
    };
  }

  #pump(): void {
    const { parallel } = this.limits();
    while (this.#running < parallel && this.#waiting.length) {
      const w = this.#waiting.shift()!;
      w.detach();
      this.#running++;
      w.resolve(this.#releaser());
    }
  }
}
