// The built daemon: bin/skill-daemon.ts and every worker-thread and child-process entry
// (actors/runtimeLayout.ts) bundled by esbuild into plain JavaScript in dist/daemon/, with the
// code they share in hashed chunks beside them and npm packages left as imports. `npm start`
// runs it; it starts without the TypeScript loader in the process or in any of its threads,
// which is most of the start-up time and idle memory the daemon would otherwise spend.
//   node --import tsx scripts/build-daemon.ts [outdir]     # default dist/daemon
// The output folder must sit two levels under the project (its packages resolve from there).
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { ENTRY_SOURCES, PROJECT_DIR } from '../actors/runtimeLayout.ts';

/** Packages left as imports: native addons, and packages that load files relative to themselves. */
const EXTERNAL = [
  'better-sqlite3', 'uWebSockets.js', 'onnxruntime-node', 'hnswlib-node', 'sharp', 'node-llama-cpp',
  '@huggingface/tokenizers', '@abandonware/noble', '@abandonware/*', 'tsx', 'tsx/*', 'esbuild',
  'selfsigned', '@statelyai/inspect', 'umap-js', 'onnx-proto',
];

export const DAEMON_BUILD_DIR = path.join(PROJECT_DIR, 'dist', 'daemon');

export interface DaemonBuild {
  outdir: string;
  files: number;
  bytes: number;
  ms: number;
}

export async function buildDaemon(outdir = DAEMON_BUILD_DIR): Promise<DaemonBuild> {
  const started = performance.now();
  const entryPoints: Record<string, string> = { 'skill-daemon': path.join(PROJECT_DIR, 'bin', 'skill-daemon.ts') };
  for (const [name, source] of Object.entries(ENTRY_SOURCES)) entryPoints[name] = path.join(PROJECT_DIR, 'actors', source);
  // Built into a fresh folder and swapped in, so a daemon starting meanwhile never sees half a build.
  const staging = `${outdir}.building-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const result = await build({
    entryPoints,
    outdir: staging,
    entryNames: '[name]',
    // Chunks sit beside the entries: a module's import.meta.url then names the same folder
    // whichever file esbuild put it in, and runtimeLayout.ts finds the entries from it.
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Pure-JavaScript packages go into the bundle (no module resolution, no CommonJS export
    // scanning at start-up); native addons and packages that find files beside themselves stay
    // imports.
    external: EXTERNAL,
    banner: { js: "import { createRequire as __skillCreateRequire } from 'node:module'; const require = __skillCreateRequire(import.meta.url);" },
    // Maps without the sources inside: node reads and parses the map of every module at load
    // (--enable-source-maps), and the TypeScript files it points to are in the project anyway.
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  });
  // The source's shebang asks for the TypeScript loader; the bundle needs none.
  const main = path.join(staging, 'skill-daemon.js');
  fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace(/^#!.*\n/, '#!/usr/bin/env node\n'));
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.renameSync(staging, outdir);
  const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js'));
  return {
    outdir,
    files: outputs.length,
    bytes: outputs.reduce((sum, [, o]) => sum + o.bytes, 0),
    ms: performance.now() - started,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await buildDaemon(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`${path.relative(PROJECT_DIR, out.outdir)}: ${out.files} modules, ${(out.bytes / 1024).toFixed(0)} KiB, built in ${out.ms.toFixed(0)} ms`);
}
