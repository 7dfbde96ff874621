// The machine a result was measured on, so numbers in RESULTS.md are never read without it.
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  date: string;
  /** Share of the CPU time the hypervisor gave to other guests while the figures were taken. */
  steal?: number | null;
}

export function describeMachine(now = new Date()): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() || 'unknown cpu',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    date: now.toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC'),
  };
}

export function machineLine(m: Machine): string {
  const steal = m.steal == null ? '' : `, CPU steal ${(m.steal * 100).toFixed(1)} % during the run`;
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}, ${m.date}${steal}`;
}
