// The "Goals" table at the top of bench/RESULTS.md: every figure that has a goal, gathered from
// the sections below it, so a reader sees what passes and what misses without reading each
// section. Rebuilt from the sections' own tables every time the file is written, so it can never
// disagree with them (sections measured on another day keep their own date here).

/** Cells of a Markdown table row written by markdownTable (pipes inside cells are escaped). */
function cells(line: string): string[] {
  return line.slice(2, -2).split(/(?<!\\) \| /).map((c) => c.trim());
}

interface GoalRow {
  benchmark: string;
  measured: string;
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  goal: string;
  pass: string;
}

function goalRows(name: string, section: string): GoalRow[] {
  const measured = /Machine: .*, (\d{4}-\d\d-\d\d \d\d:\d\d UTC)/.exec(section)?.[1] ?? '';
  const table = section.split('\n').filter((l) => l.startsWith('| ') && l.endsWith(' |'));
  const [header, , ...body] = table;
  if (!header) return [];
  const col = (h: string) => cells(header).indexOf(h);
  const [iFigure, iValue, iUnit, iBaseline, iBaselineValue, iRatio, iGoal, iPass] = ['figure', 'value', 'unit', 'baseline', 'baseline value', 'ratio', 'goal', 'pass'].map(col);
  return body
    .map(cells)
    .filter((c) => c[iGoal!])
    .map((c) => ({
      benchmark: name,
      measured,
      figure: c[iFigure!]!,
      value: `${c[iValue!]} ${c[iUnit!]}`.trim(),
      baseline: `${c[iBaseline!] ?? ''} ${c[iBaselineValue!] ?? ''}`.trim(),
      ratio: c[iRatio!] ?? '',
      goal: c[iGoal!]!,
      pass: c[iPass!] ?? '',
    }));
}

/** Markdown for the Goals block, or '' when no section has a goal. */
export function goalsTable(sections: Map<string, string>, names: string[]): string {
  const rows = names.flatMap((n) => goalRows(n, sections.get(n)!));
  if (rows.length === 0) return '';
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  const header = ['benchmark', 'figure', 'value', 'baseline', 'ratio', 'goal', 'pass', 'measured'];
  const failing = rows.filter((r) => r.pass !== 'pass').length;
  return [
    '<!-- goals -->',
    '## Goals',
    '',
    `Every figure with a goal, from the sections below (${rows.length - failing} pass, ${failing} miss); each section's notes say how it was measured and, for a miss, where the time or memory goes.`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map((r) => line([r.benchmark, r.figure, r.value, r.baseline, r.ratio, r.goal, r.pass === 'pass' ? 'pass' : '**FAIL**', r.measured])),
    '<!-- /goals -->',
    '',
  ].join('\n');
}
