// Multi-channel assembly (protocol reference §8). Every electrode (or PPG channel) is its own
// characteristic; a block is the set of packets sharing one unwrapped index. A block is released
// when each channel has either delivered it, moved past it (a newer index arrived on that
// channel, so this one is lost) or gone quiet (nothing for `quietAfterPackets` packets: AUX
// without an electrode, the PPG characteristic a Muse S leaves silent). Missing packets become
// NaN and are counted. Blocks leave in index order; contiguous blocks are joined into one chunk
// and a wholly lost index starts a new chunk, so `t0Ms` + i/rate is always right within a chunk.
//
// Before the first block is released, one whose missing channel has already moved on is discarded
// instead of NaN-filled: joining the stream between electrodes of one block is not a loss.

export interface AssembledChunk {
  /** Unwrapped index of the first block. */
  index: number;
  t0Ms: number;
  /** Channel-major; every channel has blocks × samplesPerPacket samples. */
  channels: Float32Array[];
}

export interface AssemblyCounters {
  /** Channel packets that never arrived and were filled with NaN. */
  missingPackets: number;
  /** Indices of which no channel arrived at all. */
  lostBlocks: number;
  /** Packets that arrived after their block had been released. */
  latePackets: number;
}

interface PendingBlock {
  t0Ms: number;
  data: Array<ArrayLike<number> | null>;
  filled: number;
}

export class BlockAssembler {
  private readonly pending = new Map<number, PendingBlock>();
  private readonly latest: Array<number | null>;
  private firstIndex: number | null = null;
  private newest = -Infinity;
  /** Lowest index not yet released; null until the first complete block. */
  private next: number | null = null;
  readonly counters: AssemblyCounters = { missingPackets: 0, lostBlocks: 0, latePackets: 0 };

  constructor(
    private readonly channelCount: number,
    private readonly samplesPerPacket: number,
    private readonly quietAfterPackets: number,
  ) {
    this.latest = new Array<number | null>(channelCount).fill(null);
  }

  /** One channel's packet; returns the chunks it made ready (usually zero or one). */
  push(channel: number, index: number, t0Ms: number, samples: ArrayLike<number>): AssembledChunk[] {
    if (channel < 0 || channel >= this.channelCount || samples.length !== this.samplesPerPacket) {
      throw new RangeError(`channel ${channel} / ${samples.length} samples do not fit this assembler`);
    }
    if (this.next !== null && index < this.next) {
      this.counters.latePackets++;
      return [];
    }
    this.firstIndex ??= index;
    this.newest = Math.max(this.newest, index);
    this.latest[channel] = Math.max(this.latest[channel] ?? -Infinity, index);
    let block = this.pending.get(index);
    if (!block) {
      block = { t0Ms, data: new Array<ArrayLike<number> | null>(this.channelCount).fill(null), filled: 0 };
      this.pending.set(index, block);
    }
    if (block.data[channel] === null) block.filled++;
    block.data[channel] = samples;
    return this.release();
  }

  private release(): AssembledChunk[] {
    const ready: Array<{ index: number; block: PendingBlock }> = [];
    for (;;) {
      const index = this.oldestPending();
      if (index === null) break;
      const block = this.pending.get(index)!;
      const state = this.readiness(index, block);
      if (state === 'wait') break;
      this.pending.delete(index);
      if (this.next === null && state === 'overtaken') continue; // joined the stream mid-block
      if (this.next !== null) this.counters.lostBlocks += index - this.next;
      this.counters.missingPackets += this.channelCount - block.filled;
      this.next = index + 1;
      ready.push({ index, block });
    }
    return this.chunk(ready);
  }

  /** 'overtaken' when some missing channel has already sent a newer index (its packet is lost). */
  private readiness(index: number, block: PendingBlock): 'wait' | 'ready' | 'overtaken' {
    let state: 'ready' | 'overtaken' = 'ready';
    for (let c = 0; c < this.channelCount; c++) {
      if (block.data[c] !== null) continue;
      const seen = this.latest[c] ?? null;
      if (seen !== null && seen > index) state = 'overtaken';
      else if (this.newest - (seen ?? this.firstIndex!) < this.quietAfterPackets) return 'wait';
    }
    return state;
  }

  private oldestPending(): number | null {
    let oldest: number | null = null;
    for (const index of this.pending.keys()) if (oldest === null || index < oldest) oldest = index;
    return oldest;
  }

  private chunk(ready: Array<{ index: number; block: PendingBlock }>): AssembledChunk[] {
    const chunks: AssembledChunk[] = [];
    let start = 0;
    for (let i = 1; i <= ready.length; i++) {
      if (i < ready.length && ready[i]!.index === ready[i - 1]!.index + 1) continue;
      chunks.push(this.join(ready.slice(start, i)));
      start = i;
    }
    return chunks;
  }

  private join(run: Array<{ index: number; block: PendingBlock }>): AssembledChunk {
    const n = this.samplesPerPacket;
    const channels = Array.from({ length: this.channelCount }, () => new Float32Array(run.length * n));
    run.forEach(({ block }, b) => {
      channels.forEach((out, c) => {
        const samples = block.data[c];
        if (samples) for (let i = 0; i < n; i++) out[b * n + i] = samples[i]!;
        else out.fill(Number.NaN, b * n, (b + 1) * n);
      });
    });
    const first = run[0]!;
    return { index: first.index, t0Ms: first.block.t0Ms, channels };
  }
}
