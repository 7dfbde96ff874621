// The daemon as `npm start` runs it: bundled by scripts/build-daemon.ts into dist/daemon/, once
// per benchmark process, so every benchmark measures the same build.
import { buildDaemon, DAEMON_BUILD_DIR, type DaemonBuild } from '../scripts/build-daemon.ts';
import path from 'node:path';

let building: Promise<DaemonBuild> | null = null;

/** Builds (once) and returns the build; `entry` is the script to run, relative to the repo root. */
export async function builtDaemon(): Promise<DaemonBuild & { entry: string }> {
  building ??= buildDaemon();
  const build = await building;
  return { ...build, entry: path.relative(path.resolve(DAEMON_BUILD_DIR, '..', '..'), path.join(build.outdir, 'skill-daemon.js')) };
}
