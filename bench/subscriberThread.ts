// One thread of a subscriber pool (subscriberPool.ts): opens its share of /v1/events
// subscribers and, when asked, hands back what each one recorded.
import { parentPort, workerData } from 'node:worker_threads';
import { closeAll, subscribeMany, type Subscriber, type SubscribeOptions } from './eventSubscribers.ts';

export interface SubscriberThreadData {
  count: number;
  options: SubscribeOptions;
}

export type SubscriberThreadRequest = { kind: 'collect' } | { kind: 'close' };

export interface SubscriberReport {
  arrivals: Array<{ stampMs: number; latencyMs: number }>;
  problems: string[];
}

export interface ThreadReport {
  subscribers: SubscriberReport[];
  lastFrame: Uint8Array | null;
}

const { count, options } = workerData as SubscriberThreadData;
let subs: Subscriber[] = [];
try {
  subs = await subscribeMany(count, options);
  parentPort!.postMessage({ kind: 'open' });
} catch (err) {
  parentPort!.postMessage({ kind: 'failed', message: (err as Error).message });
}

parentPort!.on('message', async (req: SubscriberThreadRequest) => {
  if (req.kind === 'collect') {
    const report: ThreadReport = {
      subscribers: subs.map((s) => ({ arrivals: s.arrivals, problems: s.problems })),
      lastFrame: subs.find((s) => s.lastFrame)?.lastFrame ?? null,
    };
    parentPort!.postMessage({ kind: 'report', report });
  } else {
    await closeAll(subs);
    parentPort!.postMessage({ kind: 'closed' });
  }
});
