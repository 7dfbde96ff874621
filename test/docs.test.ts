// docs/api.md against the route table: the repo's reference is in sync, and the check does
// catch a route added, a route removed, and a changed field or scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { route, type Route } from '../transport/route.ts';
import { API_DOC, extractGenerated, liveGroups, renderReference, replaceGenerated, type RouteGroup } from '../scripts/docs-api.ts';
import { checkDocument, compareReference } from '../scripts/docs-check.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHECK = path.join(ROOT, 'scripts', 'docs-check.ts');

const documented = () => {
  const section = extractGenerated(fs.readFileSync(API_DOC, 'utf8'));
  assert.ok(section, 'docs/api.md has the routes markers');
  return section;
};

/** The live groups with one route changed by `edit` (which may return null to drop it). */
function edited(key: string, edit: (r: Route) => Route | null): RouteGroup[] {
  let found = false;
  const groups = liveGroups().map((g) => ({
    name: g.name,
    routes: g.routes.flatMap((r) => {
      if (`${r.method} ${r.path}` !== key) return [r];
      found = true;
      const next = edit(r);
      return next ? [next] : [];
    }),
  }));
  assert.ok(found, `route ${key} exists in the table`);
  return groups;
}

test('docs/api.md matches the route table', () => {
  assert.deepEqual(checkDocument(fs.readFileSync(API_DOC, 'utf8')), []);
  assert.deepEqual(compareReference(renderReference(), documented()), []);
});

test('a route missing from the docs is reported', () => {
  const groups = liveGroups();
  groups.find((g) => g.name === 'Debug')!.routes.push(
    route({ method: 'GET', path: '/v1/debug/fake', scope: 'admin', summary: 'Not a real route.', handler: () => ({}) }),
  );
  const problems = compareReference(renderReference(groups), documented());
  assert.deepEqual(problems, ['missing from docs/api.md: GET /v1/debug/fake (group Debug)']);
});

test('a documented route that no longer exists is reported', () => {
  const problems = compareReference(renderReference(edited('GET /v1/ws-port', () => null)), documented());
  assert.deepEqual(problems, ['documented but no longer in the route table: GET /v1/ws-port']);
});

test('a changed field is reported as stale docs with a line diff', () => {
  const groups = edited('POST /v1/settings/daemon-watchdog', (r) => ({
    ...r,
    body: z.object({ enabled: z.boolean(), timeout_secs: z.number().int().min(1).max(7200).optional() }),
  }));
  const problems = compareReference(renderReference(groups), documented());
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^stale docs for POST \/v1\/settings\/daemon-watchdog:/);
  assert.match(problems[0]!, /- \| `enabled` \| boolean \| optional \|/);
  assert.match(problems[0]!, /\+ \| `enabled` \| boolean \| required \|/);
  assert.match(problems[0]!, /\+ \| `timeout_secs` \| integer \| optional \| 1–7200 \|/);
});

test('a changed scope is reported as stale docs', () => {
  const groups = edited('GET /v1/ws-clients', (r) => ({ ...r, scope: 'admin' }));
  const [problem, ...rest] = compareReference(renderReference(groups), documented());
  assert.deepEqual(rest, []);
  assert.match(problem!, /stale docs for GET \/v1\/ws-clients:\n\s+- Scopes: admin, read_only\n\s+\+ Scopes: admin$/);
});

test('routes out of order are reported', () => {
  const groups = liveGroups().reverse();
  const problems = compareReference(renderReference(groups), documented());
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /order of groups or routes differs/);
});

test('rewriting the generated section keeps the prose around it', () => {
  const doc = 'intro\n\n<!-- routes:begin -->\nold\n<!-- routes:end -->\n\noutro\n';
  const next = replaceGenerated(doc, 'new');
  assert.equal(next, 'intro\n\n<!-- routes:begin -->\n\nnew\n\n<!-- routes:end -->\n\noutro\n');
  assert.equal(extractGenerated(next), 'new');
  assert.deepEqual(checkDocument('no markers here'), ['the <!-- routes:begin --> … <!-- routes:end --> markers are missing']);
});

test('docs-check exits 0 on the repo and 1 with a fix hint on a stale copy', async () => {
  const ok = await run(process.execPath, ['--import', 'tsx', CHECK], { cwd: ROOT });
  assert.match(ok.stdout, /^docs-check: OK/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-check-'));
  try {
    const stale = path.join(dir, 'api.md');
    const doc = fs.readFileSync(API_DOC, 'utf8').replace(/### `GET \/v1\/ws-port`[\s\S]*?(?=\n## )/, '');
    fs.writeFileSync(stale, doc);
    await assert.rejects(run(process.execPath, ['--import', 'tsx', CHECK, stale], { cwd: ROOT }), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /missing from docs\/api\.md: GET \/v1\/ws-port/);
      assert.match(err.stderr, /node --import tsx scripts\/docs-api\.ts --write/);
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
