// The supervised `downloads` actor: while it runs, a runner restored from the queue file holds
// every download. If it fails, the supervisor restarts it and the new runner resumes the
// partial files where the old one left them.
import { fromCallback } from 'xstate';
import type { Downloads } from './downloads.ts';

export function downloadsLogic(downloads: Downloads) {
  return fromCallback(() => {
    const runner = downloads.createRunner();
    runner.restore();
    const detach = downloads.attach(runner);
    return () => {
      detach();
      runner.stop();
    };
  });
}
