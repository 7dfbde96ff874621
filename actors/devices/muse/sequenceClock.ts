// Sample times from a stream's packet counter (protocol reference §7). BLE delivers in bursts,
// so arrival time is a poor clock; the 16-bit index is exact. This is muse-js's algorithm, with
// its one flaw removed: there is one clock per stream (EEG, PPG), never one shared by streams
// with separate counters (muse-js stamps a PPG packet 382.5 s in the past when EEG and PPG
// indices are far apart; vector `quirk-shared-eeg-ppg-anchor`).
//
// Rules: the first packet anchors the clock at now − one packet duration (it arrived just after
// its last sample, so its first sample was one packet earlier); indices are unwrapped (a drop of
// more than 0x1000 packets means the counter wrapped); a newer index advances the anchor by one
// packet duration per step (so a lost packet leaves a gap); an older index is back-dated without
// moving the anchor. The clock is never re-synchronised with the host: over a long session it
// drifts with the headset's crystal, which keeps sample spacing exact.

export interface SequenceStamp {
  /** The index unwrapped past 0xFFFF (keeps growing for the life of the clock). */
  index: number;
  /** Unix ms of the packet's first sample. */
  t0Ms: number;
}

const WRAP = 0x10000;
const WRAP_THRESHOLD = 0x1000;

export class SequenceClock {
  private lastIndex: number | null = null;
  private lastTimeMs = 0;

  constructor(
    /** samplesPerPacket × 1000 / rate: 46.875 ms for EEG, 93.75 ms for PPG. */
    private readonly packetDurationMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  stamp(index: number): SequenceStamp {
    if (this.lastIndex === null) {
      this.lastIndex = index;
      this.lastTimeMs = this.now() - this.packetDurationMs;
    }
    let unwrapped = index;
    while (this.lastIndex - unwrapped > WRAP_THRESHOLD) unwrapped += WRAP;
    if (unwrapped > this.lastIndex) {
      this.lastTimeMs += this.packetDurationMs * (unwrapped - this.lastIndex);
      this.lastIndex = unwrapped;
    }
    return { index: unwrapped, t0Ms: this.lastTimeMs - this.packetDurationMs * (this.lastIndex - unwrapped) };
  }
}
