// `npm run bench` runs every benchmark; `npm run bench -- http` only the named ones. Each prints
// its figures and refreshes its section of bench/RESULTS.md. Goals are reported, not enforced:
// the exit code is non-zero only when a benchmark could not run.
import type { BenchmarkOutcome } from './figure.ts';
import { textTable } from './figureTable.ts';
import { stopAllChildren } from './childProcesses.ts';
import { watchCpuSteal } from './cpuSteal.ts';
import { describeMachine, machineLine, type Machine } from './machine.ts';
import { RESULTS_FILE, updateResultsFile } from './resultsFile.ts';

interface BenchmarkModule {
  run(): Promise<BenchmarkOutcome>;
}

// One row per benchmark; modules load lazily so running one does not import the others.
const BENCHMARKS: Array<{ name: string; summary: string; load: () => Promise<BenchmarkModule> }> = [
  { name: 'http', summary: 'authenticated GET /v1/status: daemon vs Fastify vs bare uWS', load: () => import('./http.ts') },
  { name: 'pipeline', summary: 'signal pipeline real-time factor on virtual recordings (4 ch @ 256 Hz, 32 ch @ 1000 Hz) vs Hann+FFT alone; daemon event-loop lag p99 streaming vs idle', load: () => import('./pipeline.ts') },
  { name: 'history', summary: 'analysis metrics, timeseries and sleep over 30 days of 5 s epochs vs read-everything', load: () => import('./history.ts') },
  { name: 'encoder', summary: 'EEG encoder epochs/s through the daemon (live queue, worker thread, store; encodeEpochs batches) vs a bare onnxruntime session on the same model', load: () => import('./encoder.ts') },
  { name: 'search', summary: 'global HNSW index over synthetic 128-d embeddings (as many as build in 2 minutes, up to 1 M): query p50/p99 and recall@10 vs native exact brute force', load: () => import('./search.ts') },
  { name: 'reembed', summary: 'reembed scheduler epochs/s, peak memory and bytes read over raw CSVs (4 ch @ 256 Hz, 32 ch @ 500 Hz) vs reading each CSV whole as the reference does', load: () => import('./reembed.ts') },
  { name: 'llm', summary: 'LLM tokens/s through the daemon (HTTP, queue, llama.cpp child process; whole and streamed) vs node-llama-cpp in-process on the same tiny GGUF', load: () => import('./llm.ts') },
  { name: 'wsfanout', summary: 'EegBands fan-out over /v1/events to 100 WebSocket clients from a streaming daemon: delivery latency p50/p99 vs a bare uWS broadcast of the same payload', load: () => import('./wsFanout.ts') },
  { name: 'startup', summary: 'cold start to /readyz ready (median of 7 fresh starts) and idle RSS vs a bare node -e serving /readyz with uWS', load: () => import('./startup.ts') },
];

const names = BENCHMARKS.map((b) => b.name);
const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !names.includes(a));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; available:\n`);
  for (const b of BENCHMARKS) process.stderr.write(`  ${b.name.padEnd(8)} ${b.summary}\n`);
  process.exit(2);
}

const selected = BENCHMARKS.filter((b) => asked.length === 0 || asked.includes(b.name));
const machine = describeMachine();
process.stdout.write(`${machineLine(machine)}\n`);

const fresh = new Map<string, { outcome: BenchmarkOutcome; machine: Machine }>();
let failed = false;
for (const b of selected) {
  process.stdout.write(`\n== ${b.name}: ${b.summary}\n`);
  const steal = watchCpuSteal(machine.cores);
  try {
    const outcome = await (await b.load()).run();
    fresh.set(b.name, { outcome, machine: { ...describeMachine(), steal: steal.stop() } });
    process.stdout.write(`${textTable(outcome.figures)}\n${outcome.notes.map((n) => `  ${n}`).join('\n')}\n`);
  } catch (err) {
    failed = true;
    process.stderr.write(`${b.name} failed: ${(err as Error)?.stack ?? err}\n`);
  } finally {
    await stopAllChildren();
  }
}

if (fresh.size) {
  updateResultsFile(fresh, names);
  process.stdout.write(`\nwrote ${RESULTS_FILE.pathname}\n`);
}
process.exit(failed ? 1 : 0);
