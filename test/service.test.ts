// The OS service: the unit written into a temporary XDG_CONFIG_HOME (never the user's), the
// /service/* routes with their refusals, and the `service` subcommand. systemctl itself is never
// run: test daemons have SKILL_SERVICE_MANAGER=none (daemonEnv), and the subcommand's test turns
// the manager on only with a recording stand-in named systemctl first on PATH.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { client } from './helpers/http.ts';
import { runCli, tempDirs, useDaemon } from './helpers/daemonProcess.ts';
import { renderLaunchAgent, renderSystemdUnit } from '../actors/service/serviceInstaller.ts';

describe('/service routes', () => {
  const ctx = useDaemon();
  const unitPath = () => path.join(ctx.daemon.dirs.config, 'systemd', 'user', 'skill-daemon.service');

  test('status before install', async () => {
    const status = await ctx.admin.get('/service/status');
    assert.equal(status.status, 200, status.text);
    assert.equal(status.json.installed, false, 'not installed');
    assert.equal(status.json.unit_path, unitPath(), 'the unit goes under XDG_CONFIG_HOME');
    assert.equal(typeof status.json.systemctl_available, 'boolean', 'systemctl availability reported');
    assert.equal(status.json.runs_manager, false, 'SKILL_SERVICE_MANAGER=none');
  });

  test('bad input and missing rights are refused and write nothing', async () => {
    const viewer = client(ctx.daemon.port, (await ctx.admin.post('/v1/auth/tokens', { name: 'v', acl: 'read_only' })).json.token);
    const anonymous = client(ctx.daemon.port, null);
    const cases: Array<[Promise<{ status: number; json: any; text: string }>, number, string]> = [
      [ctx.admin.post('/service/install', { force: true }), 422, 'unknown field'],
      [ctx.admin.call('POST', '/service/install', { rawBody: '{not json' }), 400, 'malformed JSON'],
      [ctx.admin.post('/service/uninstall', { now: 1 }), 422, 'unknown field on uninstall'],
      [viewer.post('/service/install', {}), 403, 'read_only token'],
      [viewer.get('/service/status'), 403, 'status is admin only'],
      [anonymous.post('/service/install', {}), 401, 'no token'],
      [ctx.admin.get('/service/install'), 405, 'wrong method'],
      [ctx.admin.get('/service/nope'), 404, 'unknown path'],
    ];
    for (const [pending, expected, what] of cases) {
      const res = await pending;
      assert.equal(res.status, expected, `${what}: ${res.text}`);
      assert.equal(res.json?.ok, false, `${what}: JSON error body`);
    }
    assert.equal(fs.existsSync(unitPath()), false, 'no unit written by a refused request');
  });

  test('install writes a unit that restarts the daemon, once', async () => {
    const res = await ctx.admin.post('/service/install', {});
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.changed, true, 'written');
    assert.deepEqual(res.json.manager_runs, [], 'systemctl not run');
    const unit = fs.readFileSync(unitPath(), 'utf8');
    assert.match(unit, /^Restart=always$/m, 'Restart=always');
    assert.match(unit, /^RestartPreventExitStatus=2$/m, 'configuration errors are not retried');
    assert.match(unit, /^WantedBy=default\.target$/m, 'starts with the user session');
    assert.match(unit, /^ExecStart=\S*node\S* --import tsx \S*bin\/skill-daemon\.ts$/m, 'runs this entry point');
    assert.ok(unit.includes(`Environment=SKILL_DATA_DIR=${ctx.daemon.dirs.data}`), 'keeps the data folder');
    assert.ok(!unit.includes('SKILL_DAEMON_ADDR'), 'a port-0 test daemon leaves the default address');
    const again = await ctx.admin.post('/service/install', {});
    assert.equal(again.json.changed, false, 'installing twice changes nothing');
    const status = await ctx.admin.get('/service/status');
    assert.equal(status.json.installed, true, 'installed');
    assert.equal(status.json.up_to_date, true, 'matches what install writes');
  });

  test('uninstall removes it', async () => {
    const res = await ctx.admin.post('/service/uninstall', {});
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.removed, true, 'removed');
    assert.equal(fs.existsSync(unitPath()), false, 'file gone');
    const again = await ctx.admin.post('/service/uninstall', {});
    assert.equal(again.json.removed, false, 'nothing left to remove');
  });
});

test('the service subcommand enables the unit through systemctl --user (a recording stand-in)', async () => {
  const dirs = tempDirs();
  const bin = path.join(dirs.root, 'bin');
  const calls = path.join(dirs.root, 'systemctl.calls');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\necho "$@" >> '${calls}'\n`, { mode: 0o755 });
  const env = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, SKILL_DAEMON_ADDR: '127.0.0.1:18999', SKILL_SERVICE_MANAGER: 'systemctl' };

  const install = await runCli({ dirs, env, args: ['service', 'install'] });
  assert.equal(install.code, 0, install.stderr);
  const unitPath = path.join(dirs.config, 'systemd', 'user', 'skill-daemon.service');
  assert.equal(JSON.parse(install.stdout).unit_path, unitPath, 'unit path printed');
  assert.match(fs.readFileSync(unitPath, 'utf8'), /^Environment=SKILL_DAEMON_ADDR=127\.0\.0\.1:18999$/m, 'the configured address is kept');
  assert.deepEqual(fs.readFileSync(calls, 'utf8').trim().split('\n'), ['--user daemon-reload', '--user enable skill-daemon.service'], 'reload, then enable');

  const status = await runCli({ dirs, env, args: ['service', 'status'] });
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).systemctl_available, true, 'the stand-in is found on PATH');
  assert.equal(JSON.parse(status.stdout).installed, true, 'installed');

  const uninstall = await runCli({ dirs, env, args: ['service', 'uninstall'] });
  assert.equal(uninstall.code, 0, uninstall.stderr);
  assert.equal(fs.existsSync(unitPath), false, 'unit removed');
  assert.deepEqual(fs.readFileSync(calls, 'utf8').trim().split('\n').slice(2), ['--user disable skill-daemon.service', '--user daemon-reload'], 'disable, then reload');

  const usage = await runCli({ dirs, env, args: ['service', 'restart'] });
  assert.equal(usage.code, 2, 'unknown action is a usage error');
  assert.match(usage.stderr, /usage: skill-daemon service/, 'usage printed');
});

test('unit and LaunchAgent text: quoting, escaping, keep-alive', () => {
  const cmd = { argv: ['/opt/my node/node', '--import', 'tsx', '/srv/a&b/bin/skill-daemon.ts'], workingDirectory: '/srv/a&b', env: { SKILL_DATA_DIR: '/home/x/100% data' } };
  const unit = renderSystemdUnit(cmd);
  assert.match(unit, /^ExecStart="\/opt\/my node\/node" --import tsx \/srv\/a&b\/bin\/skill-daemon\.ts$/m, 'paths with spaces quoted');
  assert.match(unit, /^Environment="SKILL_DATA_DIR=\/home\/x\/100%% data"$/m, '% escaped as %%');
  const plist = renderLaunchAgent(cmd, '/tmp/log');
  assert.match(plist, /<key>KeepAlive<\/key>\s*<true\/>/, 'KeepAlive');
  assert.match(plist, /<key>RunAtLoad<\/key>\s*<true\/>/, 'RunAtLoad');
  assert.match(plist, /<string>com\.skill\.daemon<\/string>/, 'label');
  assert.ok(plist.includes('/srv/a&amp;b/bin/skill-daemon.ts') && !plist.includes('a&b'), 'XML-escaped');
});
