// Fails (exit 1) when the route reference in docs/api.md no longer matches the route table,
// listing what differs route by route, so a route change cannot land with stale docs.
//
//   node --import tsx scripts/docs-check.ts [path/to/api.md]     (npm run docs:check)
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { API_DOC, BEGIN_MARKER, END_MARKER, extractGenerated, renderReference, WRITE_COMMAND } from './docs-api.ts';

interface Block {
  key: string;
  group: string;
  lines: string[];
}

interface Parsed {
  /** Lines before the first group heading (the generated-file notice). */
  preamble: string[];
  blocks: Block[];
  groups: string[];
}

const ROUTE_HEADING = /^### `(.+)`\s*$/;
const GROUP_HEADING = /^## (.+?)\s*$/;

/** Splits a rendered reference into one block per `### \`METHOD /path\`` heading. */
export function parseReference(text: string): Parsed {
  const parsed: Parsed = { preamble: [], blocks: [], groups: [] };
  let group = '';
  let current: Block | null = null;
  for (const raw of text.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    const g = GROUP_HEADING.exec(line);
    const r = ROUTE_HEADING.exec(line);
    if (g) {
      group = g[1]!;
      parsed.groups.push(group);
      current = null;
    } else if (r) {
      current = { key: r[1]!, group, lines: [] };
      parsed.blocks.push(current);
    } else if (current) {
      current.lines.push(line);
    } else if (!group) {
      parsed.preamble.push(line);
    }
  }
  for (const b of parsed.blocks) b.lines = trimBlank(b.lines);
  parsed.preamble = trimBlank(parsed.preamble);
  return parsed;
}

function trimBlank(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a] === '') a++;
  while (b > a && lines[b - 1] === '') b--;
  return lines.slice(a, b);
}

/**
 * What separates the documented reference (`actual`) from the rendered one (`expected`).
 * Pure, so tests can feed it references rendered from a doctored route table. Empty: in sync.
 */
export function compareReference(expected: string, actual: string): string[] {
  const want = parseReference(expected);
  const have = parseReference(actual);
  const problems: string[] = [];
  const haveByKey = new Map<string, Block>();
  for (const b of have.blocks) {
    if (haveByKey.has(b.key)) problems.push(`documented twice: ${b.key}`);
    else haveByKey.set(b.key, b);
  }
  const wantKeys = new Set(want.blocks.map((b) => b.key));

  for (const w of want.blocks) {
    const h = haveByKey.get(w.key);
    if (!h) {
      problems.push(`missing from docs/api.md: ${w.key} (group ${w.group})`);
      continue;
    }
    if (h.group !== w.group) problems.push(`in the wrong group: ${w.key} is documented under "${h.group}", the table has it under "${w.group}"`);
    const diff = diffLines(h.lines, w.lines);
    if (diff.length) problems.push(`stale docs for ${w.key}:\n${diff.map((d) => `      ${d}`).join('\n')}`);
  }
  for (const h of have.blocks) {
    if (!wantKeys.has(h.key)) problems.push(`documented but no longer in the route table: ${h.key}`);
  }
  const preamble = diffLines(have.preamble, want.preamble);
  if (preamble.length) problems.push(`stale notice above the first group:\n${preamble.map((d) => `      ${d}`).join('\n')}`);

  // Everything matches route by route, yet the text differs: groups or routes are out of order.
  if (problems.length === 0 && normalise(expected) !== normalise(actual)) {
    const order = (p: Parsed) => [...p.groups, ...p.blocks.map((b) => b.key)].join(' / ');
    problems.push(
      order(want) === order(have)
        ? 'the section differs in layout (blank lines or headings) from what the table renders'
        : `order of groups or routes differs; the table's order is: ${want.groups.join(', ')}`,
    );
  }
  return problems;
}

const normalise = (text: string) => trimBlank(text.replace(/\r\n/g, '\n').split('\n').map((l) => l.trimEnd())).join('\n');

/** A line diff (`- documented`, `+ rendered`) by longest common subsequence; blocks are short. */
export function diffLines(have: string[], want: string[]): string[] {
  const n = have.length;
  const m = want.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = have[i] === want[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && have[i] === want[j]) {
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removals first, so a changed line reads as `- old` then `+ new`.
      out.push(`- ${have[i++]}`);
    } else {
      out.push(`+ ${want[j++]}`);
    }
  }
  return out;
}

/** Checks a whole api.md text against the route table. */
export function checkDocument(doc: string, expected: string = renderReference()): string[] {
  const documented = extractGenerated(doc);
  if (documented === null) return [`the ${BEGIN_MARKER} … ${END_MARKER} markers are missing`];
  return compareReference(expected, documented);
}

function main(argv: string[]): number {
  const file = argv[0] ?? API_DOC;
  let doc: string;
  try {
    doc = fs.readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`docs-check: cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const problems = checkDocument(doc);
  if (problems.length === 0) {
    process.stdout.write(`docs-check: OK — ${file} matches the route table\n`);
    return 0;
  }
  process.stderr.write(
    `docs-check: the route reference in ${file} is out of date (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n\n` +
      problems.map((p) => `  - ${p}`).join('\n') +
      `\n\nFix: run \`${WRITE_COMMAND}\`, review the diff and commit it.\n`,
  );
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
