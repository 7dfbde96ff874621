// The worker side of AnalysisPool: runs one job at a time against read-only day databases and
// answers with its JSON. Day summaries stay cached here between jobs.
import { parentPort } from 'node:worker_threads';
import { AnalysisError } from './analysisError.ts';
import { ANALYSIS_JOBS, type AnalysisJobName } from './analysisJobs.ts';
import type { AnalysisRequest, AnalysisResponse } from './analysisProtocol.ts';
import { DaySummaryCache } from './daySummaryCache.ts';

const port = parentPort;
if (!port) throw new Error('analysisWorkerThread.ts must run in a worker thread');
const cache = new DaySummaryCache();
const encoder = new TextEncoder();

port.on('message', (msg: AnalysisRequest) => {
  let reply: AnalysisResponse;
  try {
    const job = ANALYSIS_JOBS[msg.job as AnalysisJobName];
    if (!job) throw new Error(`unknown analysis job "${msg.job}"`);
    const json = encoder.encode(JSON.stringify(job(msg.args as never, { dataDir: msg.dataDir, cache })));
    reply = { id: msg.id, ok: true, json };
    port.postMessage(reply, [json.buffer as ArrayBuffer]);
    return;
  } catch (err) {
    reply = { id: msg.id, ok: false, code: err instanceof AnalysisError ? err.code : null, message: (err as Error)?.message ?? String(err) };
  }
  port.postMessage(reply);
});
