/**
 * Keeps `npm run bench:compare` working: compares the production build with itself at LOG_LEVEL=warn on
 * two transports, briefly, and checks that every variant has a row of finite, positive figures and no
 * errors. No timing assertions: which variant is cheaper depends on the machine.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelledRow, leadingNumber } from '../../helpers/markdown-table.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = 'dist/src/main.js';
const RUN_TIMEOUT_MS = 120_000;

function compare(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/compare.ts', ...args],
      { cwd: ROOT, timeout: RUN_TIMEOUT_MS },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The cells of the row of `label` in the section headed by `heading`. */
function row(markdown: string, heading: string, label: string): string[] {
  const section = markdown.split('\n## ').find((text) => text.startsWith(heading));
  if (!section) throw new Error(`no section "${heading}" in:\n${markdown}`);
  return labelledRow(section, label);
}

describe('npm run bench:compare', () => {
  let run: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    if (!existsSync(`${ROOT}${ENTRY}`)) throw new Error(`${ENTRY} is not built: run npm run build first`);
    run = await compare([
      ENTRY,
      `${ENTRY} LOG_LEVEL=warn`,
      '--rounds=2',
      '--seconds=0.5',
      '--concurrency=4',
      '--warm-up=0.5',
      '--transport=streamable-stateless,messages-direct',
    ]);
  }, RUN_TIMEOUT_MS + 10_000);

  it('measures every variant on every transport, without errors, with the difference from the first', () => {
    expect(run.code, run.stderr).toBe(0);
    for (const heading of ['Streamable HTTP, stateless', 'legacy `POST /messages` direct']) {
      const [, cpu, rps, errors, byRound] = row(run.stdout, heading, ENTRY);
      for (const cell of [cpu, rps]) expect(leadingNumber(cell), `${heading}: "${cell}"`).toBeGreaterThan(0);
      expect(errors).toBe('0');
      expect(byRound!.split(' ')).toHaveLength(2);
      const other = row(run.stdout, heading, `${ENTRY} LOG_LEVEL=warn`);
      expect(other[3]).toBe('0');
      expect(other[5]).toMatch(/^[+-][\d,]+ \([+-][\d,]+ to [+-][\d,]+\) µs, /);
      expect(other[6]).toMatch(/^[0-2] of 2 rounds$/);
    }
  });

  it('refuses a variant that does not exist, naming it, with exit code 2', async () => {
    const refused = await compare([ENTRY, 'dist/nowhere.js']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no entry point at');
    expect(refused.stderr).toContain('dist/nowhere.js');
    expect(refused.stdout).toBe('');
  });
});
