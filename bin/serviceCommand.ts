// `skill-daemon service install|uninstall|status`: the same installer as the /service/* routes,
// run without a daemon. Prints the result as JSON; exit 0 on success, 1 when the platform has no
// supported service manager or a manager command failed, 2 for a usage error.
import { ConfigError, loadConfig } from '../actors/config.ts';
import { ServiceUnsupported } from '../actors/service/serviceInstaller.ts';
import { daemonServiceInstaller } from './daemonService.ts';

export async function runServiceCommand(args: string[]): Promise<number> {
  const action = args[0];
  if (args.length !== 1 || !['install', 'uninstall', 'status'].includes(action ?? '')) {
    process.stderr.write('usage: skill-daemon service install|uninstall|status\n');
    return 2;
  }
  let installer;
  try {
    installer = daemonServiceInstaller(loadConfig({ env: process.env, argv: [] }));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`skill-daemon: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    const result = action === 'status' ? installer.status() : action === 'install' ? await installer.install() : await installer.uninstall();
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    const failed = 'manager_runs' in result && result.manager_runs.some((r) => r.code !== 0);
    if (failed) process.stderr.write('skill-daemon: the service manager reported an error (see manager_runs)\n');
    return failed ? 1 : 0;
  } catch (err) {
    if (!(err instanceof ServiceUnsupported)) throw err;
    process.stderr.write(`skill-daemon: ${err.message}\n`);
    return 1;
  }
}
