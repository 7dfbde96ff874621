// A digest of everything a UMAP projection reads: both ranges' rows (count, epoch times, vector
// bytes) and the label texts that name points. Part of the result cache's key, so a cached layout
// is used only while its inputs are exactly the same — not after an epoch was recorded, embedded
// again or labelled inside either range — whatever the day folders' files did meanwhile (today's
// database changes every few seconds while recording, also for ranges it does not touch).
import { createHash } from 'node:crypto';
import { rangeEmbeddings } from './umapEmbeddings.ts';
import type { UmapRanges } from './umapProjection.ts';

export function umapInputDigest(dataDir: string, r: UmapRanges): string {
  const hash = createHash('sha256');
  for (const [start, end] of [[r.aStartUtc, r.aEndUtc], [r.bStartUtc, r.bEndUtc]] as const) {
    const e = rangeEmbeddings(dataDir, start, end);
    hash.update(`range ${start} ${end} ${e.total} ${e.utc.length}\n`);
    e.utc.forEach((utc, i) => {
      const v = e.vectors[i]!;
      hash.update(`${utc} ${v.length} ${e.labels[i] ?? ''}\n`);
      hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    });
  }
  return hash.digest('hex');
}
