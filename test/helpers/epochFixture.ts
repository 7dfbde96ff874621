// Day databases and metrics CSVs with known contents, for the analysis tests and the history
// benchmark. Every value is generated here (deterministically, from a seed) and handed back to the
// caller, so tests can recompute expected figures from the records themselves rather than from the
// code under test.
//
// Three storage eras can be written:
// - `current`: this daemon's schema (both tables), unix-ms timestamps, canonical metric keys;
// - `legacy`: the reference's `embeddings` table only, with 17-digit (`YYYYMMDDHHmmss × 1000`)
//   or 14-digit (`YYYYMMDDHHmmss`) timestamps and `relaxation_score`/`engagement_score` keys.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DAY_MIGRATIONS, openDayDbForWrite } from '../../actors/store/daySchema.ts';
import { utcDayName } from '../../actors/store/dayDirs.ts';
import { EPOCH_METRIC_KEYS } from '../../actors/store/epochMetrics.ts';
import { unixMsToCompact } from '../../actors/store/timestamps.ts';
import { metricsCsvHeader } from '../../actors/store/csvLayout.ts';
import { seededRandom } from '../fixtures/signal/syntheticSignals.ts';

export type StageProfile = 'wake' | 'n1' | 'n2' | 'n3' | 'rem';

/** Relative band powers (δ θ α β γ high-γ) that put an epoch clearly inside one sleep stage. */
const PROFILES: Record<StageProfile, readonly number[]> = {
  wake: [0.2, 0.15, 0.36, 0.19, 0.07, 0.03],
  n1: [0.4, 0.28, 0.15, 0.12, 0.03, 0.02],
  n2: [0.45, 0.2, 0.17, 0.12, 0.04, 0.02],
  n3: [0.6, 0.15, 0.1, 0.1, 0.03, 0.02],
  rem: [0.35, 0.36, 0.1, 0.12, 0.04, 0.03],
};

/** A night-like cycle of stages, one entry per run of epochs. */
export const STAGE_CYCLE: readonly StageProfile[] = ['wake', 'n1', 'n2', 'n3', 'n2', 'rem', 'n1', 'wake', 'n2', 'rem'];

export interface FixtureEpoch {
  /** Unix ms of the epoch. */
  ms: number;
  /** The record as stored (canonical keys; a legacy writer renames two of them). */
  metrics: Record<string, number>;
  /** Empty for a metrics-only row. */
  embedding: Float32Array | null;
  /** The stage its band profile was drawn from. */
  profile: StageProfile;
}

/** The seeded generator of the signal fixtures (mulberry32), shared with planted-data tests. */
export const prng = seededRandom;

/** A full metric record for one epoch of the given stage; every key gets a distinct value. */
export function epochMetrics(profile: StageProfile, rand: () => number): Record<string, number> {
  const out: Record<string, number> = {};
  EPOCH_METRIC_KEYS.forEach((k, i) => {
    out[k] = Math.round((i + 1) * (1 + rand()) * 1000) / 1000;
  });
  // Jitter each band a little, then renormalise so the six sum to 1.
  const bands = PROFILES[profile].map((v) => v * (0.97 + 0.06 * rand()));
  const sum = bands.reduce((a, b) => a + b, 0);
  ['rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta', 'rel_gamma', 'rel_high_gamma'].forEach((k, i) => {
    out[k] = bands[i]! / sum;
  });
  return out;
}

export interface EpochRunOptions {
  startMs: number;
  count: number;
  /** Spacing in ms (5 s epochs by default). */
  stepMs?: number;
  seed?: number;
  /** Epochs per stage run in STAGE_CYCLE. */
  runLength?: number;
  /** Give every n-th epoch an embedding (0: none). */
  embedEvery?: number;
}

export function makeEpochs(o: EpochRunOptions): FixtureEpoch[] {
  const rand = prng(o.seed ?? 1);
  const step = o.stepMs ?? 5_000;
  const run = o.runLength ?? 12;
  const out: FixtureEpoch[] = [];
  for (let i = 0; i < o.count; i++) {
    const profile = STAGE_CYCLE[Math.floor(i / run) % STAGE_CYCLE.length]!;
    const embedding = o.embedEvery && i % o.embedEvery === 0 ? Float32Array.from({ length: 8 }, () => rand()) : null;
    out.push({ ms: o.startMs + i * step, metrics: epochMetrics(profile, rand), embedding, profile });
  }
  return out;
}

export type TimestampEncoding = 'ms' | 'c14' | 'c17';

export function encodeTimestamp(ms: number, enc: TimestampEncoding): number {
  if (enc === 'ms') return ms;
  const compact = unixMsToCompact(ms);
  return enc === 'c14' ? compact : compact * 1000;
}

/** The stored JSON of a record: a legacy writer uses the reference's `*_score` spellings. */
export function storedJson(metrics: Record<string, unknown>, legacy: boolean): string {
  if (!legacy) return JSON.stringify(metrics);
  const { relaxation, engagement, ...rest } = metrics;
  return JSON.stringify({ ...rest, relaxation_score: relaxation, engagement_score: engagement });
}

export interface DayDbOptions {
  /** The reference's single-table layout (no `band_snapshots`). */
  legacy?: boolean;
  /** Timestamp encoding of each row (legacy only; current databases use unix ms). */
  encoding?: TimestampEncoding | ((i: number) => TimestampEncoding);
  /** Extra ~4 Hz rows for `band_snapshots` (current) — never counted as epochs. */
  snapshots?: FixtureEpoch[];
  /** Raw rows added as they are: odd JSON, NULLs, all-zero bands. */
  rawRows?: Array<{ timestamp: number; metrics_json: string | null }>;
}

