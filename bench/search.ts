// Similarity search: the global index the daemon uses (actors/search/epochIndex.ts: hnswlib-node,
// cosine, the model config's default M 16 and ef_construction 200) over synthetic 128-d epoch
// embeddings — as many as it builds in BUILD_SECONDS, up to 1 M — against exact brute force over
// the same vectors (hnswlib-node's native BruteforceSearch, the strongest exact baseline at hand:
// a C++ scan, not a JavaScript loop), measured in the same run. Brute force also gives the true
// neighbours for recall@10.
//
// The vectors: a real encoder's embeddings are not uniform on the sphere (uniform data is the
// hardest case for any approximate index, and nothing like EEG). These are made like the
// built-in encoder's — a few dozen band-power features of a brain state, linearly projected to
// 128-d and normalised: a 16-d latent (one of 64 states' means plus a spread within the state)
// through a fixed random 16 → 128 projection, plus isotropic 128-d noise, L2-normalised. Queries
// are fresh draws of the same process, not vectors in the index.
//
// The ef that reaches recall@10 ≥ 0.95 is looked for over EF_STEPS; its latency, recall and speed
// ratio are the figures, the other steps are listed in the notes.
//
// For contrast, the same is measured on UNIFORM_N vectors uniform on the sphere — no structure at
// all, the hardest case for an approximate index (DEPENDENCIES.md §4) — without goals.
//
// SKILL_BENCH_SEARCH_SECONDS shortens the build for a quick run.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import hnswlib from 'hnswlib-node';
import { EpochIndex } from '../actors/search/epochIndex.ts';
import { DEFAULT_MODEL_CONFIG } from '../actors/embeddings/modelConfig.ts';
import { compared, formatValue, median, type BenchmarkOutcome, type Figure } from './figure.ts';
import { watchForeignLoad } from './foreignLoad.ts';

const DIM = 128;
const LATENT = 16;
const STATES = 64;
const MAX_N = 1_000_000;
const BUILD_SECONDS = Number(process.env.SKILL_BENCH_SEARCH_SECONDS ?? 120);
const QUERIES = 1_000;
/** Queries for brute force timing and ground truth (each scans every vector). */
const EXACT_QUERIES = 200;
const K = 10;
const EF_STEPS = [64, 96, 128, 192, 256, 384, 512];
const GOAL = { recall: 0.95, p50Ms: 2, ratio: 50 };
const UNIFORM_N = 20_000;
const UNIFORM_EF_STEPS = [64, 128, 256, 512];

function log(line: string): void {
  process.stderr.write(`search: ${line}\n`);
}

/** Small deterministic PRNG (mulberry32): uniforms in (0, 1) and standard normals (Box–Muller). */
function random(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

/** The synthetic embedding process described above. */
function embeddingSource(seed: number) {
  const structure = random(1).normal;
  const projection = Array.from({ length: LATENT }, () => Float64Array.from({ length: DIM }, () => structure() / Math.sqrt(LATENT)));
  const means = Array.from({ length: STATES }, () => Float64Array.from({ length: LATENT }, () => structure() * 1.5));
  const { uniform, normal: draw } = random(seed);
  return (): number[] => {
    const mean = means[Math.floor(uniform() * STATES)]!;
    const v = new Array<number>(DIM).fill(0);
    for (let l = 0; l < LATENT; l++) {
      const z = mean[l]! + draw();
      const row = projection[l]!;
      for (let d = 0; d < DIM; d++) v[d]! += z * row[d]!;
    }
    let norm = 0;
    for (let d = 0; d < DIM; d++) {
      v[d] = v[d]! + draw() * 0.15;
      norm += v[d]! * v[d]!;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < DIM; d++) v[d] = v[d]! / norm;
    return v;
  };
}

/** Vectors uniform on the sphere (normalised Gaussians). */
function uniformSource(seed: number) {
  const { normal } = random(seed);
  return (): number[] => {
    const v = Array.from({ length: DIM }, normal);
    const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => x / n);
  };
}

interface Step {
  ef: number;
  recall: number;
  p50: number;
  p99: number;
}

