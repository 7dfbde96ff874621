// Token stores and scope rules without a server: the default token file, scoped tokens with
// a controllable clock, and the reference's path rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aclAllows } from '../actors/auth/acl.ts';
import { DefaultToken } from '../actors/auth/defaultToken.ts';
import { sha256 } from '../actors/auth/secret.ts';
import { MAX_ACTIVE_TOKENS, TokenLimitError, TokenStore } from '../actors/auth/tokenStore.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'skill-auth-'));

test('scope rules follow the reference path table', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['read_only', 'GET', '/v1/auth/tokens', true],
    ['read_only', 'POST', '/v1/labels', false],
    ['data', 'POST', '/v1/labels', true],
    ['data', 'DELETE', '/v1/labels/7', true],
    ['data', 'POST', '/v1/llm/chat-completions', true],
    ['data', 'POST', '/v1/chat/completions', true],
    ['data', 'GET', '/v1/models', true],
    ['data', 'POST', '/v1/models', false],
    ['data', 'GET', '/v1/models/config', false],
    ['data', 'GET', '/v1/models/status', false],
    ['data', 'POST', '/v1/llm/chat/save-message', true],
    ['data', 'GET', '/v1/llm/chat/sessions', true],
    ['data', 'POST', '/v1/llm/selection/active-model', false],
    ['data', 'GET', '/v1/llm/catalog/search', false],
    ['data', 'GET', '/v1/status', true],
    ['data', 'GET', '/v1/events', false],
    ['data', 'POST', '/v1/settings/llm-config', false],
    ['data', 'GET', '/v1/settings/llm-config', false],
    ['stream', 'GET', '/v1/events', true],
    ['stream', 'GET', '/v1/status', true],
    ['stream', 'GET', '/v1/activity/latest-bands', true],
    ['stream', 'GET', '/v1/labels', false],
    ['stream', 'POST', '/v1/status', false],
    ['admin', 'POST', '/v1/auth/tokens', true],
  ];
  for (const [acl, method, p, want] of cases) assert.equal(aclAllows(acl as never, method, p), want, `${acl} ${method} ${p}`);
});

test('the default token file is created 0600 in a 0700 directory and re-read after rotation', () => {
  const dir = path.join(tmp(), 'skill', 'daemon');
  const file = path.join(dir, 'auth.token');
  const t = new DefaultToken(file, null);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  assert.equal(fs.readFileSync(file, 'utf8'), t.value + '\n');
  assert.ok(t.matches(t.value));
  assert.ok(!t.matches('other'));
  fs.writeFileSync(file, 'rotated\n');
  assert.ok(t.matches('rotated'), 'a mismatch re-reads a changed file');
  const old = t.value;
  const fresh = t.refresh();
  assert.notEqual(fresh, old);
  assert.equal(fs.readFileSync(file, 'utf8').trim(), fresh);
  assert.ok(!t.matches('rotated', Date.now() + 5_000));
});

test('a token file readable by others is tightened at start', () => {
  const file = path.join(tmp(), 'auth.token');
  fs.writeFileSync(file, 'loose-token\n', { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  const t = new DefaultToken(file, null);
  assert.equal(t.value, 'loose-token');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('scoped tokens: stored as salted hashes, expire on the clock, revoke and delete', () => {
  const dir = tmp();
  let now = 1_800_000_000_000;
  const store = new TokenStore(dir, () => now);
  const created = store.create('app', 'data', 'week');
  assert.match(created.token, /^sk-[A-Za-z0-9_-]{43}$/);
  const onDisk = JSON.parse(fs.readFileSync(store.file, 'utf8')).tokens[0];
  assert.equal(onDisk.token, '');
  assert.equal(onDisk.token_hash, createHash('sha256').update(onDisk.token_salt + created.token).digest('hex'));
  assert.equal(store.check(created.token, sha256(created.token)).ok, true);
  now += 7 * 86_400_000 + 1000;
  assert.equal(store.check(created.token, sha256(created.token)).ok, false, 'expired after a week');
  const other = store.create('other', 'stream', 'never');
  assert.equal(other.expires_at, null);
  assert.ok(store.revoke(other.id));
  assert.equal(store.check(other.token, sha256(other.token)).ok, false);
  assert.ok(store.delete(other.id));
  assert.equal(store.delete(other.id), false);
  // A fresh store reads the file back and still validates by hash alone.
  const third = store.create('third', 'admin', 'month');
  const reopened = new TokenStore(dir, () => now);
  assert.equal(reopened.check(third.token, sha256(third.token)).ok, true);
});

test('legacy plaintext tokens are migrated to hashes on load', () => {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'daemon'));
  const secret = 'sk-legacy-plaintext-secret';
  fs.writeFileSync(path.join(dir, 'daemon', 'tokens.json'), JSON.stringify({ tokens: [{ id: 'a1', name: 'legacy', token: secret, acl: 'read_only', created_at: 1, expires_at: null, last_used_at: null, revoked: false }] }));
  const store = new TokenStore(dir);
  assert.ok(!fs.readFileSync(store.file, 'utf8').includes(secret));
  assert.equal(store.check(secret, sha256(secret)).ok, true);
});

test(`at most ${MAX_ACTIVE_TOKENS} active tokens; expired and revoked ones do not count`, () => {
  let now = 1_800_000_000_000;
  const store = new TokenStore(tmp(), () => now);
  const first = store.create('0', 'stream', 'week');
  for (let i = 1; i < MAX_ACTIVE_TOKENS; i++) store.create(String(i), 'stream', 'never');
  assert.throws(() => store.create('x', 'stream', 'never'), TokenLimitError);
  now += 8 * 86_400_000;
  assert.doesNotThrow(() => store.create('after-expiry', 'stream', 'never'));
  assert.ok(first.expires_at !== null);
});
