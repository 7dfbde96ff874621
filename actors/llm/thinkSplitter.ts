// Splits generated text into the answer and the reasoning between `<think>` and `</think>`
// (notes §9.4: reasoning goes to `reasoning_content`, tags stripped). Text arrives in arbitrary
// chunks, so a tail that could be the start of a tag is held back until the next chunk shows
// whether it is one; `flush` releases it at the end.
const OPEN = '<think>';
const CLOSE = '</think>';

export interface SplitText {
  content: string;
  reasoning: string;
}

export class ThinkSplitter {
  #inThink = false;
  #held = '';

  push(chunk: string): SplitText {
    const out: SplitText = { content: '', reasoning: '' };
    let text = this.#held + chunk;
    this.#held = '';
    while (text) {
      const tag = this.#inThink ? CLOSE : OPEN;
      const at = text.indexOf(tag);
      if (at >= 0) {
        this.#emit(out, text.slice(0, at));
        text = text.slice(at + tag.length);
        this.#inThink = !this.#inThink;
        continue;
      }
      const keep = partialTagAtEnd(text, tag);
      this.#emit(out, text.slice(0, text.length - keep));
      this.#held = text.slice(text.length - keep);
      break;
    }
    return out;
  }

  /** What was held back, as plain text of the current part. */
  flush(): SplitText {
    const out: SplitText = { content: '', reasoning: '' };
    this.#emit(out, this.#held);
    this.#held = '';
    return out;
  }

  #emit(out: SplitText, text: string): void {
    if (this.#inThink) out.reasoning += text;
    else out.content += text;
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagAtEnd(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}
