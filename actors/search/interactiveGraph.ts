// The interactive cross-modal search graph (notes §6.2 b), built from what the caller looked up:
// the labels whose text is nearest the query, the epochs recorded around each of them, and the
// labels near each of those epochs. Pure: no files, no indices — interactiveSearch.ts gathers.
//
//   query ──text_sim──▶ text_label ──eeg_bridge──▶ eeg_point ──label_prox──▶ found_label
//
// Choices where the reference is silent or loose, documented in docs/search.md:
// - An EEG point's `distance` is the cosine distance between its embedding and the mean EEG of
//   its label's own window (how typical the moment is of the labelled state); when either is
//   missing it is the normalised time distance instead.
// - Without `eegRankBy` the epochs nearest the label in time come first (the reference took the
//   window's first epochs in time order, which with a 10-minute reach are 10 minutes early).
import type { LabelRef } from '../labels/labelWindows.ts';
import type { WindowEpoch } from '../labels/eegWindowReader.ts';
import type { NeighborMetrics } from './searchShapes.ts';
import { cosineSimilarity } from './cosine.ts';
import { project3d } from './projection3d.ts';

export const RANK_METRICS = ['engagement', 'snr', 'relaxation'] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

export interface GraphParams {
  query: string;
  kText: number;
  kEeg: number;
  kLabels: number;
  reachMinutes: number;
  snrPositiveOnly: boolean;
  /** "all" (or absent) for every device. */
  deviceName: string;
  filterStartUtc?: number | undefined;
  filterEndUtc?: number | undefined;
  eegRankBy?: RankMetric | undefined;
}

/** A label found by the query text, nearest first. */
export interface TextHit {
  label_id: number;
  text: string;
  eeg_start: number | null;
  eeg_end: number | null;
  distance: number;
}

export type NodeKind = 'query' | 'text_label' | 'eeg_point' | 'found_label' | 'screenshot';
export type EdgeKind = 'text_sim' | 'eeg_bridge' | 'label_prox' | 'screenshot_prox';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  text?: string;
  timestamp_unix?: number;
  distance: number;
  eeg_metrics?: NeighborMetrics;
  parent_id?: string;
  proj_x?: number;
  proj_y?: number;
  proj_z?: number;
  device_name?: string;
  relevance_score?: number;
}

export interface GraphEdge {
  from_id: string;
  to_id: string;
  distance: number;
  kind: EdgeKind;
}

export interface SearchGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphSources {
  /** Every stored epoch in [startS, endS], time order. */
  epochs(startS: number, endS: number): WindowEpoch[];
  /** The mean EEG embedding of a label's own window, or null when it holds none. */
  labelEeg(hit: TextHit): Float32Array | null;
  /** Labels whose EEG window, widened by padSecs each side, holds t. */
  labelsNear(t: number, padSecs: number): LabelRef[];
}

export const labelNodeId = (id: number) => `label:${id}`;
export const eegNodeId = (timestampUnix: number) => `eeg:${Math.round(timestampUnix * 1000)}`;
export const foundNodeId = (id: number) => `found:${id}`;

