// How long embedding an epoch takes, for GET /v1/models/status and reembed estimates: the last
// one and the mean of the most recent WINDOW, each as seen by the daemon (queue hand-off to the
// thread and back) and inside the thread (resampling and inference).

const WINDOW = 100;

export class EmbedTimings {
  readonly #recent: number[] = [];
  #sum = 0;
  #last: number | null = null;
  #lastInThread: number | null = null;
  #count = 0;

  add(ms: number, inThreadMs: number): void {
    this.#last = ms;
    this.#lastInThread = inThreadMs;
    this.#count++;
    this.#recent.push(ms);
    this.#sum += ms;
    if (this.#recent.length > WINDOW) this.#sum -= this.#recent.shift()!;
  }

  /** Milliseconds for the last epoch, or 0 before the first (the reference's default). */
  get lastMs(): number {
    return this.#last ?? 0;
  }

  get lastInThreadMs(): number {
    return this.#lastInThread ?? 0;
  }

  get avgMs(): number {
    return this.#recent.length ? this.#sum / this.#recent.length : 0;
  }

  get count(): number {
    return this.#count;
  }
}
