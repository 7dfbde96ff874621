// At most one report per interval (5 a second at 200 ms) for one download, with the latest
// state always delivered: the first change goes out at once, later ones within the interval
// are folded into one report at its end. Final reports (done, failed, cancelled) go out at
// once and drop any report still pending, so nothing follows the last word.
export class ProgressThrottle {
  #last = -Infinity;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Something changed: report now, or at the end of the current interval. */
  changed(): void {
    if (!this.#timer) this.#fireOrWait();
  }

  /** The final report: now, replacing anything pending. */
  final(): void {
    this.cancel();
    this.#fire();
  }

  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  // Timers count on the monotonic clock, `now` is usually the wall clock: a timer may come due a
  // millisecond before the interval has passed by `now`, and then waits for the rest.
  #fireOrWait(): void {
    const wait = this.#last + this.intervalMs - this.now();
    if (wait <= 0) return this.#fire();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#fireOrWait();
    }, wait);
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = null;
    this.#last = this.now();
    this.emit();
  }
}