/** 0 inside [start, end], else the gap to the nearer end, over `reach` (clamped to 1). */
function timeDistance(t: number, start: number, end: number, reachSecs: number): number {
  const gap = t < start ? start - t : t > end ? t - end : 0;
  return reachSecs > 0 ? Math.min(1, gap / reachSecs) : gap > 0 ? 1 : 0;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Notes §6.2: 0.5·text distance + 0.3·normalised time distance + 0.2·(1 − clamp01(engagement)). */
export function relevance(textDistance: number, timeNorm: number, engagement: number | undefined): number {
  // An epoch without an engagement score counts as middling, neither helped nor hurt.
  const e = engagement === undefined ? 0.5 : clamp01(engagement);
  return 0.5 * textDistance + 0.3 * timeNorm + 0.2 * (1 - e);
}

export function buildSearchGraph(params: GraphParams, hits: readonly TextHit[], sources: GraphSources): SearchGraph {
  const reachSecs = params.reachMinutes * 60;
  const nodes: GraphNode[] = [{ id: 'query', kind: 'query', text: params.query, distance: 0 }];
  const edges: GraphEdge[] = [];
  const eegVectors = new Map<string, Float32Array>();
  const usedEpochs = new Set<string>();
  const foundIds = new Set<number>();
  const textIds = new Set(hits.slice(0, params.kText).map((h) => h.label_id));

  const accepts = (e: WindowEpoch): boolean =>
    (params.deviceName === 'all' || e.device_name === params.deviceName) &&
    (!params.snrPositiveOnly || (e.metrics?.snr ?? 0) > 0) &&
    (params.filterStartUtc === undefined || e.timestamp_unix >= params.filterStartUtc) &&
    (params.filterEndUtc === undefined || e.timestamp_unix <= params.filterEndUtc);

  for (const hit of hits.slice(0, params.kText)) {
    const labelId = labelNodeId(hit.label_id);
    nodes.push({ id: labelId, kind: 'text_label', text: hit.text, ...(hit.eeg_start !== null && { timestamp_unix: hit.eeg_start }), distance: hit.distance, parent_id: 'query' });
    edges.push({ from_id: 'query', to_id: labelId, distance: hit.distance, kind: 'text_sim' });
    if (hit.eeg_start === null || hit.eeg_end === null || params.kEeg === 0) continue;
    const [start, end] = hit.eeg_start <= hit.eeg_end ? [hit.eeg_start, hit.eeg_end] : [hit.eeg_end, hit.eeg_start];

    const candidates = sources.epochs(start - reachSecs, end + reachSecs).filter(accepts);
    const rankBy = params.eegRankBy;
    const ranked = rankBy
      ? candidates.sort((a, b) => (b.metrics?.[rankBy] ?? -Infinity) - (a.metrics?.[rankBy] ?? -Infinity) || a.timestamp_unix - b.timestamp_unix)
      : candidates.sort((a, b) => timeDistance(a.timestamp_unix, start, end, 1) - timeDistance(b.timestamp_unix, start, end, 1) || a.timestamp_unix - b.timestamp_unix);
    const labelEeg = sources.labelEeg(hit);

    let taken = 0;
    for (const epoch of ranked) {
      if (taken >= params.kEeg) break;
      const id = eegNodeId(epoch.timestamp_unix);
      if (usedEpochs.has(id)) continue;
      usedEpochs.add(id);
      taken++;
      const timeNorm = timeDistance(epoch.timestamp_unix, start, end, reachSecs);
      const similarity = epoch.vector && labelEeg ? cosineSimilarity(epoch.vector, labelEeg) : null;
      const eegDistance = similarity === null ? null : 1 - similarity;
      const distance = eegDistance ?? timeNorm;
      if (epoch.vector) eegVectors.set(id, epoch.vector);
      nodes.push({
        id,
        kind: 'eeg_point',
        timestamp_unix: Math.floor(epoch.timestamp_unix),
        distance,
        ...(epoch.metrics && { eeg_metrics: epoch.metrics }),
        parent_id: labelId,
        ...(epoch.device_name !== null && { device_name: epoch.device_name }),
        relevance_score: relevance(hit.distance, timeNorm, epoch.metrics?.engagement),
      });
      edges.push({ from_id: labelId, to_id: id, distance, kind: 'eeg_bridge' });

      if (params.kLabels === 0) continue;
      const near = sources
        .labelsNear(epoch.timestamp_unix, reachSecs)
        .filter((l) => !textIds.has(l.id))
        .map((l) => ({ l, d: timeDistance(epoch.timestamp_unix, l.eeg_start, l.eeg_end, reachSecs) }))
        .sort((a, b) => a.d - b.d || a.l.id - b.l.id)
        .slice(0, params.kLabels);
      for (const { l, d } of near) {
        const foundId = foundNodeId(l.id);
        if (!foundIds.has(l.id)) {
          foundIds.add(l.id);
          nodes.push({ id: foundId, kind: 'found_label', text: l.text, timestamp_unix: l.eeg_start, distance: d, parent_id: id });
        }
        edges.push({ from_id: id, to_id: foundId, distance: d, kind: 'label_prox' });
      }
    }
  }
  placeInThreeD(nodes, eegVectors);
  return { nodes, edges };
}

/** `proj_x/y/z` of the EEG points that have embeddings of the most common dimension. */
function placeInThreeD(nodes: GraphNode[], vectors: ReadonlyMap<string, Float32Array>): void {
  const byDim = new Map<number, string[]>();
  for (const [id, v] of vectors) byDim.set(v.length, [...(byDim.get(v.length) ?? []), id]);
  const ids = [...byDim.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  if (ids.length < 2) return;
  const coords = project3d(ids.map((id) => vectors.get(id)!));
  const at = new Map(ids.map((id, i) => [id, coords[i]!]));
  for (const n of nodes) {
    const c = at.get(n.id);
    if (c) [n.proj_x, n.proj_y, n.proj_z] = c;
  }
}
