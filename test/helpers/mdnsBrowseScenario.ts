// Run inside a network namespace with only loopback (see lslNamespace.ts): starts a daemon with
// mDNS on (loopback mode) and two with it off (SKILL_MDNS=0, --no-mdns), browses `_skill._tcp`
// for a few seconds and prints what was found as one JSON line.
import { Bonjour, type Service } from 'bonjour-service';
import { spawnDaemon } from './daemonProcess.ts';

// One after another: three daemons compiling at once on a busy 2-core machine can miss the
// start-up deadline.
const on = await spawnDaemon();
const offByEnv = await spawnDaemon({ env: { SKILL_MDNS: '0' } });
const offByFlag = await spawnDaemon({ args: ['--no-mdns'] });
const browser = new Bonjour({ interface: '127.0.0.1', bind: '0.0.0.0' } as object, (err: Error) => process.stderr.write(`browser: ${err.message}\n`));
const found: Array<{ name: string; port: number; txt: unknown; addresses: string[] }> = [];
browser.find({ type: 'skill', protocol: 'tcp' }, (s: Service) => {
  found.push({ name: s.name, port: s.port, txt: s.txt, addresses: s.addresses ?? [] });
});
await new Promise((r) => setTimeout(r, 4_000));
browser.destroy();
const exits = await Promise.all([on.stop(), offByEnv.stop(), offByFlag.stop()]);
process.stdout.write(
  JSON.stringify({
    ports: { on: on.port, offByEnv: offByEnv.port, offByFlag: offByFlag.port },
    found,
    exitCodes: exits.map((e) => e.code),
    log: on.stderr().split('\n').filter((l) => l.includes('mdns')),
  }) + '\n',
);
process.exit(0);
