// Replies on the control characteristic (protocol reference §3.2). Each notification carries
// byte 0 = n, then n ASCII bytes; whatever follows is stale and ignored. Fragments concatenate
// into JSON objects, and one notification can end one object and start the next.
//
// The assembler tracks brace depth (as muse-rs does) rather than cutting at the first `}` (muse-js)
// or at a fragment ending in `}` (muse-lsl, which glues two objects together): it skips anything
// before the first `{` (a reconnect can land mid-message), ignores braces inside JSON strings, and
// drops an object that fails to parse instead of giving up on the channel.

export type ControlReply = Record<string, unknown>;

/** Replies are a few hundred bytes; an object still open past this is garbage, not a reply. */
const MAX_REPLY_CHARS = 4096;

/** The ASCII fragment of one control notification. */
export function controlFragment(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) return '';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Math.min(view.getUint8(0), bytes.byteLength - 1);
  let text = '';
  for (let i = 1; i <= n; i++) text += String.fromCharCode(view.getUint8(i));
  return text;
}

export class ControlAssembler {
  private text = '';
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** `onDropped` hears about objects given up on: invalid JSON, or never closed (for the log). */
  constructor(private readonly onDropped: (text: string, error: string) => void = () => undefined) {}

  /** Feeds one fragment; returns the objects it completed, in order. */
  push(fragment: string): ControlReply[] {
    const done: ControlReply[] = [];
    for (const ch of fragment) {
      if (this.depth === 0) {
        if (ch !== '{') continue; // garbage between objects
        this.text = '';
      }
      this.text += ch;
      if (this.text.length > MAX_REPLY_CHARS) {
        this.onDropped(`${this.text.slice(0, 40)}…`, `no closing brace within ${MAX_REPLY_CHARS} characters`);
        this.reset();
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{') this.depth++;
      else if (ch === '}' && --this.depth === 0) {
        const reply = this.parse(this.text);
        if (reply) done.push(reply);
        this.text = '';
      }
    }
    return done;
  }

  private reset(): void {
    this.text = '';
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  private parse(text: string): ControlReply | null {
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as ControlReply;
      this.onDropped(text, 'not a JSON object');
    } catch (error) {
      this.onDropped(text, (error as Error).message);
    }
    return null;
  }
}
