// Polls GET /healthz back to back for as long as a scenario runs, to show that the daemon kept
// answering: how many calls, how many failed (a status other than 200, or no answer), and the
// slowest answer.
import { call } from './http.ts';

export interface HealthFigures {
  calls: number;
  failures: number;
  maxLatencyMs: number;
  firstFailure: string | null;
}

export function probeHealth(port: number, everyMs = 50): { stop(): Promise<HealthFigures> } {
  const f: HealthFigures = { calls: 0, failures: 0, maxLatencyMs: 0, firstFailure: null };
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await call(port, 'GET', '/healthz');
        if (res.status !== 200) throw new Error(`status ${res.status}`);
      } catch (err) {
        f.failures++;
        f.firstFailure ??= (err as Error).message;
      }
      f.calls++;
      f.maxLatencyMs = Math.max(f.maxLatencyMs, performance.now() - t0);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return f;
    },
  };
}
