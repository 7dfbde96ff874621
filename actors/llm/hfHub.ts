// The Hugging Face hub's model API, for finding GGUF models to add to the catalog (notes §9.2):
// a search of GGUF repositories and the GGUF files of one repository, at `HF_ENDPOINT` as the
// model downloads use it. The reference's request and reply shapes; what the hub cannot give is
// a `HubError` whose reason the routes pass on. With a token (hubToken.ts) gated and private
// repositories can be searched and listed too.
//
// Endpoints (the hub's public REST API, as huggingface_hub calls it):
//   GET /api/models?search=<q>&filter=gguf&sort=downloads&direction=-1&limit=<n>   a JSON array
//   GET /api/models/<owner>/<name>/tree/main      a JSON array of {type, path, size, lfs?: {size}},
//                                                 paged with a GitHub-style `Link: <…>; rel="next"`
//   GET /<owner>/<name>/raw/main/README.md        the model card (best effort, first 32 KiB)
import { isLoopbackHost, type NetworkMode } from '../config.ts';
import { isMmprojName, quantOf, shardFilesOf } from './llmCatalogFormat.ts';

/** How long one hub request may take before it is given up. */
export const HUB_TIMEOUT_MS = 15_000;
/** The model card is for display; longer ones are cut (the reference's cap). */
export const README_MAX_BYTES = 32_768;
/** A tree listing longer than this many pages is cut (1000 entries a page on the hub). */
const MAX_TREE_PAGES = 20;

export class HubError extends Error {
  constructor(
    /**
     * `not_found`: the hub has no such repository; `refused`: this daemon may not contact it
     * (loopback-only network, no valid HF_ENDPOINT); `failed`: anything else (unreachable, 5xx, bad reply).
     */
    readonly kind: 'not_found' | 'refused' | 'failed',
    reason: string,
  ) {
    super(reason);
  }
}

export interface HubRepo {
  repo: string;
  author: string;
  downloads: number;
  likes: number;
  tags: string[];
  pipeline_tag: string;
  last_modified: string;
}

export interface HubFile {
  /** The file to give `add-model`: the file itself, or the first shard of a split model. */
  filename: string;
  size_bytes: number;
  /** GiB with two decimals, as the reference reports it. */
  size_gb: number;
  quant: string;
  is_mmproj: boolean;
  /** Every shard of a split model, in order; absent for a single file. */
  shard_files?: string[];
}

export interface HubRepoFiles {
  repo: string;
  files: HubFile[];
  readme: string | null;
}

interface TreeEntry {
  type?: unknown;
  path?: unknown;
  size?: unknown;
  lfs?: { size?: unknown } | null;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const gib = (bytes: number) => Math.round((bytes / 1_073_741_824) * 100) / 100;

/** The next page of a GitHub-style `Link` header, if any. */
function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1]!;
  }
  return null;
}

/** The repository's GGUF files at its top level, a split model once (by its first shard) with its total size. */
export function ggufFilesOf(tree: readonly TreeEntry[]): HubFile[] {
  const sizes = new Map<string, number>();
  for (const e of tree) {
    const p = str(e.path);
    // Files in folders cannot be fetched by the catalog's bare file names; imatrix files are
    // calibration data, not models.
    if (e.type !== 'file' || !/\.gguf$/i.test(p) || p.includes('/') || /imatrix/i.test(p)) continue;
    sizes.set(p, num(e.lfs?.size) || num(e.size));
  }
  const files: HubFile[] = [];
  const seen = new Set<string>();
  for (const name of [...sizes.keys()].sort()) {
    if (seen.has(name)) continue;
    const shards = shardFilesOf(name);
    const group = shards && shards.length > 1 ? shards : [name];
    for (const f of group) seen.add(f);
    const bytes = group.reduce((n, f) => n + (sizes.get(f) ?? 0), 0);
    files.push({
      filename: group[0]!,
      size_bytes: bytes,
      size_gb: gib(bytes),
      quant: quantOf(group[0]!),
      is_mmproj: isMmprojName(group[0]!),
      ...(group.length > 1 ? { shard_files: group } : {}),
    });
  }
  return files;
}

export class HfHub {
  /** Null when `HF_ENDPOINT` is not a URL: every search then fails saying so, and the daemon still starts. */
  readonly #base: URL | null;

  constructor(
    private readonly endpoint: string,
    private readonly network: NetworkMode,
    private readonly timeoutMs = HUB_TIMEOUT_MS,
    /** The Authorization header for a hub URL, or null (no token). */
    private readonly authorization: (url: URL) => string | null = () => null,
  ) {
    this.#base = URL.canParse(endpoint) ? new URL(endpoint.endsWith('/') ? endpoint : `${endpoint}/`) : null;
  }

