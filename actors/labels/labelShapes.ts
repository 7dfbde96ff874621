// The JSON shapes of labels on the wire (notes §8.1), made from stored rows.
import type { EpochMetrics } from '../store/epochMetrics.ts';
import type { LabelRow } from './labelStore.ts';

/** `GET /v1/labels` items and the reply of `POST /v1/labels`. */
export interface LabelEntry {
  id: number;
  text: string;
  context: string;
  eeg_start: number | null;
  eeg_end: number | null;
  label_start: number | null;
  label_end: number | null;
  created_at: number | null;
  embedding_model?: string;
}

/** The reference's `NeighborMetrics`: means over a label's window, of these keys only. */
export const NEIGHBOR_METRIC_KEYS = [
  'relaxation', 'engagement', 'faa', 'tar', 'mood', 'meditation', 'cognitive_load', 'drowsiness', 'hr', 'snr',
  'rel_alpha', 'rel_beta', 'rel_theta', 'headache_index', 'migraine_index', 'consciousness_lzc',
  'consciousness_wakefulness', 'consciousness_integration',
] as const satisfies ReadonlyArray<keyof EpochMetrics>;

export type NeighborMetrics = Partial<Record<(typeof NEIGHBOR_METRIC_KEYS)[number], number>>;

export interface LabelNeighbor {
  label_id: number;
  text: string;
  context: string;
  eeg_start: number | null;
  eeg_end: number | null;
  created_at: number | null;
  embedding_model?: string;
  distance: number;
  eeg_metrics?: NeighborMetrics;
}

export function entryOf(r: LabelRow): LabelEntry {
  const e: LabelEntry = {
    id: r.id,
    text: r.text,
    context: r.context,
    eeg_start: r.eeg_start,
    eeg_end: r.eeg_end,
    label_start: r.label_start,
    label_end: r.label_end,
    created_at: r.created_at,
  };
  if (r.embedding_model) e.embedding_model = r.embedding_model;
  return e;
}

export function neighborOf(r: LabelRow, distance: number, metrics: NeighborMetrics | null): LabelNeighbor {
  const n: LabelNeighbor = {
    label_id: r.id,
    text: r.text,
    context: r.context,
    eeg_start: r.eeg_start,
    eeg_end: r.eeg_end,
    created_at: r.created_at,
    distance,
  };
  if (r.embedding_model) n.embedding_model = r.embedding_model;
  if (metrics) n.eeg_metrics = metrics;
  return n;
}

/** Means of the neighbour metric keys over `records`; null when there are none. */
export function neighborMetrics(records: readonly EpochMetrics[]): NeighborMetrics | null {
  if (records.length === 0) return null;
  const out: NeighborMetrics = {};
  for (const k of NEIGHBOR_METRIC_KEYS) {
    let sum = 0;
    for (const r of records) sum += r[k];
    const mean = sum / records.length;
    if (Number.isFinite(mean)) out[k] = mean;
  }
  return out;
}
