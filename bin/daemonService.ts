// How the OS service starts this daemon: the same Node binary and entry point as the running
// process (the built bundle, or the sources with `--import tsx`), from the project folder, with the address and data folder it
// was configured with. Shared by the `service` subcommand and the /service/* routes.
import os from 'node:os';
import path from 'node:path';
import type { DaemonConfig } from '../actors/config.ts';
import { daemonArgv, PROJECT_DIR } from '../actors/runtimeLayout.ts';
import { ServiceInstaller } from '../actors/service/serviceInstaller.ts';

export function daemonServiceInstaller(config: DaemonConfig, platform: NodeJS.Platform = process.platform): ServiceInstaller {
  const env: Record<string, string> = { SKILL_DATA_DIR: config.dataDir };
  // Port 0 is a test or one-off choice; a service keeps the default port clients look for.
  if (config.port !== 0) env.SKILL_DAEMON_ADDR = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  return new ServiceInstaller({
    platform,
    systemdUserDir: config.service.systemdUserDir,
    launchAgentsDir: config.service.launchAgentsDir,
    runManager: config.service.runManager,
    searchPath: config.service.searchPath,
    command: {
      argv: daemonArgv(),
      workingDirectory: PROJECT_DIR,
      env,
    },
    logFile: path.join(os.homedir(), 'Library', 'Logs', 'skill-daemon.log'),
  });
}
