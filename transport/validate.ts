// zod validation of bodies and query strings into the one 422 error shape, with field paths.
import type * as z from 'zod';
import { invalidBody, type FieldIssue } from './errors.ts';
import { normalizeKeys } from './fieldCase.ts';

export function validate<T>(schema: z.ZodType<T>, raw: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(normalizeKeys(schema, raw));
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.slice(0, 20).map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
  throw invalidBody(issues, where);
}
