// The virtual headset as a real-time DeviceSource: frames paced by wall time without drift,
// identical samples to the timer-free recording, catch-up after a stall, a cap on the catch-up,
// and a clean stop on close, on a dead battery and on a cancelled connect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EegFrame, SourceFrame } from '../actors/devices/source.ts';
import { virtualSource } from '../actors/devices/virtual/virtualSource.ts';
import { generate } from '../actors/devices/virtual/virtualRecording.ts';

const FS = 256;
const opts = { template: 'muse' as const, seed: 99 };

function collector() {
  const frames: SourceFrame[] = [];
  const ended: string[] = [];
  const arrivals: number[] = [];
  return {
    frames,
    ended,
    arrivals,
    eeg: () => frames.filter((f): f is EegFrame => f.kind === 'eeg'),
    handlers: {
      frame: (f: SourceFrame) => {
        frames.push(f);
        if (f.kind === 'eeg') arrivals.push(Date.now());
      },
      ended: (reason: string) => ended.push(reason),
    },
  };
}

/**
 * Samples a stream should have delivered `elapsedMs` after open: never more than wall time
 * allows, and behind by at most one tick plus timer lateness (generous, for a loaded machine).
 */
function assertPaced(samples: number, elapsedMs: number, what = 'samples') {
  const max = (elapsedMs / 1000) * FS + 1;
  const min = ((elapsedMs - 62.5 - 150) / 1000) * FS;
  assert.ok(samples <= max && samples >= min, `${what}: ${samples} in ${elapsedMs} ms, expected ${min.toFixed(0)}…${max.toFixed(0)}`);
}

function busyWait(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* block the event loop, like a slow handler would */ }
}

test('streams ~256 samples per second of wall time, in order, the same samples as the recording', async () => {
  const c = collector();
  const openedAt = Date.now();
  const conn = await virtualSource(opts).open(c.handlers, new AbortController().signal);
  const openResolvedAt = Date.now();
  assert.equal(conn.info.kind, 'virtual');
  assert.equal(conn.info.id, 'virtual');
  assert.match(conn.info.name, /virtual/i);
  assert.deepEqual(conn.info.channelNames, ['TP9', 'AF7', 'AF8', 'TP10']);
  assert.equal(conn.info.firmwareVersion, 'virtual-1');
  assert.equal(conn.info.eegSampleRateHz, FS);

  await sleep(1500);
  const elapsedMs = Date.now() - openedAt;
  await conn.close();
  const eeg = c.eeg();
  const samples = eeg.reduce((n, f) => n + f.channels[0]!.length, 0);
  assertPaced(samples, elapsedMs);

  // Contiguous timestamps from the open time on: no gaps, no overlaps, no drift.
  const t0 = eeg[0]!.t0Ms;
  assert.ok(t0 >= openedAt && t0 <= openResolvedAt, 'the first sample is stamped with the open time');
  let n = 0;
  for (const f of eeg) {
    assert.ok(Math.abs(f.t0Ms - (t0 + (n * 1000) / FS)) < 1e-6, `frame at sample ${n} has its exact time`);
    assert.ok(f.channels.every((ch) => ch.length === f.channels[0]!.length), 'all channels the same length');
    n += f.channels[0]!.length;
  }
  // The last sample is never from the future, and never far behind.
  const lastSampleMs = t0 + ((n - 1) * 1000) / FS;
  assert.ok(lastSampleMs <= c.arrivals[c.arrivals.length - 1]! + 1, 'no sample ahead of the clock');
  const lags = c.arrivals.map((at, i) => at - (eeg[i]!.t0Ms + ((eeg[i]!.channels[0]!.length - 1) * 1000) / FS));
  assert.ok(lags.every((lag) => lag < 250), `frames arrive soon after their last sample (max ${Math.max(...lags)} ms)`);
  // Chunks are cut on the 62.5 ms grid: 16 samples, or a multiple after a late timer.
  const sizes = eeg.map((f) => f.channels[0]!.length);
  assert.ok(sizes.every((s) => s % 16 === 0), `chunk sizes ${sizes.join(',')}`);
  assert.ok(sizes.filter((s) => s === 16).length > sizes.length / 2, `mostly single ticks: ${sizes.join(',')}`);

  const recorded = generate(opts, n / FS);
  for (let ch = 0; ch < 4; ch++) {
    const live = new Float32Array(n);
    let at = 0;
    for (const f of eeg) {
      live.set(f.channels[ch]!, at);
      at += f.channels[ch]!.length;
    }
    assert.deepEqual(live, recorded.eeg[ch], `channel ${ch} equals the recording`);
  }
  assert.ok(c.frames.some((f) => f.kind === 'ppg') && c.frames.some((f) => f.kind === 'imu') && c.frames.some((f) => f.kind === 'battery'));

  // Closed means closed: nothing more arrives, and closing again is harmless.
  const count = c.frames.length;
  await sleep(200);
  assert.equal(c.frames.length, count, 'no frames after close');
  await conn.close();
  assert.deepEqual(c.ended, [], 'close is not an end-of-stream');
});

