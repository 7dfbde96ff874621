// Messages between the daemon and the search index thread (searchThread.ts). Requests carry an
// id and are answered by id; a range search answers with `started`, one `result` per query
// epoch and `finished` (or `error`), and stops at the next epoch after a `cancel`.
import type { IndexParams } from './epochIndex.ts';
import type { SearchEntry } from './searchShapes.ts';

export type IndexState = 'opening' | 'ready' | 'rebuilding';

export interface OpenRequest {
  dataDir: string;
  params: IndexParams;
  /** The live encoder's dimension when known: a rebuild makes an index of it. */
  preferDim: number | null;
  /** Save after this many new or replaced vectors… */
  saveEvery: number;
  /** …but not more often than this (re-embedding adds hundreds a second). */
  minSaveIntervalMs: number;
}

export interface RangeQuery {
  startS: number;
  endS: number;
  k: number;
  /** Already raised to the query minimum. */
  ef: number;
  deviceName: string | null;
}

export interface IndexStats {
  total_embeddings: number;
  file_size_bytes: number;
  path: string;
  ready: boolean;
  rebuilding: boolean;
  dim: number | null;
  model: string | null;
  m: number;
  ef_construction: number;
  capacity: number;
  days: number;
  skipped_dimension: number;
  skipped_zero: number;
  unsaved: number;
  last_saved_unix_ms: number | null;
  active_searches: number;
  cancelled_searches: number;
  /** Query epochs whose own node was not found at first, searched again with a wider beam. */
  widened_queries: number;
}

export type RebuildReason = 'missing' | 'corrupt' | 'requested' | 'dimension' | 'model';

export interface RebuildReport {
  reason: RebuildReason;
  path: string;
  recovered: number;
  /** Where a corrupt file was moved. */
  quarantined: string | null;
  detail: string;
}

export type ToSearchThread =
  | { type: 'open'; open: OpenRequest }
  | { type: 'add'; timestampMs: number; day: string; vector: ArrayBuffer; model: string | null }
  | { type: 'search'; id: number; query: RangeQuery }
  | { type: 'cancel'; id: number }
  | { type: 'rebuild'; id: number }
  | { type: 'stats'; id: number }
  | { type: 'devices'; id: number }
  | { type: 'close'; id: number }
  | { type: 'fault' };

export type FromSearchThread =
  | { type: 'state'; state: IndexState }
  | { type: 'rebuilt'; report: RebuildReport }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'started'; id: number; queryCount: number; searchedDays: string[] }
  | { type: 'result'; id: number; entry: SearchEntry; done: number }
  | { type: 'finished'; id: number; total: number }
  | { type: 'reply'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string };