/** Recall@10 against `truth` (first truth.length queries) and latency over all queries, per ef; stops after two steps past `stopAt`. */
function sweep(index: EpochIndex, queries: number[][], truth: Set<number>[], efs: number[], stopAt: number, label: string): Step[] {
  const steps: Step[] = [];
  for (const ef of efs) {
    const ms: number[] = [];
    let found = 0;
    // A warm-up pass over a few queries so the first timings do not include page faults.
    for (const q of queries.slice(0, 50)) index.search(q, K, ef);
    queries.forEach((q, i) => {
      const t0 = performance.now();
      const hits = index.search(q, K, ef);
      ms.push(performance.now() - t0);
      if (i < truth.length) found += hits.filter((h) => truth[i]!.has(h.timestampMs)).length;
    });
    const step = { ef, recall: found / (truth.length * K), p50: median(ms), p99: percentile(ms, 99) };
    steps.push(step);
    log(`${label} ef ${ef}: recall@10 ${step.recall.toFixed(3)}, p50 ${step.p50.toFixed(3)} ms, p99 ${step.p99.toFixed(3)} ms`);
    if (steps.filter((s) => s.recall >= stopAt).length >= 2) break;
  }
  return steps;
}

/** Exact neighbours of each query and the brute-force time per query. */
function exactAnswers(exact: InstanceType<typeof hnswlib.BruteforceSearch>, queries: number[][]): { truth: Set<number>[]; ms: number[] } {
  const truth: Set<number>[] = [];
  const ms: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const r = exact.searchKnn(q, K);
    ms.push(performance.now() - t0);
    truth.push(new Set(r.neighbors));
  }
  return { truth, ms };
}

