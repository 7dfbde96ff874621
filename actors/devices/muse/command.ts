// Control commands (protocol reference §3.1): one length byte, the ASCII text, a newline. The
// length byte counts the text plus the newline; muse-lsl's hard-coded 4 is only right for
// two-digit presets, so it is computed here.

/** The commands this source sends, by what they do (§3.1). */
export const MUSE_COMMAND = {
  halt: 'h',
  status: 's',
  resume: 'd',
  deviceInfo: 'v1',
  keepAlive: 'k',
} as const;

/** A classic notification/write payload is 20 bytes: the frame must fit in it. */
const MAX_COMMAND_TEXT = 18;

export function encodeCommand(text: string): Uint8Array {
  if (text.length === 0 || text.length > MAX_COMMAND_TEXT || !/^[\x21-\x7e]+$/.test(text)) {
    throw new RangeError(`not a Muse command: ${JSON.stringify(text)}`);
  }
  const bytes = new Uint8Array(text.length + 2);
  bytes[0] = text.length + 1;
  for (let i = 0; i < text.length; i++) bytes[i + 1] = text.charCodeAt(i);
  bytes[text.length + 1] = 0x0a;
  return bytes;
}
