// Finished UMAP projections on disk, `<data>/umap_cache/umap_<a0>_<a1>_<b0>_<b1>_<key>.json`
// (the reference's names plus a key). The key is a hash of the inputs' digest and the
// layout-affecting parameters, so a result is served only for exactly the inputs and parameters
// it was computed from; the reference keyed by the ranges alone and had to purge everything when
// a parameter changed, and never noticed new data. Files are written atomically; beyond
// `maxEntries` the least recently written are removed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../store/atomicFile.ts';
import type { UmapParams, UmapRanges } from './umapProjection.ts';

export const UMAP_CACHE_DIR = 'umap_cache';

export function umapCacheKey(inputDigest: string, params: UmapParams): string {
  const p = [params.n_neighbors, params.n_epochs, params.repulsion_strength, params.neg_sample_rate];
  return createHash('sha256').update(`${inputDigest}|${JSON.stringify(p)}`).digest('hex').slice(0, 16);
}

export class UmapCache {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly maxEntries = 32,
  ) {
    this.dir = path.join(dataDir, UMAP_CACHE_DIR);
  }

  file(r: UmapRanges, key: string): string {
    return path.join(this.dir, `umap_${r.aStartUtc}_${r.aEndUtc}_${r.bStartUtc}_${r.bEndUtc}_${key}.json`);
  }

  /** The stored result, or null when there is none or it does not parse. */
  async read(r: UmapRanges, key: string): Promise<Record<string, unknown> | null> {
    try {
      const value: unknown = JSON.parse(await fs.promises.readFile(this.file(r, key), 'utf8'));
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  write(r: UmapRanges, key: string, json: Uint8Array): void {
    writeFileAtomic(this.file(r, key), json, { mode: 0o600, dirMode: 0o700 });
    this.#prune();
  }

  #prune(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.startsWith('umap_') && n.endsWith('.json'));
    } catch {
      return;
    }
    if (names.length <= this.maxEntries) return;
    const byAge = names
      .map((n) => ({ n, t: fs.statSync(path.join(this.dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
      .sort((a, b) => b.t - a.t);
    for (const { n } of byAge.slice(this.maxEntries)) fs.rmSync(path.join(this.dir, n), { force: true });
  }
}
