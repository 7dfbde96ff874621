// Renders the route reference of docs/api.md from the live route table, so the reference can
// only say what the daemon does. Scopes come from `mayCall` itself and fields from the zod
// schemas, rather than from a hand-kept copy of either.
//
//   node --import tsx scripts/docs-api.ts           print the generated section
//   node --import tsx scripts/docs-api.ts --write   rewrite it in docs/api.md, keeping the prose
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import { ACLS } from '../actors/auth/acl.ts';
import { mayCall } from '../transport/auth.ts';
import type { Principal, Route } from '../transport/route.ts';
import { COSTLY_ROUTES, DEFAULT_RATES } from '../transport/rateLimits.ts';
import { ROUTE_GROUPS } from '../transport/routeTable.ts';
import type { RouteServices } from '../transport/routes/services.ts';

export const API_DOC = fileURLToPath(new URL('../docs/api.md', import.meta.url));
export const BEGIN_MARKER = '<!-- routes:begin -->';
export const END_MARKER = '<!-- routes:end -->';
export const WRITE_COMMAND = 'node --import tsx scripts/docs-api.ts --write';

export interface RouteGroup {
  name: string;
  routes: Route[];
}

/** The route table as its groups. Group builders only close over services, so `{}` will do. */
export function liveGroups(): RouteGroup[] {
  const services = {} as RouteServices;
  return ROUTE_GROUPS.map(([name, build]) => ({ name, routes: build(services) }));
}

/** `METHOD /path`: how a route is named in headings and in docs-check's findings. */
export const routeKey = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** The generated section, markers excluded. */
export function renderReference(groups: RouteGroup[] = liveGroups()): string {
  const out = [
    `<!-- Generated from the route table (transport/routes/*.ts). Do not edit by hand: change the routes, then run \`${WRITE_COMMAND}\`. -->`,
  ];
  for (const group of groups) {
    out.push('', `## ${group.name}`);
    for (const r of group.routes) out.push('', ...renderRoute(r));
  }
  return out.join('\n');
}

function renderRoute(r: Route): string[] {
  const lines = [`### \`${routeKey(r)}\``, '', r.summary.trim(), '', `Scopes: ${scopesOf(r)}`];
  if (r.maxBodyBytes !== undefined) lines.push('', `Body limit: ${r.maxBodyBytes} bytes.`);
  const cost = COSTLY_ROUTES[routeKey(r)];
  if (cost) {
    const rate = DEFAULT_RATES[cost];
    lines.push('', `Rate limit: \`${cost}\` class, ${rate.per_minute} a minute per caller (burst ${rate.burst}); beyond it 429 \`rate_limited\` with \`retry-after\`.`);
  }
  if (r.query) lines.push('', 'Query:', '', ...renderSchema(r.query));
  if (r.body) lines.push('', 'Body (JSON):', '', ...renderSchema(r.body));
  return lines;
}

// ---- scopes -----------------------------------------------------------------------------

const DEFAULT: Principal = { kind: 'default' };
const scoped = (acl: (typeof ACLS)[number]): Principal => ({ kind: 'token', id: 'docs', name: 'docs', acl });

/**
 * The scoped tokens that may call a route, asked of `mayCall` with the route's own path.
 * The default token may call everything, so it is only mentioned should that ever change.
 */
export function scopesOf(r: Route): string {
  if (r.scope === 'public') return 'public';
  const allowed = ACLS.filter((acl) => mayCall(scoped(acl), r.scope, r.method, r.path));
  const text = allowed.length ? allowed.join(', ') : 'none';
  return mayCall(DEFAULT, r.scope, r.method, r.path) ? text : `${text} (not the default token)`;
}

// ---- schemas ----------------------------------------------------------------------------

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: boolean | JsonSchema;
};

interface FieldRow {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** `io: 'input'`: what a client sends (defaults make a field optional, coercions show their input). */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
}

function renderSchema(schema: z.ZodType): string[] {
  const json = toJsonSchema(schema);
  if (!json.properties) return [`A JSON value: ${typeOf(json)}${constraintsOf(json).map((c) => `; ${c}`).join('')}.`];
  const rows = fieldsOf(json, '');
  if (rows.length === 0) return ['No fields.'];
  return [
    '| Field | Type | Required | Constraints |',
    '| --- | --- | --- | --- |',
    ...rows.map((f) => `| \`${f.name}\` | ${cell(typeOf(f.schema))} | ${f.required ? 'required' : 'optional'} | ${cell(constraintsOf(f.schema).join('; ') || '—')} |`),
  ];
}

