// The `analysis` block of a UMAP projection (notes §7.8): how far apart the two ranges' clouds
// sit in the 3-D layout, relative to how spread out each is, and which points lie far from their
// own cloud.
//
// - centroid_a/b: the mean point of each range;
// - intra_spread_a/b: the mean distance of a range's points to its centroid;
// - inter_cluster_distance: the distance between the centroids;
// - separation_score = inter / mean(intra_a, intra_b): ≫ 1 for two distinct states, about 0–1
//   when both ranges are drawn from the same distribution;
// - outliers: points farther from their centroid than mean + 2·std of their range's distances;
//   up to 20 are listed, farthest first.
//
// A range without points has `null` centroid and spread, and the separation score is `null`
// (undefined rather than zero, which would read as "identical"); so is it when both clouds have
// collapsed to single points.

export interface UmapPoint {
  x: number;
  y: number;
  z: number;
  /** 0 for range A, 1 for range B. */
  session: 0 | 1;
  utc: number;
  label?: string;
}

export interface UmapOutlier {
  x: number;
  y: number;
  z: number;
  session: 'A' | 'B';
  utc: number;
  distance_to_centroid: number;
}

export interface UmapAnalysis {
  centroid_a: [number, number, number] | null;
  centroid_b: [number, number, number] | null;
  inter_cluster_distance: number | null;
  intra_spread_a: number | null;
  intra_spread_b: number | null;
  separation_score: number | null;
  n_outliers_a: number;
  n_outliers_b: number;
  outliers: UmapOutlier[];
}

const MAX_OUTLIERS = 20;

type Vec3 = [number, number, number];

const dist = (p: UmapPoint, c: Vec3) => Math.hypot(p.x - c[0], p.y - c[1], p.z - c[2]);

interface Cloud {
  centroid: Vec3;
  spread: number;
  outliers: Array<{ p: UmapPoint; d: number }>;
}

function cloud(points: readonly UmapPoint[]): Cloud | null {
  if (points.length === 0) return null;
  const c: Vec3 = [0, 0, 0];
  for (const p of points) {
    c[0] += p.x;
    c[1] += p.y;
    c[2] += p.z;
  }
  const centroid = c.map((v) => v / points.length) as Vec3;
  const ds = points.map((p) => dist(p, centroid));
  const mean = ds.reduce((a, b) => a + b, 0) / ds.length;
  const std = Math.sqrt(ds.reduce((a, d) => a + (d - mean) ** 2, 0) / ds.length);
  const limit = mean + 2 * std;
  const outliers = points.flatMap((p, i) => (ds[i]! > limit ? [{ p, d: ds[i]! }] : []));
  return { centroid, spread: mean, outliers };
}

export function analyseProjection(points: readonly UmapPoint[], round: (v: number) => number = (v) => v): UmapAnalysis {
  const a = cloud(points.filter((p) => p.session === 0));
  const b = cloud(points.filter((p) => p.session === 1));
  const inter = a && b ? Math.hypot(a.centroid[0] - b.centroid[0], a.centroid[1] - b.centroid[1], a.centroid[2] - b.centroid[2]) : null;
  const meanIntra = a && b ? (a.spread + b.spread) / 2 : null;
  const separation = inter !== null && meanIntra !== null && meanIntra > 0 ? inter / meanIntra : null;
  const outliers = [...(a?.outliers ?? []), ...(b?.outliers ?? [])]
    .sort((x, y) => y.d - x.d)
    .slice(0, MAX_OUTLIERS)
    .map(({ p, d }) => ({ x: round(p.x), y: round(p.y), z: round(p.z), session: p.session === 0 ? 'A' as const : 'B' as const, utc: p.utc, distance_to_centroid: round(d) }));
  const r3 = (c: Vec3 | undefined) => (c ? (c.map(round) as Vec3) : null);
  const rn = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v));
  return {
    centroid_a: r3(a?.centroid),
    centroid_b: r3(b?.centroid),
    inter_cluster_distance: rn(inter),
    intra_spread_a: rn(a?.spread),
    intra_spread_b: rn(b?.spread),
    separation_score: rn(separation),
    n_outliers_a: a?.outliers.length ?? 0,
    n_outliers_b: b?.outliers.length ?? 0,
    outliers,
  };
}
