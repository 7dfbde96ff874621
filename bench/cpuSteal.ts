// Time the hypervisor gave this virtual machine's CPUs to other guests ("steal" in /proc/stat).
// Other processes on this machine are visible (foreignLoad.ts); a busy neighbour on the same host
// is not, except as steal, and it can slow every figure of a run, baselines included. Recording
// it with each section tells a slow host from a slow daemon. Linux only; null elsewhere.
import { machineCpuTicks } from './foreignLoad.ts';

/** USER_HZ: /proc/stat counts in hundredths of a second. */
const TICKS_PER_SECOND = 100;

function stealTicks(): number | null {
  try {
    const { steal } = machineCpuTicks();
    return Number.isFinite(steal) ? steal : null;
  } catch {
    return null;
  }
}

/** Starts counting; `stop()` returns the steal since then as a share of the machine's CPU time (0–1), or null. */
export function watchCpuSteal(cores: number): { stop(): number | null } {
  const from = stealTicks();
  const startedAt = Date.now();
  return {
    stop() {
      const to = stealTicks();
      const seconds = (Date.now() - startedAt) / 1000;
      if (from === null || to === null || seconds <= 0) return null;
      return (to - from) / TICKS_PER_SECOND / (seconds * cores);
    },
  };
}
