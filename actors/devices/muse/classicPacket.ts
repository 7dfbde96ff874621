// What every classic data notification shares (protocol reference §6): exactly 20 bytes, the
// first two a big-endian sequence index. Decoders read through a DataView built from the
// Buffer's own byteOffset/byteLength: noble hands over slices of a larger ATT PDU, and Node
// Buffers share pools, so reading `bytes.buffer` from 0 decodes someone else's bytes (§11.1).

export const CLASSIC_PACKET_BYTES = 20;

/** A view over exactly this notification's bytes; throws on any other length (BrainFlow drops those too). */
export function classicPacketView(bytes: Uint8Array): DataView {
  if (bytes.byteLength !== CLASSIC_PACKET_BYTES) {
    throw new RangeError(`classic Muse packet must be ${CLASSIC_PACKET_BYTES} bytes, got ${bytes.byteLength}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The per-characteristic packet counter, wrapping 0xFFFF → 0x0000. */
export function sequenceIndex(view: DataView): number {
  return view.getUint16(0, false);
}
