// Block assembly and sequence clocks beyond what the vectors cover: lost packets become NaN and
// are counted, a silent channel stops holding its stream back after about a second, joining
// mid-block is not a loss, a wholly lost index starts a new chunk, late packets are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockAssembler, type AssembledChunk } from '../actors/devices/muse/blockAssembler.ts';
import { SequenceClock } from '../actors/devices/muse/sequenceClock.ts';

const packet = (value: number, n = 12) => new Array<number>(n).fill(value);
const t = (index: number) => 1000 + index * 46.875;

function feed(a: BlockAssembler, pushes: Array<[channel: number, index: number]>): AssembledChunk[] {
  return pushes.flatMap(([c, i]) => a.push(c, i, t(i), packet(i * 10 + c)));
}

test('a complete block is released at its last electrode, channel-major with the block time', () => {
  const a = new BlockAssembler(4, 12, 22);
  assert.deepEqual(feed(a, [[0, 5], [1, 5], [2, 5]]), []);
  const [chunk] = feed(a, [[3, 5]]);
  assert.ok(chunk);
  assert.equal(chunk.index, 5);
  assert.equal(chunk.t0Ms, t(5));
  assert.deepEqual(chunk.channels.map((c) => Array.from(c)), [packet(50), packet(51), packet(52), packet(53)]);
  assert.deepEqual(a.counters, { missingPackets: 0, lostBlocks: 0, latePackets: 0 });
});

test('a packet lost on one electrode is NaN once that electrode moves on, and counted', () => {
  const a = new BlockAssembler(4, 12, 22);
  feed(a, [[0, 1], [1, 1], [2, 1], [3, 1]]);
  assert.deepEqual(feed(a, [[0, 2], [1, 2], [3, 2]]), [], 'AF8 might still come');
  const [chunk] = feed(a, [[2, 3]]);
  assert.ok(chunk);
  assert.equal(chunk.index, 2);
  assert.ok(chunk.channels[2]!.every(Number.isNaN));
  assert.deepEqual(Array.from(chunk.channels[0]!), packet(20));
  assert.equal(a.counters.missingPackets, 1);
  assert.equal(feed(a, [[0, 3], [1, 3], [3, 3]])[0]?.index, 3, 'the stream carries on');
});

test('joining the stream mid-block discards that block instead of inventing NaN', () => {
  const a = new BlockAssembler(4, 12, 22);
  const chunks = feed(a, [[2, 7], [3, 7], [0, 8], [1, 8], [2, 8], [3, 8]]);
  assert.deepEqual(chunks.map((c) => c.index), [8]);
  assert.ok(chunks[0]!.channels.every((ch) => !ch.some(Number.isNaN)));
  assert.equal(a.counters.missingPackets, 0);
});

test('a channel that never speaks (Muse S PPG) stops blocking after the quiet window', () => {
  const a = new BlockAssembler(3, 6, 11);
  const out: AssembledChunk[] = [];
  for (let i = 0; i < 11; i++) out.push(...a.push(0, i, t(i), packet(1, 6)), ...a.push(1, i, t(i), packet(2, 6)));
  assert.equal(out.length, 0, 'waits while the silence is short');
  out.push(...a.push(0, 11, t(11), packet(1, 6)));
  assert.deepEqual(out.map((c) => c.index), [0], 'index 11 shows channel 2 quiet for 11 packets: 0..10 go out at once');
  assert.equal(out[0]!.channels[0]!.length, 11 * 6);
  assert.ok(out[0]!.channels[2]!.every(Number.isNaN));
  assert.ok(out[0]!.channels[1]!.every((x) => x === 2));
  out.push(...a.push(1, 11, t(11), packet(2, 6)));
  assert.deepEqual(out.map((c) => c.index), [0, 11], 'from then on each block leaves as soon as the live channels are in');
  assert.equal(a.counters.missingPackets, 12);
});

test('a wholly lost index starts a new chunk, so t0 + i/rate stays right inside every chunk', () => {
  const a = new BlockAssembler(2, 12, 22);
  const chunks = feed(a, [[0, 1], [1, 1], [0, 3], [1, 3]]);
  assert.deepEqual(chunks.map((c) => [c.index, c.t0Ms]), [[1, t(1)], [3, t(3)]]);
  assert.equal(a.counters.lostBlocks, 1);
});

test('blocks released by one push are joined into one chunk when contiguous', () => {
  const a = new BlockAssembler(2, 12, 22);
  feed(a, [[0, 1], [1, 1]]);
  const out = feed(a, [[0, 2], [0, 3], [0, 4], [1, 5]]);
  assert.equal(out.length, 1, 'channel 1 moving to 5 releases 2, 3 and 4 at once');
  assert.equal(out[0]!.index, 2);
  assert.equal(out[0]!.channels[0]!.length, 36);
  assert.ok(out[0]!.channels[1]!.every(Number.isNaN));
  assert.equal(a.counters.missingPackets, 3);
});

test('a packet arriving after its block was released is dropped and counted', () => {
  const a = new BlockAssembler(2, 12, 22);
  feed(a, [[0, 1], [1, 1], [0, 2], [0, 3], [1, 3]]);
  assert.deepEqual(feed(a, [[1, 2]]), []);
  assert.equal(a.counters.latePackets, 1);
});

test('a sequence clock keeps time across many wraps and only moves forward', () => {
  const clock = new SequenceClock(46.875, () => 0);
  let last = -Infinity;
  for (let k = 0; k < 3 * 65536; k += 97) {
    const s = clock.stamp(k & 0xffff);
    assert.equal(s.index, k);
    assert.equal(s.t0Ms, -46.875 + k * 46.875);
    assert.ok(s.t0Ms > last);
    last = s.t0Ms;
  }
});
