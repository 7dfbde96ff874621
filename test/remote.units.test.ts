// Remote access without a daemon: TOTP against the RFC 6238 test vectors (and an independent
// HMAC implementation), the single-use and window rules, the certificate kept across restarts,
// the scope groups and the registration rate limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { codeForStep, matchTotp, secretBytesFromBase32, totpCode, totpStep } from '../actors/remote/totp.ts';
import { loadOrCreateCertificate } from '../actors/remote/tlsCertificate.ts';
import { RegistrationRefused, RemoteAuthStore } from '../actors/remote/remoteAuthStore.ts';
import { aclForScope, groupsAllow } from '../actors/remote/remoteScopes.ts';
import { ConfigError, loadConfig } from '../actors/config.ts';

// RFC 6238 appendix B: seeds are the ASCII digits repeated to the hash's length.
const SEEDS = {
  SHA1: Buffer.from('12345678901234567890', 'ascii'),
  SHA256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};
const VECTORS: Array<[number, string, string, string]> = [
  // [unix seconds, SHA1, SHA256, SHA512], 8 digits
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

/** RFC 4226 §5.3 written out with node:crypto, to check the library against something else. */
function referenceHotp(key: Buffer, counter: number, digits: number, hash = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(hash, key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(bin).padStart(digits, '0');
}

test('TOTP matches every RFC 6238 test vector (SHA-1, SHA-256, SHA-512, 8 digits)', () => {
  for (const [secs, sha1, sha256, sha512] of VECTORS) {
    const ms = secs * 1000;
    assert.equal(totpCode(SEEDS.SHA1, ms, { digits: 8, algorithm: 'SHA1' }), sha1, `SHA1 at T=${secs}`);
    assert.equal(totpCode(SEEDS.SHA256, ms, { digits: 8, algorithm: 'SHA256' }), sha256, `SHA256 at T=${secs}`);
    assert.equal(totpCode(SEEDS.SHA512, ms, { digits: 8, algorithm: 'SHA512' }), sha512, `SHA512 at T=${secs}`);
    assert.equal(referenceHotp(SEEDS.SHA1, totpStep(ms), 8), sha1, `the independent HOTP agrees at T=${secs}`);
  }
});

test('6-digit codes agree with an independent HMAC-SHA1 for many steps', () => {
  for (let step = 0; step < 200; step += 7) {
    assert.equal(codeForStep(SEEDS.SHA1, step), referenceHotp(SEEDS.SHA1, step, 6), `step ${step}`);
  }
});

test('a code is accepted within one step either side, once, and never after a later one', () => {
  const now = 1_700_000_000_000;
  const step = totpStep(now);
  const code = (s: number) => codeForStep(SEEDS.SHA1, s);
  assert.equal(matchTotp(SEEDS.SHA1, code(step), now, null), step, 'the current code');
  assert.equal(matchTotp(SEEDS.SHA1, code(step - 1), now, null), step - 1, 'the previous step (clock skew)');
  assert.equal(matchTotp(SEEDS.SHA1, code(step + 1), now, null), step + 1, 'the next step (clock skew)');
  assert.equal(matchTotp(SEEDS.SHA1, code(step - 2), now, null), null, 'two steps old is refused');
  assert.equal(matchTotp(SEEDS.SHA1, code(step), now, step), null, 'the same step again (replay) is refused');
  assert.equal(matchTotp(SEEDS.SHA1, code(step - 1), now, step), null, 'an earlier step after a later one is refused');
  assert.equal(matchTotp(SEEDS.SHA1, code(step + 1), now, step), step + 1, 'a later step after an earlier one is fine');
  assert.equal(matchTotp(SEEDS.SHA1, code(step).slice(0, 5), now, null), null, 'a short code is refused');
  assert.equal(matchTotp(SEEDS.SHA1, `${code(step)}0`, now, null), null, 'a long code is refused');
});

test('the certificate is made once, with a private key only its owner reads, and kept', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'skill-cert-')), 'remote');
  const first = await loadOrCreateCertificate(dir, '127.0.0.1');
  assert.match(first.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'SHA-256 fingerprint');
  assert.equal(fs.statSync(first.keyFile).mode & 0o777, 0o600, 'key file mode');
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700, 'certificate directory mode');
  const again = await loadOrCreateCertificate(dir, '127.0.0.1');
  assert.equal(again.fingerprint256, first.fingerprint256, 'the fingerprint survives a restart');
  fs.writeFileSync(first.certFile, 'not a certificate');
  const replaced = await loadOrCreateCertificate(dir, '127.0.0.1');
  assert.notEqual(replaced.fingerprint256, first.fingerprint256, 'a broken certificate is replaced');
});

