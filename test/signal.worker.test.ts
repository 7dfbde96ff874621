// SignalPipelineWorker: the same snapshots as the in-thread pipeline, in order with PPG, IMU and
// filter changes, transferred buffers that leave the caller's frames intact, and a clean close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EegBandsPayload } from '../actors/signal/eegBandsPayload.ts';
import { withF32Fields } from '../actors/signal/f32Wire.ts';
import { SignalPipeline } from '../actors/signal/signalPipeline.ts';
import { shouldRunInWorker, SignalPipelineWorker } from '../actors/signal/signalPipelineWorker.ts';
import { eegFrames, syntheticEeg, TEN_TWENTY } from './fixtures/signal/syntheticSignals.ts';

test('heavy montages go to a worker: more than 8 channels or more than 500 Hz', () => {
  assert.equal(shouldRunInWorker(4, 256), false);
  assert.equal(shouldRunInWorker(8, 500), false);
  assert.equal(shouldRunInWorker(9, 256), true);
  assert.equal(shouldRunInWorker(4, 1000), true);
});

test('the worker returns exactly the in-thread snapshots (f32 fields rounded), with filter changes applied in order', async () => {
  const labels = TEN_TWENTY.slice(0, 16), fs = 1000;
  const data = syntheticEeg({ channels: labels.length, fs, seconds: 8, seed: 9 });
  const options = { channelNames: labels, sampleRateHz: fs };
  const worker = new SignalPipelineWorker(options);
  const inline = new SignalPipeline(options);
  try {
    const expected: EegBandsPayload[] = [];
    const pending: Array<Promise<EegBandsPayload[]>> = [];
    let k = 0;
    for (const frame of eegFrames(data, fs, 20)) {
      if (k++ === 150) {
        worker.setFilterConfig({ notch: 'Hz50', low_pass_hz: 40 });
        inline.setFilterConfig({ notch: 'Hz50', low_pass_hz: 40 });
      }
      const copy = frame.channels.map((c) => Float32Array.from(c));
      pending.push(worker.pushEeg(frame));
      // The caller's samples are untouched (the worker got a copy in a transferred buffer).
      assert.deepEqual(frame.channels, copy);
      // The worker sends the f32 fields rounded as on the wire (f32Wire.ts).
      expected.push(...inline.pushEeg(frame).map(withF32Fields));
    }
    const got = (await Promise.all(pending)).flat();
    assert.equal(got.length, expected.length);
    // 24 snapshots (2048-sample window, 250-sample hop), 4 of them before the filter change.
    assert.equal(got.length, 24);
    assert.equal(JSON.stringify(got), JSON.stringify(expected));
    assert.deepEqual(worker.quality(), inline.quality());
    assert.equal(worker.filterConfig.notch, 'Hz50');
    assert.equal(JSON.stringify(worker.latest), JSON.stringify(expected.at(-1)));
  } finally {
    await worker.close();
  }
  await assert.rejects(worker.pushEeg({ kind: 'eeg', t0Ms: 0, sampleRateHz: fs, channels: data.map((d) => d.subarray(0, 10)) }), /closed/);
});

test('a frame the pipeline refuses rejects that push only', async () => {
  const worker = new SignalPipelineWorker({ channelNames: ['C3', 'C4'], sampleRateHz: 256 });
  try {
    await assert.rejects(worker.pushEeg({ kind: 'eeg', t0Ms: 0, sampleRateHz: 256, channels: [new Float32Array(8)] }), /channels/);
    const ok = await worker.pushEeg({ kind: 'eeg', t0Ms: 0, sampleRateHz: 256, channels: [new Float32Array(600), new Float32Array(600)] });
    assert.equal(ok.length, 2);
    assert.throws(() => worker.setFilterConfig({ low_pass_hz: -1 }), RangeError);
  } finally {
    await worker.close();
  }
});
