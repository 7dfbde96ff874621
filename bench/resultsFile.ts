// bench/RESULTS.md: one section per benchmark, replaced when that benchmark runs again, so
// `npm run bench -- http` refreshes the HTTP figures without dropping the others.
import fs from 'node:fs';
import type { BenchmarkOutcome } from './figure.ts';
import { markdownTable } from './figureTable.ts';
import { goalsTable } from './goalsTable.ts';
import { machineLine, type Machine } from './machine.ts';

export const RESULTS_FILE = new URL('./RESULTS.md', import.meta.url);

const INTRO = `# Benchmark results

Written by \`npm run bench\` (all benchmarks) or \`npm run bench -- <name>\` (one); each
section is replaced when its benchmark runs again. Ratios compare with baselines measured in
the same run on the same machine. Goals are reported, never enforced.
`;

const SECTION = /<!-- bench:([\w-]+) -->\n[\s\S]*?<!-- \/bench:\1 -->\n?/g;

function section(name: string, outcome: BenchmarkOutcome, machine: Machine): string {
  const notes = outcome.notes.map((n) => `- ${n}`).join('\n');
  return [
    `<!-- bench:${name} -->`,
    `## ${name}`,
    '',
    `Machine: ${machineLine(machine)}`,
    '',
    markdownTable(outcome.figures),
    ...(notes ? ['', notes] : []),
    `<!-- /bench:${name} -->`,
    '',
  ].join('\n');
}

/** Replaces (or adds) the sections just measured; sections follow `order`, unknown ones last. */
export function updateResultsFile(
  fresh: Map<string, { outcome: BenchmarkOutcome; machine: Machine }>,
  order: string[],
): void {
  const sections = new Map<string, string>();
  const old = fs.existsSync(RESULTS_FILE) ? fs.readFileSync(RESULTS_FILE, 'utf8') : '';
  for (const m of old.matchAll(SECTION)) sections.set(m[1]!, m[0].endsWith('\n') ? m[0] : m[0] + '\n');
  for (const [name, { outcome, machine }] of fresh) sections.set(name, section(name, outcome, machine));
  const names = [...order.filter((n) => sections.has(n)), ...[...sections.keys()].filter((n) => !order.includes(n))];
  const goals = goalsTable(sections, names);
  fs.writeFileSync(RESULTS_FILE, [INTRO, ...(goals ? [goals] : []), ...names.map((n) => sections.get(n)!)].join('\n'));
}
