// What a benchmark hands back: figures, each optionally compared with a baseline measured
// in the same run (never a number remembered from another machine or another day).
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** value / baseline.value */
  ratio?: number;
  /** Human-readable target, e.g. "ratio ≥ 1.5". */
  goal?: string;
  pass?: boolean;
}

export interface BenchmarkOutcome {
  figures: Figure[];
  /** How it was measured (tool, settings, raw samples), shown under the figures. */
  notes: string[];
}

/** A figure compared with an in-run baseline, passing when value / baseline ≥ minRatio. */
export function compared(
  name: string,
  value: number,
  unit: string,
  baseline: { name: string; value: number },
  minRatio: number,
): Figure {
  const ratio = baseline.value > 0 ? value / baseline.value : Number.NaN;
  return { name, value, unit, baseline, ratio, goal: `ratio ≥ ${minRatio}`, pass: ratio >= minRatio };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Thousands separators and no false precision: 35,123 / 12.3 / 0.0421. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 1 ? 1 : 4;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? '' : `${r.toFixed(2)}×`;
}

export function formatPass(pass: boolean | undefined): string {
  return pass === undefined ? '' : pass ? 'pass' : 'FAIL';
}

/** One figure as a line of text: value, and baseline/ratio/goal where it has them. */
export function figureLine(f: Figure): string {
  const vs = f.ratio === undefined ? '' : ` (${f.baseline ? `baseline ${formatValue(f.baseline.value)}, ` : ''}ratio ${f.ratio.toFixed(3)})`;
  const goal = f.goal ? ` ${f.pass ? 'pass' : 'FAIL'} ${f.goal}` : '';
  return `${f.name}: ${formatValue(f.value)} ${f.unit}${vs}${goal}`;
}

/**
 * Lets a benchmark module run by itself (`node --import tsx bench/<name>.ts`): prints its figures
 * and notes, then exits (worker threads and child processes would otherwise keep it alive).
 */
export async function runWhenMain(moduleUrl: string, run: () => Promise<BenchmarkOutcome>): Promise<void> {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  const outcome = await run();
  for (const f of outcome.figures) process.stdout.write(figureLine(f) + '\n');
  for (const n of outcome.notes) process.stdout.write(`  ${n}\n`);
  process.exit(0);
}
