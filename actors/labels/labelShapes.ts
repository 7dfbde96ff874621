// The JSON shapes of labels on the wire (notes §8.1), made from stored rows.
import { NEIGHBOR_METRIC_KEYS, type NeighborMetrics } from '../search/searchShapes.ts';
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

/**
 * A label's `eeg_metrics`: each key's mean over the epochs that have it (a key no epoch has is
 * left out, as the search leaves out null metrics); null when the window holds no epoch.
 */
export function windowMetrics(records: readonly NeighborMetrics[]): NeighborMetrics | null {
  if (records.length === 0) return null;
  const out: NeighborMetrics = {};
  for (const k of NEIGHBOR_METRIC_KEYS) {
    let sum = 0;
    let n = 0;
    for (const r of records) {
      const v = r[k];
      if (v !== undefined) {
        sum += v;
        n++;
      }
    }
    if (n > 0) out[k] = sum / n;
  }
  return out;
}
