// The supervised `downloads` actor: while it runs, a runner restored from the queue file holds
// every download. If it fails, the supervisor restarts it and the new runner resumes the
// partial files where the old one left them.
import { fromCallback } from 'xstate';
import type { Downloads } from './downloads.ts';

export function downloadsLogic(downloads: Downloads) {
  return fromCallback(({ self }) => {
    const runner = downloads.createRunner();
    runner.restore();
    const detach = downloads.attach(runner);
    const release = () => {
      detach();
      runner.stop();
    };
    // xstate stops a callback actor that failed without calling the function it returned, so a
    // failed actor's runner would go on transferring beside the one its restart builds (two
    // writers appending to one partial file). Its error observers are still told: let go there.
    self.subscribe({ error: release });
    return release;
  });
}