test('catches up after an event-loop stall without losing or duplicating samples', async () => {
  const c = collector();
  const openedAt = Date.now();
  const conn = await virtualSource(opts).open(c.handlers, new AbortController().signal);
  await sleep(300);
  busyWait(400);
  await sleep(300);
  const elapsedMs = Date.now() - openedAt;
  await conn.close();
  const eeg = c.eeg();
  const samples = eeg.reduce((n, f) => n + f.channels[0]!.length, 0);
  assertPaced(samples, elapsedMs);
  const biggest = Math.max(...eeg.map((f) => f.channels[0]!.length));
  assert.ok(biggest >= 0.35 * FS, `the backlog came in one catch-up frame (${biggest} samples)`);
  let n = 0;
  for (const f of eeg) {
    assert.ok(Math.abs(f.t0Ms - (eeg[0]!.t0Ms + (n * 1000) / FS)) < 1e-6, 'still contiguous');
    n += f.channels[0]!.length;
  }
});

test('a stall longer than the catch-up cap skips time instead of bursting the backlog', async () => {
  const c = collector();
  const openedAt = Date.now();
  const conn = await virtualSource(opts, { maxCatchUpMs: 250 }).open(c.handlers, new AbortController().signal);
  await sleep(200);
  busyWait(700);
  await sleep(200);
  const elapsedMs = Date.now() - openedAt;
  await conn.close();
  const eeg = c.eeg();
  const biggest = Math.max(...eeg.map((f) => f.channels[0]!.length));
  assert.ok(biggest <= (0.25 * FS) + 16, `catch-up frame capped (${biggest} samples)`);
  // One gap in the frame times, covering the skipped part of the stall.
  let gapMs = 0;
  for (let i = 1; i < eeg.length; i++) {
    const expected = eeg[i - 1]!.t0Ms + (eeg[i - 1]!.channels[0]!.length * 1000) / FS;
    gapMs += eeg[i]!.t0Ms - expected;
  }
  assert.ok(gapMs >= 350 && gapMs <= 700, `skipped ${gapMs.toFixed(0)} ms of a 700 ms stall`);
  const samples = eeg.reduce((n, f) => n + f.channels[0]!.length, 0);
  assertPaced(samples + (gapMs / 1000) * FS, elapsedMs, 'samples + skipped time');
  const last = eeg[eeg.length - 1]!;
  const lastMs = last.t0Ms + ((last.channels[0]!.length - 1) * 1000) / FS;
  assert.ok(Math.abs(Date.now() - lastMs) < 150, 'frame times still track the wall clock');
});

test('a dead battery, a close from a handler or a throwing handler end the stream; a cancelled connect never opens', async () => {
  const c = collector();
  await virtualSource({ ...opts, battery_start_pct: 0.01, battery_drain_pct_per_hour: 6000 })
    .open(c.handlers, new AbortController().signal);
  await sleep(200);
  assert.deepEqual(c.ended, ['battery depleted']);
  const count = c.frames.length;
  await sleep(150);
  assert.equal(c.frames.length, count, 'no frames after the end');

  // Closing from inside a frame handler stops the rest of that tick's frames too.
  const received: string[] = [];
  let conn: { close(): Promise<void> } | undefined;
  conn = await virtualSource(opts).open({
    frame: (f) => {
      received.push(f.kind);
      void conn?.close();
    },
    ended: () => received.push('ended'),
  }, new AbortController().signal);
  await sleep(200);
  assert.deepEqual(received, ['eeg']);

  // A throwing handler ends the stream with the reason instead of crashing the process.
  const endings: string[] = [];
  let calls = 0;
  await virtualSource(opts).open({
    frame: () => {
      calls++;
      throw new Error('consumer bug');
    },
    ended: (reason) => endings.push(reason),
  }, new AbortController().signal);
  await sleep(200);
  assert.equal(calls, 1);
  assert.equal(endings.length, 1);
  assert.match(endings[0]!, /consumer bug/);

  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(virtualSource(opts).open(collector().handlers, aborted.signal), /cancel/i);
  assert.throws(() => virtualSource({ channels: 65 }), /channels|64/, 'bad options are refused up front');
});