/** The hardest case, for contrast: UNIFORM_N uniform vectors, same index settings. */
function uniformCase(m: number, efConstruction: number): { steps: Step[]; exactP50: number; buildS: number } {
  const next = uniformSource(4);
  const index = EpochIndex.create(DIM, { m, efConstruction, model: 'uniform' });
  const exact = new hnswlib.BruteforceSearch('cosine', DIM);
  exact.initIndex(UNIFORM_N);
  const t0 = performance.now();
  const points = Array.from({ length: UNIFORM_N }, next);
  points.forEach((p, i) => index.add(i, '20260101', p));
  const buildS = (performance.now() - t0) / 1000;
  points.forEach((p, i) => exact.addPoint(p, i));
  const queries = Array.from({ length: EXACT_QUERIES }, uniformSource(5));
  const { truth, ms } = exactAnswers(exact, queries);
  return { steps: sweep(index, queries, truth, UNIFORM_EF_STEPS, 2, 'uniform'), exactP50: median(ms), buildS };
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function run(): Promise<BenchmarkOutcome> {
  const foreign = watchForeignLoad([]);
  const next = embeddingSource(2);
  const { hnsw_m: m, hnsw_ef_construction: efConstruction } = DEFAULT_MODEL_CONFIG;
  // Grown by doubling as it fills, as in the daemon.
  const index = EpochIndex.create(DIM, { m, efConstruction, model: 'synthetic' });
  const exact = new hnswlib.BruteforceSearch('cosine', DIM);
  exact.initIndex(MAX_N);

  // Build: chunks of 1,000 until the time budget is spent (only the index's own adds count).
  let buildMs = 0;
  let n = 0;
  while (n < MAX_N && buildMs < BUILD_SECONDS * 1000) {
    const chunk = Array.from({ length: 1_000 }, next);
    const t0 = performance.now();
    for (let i = 0; i < chunk.length; i++) index.add(n + i, '20260101', chunk[i]!);
    buildMs += performance.now() - t0;
    for (let i = 0; i < chunk.length; i++) exact.addPoint(chunk[i]!, n + i);
    n += chunk.length;
    if (n % 50_000 === 0) log(`${n} vectors in ${(buildMs / 1000).toFixed(1)} s`);
  }
  log(`built ${n} vectors in ${(buildMs / 1000).toFixed(1)} s`);

  const queries = Array.from({ length: QUERIES }, embeddingSource(3));
  // Exact neighbours and brute force latency on the first EXACT_QUERIES.
  const { truth, ms: exactMs } = exactAnswers(exact, queries.slice(0, EXACT_QUERIES));
  const exactP50 = median(exactMs);
  log(`brute force p50 ${exactP50.toFixed(2)} ms`);
  const steps = sweep(index, queries, truth, EF_STEPS, GOAL.recall, 'structured');
  const chosen = steps.find((s) => s.recall >= GOAL.recall) ?? steps.at(-1)!;
  const uniform = uniformCase(m, efConstruction);
  const foreignCores = foreign.stop();

  const figures: Figure[] = [
    { name: `vectors indexed in the build budget (${BUILD_SECONDS} s, M ${m}, ef_construction ${efConstruction})`, value: n, unit: 'vectors' },
    { name: 'build rate', value: n / (buildMs / 1000), unit: 'vectors/s' },
    { name: `recall@10 at ef ${chosen.ef}`, value: chosen.recall, unit: '', goal: `≥ ${GOAL.recall}`, pass: chosen.recall >= GOAL.recall },
    { name: `query p50 at ef ${chosen.ef}`, value: chosen.p50, unit: 'ms', goal: `< ${GOAL.p50Ms} ms`, pass: chosen.p50 < GOAL.p50Ms },
    { name: `query p99 at ef ${chosen.ef}`, value: chosen.p99, unit: 'ms' },
    compared(`queries/s at ef ${chosen.ef} (p50)`, 1000 / chosen.p50, 'queries/s', { name: 'exact brute force (native, p50)', value: 1000 / exactP50 }, GOAL.ratio),
  ];
  const notes = [
    `Data: ${n} synthetic ${DIM}-d embeddings (a ${LATENT}-d latent — one of ${STATES} states' means plus unit spread — through a fixed random projection, isotropic noise σ 0.15 per component, L2-normalised); ${QUERIES} fresh queries of the same process, k ${K}. Build stops at ${MAX_N.toLocaleString('en-US')} vectors or after ${BUILD_SECONDS} s of adds, whichever comes first.`,
    `Index: actors/search/epochIndex.ts (the daemon's), cosine, M ${m}, ef_construction ${efConstruction}; latency is one EpochIndex.search call (setEf, array conversion, searchKnn) on the main thread, ${QUERIES} queries per ef after a warm-up. Through the daemon a search also hydrates each neighbour from its day database.`,
    `Baseline: hnswlib-node BruteforceSearch (native exact scan) over the same vectors, ${EXACT_QUERIES} queries, p50 ${formatValue(exactP50)} ms (p99 ${formatValue(percentile(exactMs, 99))} ms); its answers are the ground truth for recall@10 (first ${EXACT_QUERIES} queries).`,
    `ef steps: ${describeSteps(steps)}. The daemon queries with ef = max(requested, k, 64).`,
    `Brute force grows linearly with N and HNSW about logarithmically, so at 1 M vectors the ratio would be larger than at ${n.toLocaleString('en-US')} (an extrapolation, not a measurement: brute force ≈ ${formatValue((exactP50 * MAX_N) / n)} ms per query).`,
    `Hardest case, for contrast: ${UNIFORM_N.toLocaleString('en-US')} vectors uniform on the sphere (no structure), same settings, built in ${formatValue(uniform.buildS)} s; brute force p50 ${formatValue(uniform.exactP50)} ms; ${describeSteps(uniform.steps)} (${EXACT_QUERIES} queries).`,
    ...(foreignCores === null ? [] : [`Other processes used ${formatValue(foreignCores * 100)}% of a core on average (${os.availableParallelism()} cores).`]),
  ];
  return { figures, notes };
}

function describeSteps(steps: Step[]): string {
  return steps.map((s) => `ef ${s.ef} → recall ${s.recall.toFixed(3)}, p50 ${formatValue(s.p50)} ms, p99 ${formatValue(s.p99)} ms`).join('; ');
}