  /** GGUF repositories matching `query`, most downloaded first. */
  async search(query: string, limit: number, signal?: AbortSignal): Promise<HubRepo[]> {
    const url = this.#url('api/models');
    url.search = new URLSearchParams({ search: query, filter: 'gguf', sort: 'downloads', direction: '-1', limit: String(limit) }).toString();
    const { body } = await this.#json(url, signal);
    if (!Array.isArray(body)) throw new HubError('failed', `${url.origin} sent a search reply that is not a list`);
    return body.flatMap((m: Record<string, unknown>) => {
      const repo = str(m?.id) || str(m?.modelId);
      if (!repo) return [];
      return [{
        repo,
        author: str(m.author) || repo.split('/')[0]!,
        downloads: num(m.downloads),
        likes: num(m.likes),
        tags: Array.isArray(m.tags) ? m.tags.filter((t): t is string => typeof t === 'string') : [],
        pipeline_tag: str(m.pipeline_tag),
        last_modified: str(m.lastModified) || str(m.createdAt),
      }];
    });
  }

  /** The GGUF files of `repo` ("owner/name") and its model card. */
  async repoFiles(repo: string, signal?: AbortSignal): Promise<HubRepoFiles> {
    const tree: TreeEntry[] = [];
    let url: URL | null = this.#url(`api/models/${repo}/tree/main`);
    for (let page = 0; url && page < MAX_TREE_PAGES; page++) {
      const { body, next }: { body: unknown; next: URL | null } = await this.#json(url, signal, repo);
      if (!Array.isArray(body)) throw new HubError('failed', `${url.origin} sent a file listing of ${repo} that is not a list`);
      tree.push(...(body as TreeEntry[]));
      url = next;
    }
    return { repo, files: ggufFilesOf(tree), readme: await this.#readme(repo, signal) };
  }

  #url(rel: string): URL {
    if (!this.#base) throw new HubError('refused', `HF_ENDPOINT "${this.endpoint}" is not a URL`);
    return new URL(rel, this.#base);
  }

  #refusal(url: URL): string | null {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (this.network === 'loopback' && !isLoopbackHost(host)) return `network is loopback-only (SKILL_NETWORK=loopback); refusing to contact ${url.host}`;
    return null;
  }

  async #fetch(url: URL, signal?: AbortSignal): Promise<Response> {
    const refused = this.#refusal(url);
    if (refused) throw new HubError('refused', refused);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const authorization = this.authorization(url);
      return await fetch(url, {
        // fetch drops Authorization when a redirect leaves the origin (Fetch standard, §4.4).
        headers: { accept: 'application/json', 'user-agent': 'skill-daemon', ...(authorization ? { authorization } : {}) },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'follow',
      });
    } catch (err) {
      if (timeout.aborted) throw new HubError('failed', `no answer from ${url.origin} within ${this.timeoutMs / 1000} s`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new HubError('failed', `could not reach ${url.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
  }

  /** A JSON reply and its next page; a 404 for `repo` is `not_found`, any other failure `failed` with the hub's own message. */
  async #json(url: URL, signal?: AbortSignal, repo?: string): Promise<{ body: unknown; next: URL | null }> {
    const res = await this.#fetch(url, signal);
    const text = await res.text().catch((err: Error) => {
      throw new HubError('failed', `${url.origin} broke off its reply: ${err.message}`);
    });
    if (!res.ok) {
      let said = text.slice(0, 300).trim();
      try {
        const j = JSON.parse(text) as { error?: unknown };
        if (typeof j?.error === 'string') said = j.error;
      } catch {
        // Not JSON: the text itself is the best reason there is.
      }
      if (res.status === 404 && repo) throw new HubError('not_found', `Hugging Face has no model repository "${repo}"${said ? ` (${said})` : ''}`);
      throw new HubError('failed', `${url.origin} answered ${res.status}${said ? `: ${said}` : ''}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HubError('failed', `${url.origin} sent a reply that is not JSON`);
    }
    const link = nextLink(res.headers.get('link'));
    let next: URL | null = null;
    if (link) {
      const candidate = new URL(link, url);
      // Only pages of the same hub are followed.
      if (candidate.origin === this.#base?.origin) next = candidate;
    }
    return { body, next };
  }

  /** The first README_MAX_BYTES of the model card, or null when there is none or it cannot be fetched. */
  async #readme(repo: string, signal?: AbortSignal): Promise<string | null> {
    try {
      const res = await this.#fetch(this.#url(`${repo}/raw/main/README.md`), signal);
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        return null;
      }
      const decoder = new TextDecoder();
      let text = '';
      let bytes = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const take = value.subarray(0, README_MAX_BYTES - bytes);
        bytes += take.length;
        // `stream` holds back a character cut at the end rather than mangling it.
        text += decoder.decode(take, { stream: true });
        if (bytes >= README_MAX_BYTES) {
          await reader.cancel();
          break;
        }
      }
      return text;
    } catch {
      // The card is decoration: its absence does not fail the listing.
      return null;
    }
  }
}
