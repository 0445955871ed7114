import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const BENCHMARKS = resolve(import.meta.dirname, '../../../docs/benchmarks.md');

/** The bridge's `tools/call` throughput at concurrency 64 as docs/benchmarks.md reports it. */
export interface BenchmarkThroughput {
  requestsPerSecond: number;
  /** The transport row it came from (the slowest bridge transport, so 70% of it is reachable on all). */
  transport: string;
  source: string;
}

/**
 * Reads section 1 of docs/benchmarks.md (`npm run bench`): rows `| transport | 64 | req/s … |`.
 * Returns the lowest median over the bridge's transports (the sandbox and the baseline rows are not
 * the bridge), or undefined when the file or the rows are missing.
 */
export function readBenchmarkThroughput(): BenchmarkThroughput | undefined {
  let text: string;
  try {
    text = readFileSync(BENCHMARKS, 'utf8');
  } catch {
    return undefined;
  }
  const section = text.split(/^## /m).find((part) => part.startsWith('1.'));
  if (!section) return undefined;
  let best: BenchmarkThroughput | undefined;
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const [, transport, concurrency, rate] = cells;
    if (!transport || concurrency !== '64' || !rate) continue;
    if (/sandbox|baseline/i.test(transport)) continue;
    const requestsPerSecond = Number(rate.split(' ')[0]?.replace(/,/g, ''));
    if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) continue;
    if (!best || requestsPerSecond < best.requestsPerSecond) {
      best = { requestsPerSecond, transport, source: 'docs/benchmarks.md' };
    }
  }
  return best;
}