/** Object fields, nested objects flattened to `parent.child` so their constraints are visible too. */
function fieldsOf(json: JsonSchema, prefix: string): FieldRow[] {
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).flatMap(([key, schema]) => {
    const row: FieldRow = { name: prefix + key, schema, required: required.has(key) };
    const inner = nonNull(schema);
    return inner.properties ? [row, ...fieldsOf(inner, `${row.name}.`)] : [row];
  });
}

/** `T | null` seen as T, for looking inside nullable objects. */
function nonNull(s: JsonSchema): JsonSchema {
  const alts = (s.anyOf ?? s.oneOf)?.filter((a) => a.type !== 'null');
  return alts?.length === 1 ? alts[0]! : s;
}

function typeOf(s: JsonSchema): string {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeOf).join(' | ');
  if (s.const !== undefined) return `${JSON.stringify(s.const)}`;
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length === 0) return 'any';
  return types.map((t) => (t === 'array' ? `array of ${s.items ? typeOf(s.items) : 'any'}` : t)).join(' | ');
}

function constraintsOf(s: JsonSchema): string[] {
  const out: string[] = [];
  const alts = s.anyOf ?? s.oneOf;
  if (alts) for (const a of alts) out.push(...constraintsOf(a));
  if (s.enum) out.push(`one of ${s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`);
  out.push(...range('', s.minimum, s.maximum));
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.exclusiveMaximum !== undefined) out.push(`< ${s.exclusiveMaximum}`);
  out.push(...range('length ', s.minLength, s.maxLength));
  out.push(...range('items ', s.minItems, s.maxItems));
  if (s.items) out.push(...constraintsOf(s.items).map((c) => `each ${c}`));
  if (s.pattern) out.push(`matches \`${s.pattern}\``);
  if (s.format) out.push(`format ${s.format}`);
  if (s.default !== undefined) out.push(`default \`${JSON.stringify(s.default)}\``);
  if (s.description) out.push(s.description);
  return out;
}

// z.int() bounds every integer to the safe range; saying so on each field is noise.
const implicit = (n: number | undefined) => n === undefined || Math.abs(n) === Number.MAX_SAFE_INTEGER;

function range(label: string, min: number | undefined, max: number | undefined): string[] {
  const lo = implicit(min) ? undefined : min;
  const hi = implicit(max) ? undefined : max;
  if (lo !== undefined && hi !== undefined) return [lo === hi ? `${label}exactly ${lo}` : `${label}${lo}–${hi}`];
  if (lo !== undefined) return [`${label}≥ ${lo}`];
  if (hi !== undefined) return [`${label}≤ ${hi}`];
  return [];
}

/** Markdown table cells cannot hold a bare `|` or a line break. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

// ---- docs/api.md ------------------------------------------------------------------------

/** The generated section of a document, markers excluded; null when a marker is missing. */
export function extractGenerated(doc: string): string | null {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER, begin + BEGIN_MARKER.length);
  if (begin < 0 || end < 0) return null;
  return doc.slice(begin + BEGIN_MARKER.length, end).replace(/\r\n/g, '\n').trim();
}

/** The document with its generated section replaced; the prose around it is left as it is. */
export function replaceGenerated(doc: string, generated: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER, begin + BEGIN_MARKER.length);
  if (begin < 0 || end < 0) throw new Error(`${API_DOC} lacks the ${BEGIN_MARKER} … ${END_MARKER} markers`);
  return `${doc.slice(0, begin + BEGIN_MARKER.length)}\n\n${generated.trim()}\n\n${doc.slice(end)}`;
}

function main(argv: string[]): void {
  const generated = renderReference();
  if (!argv.includes('--write')) {
    process.stdout.write(`${generated}\n`);
    return;
  }
  const doc = fs.readFileSync(API_DOC, 'utf8');
  const next = replaceGenerated(doc, generated);
  if (next === doc) {
    process.stdout.write('docs/api.md route reference already up to date\n');
    return;
  }
  fs.writeFileSync(API_DOC, next);
  process.stdout.write('docs/api.md route reference rewritten\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
