// The worker side of SignalPipelineWorker: one SignalPipeline per worker thread.
import { parentPort, workerData } from 'node:worker_threads';
import { withF32Fields } from './f32Wire.ts';
import { SignalPipeline } from './signalPipeline.ts';
import type { FromWorker, ToWorker, WorkerStart } from './signalWorkerProtocol.ts';

const port = parentPort;
if (!port) throw new Error('signalWorkerThread.ts must run in a worker thread');
const start = workerData as WorkerStart;
const pipeline = new SignalPipeline(start.options);

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'eeg': {
      try {
        const channels: Float32Array[] = [];
        for (let c = 0; c < msg.channels; c++) channels.push(new Float32Array(msg.buffer, c * msg.samples * 4, msg.samples));
        // Rounded here, off the main thread: a 32-channel snapshot has ~420 f32 fields.
        const snapshots = pipeline.pushEeg({ kind: 'eeg', t0Ms: msg.t0Ms, sampleRateHz: msg.sampleRateHz, channels }).map(withF32Fields);
        // Quality is read at the snapshot cadence, not per chunk (it scans a second of samples).
        const reply: FromWorker = { type: 'bands', id: msg.id, snapshots, quality: snapshots.length > 0 ? pipeline.quality() : null, buffer: msg.buffer };
        port.postMessage(reply, [msg.buffer]);
      } catch (err) {
        const reply: FromWorker = { type: 'error', id: msg.id, message: (err as Error).message, buffer: msg.buffer };
        port.postMessage(reply, [msg.buffer]);
      }
      return;
    }
    case 'ppg':
      pipeline.pushPpg(msg.frame);
      return;
    case 'imu':
      pipeline.pushImu(msg.frame);
      return;
    case 'filter':
      try {
        pipeline.setFilterConfig(msg.config);
      } catch (err) {
        port.postMessage({ type: 'error', id: null, message: (err as Error).message } satisfies FromWorker);
      }
      return;
  }
});
