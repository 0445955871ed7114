/** Reading the markdown tables the benchmark's commands print, as a person reads them: row by row, cell by cell. */

/** The cells of one table row, trimmed: `| a | b |` gives ['a', 'b']. */
export function tableCells(line: string): string[] {
  return line
    .slice(1, -1)
    .split('|')
    .map((cell) => cell.trim());
}

/** The cells of the row whose first cell is `label` in backticks; throws, showing `markdown`, when there is none. */
export function labelledRow(markdown: string, label: string): string[] {
  const line = markdown.split('\n').find((text) => text.startsWith(`| \`${label}\` |`));
  if (!line) throw new Error(`no row for ${label} in:\n${markdown}`);
  return tableCells(line);
}

/** The leading figure of a cell such as "1,234 (1,200–1,300)", "+0.12" or "-35 (…) µs"; NaN when it has none. */
export function leadingNumber(cell: string | undefined): number {
  const match = /^[+-]?[\d,]*\.?\d+/.exec(cell ?? '');
  return match ? Number(match[0].replaceAll(',', '')) : Number.NaN;
}
