// Where the daemon's own files are when it runs. From sources (`node --import tsx`), every
// worker thread and child process starts from its .ts module beside its owner and needs the
// TypeScript loader registered again (a thread does not inherit `--import` on Node 20, and each
// registration costs a loader thread of its own). Built (`npm run build` → dist/daemon/, what
// `npm start` runs), each entry is a JavaScript bundle named after it beside this module's own
// bundle, started with no loader at all: that is most of the difference in start-up time and
// idle memory between the two.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Whether this process runs the TypeScript sources (true) or the built bundles. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Each thread or child entry, by the name of its bundle, with its source relative to actors/. */
export const ENTRY_SOURCES = {
  signalWorkerThread: 'signal/signalWorkerThread.ts',
  searchThread: 'search/searchThread.ts',
  writerThread: 'recorder/writerThread.ts',
  encoderThread: 'embeddings/encoderThread.ts',
  analysisWorkerThread: 'analysis/analysisWorkerThread.ts',
  umapWorkerThread: 'analysis/umapWorkerThread.ts',
  llmChild: 'llm/llmChild.ts',
} as const;

export type EntryName = keyof typeof ENTRY_SOURCES;

/** The repository (or installed package) root: where dashboard/, dist/ and package.json are. */
export const PROJECT_DIR = path.resolve(fileURLToPath(new URL(FROM_SOURCE ? '..' : '../..', import.meta.url)));

/** The module a thread or child process named `name` starts from. */
export function entryUrl(name: EntryName): URL {
  return FROM_SOURCE ? new URL(ENTRY_SOURCES[name], import.meta.url) : new URL(`./${name}.js`, import.meta.url);
}

/** Node options a child process needs to run `entry` (the TypeScript loader for a .ts file). */
export function childExecArgv(entry: URL | string): string[] {
  return String(entry).endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
}

/** The command line that starts this daemon as it runs now (for an OS service unit). */
export function daemonArgv(): string[] {
  return FROM_SOURCE
    ? [process.execPath, '--import', 'tsx', path.join(PROJECT_DIR, 'bin', 'skill-daemon.ts')]
    : [process.execPath, '--enable-source-maps', fileURLToPath(new URL('./skill-daemon.js', import.meta.url))];
}

const WORKER_BOOT = new URL('./workerBoot.mjs', import.meta.url);

/**
 * Young generation of each thread's isolate (two semi-spaces and the new large-object space).
 * V8 grows it up to 48 MB per isolate when many objects survive a scavenge, and the pages it
 * has touched stay resident. The signal and writer threads allocate steadily all session long:
 * with V8's default, the daemon's V8 pages grew in steps of ~15 MB for the first ten minutes
 * of a 32-channel session (+50 MB); with semi-spaces capped it was +15 MB. At 6 MB (2 MB
 * semi-spaces) scavenges are more frequent, but each copies only the few live objects.
 */
export const THREAD_YOUNG_GENERATION_MB = 6;

/**
 * A worker thread running `entry` (a name above, or a module URL, as tests pass); it receives
 * `{ entry, ...data }` as its workerData. A TypeScript entry goes through workerBoot.mjs, which
 * registers the loader first; a built one is started directly.
 */
export function startThread(entry: EntryName | string, data: object = {}, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  const href = entry in ENTRY_SOURCES ? entryUrl(entry as EntryName).href : entry;
  const workerData = { ...data, entry: href };
  const resourceLimits = { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB, ...options.resourceLimits };
  const all = { ...options, resourceLimits, workerData };
  return href.endsWith('.ts') ? new Worker(WORKER_BOOT, all) : new Worker(new URL(href), all);
}
