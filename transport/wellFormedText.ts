// JSON may spell a lone UTF-16 surrogate (`"\ud800"`), which is not text: it cannot be encoded as
// UTF-8 for SQLite, a file name or a URL (encodeURIComponent throws on it). Bodies holding one
// are refused with 422 before any handler sees them. Raw bytes cannot produce one (invalid UTF-8
// decodes to U+FFFD), so only bodies with a surrogate escape are walked.
import type { FieldIssue } from './errors.ts';

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** Where `value` (parsed from `text`) holds a string or key that is not well-formed Unicode. */
export function illFormedTextIssues(text: string, value: unknown): FieldIssue[] {
  if (!SURROGATE_ESCAPE.test(text)) return [];
  const issues: FieldIssue[] = [];
  walk(value, '', issues);
  return issues;
}

// String.prototype.isWellFormed (V8 11.1, in Node 20) is newer than the TypeScript lib this project targets.
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

const MESSAGE = 'not well-formed Unicode text (a lone surrogate)';

function walk(value: unknown, path: string, issues: FieldIssue[]): void {
  if (issues.length >= 10) return;
  if (typeof value === 'string') {
    if (!isWellFormed(value)) issues.push({ path, message: MESSAGE });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, path ? `${path}.${i}` : String(i), issues));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = path ? `${path}.${k}` : k;
      if (!isWellFormed(k)) issues.push({ path: at, message: `key ${MESSAGE}` });
      walk(v, at, issues);
    }
  }
}