/** Writes (or appends to) `<dataDir>/<YYYYMMDD of first epoch>/eeg.sqlite`; returns the day folder. */
export function writeDayDb(dataDir: string, epochs: readonly FixtureEpoch[], opts: DayDbOptions = {}): string {
  const first = epochs[0]?.ms ?? opts.rawRows?.[0]?.timestamp ?? Date.UTC(2026, 0, 1);
  const dayDir = path.join(dataDir, utcDayName(first));
  let db: Database.Database;
  if (opts.legacy) {
    fs.mkdirSync(dayDir, { recursive: true });
    db = new Database(path.join(dayDir, 'eeg.sqlite'));
    db.exec(DAY_MIGRATIONS[0]!);
  } else {
    db = openDayDbForWrite(dayDir);
  }
  const insert = db.prepare(
    `INSERT INTO embeddings (timestamp, device_name, hnsw_id, eeg_embedding, metrics_json) VALUES (?, 'Fixture', 0, ?, ?)`,
  );
  const insertSnapshot = opts.legacy ? null : db.prepare(`INSERT INTO band_snapshots (timestamp, device_name, metrics_json) VALUES (?, 'Fixture', ?)`);
  const enc = opts.encoding ?? 'ms';
  db.transaction(() => {
    epochs.forEach((e, i) => {
      const encoding = opts.legacy ? (typeof enc === 'function' ? enc(i) : enc) : 'ms';
      const blob = e.embedding ? Buffer.from(e.embedding.buffer, e.embedding.byteOffset, e.embedding.byteLength) : Buffer.alloc(0);
      insert.run(encodeTimestamp(e.ms, encoding), blob, storedJson(e.metrics, !!opts.legacy));
    });
    for (const s of opts.snapshots ?? []) insertSnapshot?.run(s.ms, JSON.stringify(s.metrics));
    for (const r of opts.rawRows ?? []) insert.run(r.timestamp, Buffer.alloc(0), r.metrics_json);
  })();
  db.close();
  return dayDir;
}

/** Writes epochs spread over several UTC days: one database per day folder. */
export function writeEpochsByDay(dataDir: string, epochs: readonly FixtureEpoch[], opts: DayDbOptions = {}): string[] {
  const byDay = new Map<string, FixtureEpoch[]>();
  for (const e of epochs) {
    const day = utcDayName(e.ms);
    let list = byDay.get(day);
    if (!list) byDay.set(day, (list = []));
    list.push(e);
  }
  return [...byDay.values()].map((list) => writeDayDb(dataDir, list, opts));
}

export interface MetricsCsvRow {
  /** Unix seconds. */
  t: number;
  /** Per channel, the 12 values in csvLayout order (absolute δ…high-γ, then relative δ…high-γ). */
  channels: number[][];
  /** Cross-channel columns by CSV column name (missing ones are written empty). */
  cross: Record<string, number>;
}

/** Rows of a metrics CSV with known values, for `channelNames.length` channels. */
export function makeMetricsCsvRows(channelNames: readonly string[], count: number, startS: number, seed = 7): MetricsCsvRow[] {
  const rand = prng(seed);
  const rows: MetricsCsvRow[] = [];
  for (let i = 0; i < count; i++) {
    const profile = STAGE_CYCLE[i % STAGE_CYCLE.length]!;
    const channels = channelNames.map(() => {
      const rel = PROFILES[profile].map((v) => v * (0.9 + 0.2 * rand()));
      const sum = rel.reduce((a, b) => a + b, 0);
      const relN = rel.map((v) => v / sum);
      return [...relN.map((v) => v * 100), ...relN];
    });
    const cross: Record<string, number> = {};
    for (const name of ['faa', 'tar', 'bar', 'dtr', 'pse', 'apf', 'bps', 'snr', 'coherence', 'mu_suppression', 'mood', 'tbr',
      'sef95', 'spectral_centroid', 'hjorth_activity', 'hjorth_mobility', 'hjorth_complexity', 'permutation_entropy', 'higuchi_fd',
      'dfa_exponent', 'sample_entropy', 'pac_theta_gamma', 'laterality_index', 'hr_bpm', 'rmssd_ms', 'sdnn_ms', 'pnn50_pct',
      'lf_hf_ratio', 'respiratory_rate_bpm', 'spo2_pct', 'perfusion_index_pct', 'stress_index', 'blink_count', 'blink_rate_per_min',
      'head_pitch_deg', 'head_roll_deg', 'stillness', 'nod_count', 'shake_count', 'meditation', 'cognitive_load', 'drowsiness',
      'focus', 'relaxation', 'engagement']) {
      cross[name] = Math.round(rand() * 100_000) / 1000;
    }
    rows.push({ t: startS + i * 0.25, channels, cross });
  }
  return rows;
}

/**
 * Writes a metrics CSV. `header` defaults to this daemon's layout; pass a reordered or reduced
 * header to check that readers go by column names.
 */
export function writeMetricsCsv(file: string, channelNames: readonly string[], rows: readonly MetricsCsvRow[], header?: string[]): void {
  const columns = header ?? metricsCsvHeader(channelNames).split(',');
  const perChannel = ['delta', 'theta', 'alpha', 'beta', 'gamma', 'high_gamma', 'rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta', 'rel_gamma', 'rel_high_gamma'];
  const lines = [columns.join(',')];
  for (const r of rows) {
    lines.push(columns.map((c) => {
      if (c === 'timestamp_s') return r.t.toFixed(6);
      const ch = channelNames.findIndex((n) => c.startsWith(`${n}_`) && perChannel.includes(c.slice(n.length + 1)));
      if (ch >= 0) return String(r.channels[ch]![perChannel.indexOf(c.slice(channelNames[ch]!.length + 1))]);
      const v = r.cross[c];
      return v === undefined ? '' : String(v);
    }).join(','));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}
