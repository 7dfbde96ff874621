// Where start-up time and memory go: which packages the daemon loads before it listens (its
// static import graph, read from an esbuild metafile: dynamic imports are loaded on first use,
// not at start), and what each of them costs to import by itself in a fresh process (wall time
// and RSS growth), next to the TypeScript loader and the built daemon's whole module graph.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { formatValue } from './figure.ts';

const REPO_ROOT = new URL('..', import.meta.url).pathname;
const ENTRY = 'bin/daemon.ts';
/** Packages worth naming: native addons and large libraries. */
const HEAVY = [
  'uWebSockets.js', 'better-sqlite3', 'onnxruntime-node', 'node-llama-cpp', 'hnswlib-node', 'sharp',
  'xstate', 'zod', 'umap-js', '@huggingface/tokenizers', 'bonjour-service', 'selfsigned', 'otpauth', '@statelyai/inspect',
];
const REPEATS = 3;

interface Cost {
  ms: number;
  rssMb: number;
}

/** Packages reached from ENTRY through static imports only. */
async function staticPackages(): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints: [path.join(REPO_ROOT, ENTRY)],
    bundle: true, write: false, metafile: true, platform: 'node', format: 'esm',
    packages: 'external', logLevel: 'silent', absWorkingDir: REPO_ROOT,
  });
  const inputs = (metafile as Metafile).inputs;
  const seen = new Set<string>([ENTRY]);
  const packages = new Set<string>();
  const queue = [ENTRY];
  while (queue.length) {
    for (const imp of inputs[queue.pop()!]?.imports ?? []) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) {
        const parts = imp.path.split('/');
        packages.add(imp.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      } else if (!seen.has(imp.path)) {
        seen.add(imp.path);
        queue.push(imp.path);
      }
    }
  }
  return packages;
}

/** Median cost of `import(specifier)` in a fresh plain `node` process (as the built daemon runs). */
function importCost(specifier: string): Cost | null {
  const code =
    `const r0 = process.memoryUsage().rss; const t0 = performance.now(); await import(${JSON.stringify(specifier)}); ` +
    `process.stdout.write(JSON.stringify({ ms: performance.now() - t0, rssMb: (process.memoryUsage().rss - r0) / 1048576 }));`;
  const costs: Cost[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) return null;
    costs.push(JSON.parse(r.stdout) as Cost);
  }
  costs.sort((a, b) => a.ms - b.ms);
  return costs[Math.floor(costs.length / 2)]!;
}

/** Median wall time of a whole process that does nothing (ms). */
function processMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, args, { cwd: REPO_ROOT });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** Lines for a benchmark's notes. */
export async function measureImportCosts(): Promise<string[]> {
  const atStart = await staticPackages();
  const bare = processMs(['-e', '']);
  const withTsx = processMs(['--import', 'tsx', '-e', '']);
  // `--version` answers once every static import is loaded and before the daemon starts.
  const whole = processMs(['dist/daemon/skill-daemon.js', '--version']);
  const rows = HEAVY.map((name) => ({ name, loaded: atStart.has(name), cost: importCost(name) }))
    .filter((r) => r.cost)
    .sort((a, b) => b.cost!.ms - a.cost!.ms);
  const fmt = (c: Cost) => `${formatValue(c.ms)} ms, +${formatValue(c.rssMb)} MB`;
  return [
    `Where start-up goes: an empty \`node -e ''\` takes ${formatValue(bare)} ms, with \`--import tsx\` ${formatValue(withTsx)} ms (the TypeScript loader: +${formatValue(withTsx - bare)} ms); the built daemon's \`--version\` (node plus every module ${ENTRY} loads statically) ${formatValue(whole)} ms (medians of ${REPEATS} fresh processes) — the rest of the cold start is startDaemon itself (stores, actors, listen).`,
    `Loaded at start (static imports of ${ENTRY}): ${rows.filter((r) => r.loaded).map((r) => `${r.name} ${fmt(r.cost!)}`).join('; ') || 'none of the heavy packages'}. Loaded on first use only: ${rows.filter((r) => !r.loaded).map((r) => `${r.name} ${fmt(r.cost!)}`).join('; ') || 'none'}. Each imported alone in a fresh process, so shared dependencies count in each.`,
  ];
}
