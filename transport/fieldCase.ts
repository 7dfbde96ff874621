// Request bodies may spell a field `startUtc` or `start_utc`, whatever the schema uses.
// Keys are matched against the schema's own keys, ignoring case and underscores, and
// renamed to the schema's spelling before validation; replies keep the reference's spelling.
import type * as z from 'zod';

/** `startUtc`, `start_utc` and `StartUTC` all fold to `startutc`. */
export function foldKey(key: string): string {
  return key.replace(/_/g, '').toLowerCase();
}

type AnySchema = z.ZodType & { def?: Record<string, unknown>; _zod?: { def: Record<string, unknown> } };

function defOf(schema: AnySchema): Record<string, unknown> {
  return (schema._zod?.def ?? schema.def ?? {}) as Record<string, unknown>;
}

/** Peels optional/nullable/default/pipe wrappers down to the schema that describes the shape. */
function core(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(s);
    const inner = (def.innerType ?? (def.type === 'pipe' ? def.in : undefined)) as AnySchema | undefined;
    if (!inner) return s;
    s = inner;
  }
  return s;
}

const aliasCache = new WeakMap<object, Map<string, string>>();

function aliasesFor(shape: Record<string, AnySchema>): Map<string, string> {
  let map = aliasCache.get(shape);
  if (!map) {
    map = new Map(Object.keys(shape).map((k) => [foldKey(k), k]));
    aliasCache.set(shape, map);
  }
  return map;
}

export function normalizeKeys(schema: z.ZodType, value: unknown, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  const s = core(schema as AnySchema);
  const def = defOf(s);
  if (def.type === 'array' && Array.isArray(value)) {
    return value.map((v) => normalizeKeys(def.element as z.ZodType, v, depth + 1));
  }
  if (def.type === 'object' && !Array.isArray(value)) {
    const shape = def.shape as Record<string, AnySchema>;
    const aliases = aliasesFor(shape);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const target = key in shape ? key : aliases.get(foldKey(key)) ?? key;
      // When both spellings are sent, the schema's own spelling wins.
      if (target !== key && target in (value as object)) continue;
      out[target] = shape[target] ? normalizeKeys(shape[target], v, depth + 1) : v;
    }
    return out;
  }
  return value;
}
