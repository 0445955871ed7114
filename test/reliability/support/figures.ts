import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where every reliability test writes the figures docs/reliability.md quotes. */
export const FIGURES_FILE = resolve(import.meta.dirname, '../../../.test-results/reliability-figures.json');

type Figures = Record<string, unknown>;

function readAll(): Figures {
  try {
    return JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Figures;
  } catch {
    return {};
  }
}

/**
 * Stores one test's figures under `section`, keeping the other sections. Test files run one at a
 * time (vitest.reliability.config.ts), so read-modify-write is safe.
 */
export function recordFigures(section: string, figures: Record<string, unknown>): void {
  const all = readAll();
  all[section] = { ...figures, recordedAt: new Date().toISOString() };
  mkdirSync(dirname(FIGURES_FILE), { recursive: true });
  writeFileSync(FIGURES_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
