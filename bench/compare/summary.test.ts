import { describe, expect, it } from 'vitest';
import { labelledRow } from '../../test/helpers/markdown-table.js';
import { type RoundResult, renderComparison } from './summary.js';

function rounds(cpu: number[], errors: Array<string | undefined> = []): RoundResult[] {
  return cpu.map((cpuPerCallUs, i) => ({
    cpuPerCallUs,
    requestsPerSecond: 1_000_000 / (cpuPerCallUs + 600),
    errors: errors[i] ? 1 : 0,
    ...(errors[i] ? { firstError: errors[i] } : {}),
  }));
}

describe('renderComparison', () => {
  const markdown = renderComparison(
    [
      {
        transport: 'streamable-stateless',
        variants: [
          { label: 'a.js', rounds: rounds([600, 700, 650]) },
          { label: 'b.js LOG_LEVEL=warn', rounds: rounds([550, 690, 700]) },
          { label: 'c.js', rounds: rounds([660, 770, 715], [undefined, 'HTTP 500: boom']) },
        ],
      },
    ],
    '3 rounds.',
  );

  it('gives each variant its median and range, req/s, errors and every round', () => {
    expect(labelledRow(markdown, 'a.js').slice(1, 5)).toEqual(['650 (600–700)', '800 (769–833)', '0', '600 700 650']);
    expect(labelledRow(markdown, 'a.js').slice(5)).toEqual(['(the reference)', '']);
    expect(labelledRow(markdown, 'c.js')[3]).toBe('1');
  });

  it('takes the difference from the first variant round by round, not between medians', () => {
    // Rounds: -50, -10, +50 µs: the median of the differences (-10) is not the difference of the medians (+40).
    expect(labelledRow(markdown, 'b.js LOG_LEVEL=warn').slice(5)).toEqual([
      '-10 (-50 to +50) µs, -1.4 (-8.3 to +7.7) %',
      '2 of 3 rounds',
    ]);
    expect(labelledRow(markdown, 'c.js').slice(5)).toEqual([
      '+65 (+60 to +70) µs, +10.0 (+10.0 to +10.0) %',
      '0 of 3 rounds',
    ]);
  });

  it('names the transport and lists the first error of each failing round', () => {
    expect(markdown).toContain('## Streamable HTTP, stateless (2025-11-25, no session)');
    expect(markdown).toContain('Errors:\n- `c.js`: HTTP 500: boom');
    expect(markdown.startsWith('# Bridge comparison\n\n3 rounds.\n')).toBe(true);
  });
});
