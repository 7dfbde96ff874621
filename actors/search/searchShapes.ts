// The JSON shapes of EEG similarity search on the wire (notes §6.2, §6.3): field names and
// nesting are the reference's, so its clients read them unchanged.
import { presentMetrics } from '../store/epochMetrics.ts';

/** The metric keys a neighbour carries (the reference's `NeighborMetrics`); null values are left out. */
export const NEIGHBOR_METRIC_KEYS = [
  'relaxation', 'engagement', 'faa', 'tar', 'mood', 'meditation', 'cognitive_load', 'drowsiness', 'hr', 'snr',
  'rel_alpha', 'rel_beta', 'rel_theta', 'headache_index', 'migraine_index', 'consciousness_lzc',
  'consciousness_wakefulness', 'consciousness_integration',
] as const;

export type NeighborMetrics = Partial<Record<(typeof NEIGHBOR_METRIC_KEYS)[number], number>>;

/** A label whose EEG window holds a neighbour's time. */
export interface NeighborLabel {
  id: number;
  eeg_start: number;
  eeg_end: number;
  label_start: number | null;
  label_end: number | null;
  text: string;
}

export interface Neighbor {
  /** The epoch's node id in the global index. */
  hnsw_id: number;
  /** As stored in the row: unix ms, or a reference-era `YYYYMMDDHHmmss` (×1000) value. */
  timestamp: number;
  /** Unix seconds (whole). */
  timestamp_unix: number;
  /** Cosine distance 1 − cos. */
  distance: number;
  /** Day folder `YYYYMMDD` holding the row. */
  date: string;
  device_id: string | null;
  device_name: string | null;
  labels: NeighborLabel[];
  metrics?: NeighborMetrics;
}

/** One query epoch and its neighbours. */
export interface SearchEntry {
  timestamp: number;
  timestamp_unix: number;
  neighbors: Neighbor[];
}

export interface SearchResult {
  start_utc: number;
  end_utc: number;
  k: number;
  ef: number;
  query_count: number;
  searched_days: string[];
  results: SearchEntry[];
}

/** Events of POST /v1/search/eeg/stream, each a bare `data:` line. */
export type SearchProgress =
  | { kind: 'started'; query_count: number; searched_days: string[] }
  | { kind: 'result'; entry: SearchEntry; done_count: number }
  | { kind: 'done'; total: number }
  | { kind: 'error'; error: string };

/** The reply of POST /v1/search/eeg when neither a range nor a text query is given (§6.2 c). */
export const EMPTY_GRAPH = { nodes: [], edges: [], dot: '', svg: '', svg_col: '', results: [] } as const;

/** The neighbour metrics of a row's `metrics_json`: the listed keys that hold a finite number (legacy spellings too). */
export function neighborMetrics(json: string | null | undefined): NeighborMetrics | null {
  const present = presentMetrics(json);
  if (!present) return null;
  const out: NeighborMetrics = {};
  for (const k of NEIGHBOR_METRIC_KEYS) if (present[k] !== undefined) out[k] = present[k];
  return out;
}
