import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_API_DOCUMENT } from '../../src/openapi/package-root.js';
import { readCompareOptions } from './options.js';

/** A stand-in checkout (what a bundle needs above it to start) with two entry points, and a folder outside it. */
const dir = mkdtempSync(join(tmpdir(), 'compare-options-'));
const outside = mkdtempSync(join(tmpdir(), 'compare-outside-'));
mkdirSync(join(dir, 'openapi'));
writeFileSync(join(dir, BUNDLED_API_DOCUMENT), '');
writeFileSync(join(dir, 'package.json'), '{}');
writeFileSync(join(dir, 'a.js'), '');
writeFileSync(join(dir, 'b.js'), '');
writeFileSync(join(outside, 'c.js'), '');
afterAll(() => {
  for (const folder of [dir, outside]) rmSync(folder, { recursive: true, force: true });
});

/** The first line of the error `argv` is refused with (the usage text follows it). */
function refusal(argv: string[]): string {
  try {
    readCompareOptions(argv, dir);
  } catch (error) {
    return (error as Error).message.split('\n')[0]!;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('readCompareOptions', () => {
  it('reads two variants with their settings, resolved against the working directory, and the defaults', () => {
    const options = readCompareOptions(['a.js', '  b.js LOG_LEVEL=warn  MCP_X=a=b '], dir);
    expect(options.variants).toEqual([
      { label: 'a.js', entry: join(dir, 'a.js'), env: {} },
      { label: 'b.js LOG_LEVEL=warn  MCP_X=a=b', entry: join(dir, 'b.js'), env: { LOG_LEVEL: 'warn', MCP_X: 'a=b' } },
    ]);
    expect(options).toMatchObject({
      transports: ['streamable-stateless'],
      rounds: 6,
      seconds: 4,
      warmUpSeconds: 10,
      concurrency: 64,
      processes: 2,
      pin: true,
    });
  });

  it('takes transports repeated or comma-separated, once each, and the numeric options', () => {
    const options = readCompareOptions(
      [
        'a.js',
        'b.js',
        '--transport',
        'legacy-sse,streamable-2026',
        '--transport=legacy-sse',
        '--rounds',
        '3',
        '--seconds',
        '0.5',
        '--concurrency',
        '8',
        '--warm-up=0',
        '--processes=1',
        '--no-pin',
      ],
      dir,
    );
    expect(options).toMatchObject({
      transports: ['legacy-sse', 'streamable-2026'],
      rounds: 3,
      seconds: 0.5,
      warmUpSeconds: 0,
      concurrency: 8,
      processes: 1,
      pin: false,
    });
  });

  it('names what is wrong', () => {
    expect(refusal(['a.js'])).toBe('give at least two variants to compare, got 1');
    expect(refusal(['a.js', 'missing.js'])).toBe(
      `no entry point at ${join(dir, 'missing.js')} (from "missing.js"): run npm run build, or build with --outdir DIR`,
    );
    expect(refusal(['a.js', dir])).toContain(`no entry point at ${dir}`);
    expect(refusal(['a.js', join(outside, 'c.js')])).toBe(
      `${join(outside, 'c.js')} is not inside a checkout (no package.json with ${BUNDLED_API_DOCUMENT} above it): ` +
        'build into a folder inside the repository, such as tmp/ (npm run build -- --outdir tmp/base)',
    );
    expect(refusal(['a.js', 'b.js LOG_LEVEL'])).toBe(
      '"LOG_LEVEL" in "b.js LOG_LEVEL" is not an environment setting NAME=VALUE',
    );
    expect(refusal(['a.js', 'b.js =warn'])).toBe('"=warn" in "b.js =warn" is not an environment setting NAME=VALUE');
    expect(refusal(['a.js', 'a.js'])).toBe('the variant "a.js" is given twice');
    expect(refusal(['a.js', 'b.js', '--transport', 'baseline,sse'])).toBe('unknown --transport "baseline", "sse"');
    expect(refusal(['a.js', 'b.js', '--rounds', '1'])).toBe('--rounds must be a whole number from 2 to 50, got "1"');
    expect(refusal(['a.js', 'b.js', '--rounds', '2.5'])).toBe(
      '--rounds must be a whole number from 2 to 50, got "2.5"',
    );
    expect(refusal(['a.js', 'b.js', '--seconds', 'soon'])).toBe(
      '--seconds must be a number from 0.5 to 60, got "soon"',
    );
    expect(refusal(['a.js', 'b.js', '--concurrency', '0'])).toBe(
      '--concurrency must be a whole number from 1 to 1024, got "0"',
    );
    expect(refusal(['a.js', 'b.js', '--processes', '9'])).toBe(
      '--processes must be a whole number from 1 to 8, got "9"',
    );
    expect(refusal(['a.js', 'b.js', '--warm-up=-1'])).toBe('--warm-up must be a number from 0 to 120, got "-1"');
    expect(refusal(['a.js', 'b.js', '--fast'])).toContain("Unknown option '--fast'");
  });

  it('puts the usage after the problem', () => {
    expect(() => readCompareOptions([], dir)).toThrow(/usage: npm run bench:compare/);
  });
});
