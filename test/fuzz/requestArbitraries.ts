// What the fuzzer sends: for each route, bodies and query strings drawn from its own schema's
// field names (in both casings) with values that are sometimes plausible — so validation passes
// and handlers run — and often hostile: wrong types, huge and tiny numbers, "NaN" strings, deep
// nesting, long unicode, extra fields, or bytes that are not JSON at all.
import fc from 'fast-check';
import { toJsonSchema } from '../../scripts/docs-api.ts';
import type { Route } from '../../transport/route.ts';

type JsonSchema = ReturnType<typeof toJsonSchema>;

export interface FuzzRequest {
  /** Raw body bytes (bodies are sent as given, JSON or not). */
  body: string | null;
  /** Query string without `?`. */
  query: string;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Deeply nested arrays and objects: parsers and validators must not recurse without bound. */
const deep = fc.integer({ min: 50, max: 2_000 }).map((depth) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { v };
  return v;
});

const hostileString = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '-0', 'null', 'undefined', 'true', '0x10', ' 42 ', '', '../../etc/passwd', '%2e%2e%2f', '\u0000', '\ud800', '🧠'.repeat(300)),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.string({ minLength: 2_000, maxLength: 20_000 }),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, 2 ** 53, 2 ** 64, 0.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: deep },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A value that could pass the field's schema (a number in range, one of an enum, a string…). */
function plausible(s: JsonSchema): fc.Arbitrary<unknown> {
  const alts = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alts?.length) return fc.oneof(...alts.map(plausible));
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  if (s.const !== undefined) return fc.constant(s.const);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const lo = typeof s.minimum === 'number' && Number.isSafeInteger(s.minimum) ? s.minimum : -1_000;
  const hi = typeof s.maximum === 'number' && Number.isSafeInteger(s.maximum) ? s.maximum : 1_000_000;
  switch (type) {
    case 'integer':
      return fc.integer({ min: Math.min(lo, hi), max: Math.max(lo, hi) });
    case 'number':
      return fc.double({ min: Math.min(lo, hi), max: Math.max(lo, hi), noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) });
    case 'array':
      return fc.array(s.items ? plausible(s.items) : fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 });
    case 'object':
      return s.properties ? objectOf(s, 0.2) : fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** An object with the schema's fields (some left out, some misspelt in the other casing, some hostile). */
function objectOf(s: JsonSchema, hostileRate: number): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(s.properties ?? {});
  return fc
    .tuple(
      ...fields.map(([key, schema]) =>
        fc.record({
          present: fc.double({ min: 0, max: 1, noNaN: true }),
          casing: fc.constantFrom('as is', 'snake', 'camel'),
          value: fc.double({ min: 0, max: 1, noNaN: true }).chain((r) => (r < hostileRate ? hostileValue : plausible(schema))),
          key: fc.constant(key),
        }),
      ),
      fc.dictionary(fc.string({ maxLength: 12 }), hostileValue, { maxKeys: 2 }),
    )
    .map(([...parts]) => {
      const extra = parts.pop() as Record<string, unknown>;
      const out: Record<string, unknown> = { ...extra };
      for (const p of parts as Array<{ present: number; casing: string; value: unknown; key: string }>) {
        if (p.present < 0.25) continue;
        const key = p.casing === 'snake' ? snake(p.key) : p.casing === 'camel' ? camel(p.key) : p.key;
        out[key] = p.value;
      }
      return out;
    });
}

const notJson = fc.constantFrom('{', '{"a":', '[1,2', 'nul', '\u0000\u0001', '{"a":1}garbage', "{'single':1}", 'NaN', '1e99999');

function bodyArbitrary(route: Route): fc.Arbitrary<string | null> {
  if (route.method === 'GET') return fc.constant(null);
  const schema = route.body ? toJsonSchema(route.body) : { type: 'object' };
  const shaped = schema.properties ? objectOf(schema, 0.35) : plausible(schema);
  return fc.oneof(
    { weight: 6, arbitrary: shaped.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: notJson },
    { weight: 1, arbitrary: fc.constant('') },
  );
}

function queryArbitrary(route: Route): fc.Arbitrary<string> {
  const schema = route.query ? toJsonSchema(route.query) : null;
  const keys = Object.keys(schema?.properties ?? {});
  const pair = fc.tuple(keys.length ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })) : fc.string({ maxLength: 8 }), fc.oneof(hostileString, fc.integer().map(String)));
  return fc.array(pair, { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${percentEncoded(k)}=${percentEncoded(v)}`).join('&'));
}

/** Every UTF-8 byte but the unreserved ones as %XX (encodeURIComponent throws on lone surrogates). */
function percentEncoded(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`;
  return out;
}

export function requestArbitrary(route: Route): fc.Arbitrary<FuzzRequest> {
  return fc.record({ body: bodyArbitrary(route), query: queryArbitrary(route) });
}
