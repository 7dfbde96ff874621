// The Hugging Face access token, for gated and private repositories. Where it comes from is
// configuration (`hubToken` in config.ts: `HF_TOKEN`, else the file `huggingface-cli login`
// writes); the file is read at each use, so logging in takes effect without a restart.
//
// The token goes only to the hub itself: a request whose origin is `HF_ENDPOINT`'s. Downloads
// are redirected from the hub to a CDN with a signed URL, and that hop (any other origin) is
// sent without it, as the hub's own clients do.
import fs from 'node:fs';

export interface HubTokenSource {
  /** A token given directly (`HF_TOKEN`), or null. */
  token: string | null;
  /** Otherwise the file holding one. */
  file: string;
}

export class HubToken {
  readonly #origin: string | null;

  constructor(
    endpoint: string,
    private readonly source: HubTokenSource,
  ) {
    this.#origin = URL.canParse(endpoint) ? new URL(endpoint).origin : null;
  }

  /** The Authorization header for a request to `url`, or null (no token, or not the hub). */
  authorization(url: URL): string | null {
    if (!this.#origin || url.origin !== this.#origin) return null;
    const token = this.source.token ?? this.#fromFile();
    return token ? `Bearer ${token}` : null;
  }

  #fromFile(): string | null {
    try {
      return fs.readFileSync(this.source.file, 'utf8').trim() || null;
    } catch {
      return null;
    }
  }
}
