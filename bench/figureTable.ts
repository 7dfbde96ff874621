// The same rows rendered twice: aligned text for the terminal and a Markdown table for RESULTS.md.
import { formatPass, formatRatio, formatValue, type Figure } from './figure.ts';

const HEADER = ['figure', 'value', 'unit', 'baseline', 'baseline value', 'ratio', 'goal', 'pass'];

function rows(figures: Figure[]): string[][] {
  return figures.map((f) => [
    f.name,
    formatValue(f.value),
    f.unit,
    f.baseline?.name ?? '',
    f.baseline ? formatValue(f.baseline.value) : '',
    formatRatio(f.ratio),
    f.goal ?? '',
    formatPass(f.pass),
  ]);
}

export function textTable(figures: Figure[]): string {
  const all = [HEADER, ...rows(figures)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows(figures).map(line)].join('\n');
}

export function markdownTable(figures: Figure[]): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...rows(figures).map(line)].join('\n');
}
