/** How the benchmark's outputs (the report, `bench:compare`) write figures and tables. */
import type { Spread } from './stats.js';

export function number(value: number, digits = 0): string {
  return Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';
}

/** A difference with its sign: "+0.42", "-0.10". */
function signed(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : ''}${number(value, digits)}`;
}

/** "median (min–max)"; just the median when there was one run. `unit` follows the median ("0.71× (0.64–0.80)"). */
export function spreadText(s: Spread, digits = 0, unit = ''): string {
  if (s.runs.length < 2) return `${number(s.median, digits)}${unit}`;
  return `${number(s.median, digits)}${unit} (${number(s.min, digits)}–${number(s.max, digits)})`;
}

/** A difference's "median (min to max)" with signs: "+1.12 (+1.05 to +1.20)". */
export function signedSpreadText(s: Spread, digits = 2): string {
  if (s.runs.length < 2) return signed(s.median, digits);
  return `${signed(s.median, digits)} (${signed(s.min, digits)} to ${signed(s.max, digits)})`;
}

/** A markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
