// POST /v1/analysis/umap (notes §7.8): the embeddings of two ranges laid out together in 3-D by
// UMAP (umap-js), each point tagged with its range, plus the separation analysis. Runs inside a
// worker thread (umapWorkerThread.ts); the optimisation is stepped one epoch at a time so progress
// can be reported and the configured cool-down honoured between epochs.
//
// - Fewer than 5 embeddings in total: no projection, `reason` says why (`no_epochs`,
//   `no_embeddings: …`, `too_few_embeddings: …`), as the reference answers.
// - Vectors of a dimension other than the most common one (epochs embedded by another encoder)
//   cannot share a space with the rest; they are left out and counted in `skipped`.
// - n_neighbors is at most n − 1 and n / 2, as the reference limits it for small sets.
// - Random draws come from a seeded generator, so the same epochs and parameters always give the
//   same layout, and the cached result is the one a fresh run would give.
import { UMAP } from 'umap-js';
import { analyseProjection, type UmapAnalysis, type UmapPoint } from './umapAnalysis.ts';
import { rangeEmbeddings } from './umapEmbeddings.ts';
import { seededRandom } from '../devices/virtual/seededRandom.ts';

export const MIN_UMAP_POINTS = 5;
export const UMAP_SEED = 42;

export interface UmapRanges {
  aStartUtc: number;
  aEndUtc: number;
  bStartUtc: number;
  bEndUtc: number;
}

/** The parameters that change the layout (the rest of umap-config does not). */
export interface UmapParams {
  n_neighbors: number;
  n_epochs: number;
  repulsion_strength: number;
  neg_sample_rate: number;
  cooldown_ms: number;
}

export interface UmapProgress {
  status: 'loading' | 'neighbors' | 'fitting';
  epoch: number;
  n_epochs: number;
  n_points: number;
}

export interface UmapResult {
  points: UmapPoint[];
  n_a: number;
  n_b: number;
  total_a: number;
  total_b: number;
  dim: number;
  skipped: number;
  elapsed_ms: number;
  reason?: string;
  analysis?: UmapAnalysis;
  backend: 'umap-js';
  precision: 'f64';
  /** True when served from the result cache. */
  cached: boolean;
  params?: { n_neighbors: number; n_epochs: number; repulsion_strength: number; neg_sample_rate: number; seed: number };
}

export interface UmapHooks {
  onProgress(p: UmapProgress): void;
  /** Blocks the (worker) thread for `ms`; the cool-down between epochs. */
  pause(ms: number): void;
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

export function projectRanges(dataDir: string, r: UmapRanges, params: UmapParams, hooks: UmapHooks): UmapResult {
  const started = performance.now();
  hooks.onProgress({ status: 'loading', epoch: 0, n_epochs: params.n_epochs, n_points: 0 });
  const a = rangeEmbeddings(dataDir, r.aStartUtc, r.aEndUtc);
  const b = rangeEmbeddings(dataDir, r.bStartUtc, r.bEndUtc);
  const dim = dominantDimension([...a.vectors, ...b.vectors]);
  const keep = (e: typeof a) => e.vectors.flatMap((v, i) => (v.length === dim ? [i] : []));
  const ia = keep(a);
  const ib = keep(b);
  const n = ia.length + ib.length;
  const base = {
    n_a: ia.length,
    n_b: ib.length,
    total_a: a.total,
    total_b: b.total,
    skipped: a.vectors.length + b.vectors.length - n,
    backend: 'umap-js' as const,
    precision: 'f64' as const,
    cached: false,
  };
  const reason = tooFew(a.total + b.total, n);
  if (reason) return { points: [], ...base, dim: 0, elapsed_ms: Math.round(performance.now() - started), reason };

  const data = [...ia.map((i) => Array.from(a.vectors[i]!)), ...ib.map((i) => Array.from(b.vectors[i]!))];
  const nNeighbors = Math.max(2, Math.min(params.n_neighbors, n - 1, Math.floor(n / 2)));
  // Seeded, so the same epochs and parameters always give the same layout.
  const layoutRandom = seededRandom(UMAP_SEED, 'umap layout');
  const umap = new UMAP({
    nComponents: 3,
    nNeighbors,
    nEpochs: params.n_epochs,
    repulsionStrength: params.repulsion_strength,
    negativeSampleRate: params.neg_sample_rate,
    random: () => layoutRandom.next(),
  });
  hooks.onProgress({ status: 'neighbors', epoch: 0, n_epochs: params.n_epochs, n_points: n });
  const nEpochs = umap.initializeFit(data);
  for (let epoch = 1; epoch <= nEpochs; epoch++) {
    umap.step();
    hooks.onProgress({ status: 'fitting', epoch, n_epochs: nEpochs, n_points: n });
    if (params.cooldown_ms > 0 && epoch < nEpochs) hooks.pause(params.cooldown_ms);
  }
  const layout = umap.getEmbedding();
  const points: UmapPoint[] = layout.map((p, i) => {
    const fromA = i < ia.length;
    const src = fromA ? a : b;
    const j = fromA ? ia[i]! : ib[i - ia.length]!;
    const label = src.labels[j];
    return { x: p[0]!, y: p[1]!, z: p[2]!, session: fromA ? 0 : 1, utc: src.utc[j]!, ...(label !== null && label !== undefined && { label }) };
  });
  const analysis = analyseProjection(points, round4);
  for (const p of points) {
    p.x = round4(p.x);
    p.y = round4(p.y);
    p.z = round4(p.z);
  }
  return {
    points,
    ...base,
    dim,
    elapsed_ms: Math.round(performance.now() - started),
    analysis,
    params: { n_neighbors: nNeighbors, n_epochs: nEpochs, repulsion_strength: params.repulsion_strength, neg_sample_rate: params.neg_sample_rate, seed: UMAP_SEED },
  };
}

function tooFew(rows: number, embedded: number): string | null {
  if (embedded >= MIN_UMAP_POINTS) return null;
  if (rows === 0) return 'no_epochs';
  if (embedded === 0) return `no_embeddings: ${rows} epochs in range, none embedded`;
  return `too_few_embeddings: ${embedded} embedded epochs, at least ${MIN_UMAP_POINTS} needed`;
}

/** The most common vector length (ties: the longer one). */
function dominantDimension(vectors: readonly Float32Array[]): number {
  const counts = new Map<number, number>();
  for (const v of vectors) counts.set(v.length, (counts.get(v.length) ?? 0) + 1);
  let best = 0, bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d > best)) [best, bestCount] = [d, c];
  return best;
}