test('scopes: read is read-only, full is admin, custom reaches exactly its groups', () => {
  assert.equal(aclForScope('read'), 'read_only', 'read');
  assert.equal(aclForScope('full'), 'admin', 'full is full access, not read-only as in the reference');
  assert.equal(aclForScope('data'), 'data', 'an ACL name is itself');
  assert.equal(groupsAllow(['status'], 'GET', '/v1/status'), true, 'status group reads /v1/status');
  assert.equal(groupsAllow(['status'], 'GET', '/v1/statusx'), false, 'prefixes match whole segments');
  assert.equal(groupsAllow(['status'], 'POST', '/v1/status'), false, 'a read-only group does not write');
  assert.equal(groupsAllow(['labels'], 'POST', '/v1/labels'), true, 'a mutating group writes');
  assert.equal(groupsAllow(['labels'], 'GET', '/v1/search/stats'), false, 'outside its groups');
});

test('registration: replay, single-use invites, revocation and the failure limit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-remote-'));
  let now = 1_700_000_000_000;
  const store = new RemoteAuthStore(dir, () => now);
  const made = store.createTotp('phone');
  const secret = secretBytesFromBase32(made.secret_b32);
  const step = totpStep(now);
  const first = store.register({ endpoint_id: 'Phone-1', otp: codeForStep(secret, step) });
  assert.equal(first.client.scope, 'read', 'default scope');
  assert.equal(first.client.endpoint_id, 'phone-1', 'endpoint ids are folded to lower case');
  assert.equal(store.identify(first.token)?.client.id, first.client.id, 'the token identifies the client');
  assert.equal(fs.statSync(store.file).mode & 0o777, 0o600, 'remote_auth.json holds secrets: 0600');
  assert.ok(!fs.readFileSync(store.file, 'utf8').includes(first.token), 'the token itself is not stored');
  assert.throws(() => store.register({ endpoint_id: 'other', otp: codeForStep(secret, step) }), RegistrationRefused, 'replayed code');

  const invite = store.createTotp('invite', true);
  const inviteSecret = secretBytesFromBase32(invite.secret_b32);
  store.register({ endpoint_id: 'tablet', otp: codeForStep(inviteSecret, step) });
  assert.throws(() => store.register({ endpoint_id: 'tablet-2', otp: codeForStep(inviteSecret, step + 1) }), RegistrationRefused, 'an invite registers one client');

  assert.equal(store.revokeClient(first.client.id), true, 'revoked');
  assert.equal(store.identify(first.token), null, 'a revoked client is not identified');

  for (let i = 0; i < 3; i++) assert.throws(() => store.register({ endpoint_id: 'x', otp: '000000' }), /invalid/, `failure ${i + 3}`);
  assert.throws(() => store.register({ endpoint_id: 'x', otp: codeForStep(secret, step + 1) }), /too many/, 'the 6th attempt in a minute is refused even with a good code');
  now += 61_000;
  const later = store.register({ endpoint_id: 'x', otp: codeForStep(secret, totpStep(now)) });
  assert.equal(later.client.endpoint_id, 'x', 'after the window, registration works again');
  assert.equal(new RemoteAuthStore(dir, () => now).identify(later.token)?.client.id, later.client.id, 'clients survive a reload');
});

test('configuration: remote listener off unless asked, mDNS on unless turned off, the unit under XDG_CONFIG_HOME', () => {
  const base = { SKILL_DAEMON_ADDR: '127.0.0.1:0', XDG_CONFIG_HOME: '/tmp/xdg' };
  const plain = loadConfig({ env: base, argv: [], homedir: '/home/u' });
  assert.equal(plain.remoteAddr, null, 'remote listener off by default');
  assert.equal(plain.mdns, true, 'mDNS on by default');
  assert.equal(plain.service.systemdUserDir, '/tmp/xdg/systemd/user', 'unit directory follows XDG_CONFIG_HOME');
  assert.equal(plain.service.runManager, true, 'the manager is run unless told otherwise');
  assert.deepEqual(loadConfig({ env: { ...base, SKILL_REMOTE_ADDR: '0.0.0.0:18445' }, argv: [] }).remoteAddr, { host: '0.0.0.0', port: 18445 }, 'remote address');
  assert.equal(loadConfig({ env: { ...base, SKILL_MDNS: '0' }, argv: [] }).mdns, false, 'SKILL_MDNS=0');
  assert.equal(loadConfig({ env: base, argv: ['--no-mdns'] }).mdns, false, '--no-mdns');
  assert.equal(loadConfig({ env: { ...base, SKILL_SERVICE_MANAGER: 'none' }, argv: [] }).service.runManager, false, 'SKILL_SERVICE_MANAGER=none');
  assert.throws(() => loadConfig({ env: { ...base, SKILL_REMOTE_ADDR: 'everywhere' }, argv: [] }), (err: Error) => err instanceof ConfigError && /SKILL_REMOTE_ADDR/.test(err.message), 'a bad remote address names its variable');
});
