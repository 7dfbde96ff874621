// Long loops on the main thread (building an index, reading many day databases) give the event
// loop a turn every few milliseconds, so requests keep being answered while they run.
import { performance } from 'node:perf_hooks';

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class TimeSlice {
  #since = performance.now();

  constructor(private readonly budgetMs = 8) {}

  /** Yields once the budget is spent; call it between units of work. */
  async pause(): Promise<void> {
    if (performance.now() - this.#since < this.budgetMs) return;
    await nextTurn();
    this.#since = performance.now();
  }
}
