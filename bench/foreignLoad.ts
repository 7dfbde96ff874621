// How much CPU other processes took while a benchmark ran. On a 2-core machine a concurrent
// build or test run skews every figure; the runner cannot prevent that, but it can notice it,
// measure the round again, and say so. Linux only (/proc); elsewhere it reports nothing.
import fs from 'node:fs';

interface Snapshot {
  at: number;
  /** Busy ticks of the whole machine (user+nice+system), USER_HZ = 100 per second. */
  machine: number;
  /** Busy ticks of this process, its reaped children (load generators) and the given live pids. */
  ours: number;
}

function ticks(pid: number | 'self', withChildren: boolean): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // Fields after "pid (comm) ": utime is the 12th, stime 13th, cutime 14th, cstime 15th.
  const own = Number(f[11]) + Number(f[12]);
  return withChildren ? own + Number(f[13]) + Number(f[14]) : own;
}

/**
 * The machine's CPU time so far, in ticks (USER_HZ, 100 per second), from the first line of
 * /proc/stat: "cpu user nice system idle iowait irq softirq steal …". Throws off Linux.
 */
export function machineCpuTicks(): { busy: number; steal: number } {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return { busy: cpu[1]! + cpu[2]! + cpu[3]!, steal: cpu[8] ?? Number.NaN };
}

function snapshot(pids: number[]): Snapshot | null {
  try {
    const machine = machineCpuTicks().busy;
    const ours = ticks('self', true) + pids.reduce((sum, pid) => sum + ticks(pid, false), 0);
    return { at: Date.now(), machine, ours };
  } catch {
    return null;
  }
}

/** Starts counting; `stop()` returns other processes' average CPU use in cores (0.4 = 40% of one core), or null. */
export function watchForeignLoad(pids: number[]): { stop(): number | null } {
  const start = snapshot(pids);
  return {
    stop() {
      const end = snapshot(pids);
      if (!start || !end) return null;
      const seconds = (end.at - start.at) / 1000;
      return Math.max(0, (end.machine - start.machine - (end.ours - start.ours)) / 100 / seconds);
    },
  };
}
